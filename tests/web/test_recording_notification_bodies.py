"""`POST /notifications/recordings` and `POST /notifications/recordings/lifecycle` on the bot as
`make run` serves it: a body that is not a collection of recording (or lifecycle) notifications
is answered 400 (never 500, nothing from it logged), and a notification whose `clientState` is
not its subscription's is answered 202 and ignored. One bot is served per engine for the whole
module. (The validation handshake, as Microsoft documents it, is echoed in
`tests/conformance/graph/test_change_notifications.py`.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.recording_backstop_runtime import LIFECYCLE_PATH, NOTIFICATION_PATH, ignored
from consent_store.recording_artefacts import RecordingArtefacts
from tests.bad_bodies import JSON, MARKER, NOT_AN_OBJECT, NOT_JSON, assert_refused_quietly
from tests.conformance.documented import documented
from tests.conftest import ENGINES
from tests.served_bot import ServedInstallation, installation_served
from tests.tenant_flows.test_serving import eventually


def recording(**fields: Any) -> dict[str, Any]:
    """Microsoft's documented notification of a new recording, with `fields` changed."""
    return {**documented("graph/recording_created_basic.json"), **fields}


def lifecycle(**fields: Any) -> dict[str, Any]:
    """Microsoft's documented `missed` lifecycle notification, with `fields` changed."""
    notification: dict[str, Any] = documented("graph/lifecycle_missed.json")["value"][0]
    return {**notification, **fields}


WRONG_FIELDS: dict[str, dict[str, Any]] = {
    NOTIFICATION_PATH: {
        "no value, and not a notification itself": {"validationTokens": []},
        "value not a list": {"value": 5},
        "value an object": {"value": recording()},
        "value a string": {"value": MARKER},
        "a notification that is not an object": {"value": [MARKER]},
        "no subscriptionId": {"value": [recording(subscriptionId=None)]},
        "no resource": {"value": [recording(resource=None, resourceData=None)]},
        "clientState not a string": {"value": [recording(clientState=["x"])]},
        "clientState a number": {"value": [recording(clientState=7)]},
        "clientState not ASCII": {"value": [recording(clientState=f"{MARKER}-é")]},
        "clientState over 255 characters": {"value": [recording(clientState="x" * 256)]},
        "a bare notification whose clientState is over 255 characters": recording(
            clientState="x" * 256
        ),
    },
    LIFECYCLE_PATH: {
        "no value": {"values": []},
        "value not a list": {"value": lifecycle()},
        "a notification that is not an object": {"value": [MARKER]},
        "no lifecycleEvent": {"value": [lifecycle(lifecycleEvent=None)]},
        "lifecycleEvent a number": {"value": [lifecycle(lifecycleEvent=7)]},
        "lifecycleEvent a list": {"value": [lifecycle(lifecycleEvent=[MARKER])]},
        "clientState not a string": {"value": [lifecycle(clientState=["x"])]},
        "clientState not ASCII": {"value": [lifecycle(clientState=f"{MARKER}-é")]},
        "clientState over 255 characters": {"value": [lifecycle(clientState="x" * 256)]},
    },
}
PATHS = [NOTIFICATION_PATH, LIFECYCLE_PATH]


@pytest.fixture(scope="module", params=ENGINES)
async def served(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[ServedInstallation]:
    """The served bot (sandbox mode, an installation of its own, a fresh database on the
    engine), once its recording subscriptions are made."""
    async with installation_served(request, tmp_path_factory, sqlite_template) as served:

        async def subscribed() -> bool:
            return len(await client_states(served)) == 2

        await eventually(subscribed)
        yield served


async def client_states(served: ServedInstallation) -> dict[str, str]:
    """The recording and transcript subscriptions' client states, by subscription id."""
    async with served.store.reading() as uow:
        return await RecordingArtefacts(uow).client_states()


async def post(url: str, body: bytes, content_type: str = JSON) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers={"Content-Type": content_type}) as response,
    ):
        return response.status, await response.text()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", NOT_JSON)
async def test_a_body_that_is_not_utf8_json_is_refused(
    served: ServedInstallation, caplog: pytest.LogCaptureFixture, path: str, case: str
) -> None:
    body, content_type = NOT_JSON[case]
    status, text = await post(served.origin + path, body, content_type)
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", NOT_AN_OBJECT)
async def test_a_body_that_is_not_an_object_is_refused(
    served: ServedInstallation, caplog: pytest.LogCaptureFixture, path: str, case: str
) -> None:
    status, text = await post(served.origin + path, NOT_AN_OBJECT[case])
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


@pytest.mark.parametrize(
    ("path", "case"), [(path, case) for path in PATHS for case in WRONG_FIELDS[path]]
)
async def test_a_body_that_is_not_notifications_is_refused(
    served: ServedInstallation, caplog: pytest.LogCaptureFixture, path: str, case: str
) -> None:
    body = json.dumps(WRONG_FIELDS[path][case]).encode()
    status, text = await post(served.origin + path, body)
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


async def test_a_notification_with_another_subscriptions_client_state_is_ignored(
    served: ServedInstallation, caplog: pytest.LogCaptureFixture
) -> None:
    (recordings, recordings_state), (_, transcripts_state) = (await client_states(served)).items()
    assert recordings_state != transcripts_state
    before = ignored["wrong client state"]
    body = {
        "value": [
            recording(subscriptionId=recordings, clientState=transcripts_state),
            recording(subscriptionId=recordings, clientState="not-the-subscriptions"),
            recording(subscriptionId="another-subscription", clientState=recordings_state),
        ]
    }
    status, _ = await post(served.origin + NOTIFICATION_PATH, json.dumps(body).encode())
    assert status == 202
    assert ignored["wrong client state"] - before == 3
    assert caplog.text.count("recording notification with the wrong clientState") == 3
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)


async def test_a_lifecycle_notification_with_another_client_state_is_ignored(
    served: ServedInstallation, caplog: pytest.LogCaptureFixture
) -> None:
    before = ignored["wrong client state"]
    body = {"value": [lifecycle(clientState="not-the-subscriptions")]}
    status, _ = await post(served.origin + LIFECYCLE_PATH, json.dumps(body).encode())
    assert status == 202
    assert ignored["wrong client state"] - before == 1
    assert "recording lifecycle notification with the wrong clientState" in caplog.text
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)


@pytest.mark.parametrize("path", PATHS)
async def test_a_body_over_the_size_limit_is_too_large(
    served: ServedInstallation, path: str
) -> None:
    body = json.dumps({"value": [lifecycle(padding="x" * (1024**2 + 1))]})
    status, _ = await post(served.origin + path, body.encode())
    assert status == 413
