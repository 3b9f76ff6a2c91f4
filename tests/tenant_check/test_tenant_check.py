"""`iass-bot tenant check` against the sandbox: it passes on the seeded tenant, and each
misconfiguration an administrator could make is reported on its own line with its fix."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from pydantic import SecretStr

from bot.cli.main import main
from bot.cli.tenant_checklist import CheckLine, Outcome, exit_status
from bot.cli.tenant_probes import CheckTarget, run_checks
from bot.speech.espeak import EspeakBackend
from sandbox.endpoints import environment as sandbox_environment
from sandbox.seed import BOT_CATALOG_APP_ID, CONSENT_MAILBOX, COORDINATOR, STAFF
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_check.conftest import with_tenant


def by_item(lines: list[CheckLine]) -> dict[str, CheckLine]:
    return {line.item: line for line in lines}


def failures(lines: list[CheckLine]) -> dict[str, CheckLine]:
    return {line.item: line for line in lines if line.outcome is Outcome.FAIL}


def reregister(sandbox: RunningSandbox, **changes: object) -> None:
    tenant = sandbox.tenant
    tenant.reregister_app(dataclasses.replace(tenant.bot, **changes))  # type: ignore[arg-type]


async def test_a_correct_tenant_passes_every_line_within_ten_seconds(
    target: CheckTarget,
) -> None:
    started = time.monotonic()
    lines = await run_checks(target)
    elapsed = time.monotonic() - started

    assert failures(lines) == {}
    assert exit_status(lines) == 0
    assert by_item(lines)["consent mailbox can send"].outcome is Outcome.SKIP
    assert [line.item for line in lines] == [
        "token",
        "Graph permissions",
        "application access policy",
        "staff calendars in scope",
        "consent mailbox readable",
        "other mailboxes out of scope",
        "consent mailbox can send",
        "Teams app in the catalog",
        "public URL",
        "subscription validation",
        "speech",
    ]
    assert elapsed < 10


async def test_write_sends_a_test_message_and_makes_and_removes_a_calendar_event(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    lines = await run_checks(dataclasses.replace(target, write=True))

    assert failures(lines) == {}
    assert by_item(lines)["consent mailbox can send"].outcome is Outcome.PASS
    assert by_item(lines)["test event (--write)"].outcome is Outcome.PASS
    assert tenant_sandbox.tenant.events.of_organizer(COORDINATOR.object_id) == []


async def test_a_withheld_permission_is_named_with_admin_consent_as_the_fix(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    reregister(
        tenant_sandbox,
        application_permissions=tenant_sandbox.tenant.bot.application_permissions
        - {"Files.ReadWrite.All"},
    )

    lines = await run_checks(target)

    assert set(failures(lines)) == {"Graph permissions"}
    line = failures(lines)["Graph permissions"]
    assert "Files.ReadWrite.All" in line.detail
    assert "Grant admin consent" in line.fix
    assert exit_status(lines) == 1


async def test_a_missing_application_access_policy_gives_the_powershell(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    reregister(
        tenant_sandbox,
        online_meeting_policy_user_ids=frozenset(
            user.object_id for user in STAFF if user is not COORDINATOR
        ),
    )

    lines = await run_checks(dataclasses.replace(target, write=True))

    assert set(failures(lines)) == {"application access policy"}
    assert "Grant-CsApplicationAccessPolicy" in failures(lines)["application access policy"].fix


async def test_a_calendar_scope_without_the_staff_is_reported(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    reregister(tenant_sandbox, calendar_scope_user_ids=frozenset())

    lines = await run_checks(dataclasses.replace(target, write=True))

    assert set(failures(lines)) == {"staff calendars in scope", "test event (--write)"}
    assert "Application Calendars.ReadWrite" in failures(lines)["staff calendars in scope"].fix


async def test_an_unscoped_mailbox_permission_is_reported(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    reregister(
        tenant_sandbox,
        mailbox_scope_user_ids=frozenset(
            {CONSENT_MAILBOX.object_id, *(user.object_id for user in STAFF)}
        ),
    )

    lines = await run_checks(target)

    assert set(failures(lines)) == {"other mailboxes out of scope"}
    assert "RBAC for Applications" in failures(lines)["other mailboxes out of scope"].fix


async def test_a_mailbox_scope_missing_the_consent_mailbox_is_reported(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    reregister(tenant_sandbox, mailbox_scope_user_ids=frozenset())

    lines = await run_checks(dataclasses.replace(target, write=True))

    assert set(failures(lines)) == {"consent mailbox readable", "consent mailbox can send"}
    assert "New-ManagementRoleAssignment" in failures(lines)["consent mailbox readable"].fix


async def test_an_app_missing_from_the_catalog_is_reported(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    tenant_sandbox.tenant.remove_catalog_app(BOT_CATALOG_APP_ID)

    lines = await run_checks(target)

    assert set(failures(lines)) == {"Teams app in the catalog"}
    assert "iass-bot manifest build" in failures(lines)["Teams app in the catalog"].fix


async def test_a_wrong_secret_fails_the_token_and_every_graph_line(target: CheckTarget) -> None:
    wrong = with_tenant(target, bot_app_secret=SecretStr("not-the-secret"))

    lines = await run_checks(wrong)

    assert failures(lines)["token"].detail.startswith("no token: invalid_client")
    assert {"Graph permissions", "Teams app in the catalog"} <= set(failures(lines))
    assert by_item(lines)["speech"].outcome is Outcome.PASS
    assert "not-the-secret" not in "\n".join(line.render() for line in lines)


async def test_a_public_url_that_is_not_this_bot_is_reported(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    lines = await run_checks(with_tenant(target, public_url=tenant_sandbox.origin))

    assert set(failures(lines)) == {"public URL", "subscription validation"}


async def test_a_public_url_without_https_is_reported(target: CheckTarget) -> None:
    lines = await run_checks(with_tenant(target, public_url="http://bot.example.gov.uk"))

    assert "is not https" in failures(lines)["public URL"].detail


async def test_a_speech_backend_that_cannot_speak_is_reported(target: CheckTarget) -> None:
    silent = dataclasses.replace(target, speech=EspeakBackend(executable="no-such-espeak-ng"))

    lines = await run_checks(silent)

    assert set(failures(lines)) == {"speech"}
    assert "espeak-ng" in failures(lines)["speech"].fix


async def test_an_unknown_staff_member_is_reported(target: CheckTarget) -> None:
    lines = await run_checks(dataclasses.replace(target, staff="nobody@iass-sandbox.example"))

    assert "not found" in failures(lines)["application access policy"].detail


async def test_the_command_prints_one_line_per_item_and_exits_by_the_result(
    target: CheckTarget,
    tenant_sandbox: RunningSandbox,
    env_without_iass: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tenant = target.tenant
    for name, value in {
        "IASS_TENANT_ID": tenant.tenant_id,
        "IASS_BOT_APP_ID": tenant.bot_app_id,
        "IASS_BOT_APP_SECRET": tenant.bot_app_secret.get_secret_value(),
        "IASS_CONSENT_MAILBOX": tenant.consent_mailbox,
        "IASS_TEAMS_CATALOG_APP_ID": tenant.teams_catalog_app_id,
        "IASS_PUBLIC_URL": tenant.public_url,
        **sandbox_environment(tenant_sandbox.origin),
    }.items():
        monkeypatch.setenv(name, value)

    passing = await asyncio.to_thread(main, ["tenant", "check", "--staff", target.staff])
    printed = capsys.readouterr().out.splitlines()
    monkeypatch.setenv("IASS_TEAMS_CATALOG_APP_ID", "not-in-the-catalog")
    failing = await asyncio.to_thread(main, ["tenant", "check", "--staff", target.staff])
    printed_after = capsys.readouterr().out.splitlines()

    assert passing == 0
    assert len(printed) == 11
    assert all(line.startswith(("PASS", "SKIP")) for line in printed)
    assert failing == 1
    assert [line for line in printed_after if line.startswith("FAIL")] == [
        "FAIL  Teams app in the catalog: no app in the organisation's catalog has that id -- fix: "
        "upload the package from `iass-bot manifest build` in the Teams admin centre (Teams "
        "apps > Manage apps > Upload new app) and set IASS_TEAMS_CATALOG_APP_ID to its App ID"
    ]


@pytest.mark.parametrize(
    "withheld", ["OnlineMeetingRecording.Read.All", "OnlineMeetingTranscript.Read.All"]
)
async def test_a_withheld_recording_backstop_permission_is_named(
    target: CheckTarget, tenant_sandbox: RunningSandbox, withheld: str
) -> None:
    reregister(
        tenant_sandbox,
        application_permissions=tenant_sandbox.tenant.bot.application_permissions - {withheld},
    )

    lines = await run_checks(target)

    assert "Graph permissions" in failures(lines)
    line = failures(lines)["Graph permissions"]
    assert line.detail == f"the token lacks {withheld}"
    assert withheld in line.fix


async def test_the_manager_lookup_permission_may_be_a_documented_higher_one(
    target: CheckTarget, tenant_sandbox: RunningSandbox
) -> None:
    granted = tenant_sandbox.tenant.bot.application_permissions - {"Application.Read.All"}
    reregister(tenant_sandbox, application_permissions=granted)
    line = by_item(await run_checks(target))["Graph permissions"]
    assert line.outcome is Outcome.FAIL
    assert line.detail == "the token lacks Application.Read.All"

    reregister(tenant_sandbox, application_permissions=granted | {"Directory.Read.All"})
    assert by_item(await run_checks(target))["Graph permissions"].outcome is Outcome.PASS
