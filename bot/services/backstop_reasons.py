"""A backstop verdict as stored and as told. `encode_reasons` is what a recording or
transcript found keeps of the gate's answer (each blocker by code and attendee, then the
backstop's own reasons) and `decode_reasons` reads it back; the words for a finding (its
reasons, its kind, when it was made) are shared by the alert email
(`bot.services.backstop_alerts`) and the meeting page (`bot.web.recording_alerts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.recording_backstop import (
    REASON_SENTENCES,
    ArtefactKind,
    ArtefactVerdict,
    BackstopReason,
)
from domain.terms import Topic
from templates import in_uk_time


def encode_reasons(verdict: ArtefactVerdict) -> tuple[str, ...]:
    """The verdict as stored: each blocker as `code` or `code:attendee`, then the backstop's
    reasons."""
    blockers = tuple(
        b.code.value if b.attendee_id is None else f"{b.code.value}:{b.attendee_id}"
        for b in verdict.blockers
    )
    return (*blockers, *(r.value for r in verdict.reasons))


def decode_reasons(stored: Sequence[str]) -> tuple[tuple[Blocker, ...], tuple[BackstopReason, ...]]:
    """What `encode_reasons` stored, back as blockers and reasons (unknown codes skipped)."""
    blockers: list[Blocker] = []
    reasons: list[BackstopReason] = []
    backstop = {r.value: r for r in BackstopReason}
    gate = {c.value: c for c in BlockerCode}
    for item in stored:
        code, _, attendee = item.partition(":")
        if code in backstop:
            reasons.append(backstop[code])
        elif code in gate:
            blockers.append(Blocker(gate[code], Topic.RECORDING, attendee or None))
    return tuple(blockers), tuple(reasons)


def backstop_sentences(reasons: Sequence[BackstopReason]) -> tuple[str, ...]:
    return tuple(REASON_SENTENCES[r] for r in reasons)


def artefact_kind_words(kind: str) -> str:
    return "transcript" if kind == ArtefactKind.TRANSCRIPT.value else "recording"


def made_when(created_at: datetime | None) -> str:
    return in_uk_time(created_at, "%H:%M on %d %B %Y") if created_at else "at a time not known"
