"""Keeping Teams' recording setting in line with the recording gate, whatever fails.

Whenever a decision changes, someone joins or leaves, or the meeting starts, the gate is asked
again and `allowRecording`/`allowTranscription` are made to match (`enforce_recording`):

- Off whenever the gate says no; on only while the meeting's real start is at least
  `SWITCH_ON_MARGIN` away (so the change lands before it, however slow Graph is), when every
  attendee, and everyone present, consented by email before it (`recording_target`). Before
  switching on, the meeting chat is read for Teams' own record that the call started
  (`Meetings.call_started`), so an early start whose events the bot never took still counts;
  if the chat cannot be read, recording stays off and the change is retried.
- Once the meeting has really started, a gate found closed, or Teams found not allowing
  recording, closes for good (`recording_notes`), and `on_closed` is called, once. The closing
  is noted before Teams is changed (as an objection's is): a recording that stops as Teams
  stops allowing it, and is notified at once, is judged by the recording backstop against a
  gate already noted closed, never as permitted.
- A change counts only when Graph reads it back (`recording_setting`). A change Teams does
  not confirm is tried again at once a few times; then the meeting is marked as needing
  attention (`ATTENTION`), the failure audited, and the change left to the meeting's reconcile
  job (`recording_checks`): durable, due within seconds, retried with backoff and never given
  up, it reads Teams' setting (`reconcile_recording`) and makes it match the gate, putting back
  what the organiser changed in the meeting options (`recording_notes`). So one Graph 500 or a
  lost process never leaves Teams allowing what the gate forbids.
- A meeting whose settings were never confirmed after scheduling (the lock-down PATCH failed,
  `SETTINGS_ATTENTION`) is locked down before anything else, and recording is never switched
  on for it until Graph reads the settings back.

Each answer is traced and counted (`bot/instruments.py`: `iass.gate.decisions`), each change
counted by cause and reason (`iass.recording.switches`), audited with its reasons, and the
meeting's organiser is told by email (`organiser_notices`) when a mailbox is given. A caller
that must not wait for the email (the recording guard, whose next roster waits behind it)
hands it to `tell_later` instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from bot import instruments
from bot.policy.recording_gate import (
    RecordingVerdict,
    closes_for_good,
    evaluate_recording,
    recording_target,
    starting,
    switch_on_deadline,
)
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import CallStartUnknown, Meetings
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler, RetryPolicy
from bot.services.organiser_notices import Notice, tell_organiser
from bot.services.recording_checks import (
    RECONCILE,
    RECONCILE_CAUSE,
    RECONCILE_RETRY,
    RECONCILE_SOON,
    queue_reconcile,
    queue_running_check,
)
from bot.services.recording_notes import (
    TellLater,
    blocker_codes,
    note_closed_for_good,
    note_restored,
    note_start_seen_in_chat,
    restore_lobby,
)
from bot.services.recording_setting import lock_down_and_confirm, read_settings, set_and_confirm
from consent_store.audit import AuditEvent
from consent_store.jobs import ClaimedJob
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import MeetingFacts, Participant

ATTENTION: Final = "recording_setting_not_applied"
"""A change of the meeting's recording setting was not confirmed by Teams."""
SETTINGS_ATTENTION: Final = "meeting_settings_not_applied"
"""The meeting's settings were not confirmed locked down after it was scheduled."""

OnClosed = Callable[[], Awaitable[None]]
"""Told, once per meeting, that recording now stays off until the meeting ends (the store
has noted why, and queued the notice saying so: `stays_off_notice`)."""


@dataclass(frozen=True, slots=True)
class MeetingRead:
    """A meeting and the gate's facts about it, read in one unit of work by a caller that
    read more of the meeting there (the recording guard putting a join to the gate), so the
    gate is asked without reading them again."""

    meeting: MeetingRow
    facts: MeetingFacts


@dataclass(frozen=True, slots=True)
class _Outcome:
    verdict: RecordingVerdict
    confirmed: bool
    wanted: bool | None = None
    error: str | None = None
    attention: str = ATTENTION


async def _enforce(
    store: Store,
    meetings: Meetings,
    meeting_id: str,
    *,
    cause: str,
    mailbox: Mailbox | None,
    present: tuple[Participant, ...] | None,
    tell_later: TellLater | None,
    read_teams: bool,
    on_closed: OnClosed | None = None,
    read: MeetingRead | None = None,
) -> _Outcome:
    if read is None:
        async with store.reading() as uow:
            read = MeetingRead(
                await uow.meetings.get(meeting_id), await uow.meetings.facts(meeting_id, present)
            )
    meeting, facts = read.meeting, read.facts
    if facts.cancelled:
        return _Outcome(evaluate_recording(facts), confirmed=True)
    if meeting.teams_meeting_id is not None and meeting.teams_settings_confirmed_at is None:
        failed = await _lock_down(store, meetings, meeting, facts, cause)
        if failed is not None:
            return failed
        async with store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
    found = await read_settings(meetings, meeting) if read_teams else None
    if read_teams:
        teams_allows = None if found is None else found.allows_recording
    else:
        teams_allows = meeting.teams_recording_allowed
    drifted = (
        found is not None
        and meeting.teams_recording_allowed is not None
        and not found.recording_is(meeting.teams_recording_allowed)
    )
    verdict = evaluate_recording(facts)
    target = recording_target(
        permitted=verdict.permitted,
        started=starting(facts, store.clock()),
        teams_allows=teams_allows,
    )
    if target is True and meeting.teams_chat_thread_id is not None:
        try:
            seen = await meetings.call_started(meeting.teams_chat_thread_id)
        except (*GRAPH_FAILURES, CallStartUnknown) as unread:
            return _Outcome(verdict, confirmed=False, wanted=True, error=type(unread).__name__)
        if seen is not None:
            facts = await note_start_seen_in_chat(store, meeting_id, seen)
            verdict = evaluate_recording(facts)
        if seen is not None or starting(facts, store.clock()):
            target = recording_target(
                permitted=verdict.permitted, started=True, teams_allows=teams_allows
            )
    closing = closes_for_good(facts, verdict, teams_allows if target is None else target)
    first = await note_closed_for_good(store, meeting_id, cause, verdict) if closing else False
    outcome = _Outcome(verdict, confirmed=True)
    if meeting.teams_meeting_id is not None and target is not None:
        deadline = switch_on_deadline(facts)
        if target:
            async with store.unit_of_work() as uow:
                await uow.meetings.note_switching_on(meeting_id)
                await uow.commit()
        confirmed, error = await set_and_confirm(
            meetings,
            meeting.organiser_user_id,
            meeting.teams_meeting_id,
            allowed=target,
            in_time=lambda: store.clock() < deadline,
        )
        outcome = _Outcome(verdict, confirmed, target, error)
        if confirmed:
            told = await note_change(store, meeting_id, target, verdict, cause, mailbox, tell_later)
            if drifted and found is not None:
                await note_restored(
                    store, meeting_id, found, target, verdict, cause, mailbox, tell_later, told
                )
    elif read_teams and teams_allows is not None:
        await note_change(store, meeting_id, teams_allows, verdict, cause, mailbox, tell_later)
    if (
        found is not None
        and meeting.teams_settings_confirmed_at is not None
        and not (found.lobby_organiser_only and found.organiser_presents_alone)
    ):
        await restore_lobby(store, meetings, meeting, found, cause, mailbox, tell_later)
    if closing:
        verdict = evaluate_recording(replace(facts, recording_closed_since_start=True))
        outcome = replace(outcome, verdict=verdict)
        if first and on_closed is not None:
            await on_closed()
    return outcome


async def _lock_down(
    store: Store, meetings: Meetings, meeting: MeetingRow, facts: MeetingFacts, cause: str
) -> _Outcome | None:
    """Lock down the settings of a meeting whose settings were never confirmed; None once
    Graph confirms them (noted and audited), else the failure."""
    assert meeting.teams_meeting_id is not None
    confirmed, error = await lock_down_and_confirm(
        meetings, meeting.organiser_user_id, meeting.teams_meeting_id
    )
    if not confirmed:
        return _Outcome(
            evaluate_recording(facts), False, False, error, attention=SETTINGS_ATTENTION
        )
    async with store.unit_of_work() as uow:
        await uow.meetings.note_settings_confirmed(meeting.id, uow.now(), SETTINGS_ATTENTION)
        await uow.audit(
            AuditEvent("meeting.settings_applied", meeting_id=meeting.id, detail={"cause": cause})
        )
        await uow.commit()
    return None


async def note_change(
    store: Store,
    meeting_id: str,
    allowed: bool,
    verdict: RecordingVerdict,
    cause: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
) -> bool:
    """Note Teams' setting as read back; audit and report it if it changed. Whether the
    organiser is (to be) told."""
    async with store.unit_of_work() as uow:
        if not await uow.meetings.note_teams_recording(meeting_id, allowed, ATTENTION):
            await uow.commit()
            return False
        await uow.audit(
            AuditEvent(
                "recording.allowed" if allowed else "recording.forbidden",
                meeting_id=meeting_id,
                detail={"cause": cause, "blockers": blocker_codes(verdict)},
            )
        )
        await uow.commit()
    instruments.recording_switched(
        allowed=allowed, cause=cause, blocker_codes=blocker_codes(verdict)
    )
    if mailbox is not None:
        notice = Notice.RECORDING_ALLOWED if allowed else Notice.RECORDING_FORBIDDEN
        telling = tell_organiser(store, mailbox, meeting_id, notice, verdict.blockers)
        if tell_later is None:
            await telling
        else:
            tell_later(telling)
    return mailbox is not None


async def _note_failure(store: Store, meeting_id: str, outcome: _Outcome, cause: str) -> None:
    """Mark the meeting and audit a change Teams did not confirm."""
    async with store.unit_of_work() as uow:
        await uow.meetings.mark_attention(meeting_id, outcome.attention)
        await uow.audit(
            AuditEvent(
                "recording.setting_failed",
                meeting_id=meeting_id,
                detail={"cause": cause, "wanted": outcome.wanted, "error": outcome.error},
            )
        )
        if cause != RECONCILE_CAUSE:
            await queue_reconcile(uow, meeting_id, RECONCILE_SOON)
        await uow.commit()


async def enforce_recording(
    store: Store,
    meetings: Meetings,
    meeting_id: str,
    *,
    cause: str,
    mailbox: Mailbox | None = None,
    present: tuple[Participant, ...] | None = None,
    tell_later: TellLater | None = None,
    on_closed: OnClosed | None = None,
    read: MeetingRead | None = None,
) -> RecordingVerdict:
    """Ask the gate and make Teams match; the gate's verdict. `cause` says why (audited): e.g.
    "decision". With `mailbox`, the organiser is told of each change from it (by `tell_later`
    when given, otherwise before returning). `present`, when given, is who is in the meeting as
    just seen (a call roster not yet stored), instead of the store's; `read`, when given, is
    the meeting and its facts as the caller just read them (with whoever it sees present).
    `on_closed` is called when recording first closes for the rest of the meeting. A change
    Teams does not confirm is left to the reconcile job.
    """
    with instruments.gate_evaluation("recording", meeting_id, cause) as gate:
        outcome = await _enforce(
            store,
            meetings,
            meeting_id,
            cause=cause,
            mailbox=mailbox,
            present=present,
            tell_later=tell_later,
            read_teams=False,
            on_closed=on_closed,
            read=read,
        )
        gate.decided(blocker_codes(outcome.verdict))
    if not outcome.confirmed:
        await _note_failure(store, meeting_id, outcome, cause)
    return outcome.verdict


async def reconcile_recording(
    store: Store, meetings: Meetings, meeting_id: str, mailbox: Mailbox | None
) -> None:
    """Read Teams' setting and make it match the gate; `JobFailed` (to be retried) until Teams
    confirms it."""
    with instruments.gate_evaluation("recording", meeting_id, RECONCILE_CAUSE) as gate:
        outcome = await _enforce(
            store,
            meetings,
            meeting_id,
            cause=RECONCILE_CAUSE,
            mailbox=mailbox,
            present=None,
            tell_later=None,
            read_teams=True,
        )
        gate.decided(blocker_codes(outcome.verdict))
    if not outcome.confirmed:
        await _note_failure(store, meeting_id, outcome, RECONCILE_CAUSE)
        raise JobFailed(outcome.error or "not confirmed by Teams")
    await queue_running_check(store, meeting_id)


def reconcile_handlers(
    store: Store, meetings: Meetings, mailbox: Mailbox | None
) -> tuple[Mapping[str, Handler], Mapping[str, RetryPolicy]]:
    """The reconcile job's handler (`reconcile_recording`) and its retry policy."""

    async def reconcile(job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await reconcile_recording(store, meetings, job.meeting_id, mailbox)

    return {RECONCILE: reconcile}, {RECONCILE: RECONCILE_RETRY}
