"""A received comms notice as the calls inbox keeps it until handled: its kind, and its JSON
form (the payload the store seals, since a roster names people); and a roster's digest, by
which an equal roster that follows the one last handled is recognised. Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import astuple
from typing import Any, Final

from bot.calling.notifications import (
    CallStateNotice,
    Notice,
    PromptNotice,
    ReceivedNotice,
    RosterNotice,
)
from bot.services.live_meeting import RosterEntry

CALL_STATE: Final = "call_state"
ROSTER: Final = "roster"
PROMPT_FINISHED: Final = "prompt_finished"
_KINDS: Final = frozenset({CALL_STATE, ROSTER, PROMPT_FINISHED})


class UnreadableNotice(ValueError):
    """A stored notice whose kind or payload this version of the bot does not know."""


def encoded(received: ReceivedNotice) -> tuple[str, str]:
    """The notice's kind and its payload (the notice and its dedupe key) as JSON."""
    fields: dict[str, Any]
    match received.notice:
        case CallStateNotice(call_id, state, thread_id):
            kind, fields = CALL_STATE, {"state": state, "thread": thread_id}
        case RosterNotice(call_id, roster):
            kind, fields = ROSTER, {"roster": [list(astuple(entry)) for entry in roster]}
        case PromptNotice(call_id, operation_id, status, client_context):
            kind = PROMPT_FINISHED
            fields = {"operation": operation_id, "status": status, "context": client_context}
    payload = {"key": received.dedupe_key, "call": call_id, **fields}
    return kind, json.dumps(payload, separators=(",", ":"))


def decoded(kind: str, payload: str) -> ReceivedNotice:
    """The notice `encoded` gave this kind and payload; `UnreadableNotice` otherwise."""
    if kind not in _KINDS:
        raise UnreadableNotice(f"unknown calls notice kind {kind!r}")
    try:
        fields = json.loads(payload)
        call_id: str = fields["call"]
        notice: Notice
        if kind == CALL_STATE:
            notice = CallStateNotice(call_id, fields["state"], fields["thread"])
        elif kind == ROSTER:
            notice = RosterNotice(call_id, tuple(RosterEntry(*e) for e in fields["roster"]))
        else:
            notice = PromptNotice(call_id, fields["operation"], fields["status"], fields["context"])
        return ReceivedNotice(fields["key"], notice)
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableNotice(f"a {kind} notice's payload is malformed") from error


def roster_digest(roster: Sequence[RosterEntry]) -> str:
    """SHA-256 of the roster's entries in participant id order (a notification and a listing
    may order them differently; participant ids are included, so the digest cannot be matched
    against guessed names)."""
    ordered = sorted(roster, key=lambda entry: entry.participant_id)
    entries = json.dumps([list(astuple(entry)) for entry in ordered], separators=(",", ":"))
    return hashlib.sha256(entries.encode()).hexdigest()
