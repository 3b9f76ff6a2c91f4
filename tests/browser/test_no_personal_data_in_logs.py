"""No personal data in the log or the telemetry: `make run`'s `iass-bot serve --sandbox` runs
in a process of its own, in each log format (`IASS_LOG_FORMAT` unset, as `make run` leaves it,
and `json`), while a browser walks the whole `make run` story
(tests/browser/test_make_run_story.py) against it and stops it as a person does, with Ctrl-C.
Everything the process wrote (every log line, aiohttp's access log, any traceback, on stderr
and stdout) is then searched for what the story's people are and typed: the seeded people's
names and addresses, the meeting's title, the school's name, the document's title and address,
and the words of the replies and of the condition staff recorded, as written, URL-encoded or
JSON-escaped.

The sandbox tenant served beside the bot stands in for Microsoft 365; `make run` writes its
access log (`sandbox.access`) to the same terminal, so it is searched as well. It names the
route a request matched, not the path: the sandbox's pages are addressed by their people.

The process also exports its OpenTelemetry spans and metrics, as a deployment does with
`OTEL_EXPORTER_OTLP_ENDPOINT`, to a stand-in OTLP collector the test serves
(tests/telemetry/collector.py); it sends what it holds as it stops. Every span's name,
attributes, events and status, every resource attribute and every metric data point's
attributes it received are searched the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import aiohttp
import pytest
from playwright.async_api import Page

from bot import instruments
from bot.cli.main import main
from sandbox.directory import ExternalPerson, TenantUser
from sandbox.seed import (
    ADVISER,
    COORDINATOR,
    GUEST_PARENT,
    PARENT_CARER,
    SECOND_ADVISER,
    SENCO,
    SEND_OFFICER,
    SERVICE_MANAGER,
    YOUNG_PERSON,
)
from tests.browser import test_make_run_story as story
from tests.served_bot import free_port_pair
from tests.telemetry.collector import Collector, collector

PEOPLE: tuple[TenantUser | ExternalPerson, ...] = (
    COORDINATOR,
    ADVISER,
    SECOND_ADVISER,
    SERVICE_MANAGER,
    GUEST_PARENT,
    PARENT_CARER,
    YOUNG_PERSON,
    SENCO,
    SEND_OFFICER,
)

TYPED = (
    "Planning meeting",
    "Fellside Primary",
    "School report",
    "https://example.com/report.docx",
    "as long as the recording is deleted",
    "The recording is deleted after the meeting.",
)
"""What the story types (tests/browser/test_make_run_story.py) that is about the people: the
meeting's title, the school, the document, the SENCo's reply and the condition staff read in
it. The parent's reply, "Yes", is too common a word to search for; the SENCo's carries it."""


def personal_values() -> list[str]:
    values = list(TYPED)
    for person in PEOPLE:
        if isinstance(person, TenantUser):
            values += [person.display_name, person.user_principal_name]
            values += [person.user_principal_name.split("@")[0]]
            if person.external_mail:
                values += [person.external_mail]
        else:
            values += [person.display_name, person.address, person.address.split("@")[0]]
    return values


def written_forms(value: str) -> set[str]:
    """`value` as a log line could carry it: as written, in a URL, or in a JSON string."""
    return {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value, ensure_ascii=True)[1:-1],
    }


def name_parts() -> set[str]:
    return {part for person in PEOPLE for part in person.display_name.split()}


@dataclass(frozen=True)
class Finding:
    line: str
    value: str


def findings(output: str) -> list[Finding]:
    """Each line of `output` that carries a personal value, with the value."""
    forms = {form.lower(): value for value in personal_values() for form in written_forms(value)}
    parts = re.compile(r"\b(" + "|".join(sorted(name_parts())) + r")\b")
    found = []
    for line in output.splitlines():
        lowered = line.lower()
        found += [Finding(line, value) for form, value in forms.items() if form in lowered]
        found += [Finding(line, part.group(0)) for part in parts.finditer(line)]
    return found


@dataclass(frozen=True)
class MakeRun:
    port: int
    process: asyncio.subprocess.Process
    output: Path
    telemetry: Collector


async def until_healthy(origin: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            assert process.returncode is None, "iass-bot serve --sandbox stopped"
            try:
                async with http.get(f"{origin}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("iass-bot serve --sandbox did not answer /healthz")


@pytest.fixture(params=["text", "json"])
async def make_run(
    request: pytest.FixtureRequest,
    env_without_iass: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[MakeRun]:
    """`iass-bot serve --sandbox` in a fresh folder, as `make run` runs it (after
    `iass-bot keys init`), with its stdout and stderr kept in one file and its telemetry
    exported to a stand-in collector."""
    port = free_port_pair()
    if request.param == "json":
        monkeypatch.setenv("IASS_LOG_FORMAT", "json")
    assert main(["keys", "init"]) == 0
    output = env_without_iass / "make-run.log"
    async with collector() as telemetry:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", telemetry.url)
        with output.open("wb") as written:
            process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("iass-bot")),
                "serve",
                "--sandbox",
                "--port",
                str(port),
                cwd=env_without_iass,
                env=os.environ | {"PYTHONUNBUFFERED": "1"},
                stdout=written,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:
            await until_healthy(f"http://localhost:{port}", process)
            yield MakeRun(port, process, output, telemetry)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def no_screenshot(page: Page, name: str) -> None:
    """The story's screenshots (a quarter of its time) are the story test's; this test reads
    only what the process wrote and exported."""


async def test_the_make_run_story_logs_and_exports_no_personal_data(
    make_run: MakeRun, page: Page
) -> None:
    await story.walk_the_make_run_story(make_run.port, page, no_screenshot)
    make_run.process.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(make_run.process.wait(), timeout=30) == 0

    output = make_run.output.read_text()
    assert "GET /tab/meetings/IASS-" in output, "the access log was not captured"
    assert "aiohttp.access" in output
    assert "GET /sandbox/people/{address} 200" in output, "the sandbox's log was not captured"
    print(f"{len(output.splitlines())} lines searched")
    found = findings(output)
    assert not found, "personal data in the log:\n" + "\n".join(
        f"{finding.value!r} in: {finding.line}" for finding in found
    )

    received = make_run.telemetry
    assert {
        "consent_mailbox.read",
        "meeting_activity.handle",
        "call_notice.handle",
        "job.run",
        "recording_gate.evaluate",
    } <= {span.name for span in received.spans}, "the spans were not captured"
    assert {
        instruments.GATE_DECISIONS,
        instruments.RECORDING_SWITCHES,
        instruments.BACKSTOP_ALERTS,
        instruments.INBOX_DEPTH,
        instruments.MAILBOX_LAG,
    } <= {point.metric for point in received.points}, "the metrics were not captured"
    print(f"{len(received.spans)} spans and {len(received.points)} data points searched")
    found = findings("\n".join(received.lines()))
    assert not found, "personal data in the telemetry:\n" + "\n".join(
        f"{finding.value!r} in: {finding.line}" for finding in found
    )
