"""Benchmark: evaluating the recording gate for random meetings in a full store.

Fills a fresh database with 100,000 meetings (three attendees and one document each) and
1,000,000 consent decisions, then times load-from-store plus decision for random meetings.
Target: p99 under 5 ms.

On PostgreSQL it also times the floor, in the same run and on the same database: a bare
asyncpg transaction (one connection, no pool, BEGIN and COMMIT) making as many statements as
loading a meeting's facts makes, each an indexed read of a table the facts read, for the same
random meetings. Gate and floor samples alternate, so both see the same machine. The round
trips are counted on the wire, through a loopback relay, for one gate evaluation and one
floor transaction, and the gate's are told apart (statements, its transaction, and any
more: the pool checking its connection). Target: gate p99 at most 3x the floor's p99. The
last line reads `gate_vs_floor_p99: R` (on SQLite, which has no floor, `gate_p99_ms: N`).

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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from scratch import (
    KINDS,
    attendee_row,
    decision_row,
    fresh_key_ring,
    meeting_row,
    progress,
    scratch_database,
)
from sqlalchemy import event, insert
from sqlalchemy.engine import make_url

from bot.policy.recording_gate import evaluate_recording
from consent_store.keys import KeyRing
from consent_store.migrate import upgrade_to_head
from consent_store.tables import (
    AttendeeRow,
    ConsentDecisionRow,
    DocumentRow,
    MeetingRow,
    PresenceRow,
)
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


class WireTurns:
    """A loopback relay to the database server that counts round trips: each time a client
    speaks after the server last spoke is one."""

    def __init__(self, host: str, port: int) -> None:
        self._upstream = (host, port)
        self.turns = 0

    async def relay(self, client: asyncio.StreamReader, back: asyncio.StreamWriter) -> None:
        server, forth = await asyncio.open_connection(*self._upstream)
        answered = True

        async def onwards() -> None:
            nonlocal answered
            while data := await client.read(65536):
                if answered:
                    self.turns += 1
                    answered = False
                forth.write(data)
                await forth.drain()
            forth.close()

        async def backwards() -> None:
            nonlocal answered
            while data := await server.read(65536):
                answered = True
                back.write(data)
                await back.drain()
            back.close()

        await asyncio.gather(onwards(), backwards())


def asyncpg_dsn(url: str) -> str:
    """The scratch database's SQLAlchemy URL as asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def floor_reads(statements: int) -> list[str]:
    """`statements` indexed reads, by meeting, of the tables the facts start from."""
    reads = (
        f"SELECT id FROM {MeetingRow.__tablename__} WHERE id = $1",
        f"SELECT id FROM {DocumentRow.__tablename__} WHERE meeting_id = $1 LIMIT 1",
        f"SELECT id FROM {PresenceRow.__tablename__} WHERE meeting_id = $1 LIMIT 1",
    )
    return [reads[number % len(reads)] for number in range(statements)]


async def gate_once(store: Store, meeting_id: str) -> float:
    """Milliseconds to load the meeting's facts, then decide."""
    started = time.perf_counter()
    async with store.unit_of_work() as uow:
        verdict = evaluate_recording(await uow.meetings.facts(meeting_id))
    elapsed = (time.perf_counter() - started) * 1000
    assert verdict.permitted in (True, False)
    return elapsed


async def floor_once(connection: asyncpg.Connection, reads: list[str], meeting_id: str) -> float:
    """Milliseconds for the bare transaction: BEGIN, the reads, COMMIT."""
    started = time.perf_counter()
    async with connection.transaction():
        for read in reads:
            await connection.fetch(read, meeting_id)
    return (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class GateTrips:
    """The round trips of one gate evaluation, counted on the wire."""

    statements: int
    total: int


async def count_gate_trips(url: str, key_ring: KeyRing, meeting_id: str) -> GateTrips:
    """One evaluation through the relay: its statements (SQLAlchemy's cursor events) and its
    round trips on the wire (connection set-up and statement preparation warmed off first)."""
    wire = make_url(url)
    relay = WireTurns(wire.host or "127.0.0.1", wire.port or 5432)
    server = await asyncio.start_server(relay.relay, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = Store.open(wire.set(host="127.0.0.1", port=port).render_as_string(False), key_ring)
    statements = 0

    def counted(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(store.engine.sync_engine, "before_cursor_execute", counted)
    try:
        for _ in range(2):
            await gate_once(store, meeting_id)
        statements, relay.turns = 0, 0
        await gate_once(store, meeting_id)
        return GateTrips(statements, relay.turns)
    finally:
        await store.close()
        server.close()


async def count_floor_trips(url: str, reads: list[str], meeting_id: str) -> int:
    """One floor transaction's round trips on the wire, counted as the gate's are."""
    wire = make_url(url)
    relay = WireTurns(wire.host or "127.0.0.1", wire.port or 5432)
    server = await asyncio.start_server(relay.relay, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = await asyncpg.connect(asyncpg_dsn(url), host="127.0.0.1", port=port)
    try:
        await floor_once(connection, reads, meeting_id)
        relay.turns = 0
        await floor_once(connection, reads, meeting_id)
        return relay.turns
    finally:
        await connection.close()
        server.close()


async def measure(
    store: Store,
    floor: tuple[asyncpg.Connection, list[str]] | None,
    meeting_ids: list[str],
    samples: int,
    rng: random.Random,
) -> tuple[list[float], list[float]]:
    """Gate and floor milliseconds for the same random meetings, alternating which goes
    first."""
    gate_ms: list[float] = []
    floor_ms: list[float] = []
    for sample in range(samples):
        meeting_id = rng.choice(meeting_ids)
        if floor is not None and sample % 2:
            floor_ms.append(await floor_once(*floor, meeting_id))
        gate_ms.append(await gate_once(store, meeting_id))
        if floor is not None and not sample % 2:
            floor_ms.append(await floor_once(*floor, meeting_id))
    return gate_ms, floor_ms


def p99(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=100)[98]


async def run(engine: str, meetings: int, decisions: int, samples: int, seed: int) -> None:
    rng = random.Random(seed)
    key_ring = fresh_key_ring()
    async with scratch_database(engine) as url:
        progress(f"migrating a new {engine} database")
        await asyncio.to_thread(upgrade_to_head, url)
        store = Store.open(url, key_ring)
        floor: tuple[asyncpg.Connection, list[str]] | None = None
        try:
            progress(f"filling: {meetings:,} meetings, {decisions:,} decisions")
            meeting_ids = await fill(store, meetings, decisions, rng)
            if engine == "postgresql":
                async with store.engine.connect() as connection:
                    autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await autocommit.exec_driver_sql("ANALYZE")
                progress("counting round trips")
                trips = await count_gate_trips(url, key_ring, meeting_ids[0])
                reads = floor_reads(trips.statements)
                floor_trips = await count_floor_trips(url, reads, meeting_ids[0])
                floor = (await asyncpg.connect(asyncpg_dsn(url)), reads)
            progress(f"timing {samples:,} samples")
            await measure(store, floor, meeting_ids, min(200, samples), rng)
            gate_ms, floor_ms = await measure(store, floor, meeting_ids, samples, rng)
        finally:
            if floor is not None:
                await floor[0].close()
            await store.close()
    print(f"engine: {engine}")
    print(f"meetings: {meetings}  decisions: {decisions}  samples: {samples}")
    print(f"gate_p50_ms: {statistics.median(gate_ms):.2f}")
    print(f"gate_p99_ms: {p99(gate_ms):.2f}")
    if floor is None:
        return
    print(
        f"gate round trips: {trips.total} ({trips.statements} statements, BEGIN and ROLLBACK,"
        f" {trips.total - trips.statements - 2} more: the pool checking its connection)"
    )
    print(
        f"floor: one asyncpg connection, BEGIN, {len(reads)} indexed reads by meeting, COMMIT;"
        f" round trips: {floor_trips}"
    )
    print(f"floor_p50_ms: {statistics.median(floor_ms):.2f}")
    print(f"floor_p99_ms: {p99(floor_ms):.2f}")
    print(f"gate_vs_floor_p99: {p99(gate_ms) / p99(floor_ms):.2f}")


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
