"""Benchmark: consent replies end to end, from the sandbox's consent mailbox into SQLite.

Starts the sandbox tenant in its own process, schedules meetings in a fresh SQLite store,
sends every attendee a consent request through Graph, has each reply from their sandbox
inbox, then times the mailbox reader: delta query, MIME download, classification, matching,
storing decisions, and sending each person a receipt through Graph. Target: at least 100
emails per second. The last line reads `intake_per_s: N`.

    .venv/bin/python bench/intake.py [--meetings 250]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import aiohttp

from bot.config import ServiceProfile
from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.services.consent_requests import send_consent_requests
from consent_store.keys import new_key, parse_key_ring
from consent_store.migrate import upgrade_to_head
from consent_store.records import NewAttendee, NewDocument, NewMeeting
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, DeclaredRole
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, CONSENT_MAILBOX, TENANT_ID

KINDS = (AttendeeKind.PARENT_CARER, AttendeeKind.YOUNG_PERSON, AttendeeKind.PROFESSIONAL)
REPLIES = (
    "Yes, I agree to everything.",
    "Yes to the recording but please don't share the documents.",
    "No, I do not agree to the meeting being recorded.",
    "That's fine with me, thanks.",
    "Happy for it to be recorded as long as it is deleted afterwards.",
    "I withdraw my consent.",
)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "Graph base URL:" in line:
            return process, line.split("Graph base URL:")[1].strip().removesuffix("/v1.0")
    raise RuntimeError("the sandbox did not start")


async def prepare(store: Store, mailbox: ConsentMailbox, origin: str, meetings: int) -> int:
    """Schedule, send requests, and have everyone reply; returns the number of replies."""
    rng = random.Random(2026)
    start = datetime.now(UTC) + timedelta(days=3)
    service = ServiceProfile()
    ids = []
    async with store.unit_of_work() as uow:
        for number in range(meetings):
            attendees = tuple(
                NewAttendee(f"Person {number}-{k}", f"p{number}-{k}@example.org", kind)
                for k, kind in enumerate(KINDS)
            )
            row = await uow.meetings.add(
                NewMeeting(
                    title=f"Meeting {number}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    organiser_user_id="11111111-aaaa-4bbb-8ccc-000000000001",
                    declared_role=DeclaredRole.SUPPORT_AND_CONTRIBUTE,
                    recording_requested=True,
                    attendees=attendees,
                    documents=(NewDocument("Report", "https://example.com/report.docx"),),
                ),
                uow.now(),
            )
            ids.append((row.id, [a.email for a in attendees]))
        await uow.commit()
    progress(f"sending {meetings * len(KINDS)} consent requests through Graph")
    replies = 0
    async with aiohttp.ClientSession() as http:
        for number, (meeting_id, addresses) in enumerate(ids):
            await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", "bench")
            for address in addresses:
                inbox = f"/sandbox/api/people/{quote(address)}/messages"
                async with http.get(origin + inbox) as response:
                    (request,) = (await response.json())["value"]
                body = {"text": rng.choice(REPLIES), "quoteOriginal": True}
                async with http.post(
                    f"{origin}{inbox}/{request['id']}/reply", json=body
                ) as response:
                    assert response.status in (200, 201)
                replies += 1
            if number % 50 == 49:
                progress(f"  {replies} replies waiting in the consent mailbox")
    return replies


async def run(meetings: int) -> float:
    process, origin = start_sandbox()
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'intake.db'}"
            await asyncio.to_thread(upgrade_to_head, url)
            store = Store.open(
                url,
                parse_key_ring(
                    encryption_keys=f"b:{new_key()}",
                    active_key_id="b",
                    blind_index_key=new_key(),
                    audit_key=new_key(),
                ),
            )
            config = GraphClientConfig(
                tenant_id=TENANT_ID,
                client_id=BOT_CLIENT_ID,
                client_secret=BOT_CLIENT_SECRET,
                graph_base_url=f"{origin}/v1.0",
                authority_rewrite_to=origin,
            )
            async with open_graph_client(config) as graph:
                mailbox = ConsentMailbox(graph, CONSENT_MAILBOX.mail)
                replies = await prepare(store, mailbox, origin, meetings)
                reader = MailboxReader(store, mailbox, ServiceProfile())
                progress(f"reading {replies} replies from the consent mailbox")
                started = time.perf_counter()
                outcomes = await reader.catch_up()
                elapsed = time.perf_counter() - started
            await store.close()
    finally:
        process.terminate()
        process.wait()
    processed = sum(outcomes.values())
    print(f"emails: {processed}  outcomes: {dict(outcomes)}")
    print(f"seconds: {elapsed:.2f}")
    print(f"intake_per_s: {processed / elapsed:.0f}")
    return processed / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=334, help="3 replies per meeting")
    args = parser.parse_args()
    asyncio.run(run(args.meetings))


if __name__ == "__main__":
    main()
