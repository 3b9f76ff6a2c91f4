"""What the benchmarks share: a scratch database made for the run and removed after, fresh
keys, rows for bulk filling it, progress lines on stderr (so a benchmark's stdout is only its
figures), and a served agent in a process of its own (as it would be in production), told the
run's keys through the environment and stopped by closing its stdin."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg

from consent_store.crypto import BlindIndex, FieldCipher
from consent_store.keys import KeyRing, new_key, parse_key_ring
from consent_store.reference import new_reference
from domain.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic

ADMIN_URL = os.environ.get("IASS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def scratch_database(engine: str) -> AsyncIterator[str]:
    """A new empty database for the run (`sqlite` or `postgresql`), removed afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"iass_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        server = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{server}/{name}"
    finally:
        admin = await asyncpg.connect(ADMIN_URL)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def fresh_key_ring() -> KeyRing:
    return parse_key_ring(
        encryption_keys=f"bench:{new_key()}",
        active_key_id="bench",
        blind_index_key=new_key(),
        audit_key=new_key(),
    )


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


KEY_SETTINGS = "IASS_BENCH_KEY_SETTINGS"
"""The environment variable that hands a served agent the run's keys (JSON), off its argv."""


def key_settings() -> dict[str, str]:
    """Fresh keys for the run, as the settings `parse_key_ring` reads; `served_process`
    hands them to the agent it starts."""
    return {
        "encryption_keys": f"bench:{new_key()}",
        "active_key_id": "bench",
        "blind_index_key": new_key(),
        "audit_key": new_key(),
    }


def run_key_settings() -> dict[str, str]:
    """In a served agent's process: the run's keys, as `served_process` handed them over."""
    settings: dict[str, str] = json.loads(os.environ[KEY_SETTINGS])
    return settings


def run_key_ring() -> KeyRing:
    """`run_key_settings` as a key ring."""
    return parse_key_ring(**run_key_settings())


async def serve_until_told(origin: str) -> None:
    """In a served agent's process: say where it serves (its first line on stdout), then
    serve until the bench closes its stdin."""
    print(origin, flush=True)
    await asyncio.to_thread(sys.stdin.read)


@asynccontextmanager
async def served_process(
    script: Path, keys: dict[str, str], *arguments: str
) -> AsyncIterator[tuple[str, asyncio.StreamReader]]:
    """`script` run with `arguments` in a process of its own, given `keys`; yields the origin
    it serves at (its first line) and the rest of its stdout, which it may write once its
    stdin is closed (the bench reads it before leaving the block)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, KEY_SETTINGS: json.dumps(keys)},
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        origin = (await asyncio.wait_for(child.stdout.readline(), 120)).decode().strip()
        if not origin:
            raise RuntimeError(f"{script.name} {' '.join(arguments)} stopped before serving")
        yield origin, child.stdout
    finally:
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), 60)
        except TimeoutError:
            child.kill()
            await child.wait()


Row = dict[str, object]
KINDS = (AttendeeKind.PARENT_CARER, AttendeeKind.PROFESSIONAL, AttendeeKind.STAFF)
"""The attendees each benchmark meeting has."""


def meeting_row(cipher: FieldCipher, number: int, starts_at: datetime, role: DeclaredRole) -> Row:
    """A meeting row for bulk insertion (its title encrypted as the repository would)."""
    meeting_id = uuid.uuid4().hex
    return {
        "id": meeting_id,
        "reference": new_reference(),
        "title_enc": cipher.encrypt(f"Meeting {number}", context=f"meetings.title:{meeting_id}"),
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "organiser_user_id": "11111111-aaaa-4bbb-8ccc-000000000001",
        "declared_role": role.value,
        "recording_requested": True,
        "status": "scheduled",
        "safeguarding_hold": False,
        "created_at": starts_at - timedelta(days=14),
    }


def attendee_row(
    cipher: FieldCipher,
    blind: BlindIndex,
    meeting_id: str,
    number: int,
    position: int,
    kind: AttendeeKind,
) -> Row:
    """An attendee row with an encrypted name and address and the address's blind index."""
    attendee_id = uuid.uuid4().hex
    email = f"person{number}-{position}@example.org"
    return {
        "id": attendee_id,
        "meeting_id": meeting_id,
        "position": position,
        "kind": kind.value,
        "name_enc": cipher.encrypt(
            f"Person {number}-{position}", context=f"attendees.name:{attendee_id}"
        ),
        "email_enc": cipher.encrypt(email, context=f"attendees.email:{attendee_id}"),
        "email_index": blind.of_email(email),
        "organisation_enc": None,
    }


def decision_row(
    meeting_id: str,
    attendee_id: str,
    topic: Topic,
    decision: Decision,
    received_at: datetime,
    recorded_at: datetime,
) -> Row:
    """An authenticated email decision from the invited address, without evidence fields."""
    return {
        "id": uuid.uuid4().hex,
        "meeting_id": meeting_id,
        "attendee_id": attendee_id,
        "topic": topic.value,
        "decision": decision.value,
        "received_at": received_at,
        "message_id": None,
        "sender_enc": None,
        "sender_index": None,
        "auth_verdict": AuthVerdict.PASS.value,
        "sender_matches": True,
        "phrase_enc": None,
        "email_sha256": None,
        "request_id": None,
        "documents_covered": [],
        "decided_by": "email",
        "recorded_at": recorded_at,
    }
