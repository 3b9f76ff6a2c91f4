"""Benchmark: evaluating the recording gate for random meetings in a full store.

Fills a fresh database with 100,000 meetings (three attendees and one document each) and
1,000,000 consent decisions, then times load-from-store plus decision for random meetings.
Target: p99 under 5 ms. The last line reads `gate_p99_ms: N`.

    .venv/bin/python bench/gate.py                      # PostgreSQL (IASS_BENCH_POSTGRES_URL)
    .venv/bin/python bench/gate.py --engine sqlite
    .venv/bin/python bench/gate.py --meetings 10000 --decisions 100000   # a quicker look
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from scratch import (
    KINDS,
    attendee_row,
    decision_row,
    fresh_key_ring,
    meeting_row,
    progress,
    scratch_database,
)
from sqlalchemy import insert

from bot.policy.recording_gate import evaluate_recording
from consent_store.migrate import upgrade_to_head
from consent_store.tables import AttendeeRow, ConsentDecisionRow, DocumentRow, MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import Decision, DeclaredRole, Topic

BATCH = 10_000


async def fill(store: Store, meetings: int, decisions: int, rng: random.Random) -> list[str]:
    """Insert the synthetic store; returns the meeting ids."""
    cipher, blind = store.cipher, store.blind_index
    base = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    meeting_ids: list[str] = []
    attendee_ids: list[tuple[str, str, datetime]] = []
    started = time.perf_counter()
    for first in range(0, meetings, BATCH):
        meeting_rows, attendee_rows, document_rows = [], [], []
        for number in range(first, min(first + BATCH, meetings)):
            starts_at = base + timedelta(minutes=30 * number)
            meeting = meeting_row(cipher, number, starts_at, DeclaredRole.SUPPORT)
            meeting_id = str(meeting["id"])
            meeting_ids.append(meeting_id)
            meeting_rows.append(meeting)
            for position, kind in enumerate(KINDS):
                attendee = attendee_row(cipher, blind, meeting_id, number, position, kind)
                attendee_ids.append((str(attendee["id"]), meeting_id, starts_at))
                attendee_rows.append(attendee)
            document_id = uuid.uuid4().hex
            document_rows.append(
                {
                    "id": document_id,
                    "meeting_id": meeting_id,
                    "position": 0,
                    "title_enc": cipher.encrypt("Report", context=f"documents.title:{document_id}"),
                    "url_enc": None,
                    "listed_at": starts_at - timedelta(days=14),
                }
            )
        async with store.unit_of_work() as uow:
            await uow.session.execute(insert(MeetingRow), meeting_rows)
            await uow.session.execute(insert(AttendeeRow), attendee_rows)
            await uow.session.execute(insert(DocumentRow), document_rows)
            await uow.commit()
        progress(f"  meetings: {first + len(meeting_rows):,} of {meetings:,}")

    topics, verdicts = list(Topic), [Decision.GIVEN] * 8 + [Decision.REFUSED, Decision.WITHDRAWN]
    recorded = datetime(2026, 1, 1, tzinfo=UTC)
    for first in range(0, decisions, BATCH):
        rows = []
        for _ in range(first, min(first + BATCH, decisions)):
            attendee_id, meeting_id, starts_at = rng.choice(attendee_ids)
            rows.append(
                decision_row(
                    meeting_id,
                    attendee_id,
                    rng.choice(topics),
                    rng.choice(verdicts),
                    starts_at - timedelta(minutes=rng.randint(-600, 20_000)),
                    recorded,
                )
            )
        async with store.unit_of_work() as uow:
            await uow.session.execute(insert(ConsentDecisionRow), rows)
            await uow.commit()
        if (first // BATCH) % 10 == 9 or first + BATCH >= decisions:
            progress(f"  decisions: {min(first + BATCH, decisions):,} of {decisions:,}")
    progress(f"filled in {time.perf_counter() - started:.0f} s")
    return meeting_ids


async def measure(
    store: Store, meeting_ids: list[str], samples: int, rng: random.Random
) -> list[float]:
    """Milliseconds per evaluation: load the meeting's facts, then decide."""
    timings = []
    for _ in range(samples):
        meeting_id = rng.choice(meeting_ids)
        started = time.perf_counter()
        async with store.unit_of_work() as uow:
            verdict = evaluate_recording(await uow.meetings.facts(meeting_id))
        timings.append((time.perf_counter() - started) * 1000)
        assert verdict.permitted in (True, False)
    return timings


async def run(engine: str, meetings: int, decisions: int, samples: int, seed: int) -> float:
    rng = random.Random(seed)
    key_ring = fresh_key_ring()
    async with scratch_database(engine) as url:
        progress(f"migrating a new {engine} database")
        await asyncio.to_thread(upgrade_to_head, url)
        store = Store.open(url, key_ring)
        try:
            progress(f"filling: {meetings:,} meetings, {decisions:,} decisions")
            meeting_ids = await fill(store, meetings, decisions, rng)
            if engine == "postgresql":
                async with store.engine.connect() as connection:
                    autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await autocommit.exec_driver_sql("ANALYZE")
            await measure(store, meeting_ids, min(200, samples), rng)
            timings = await measure(store, meeting_ids, samples, rng)
        finally:
            await store.close()
    quantiles = statistics.quantiles(timings, n=100)
    print(f"engine: {engine}")
    print(f"meetings: {meetings}  decisions: {decisions}  samples: {samples}")
    print(f"gate_p50_ms: {statistics.median(timings):.2f}")
    print(f"gate_p99_ms: {quantiles[98]:.2f}")
    return quantiles[98]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    asyncio.run(run(args.engine, args.meetings, args.decisions, args.samples, args.seed))


if __name__ == "__main__":
    main()
