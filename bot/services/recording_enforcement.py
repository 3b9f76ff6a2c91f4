"""Keeping Teams' recording setting in line with the recording gate, whatever fails.

Whenever a decision changes, someone joins or leaves, or the meeting starts, the gate is asked
again and `allowRecording`/`allowTranscription` are made to match (`enforce_recording`):

- Off whenever the gate says no; on only while the meeting's real start is at least
  `SWITCH_ON_MARGIN` away (so the change lands before it, however slow Graph is), when every
  attendee, and everyone present, consented by email before it (`recording_target`). Before
  switching on, the meeting chat is read for Teams' own record that the call started
  (`Meetings.call_started`), so an early start whose events the bot never took (lost
  while its store was down, or before a crash) still counts; if the chat cannot be read,
  recording stays off and the change is retried.
- Once the meeting has really started, a gate found closed, or Teams found not allowing
  recording, closes for good (`closes_for_good`): the store notes it and the gate says why,
  so staff see that recording stays off until the meeting ends.
- A change counts only when Graph reads it back (`Meetings.settings`: `allowRecording`,
  `allowTranscription` and `recordAutomatically`), never on our own write. A change that
  fails, or that Teams does not confirm, is tried again at once a few times; then the meeting
  is marked as needing attention, the failure audited, and the change left to the meeting's
  reconcile job (`RECONCILE`): durable, due within seconds,
  retried with backoff and never given up, it reads Teams' setting and makes it match the
  gate. So one Graph 500 or a lost process never leaves Teams allowing what the gate forbids.
- Organisers can change the meeting options in Teams themselves, so the same job also reads
  the settings on a schedule (`queue_settings_checks`): at each reminder, at the start, and
  every `RUNNING_CHECK` while the meeting runs (the job queues its next run itself); and the
  mailbox reader runs it after each decision. Settings found other than the bot left them
  are put back, audited (`recording.settings_restored`, with what was found) and the
  organiser is told in plain words. The lobby and the presenters are put back the same way
  (`meeting.lobby_restored`), without touching recording.
- A meeting whose settings were never confirmed after scheduling (the lock-down PATCH failed,
  `SETTINGS_ATTENTION`) is locked down by the job before anything else, and recording is never
  switched on for it until Graph reads the settings back.
- When the bot has lost sight of a meeting whose recording Teams allows (it was not running,
  or refused what Teams sent while the store was down: `bot/services/meeting_watch.py`),
  someone may have joined and left unseen. `after_losing_sight` asks whether the meeting was
  under way before the bot could see again (its start seen, or Teams' chat recording its call
  starting); if so the gate closes for good (`SIGHT_LOST`). If that cannot be read, recording
  is switched off until the reconcile job has read that the meeting had not started.
- When the gate cannot be asked at all (the store is down, or an error no one expected) for a
  meeting under way, the recording guard switches its recording off from what it remembers
  (`KnownMeetings`: organiser and Teams meeting ids), without the store.

Each answer is traced and counted (`bot/instruments.py`: `iass.gate.decisions`), each change
counted by cause and reason (`iass.recording.switches`), audited with its reasons, and the
meeting's organiser is told by email
(`organiser_notices`) when a mailbox is given. A caller that must not wait for the email (the
recording guard, whose next roster waits behind it) hands it to `tell_later` instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

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
from bot.ports.meetings import CallStartUnknown, Meetings, MeetingSettings
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler, RetryPolicy
from bot.services.change_plan import CANCELLED
from bot.services.meeting_start import StartSource, note_start
from bot.services.organiser_notices import Notice, tell_organiser
from consent_store.audit import AuditEvent, DetailValue
from consent_store.jobs import ClaimedJob
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import MeetingFacts, Participant

log = logging.getLogger(__name__)

ATTENTION: Final = "recording_setting_not_applied"
RECONCILE: Final = "recording_reconcile"
RECONCILE_SOON: Final = timedelta(seconds=2)
"""How soon the reconcile job is due after a change that could not be made at once."""
RECONCILE_RETRY: Final = RetryPolicy(
    first=timedelta(seconds=2), longest=timedelta(minutes=2), give_up_after=None
)
RECONCILE_CAUSE: Final = "reconcile"
TOO_CLOSE_TO_START: Final = "the meeting starts too soon to switch recording on"
QUICK_RETRY_DELAYS: Final = (0.2, 0.5, 1.0)
"""Seconds between the immediate attempts at a change, before it is left to the job."""
SETTINGS_ATTENTION: Final = "meeting_settings_not_applied"
"""The meeting's settings were not confirmed locked down after it was scheduled."""
RUNNING_CHECK: Final = timedelta(minutes=1)
"""How often Teams' settings are read while the meeting runs."""
RUNNING_UNTIL: Final = timedelta(minutes=30)
"""How long after its scheduled end a meeting's settings are still read (meetings overrun)."""

OnClosed = Callable[[RecordingVerdict], Awaitable[None]]
"""Told, once per meeting, that recording now stays off until the meeting ends, and why."""
TellLater = Callable[[Coroutine[Any, Any, bool]], None]
"""Takes the organiser's email (`tell_organiser`, not yet started) and sends it later."""

without_store: Counter[str] = Counter()
"""How often recording was switched off without the store, by outcome (for logs and tests)."""


def reconcile_job_key(meeting_id: str) -> str:
    """The key of the job that makes the meeting's Teams setting match its gate."""
    return f"recording:{meeting_id}"


def settings_check_key(meeting_id: str, moment: str) -> str:
    """The key of one of the meeting's scheduled settings checks (`moment`: the reminder's
    hours before the start, "start" or "running")."""
    return f"settings:{meeting_id}:{moment}"


async def queue_settings_checks(
    uow: UnitOfWork, meeting: MeetingRow, reminder_hours: tuple[int, ...]
) -> None:
    """Make the meeting's settings checks due at each reminder still ahead and at the start
    (again, at the new times, for a meeting that moved), in the caller's transaction."""
    jobs, now = uow.jobs, uow.now()
    for hours in reminder_hours:
        due = meeting.starts_at - timedelta(hours=hours)
        if due > now:
            await jobs.requeue(
                settings_check_key(meeting.id, str(hours)), RECONCILE, due, meeting.id
            )
    await jobs.requeue(
        settings_check_key(meeting.id, "start"), RECONCILE, meeting.starts_at, meeting.id
    )


async def queue_reconcile(uow: UnitOfWork, meeting_id: str, delay: timedelta) -> None:
    """Make the meeting's reconcile job due after `delay`, in the caller's transaction (so that
    the decisions written with it and the re-check they need are stored together)."""
    await uow.jobs.requeue(reconcile_job_key(meeting_id), RECONCILE, uow.now() + delay, meeting_id)


@dataclass(frozen=True, slots=True)
class _TeamsMeeting:
    organiser_id: str
    teams_meeting_id: str


class KnownMeetings:
    """Each meeting's organiser and Teams meeting id, as last read from the store, so that its
    recording can be switched off while the store cannot be read."""

    def __init__(self) -> None:
        self._meetings: dict[str, _TeamsMeeting] = {}
        self._by_chat: dict[str, str] = {}

    def remember(self, meeting: MeetingRow) -> None:
        if meeting.teams_meeting_id is not None:
            self._meetings[meeting.id] = _TeamsMeeting(
                meeting.organiser_user_id, meeting.teams_meeting_id
            )
        if meeting.teams_chat_thread_id is not None:
            self._by_chat[meeting.teams_chat_thread_id] = meeting.id

    def in_chat(self, thread_id: str) -> str | None:
        """The id of the meeting whose chat this is, if known."""
        return self._by_chat.get(thread_id)

    async def switch_off(self, meetings: Meetings, meeting_id: str) -> bool:
        """Switch the meeting's recording off from memory; whether Teams confirmed it."""
        known = self._meetings.get(meeting_id)
        if known is None:
            without_store["unknown_meeting"] += 1
            log.error("recording not switched off for meeting %s: not known", meeting_id)
            return False
        confirmed, error = await _set_and_confirm(
            meetings, known.organiser_id, known.teams_meeting_id, allowed=False
        )
        without_store["confirmed" if confirmed else "failed"] += 1
        log.warning(
            "recording switched off without the store for meeting %s: %s",
            meeting_id,
            "confirmed" if confirmed else f"not confirmed ({error})",
        )
        return confirmed


@dataclass(frozen=True, slots=True)
class _Outcome:
    verdict: RecordingVerdict
    confirmed: bool
    wanted: bool | None = None
    error: str | None = None
    attention: str = ATTENTION


async def _set_and_confirm(
    meetings: Meetings,
    organiser_id: str,
    teams_meeting_id: str,
    *,
    allowed: bool,
    in_time: Callable[[], bool] | None = None,
) -> tuple[bool, str | None]:
    """Set the meeting's recording and read it back, trying again a few times at once; whether
    Teams confirmed it, and the last failure's type if not. Switching on is not sent once
    `in_time` says the meeting starts too soon (`SWITCH_ON_MARGIN`), however long the attempts
    before took."""
    failure: str | None = None
    for delay in (0.0, *QUICK_RETRY_DELAYS):
        await asyncio.sleep(delay)
        if allowed and in_time is not None and not in_time():
            return False, TOO_CLOSE_TO_START
        try:
            await meetings.set_recording(organiser_id, teams_meeting_id, allowed)
            settings = await meetings.settings(organiser_id, teams_meeting_id)
            if settings.recording_is(allowed):
                return True, None
            failure = "not confirmed by Teams"
        except GRAPH_FAILURES as error:
            failure = type(error).__name__
    return False, failure


async def lock_down_and_confirm(
    meetings: Meetings, organiser_id: str, teams_meeting_id: str
) -> tuple[bool, str | None]:
    """Lock the meeting's settings down (`Meetings.lock_down`) and read them back,
    trying again a few times at once; whether Graph confirmed them, and the last failure's
    type if not."""
    failure: str | None = None
    for delay in (0.0, *QUICK_RETRY_DELAYS):
        await asyncio.sleep(delay)
        try:
            await meetings.lock_down(organiser_id, teams_meeting_id)
            if (await meetings.settings(organiser_id, teams_meeting_id)).locked_down:
                return True, None
            failure = "not confirmed by Teams"
        except GRAPH_FAILURES as error:
            failure = type(error).__name__
    return False, failure


async def _read_teams(meetings: Meetings, meeting: MeetingRow) -> MeetingSettings | None:
    """Teams' settings as Graph reads them now; None when they cannot be read."""
    if meeting.teams_meeting_id is None:
        return None
    try:
        return await meetings.settings(meeting.organiser_user_id, meeting.teams_meeting_id)
    except GRAPH_FAILURES as error:
        log.warning(
            "recording setting of meeting %s not read: %s", meeting.id, type(error).__name__
        )
        return None


def _codes(verdict: RecordingVerdict) -> list[str]:
    return sorted({b.code.value for b in verdict.blockers})


async def _close_for_good(
    store: Store, meeting_id: str, cause: str, verdict: RecordingVerdict
) -> bool:
    """Note that recording stays off for the rest of the meeting; whether this was the first
    time (so staff are told once)."""
    async with store.unit_of_work() as uow:
        closed = await uow.meetings.close_recording_for_good(meeting_id, uow.now())
        if closed:
            await uow.audit(
                AuditEvent(
                    "recording.closed_for_good",
                    meeting_id=meeting_id,
                    detail={"cause": cause, "blockers": _codes(verdict)},
                )
            )
        await uow.commit()
    return closed


async def _start_seen_in_chat(store: Store, meeting_id: str, at: datetime) -> MeetingFacts:
    """Teams' meeting chat says the call started at `at` although the bot had not seen it (an
    event lost while the bot could not take it): note the real start; the meeting's facts."""
    async with store.unit_of_work() as uow:
        await note_start(uow, meeting_id, StartSource.TEAMS_CHAT, at=at)
        await uow.commit()
    async with store.reading() as uow:
        return await uow.meetings.facts(meeting_id)


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
) -> _Outcome:
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
        facts: MeetingFacts = await uow.meetings.facts(meeting_id, present)
    if facts.cancelled:
        return _Outcome(evaluate_recording(facts), confirmed=True)
    if meeting.teams_meeting_id is not None and meeting.teams_settings_confirmed_at is None:
        failed = await _lock_down(store, meetings, meeting, facts, cause)
        if failed is not None:
            return failed
        async with store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
    found = await _read_teams(meetings, meeting) if read_teams else None
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
            facts = await _start_seen_in_chat(store, meeting_id, seen)
            verdict = evaluate_recording(facts)
        if seen is not None or starting(facts, store.clock()):
            target = recording_target(
                permitted=verdict.permitted, started=True, teams_allows=teams_allows
            )
    outcome = _Outcome(verdict, confirmed=True)
    if meeting.teams_meeting_id is not None and target is not None:
        deadline = switch_on_deadline(facts)
        if target:
            async with store.unit_of_work() as uow:
                await uow.meetings.note_switching_on(meeting_id)
                await uow.commit()
        confirmed, error = await _set_and_confirm(
            meetings,
            meeting.organiser_user_id,
            meeting.teams_meeting_id,
            allowed=target,
            in_time=lambda: store.clock() < deadline,
        )
        outcome = _Outcome(verdict, confirmed, target, error)
        if confirmed:
            told = await _note_change(
                store, meeting_id, target, verdict, cause, mailbox, tell_later
            )
            if drifted and found is not None:
                await _note_restored(
                    store, meeting_id, found, target, verdict, cause, mailbox, tell_later, told
                )
    elif read_teams and teams_allows is not None:
        await _note_change(store, meeting_id, teams_allows, verdict, cause, mailbox, tell_later)
    if (
        found is not None
        and meeting.teams_settings_confirmed_at is not None
        and not (found.lobby_organiser_only and found.organiser_presents_alone)
    ):
        await _restore_lobby(store, meetings, meeting, found, cause, mailbox, tell_later)
    if closes_for_good(facts, verdict, teams_allows if target is None else target):
        first = await _close_for_good(store, meeting_id, cause, verdict)
        verdict = evaluate_recording(replace(facts, recording_closed_since_start=True))
        outcome = replace(outcome, verdict=verdict)
        if first and on_closed is not None:
            await on_closed(verdict)
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


async def _restore_lobby(
    store: Store,
    meetings: Meetings,
    meeting: MeetingRow,
    found: MeetingSettings,
    cause: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
) -> None:
    """The lobby or the presenters were changed in Teams (the organiser's meeting options):
    put them back, leaving recording as the gate has it, and read them back. Audited with what
    was found, and the organiser told; a failure is audited and left to the next check."""
    assert meeting.teams_meeting_id is not None
    error: str | None = None
    try:
        await meetings.restore_lobby(meeting.organiser_user_id, meeting.teams_meeting_id)
        after = await meetings.settings(meeting.organiser_user_id, meeting.teams_meeting_id)
        if not (after.lobby_organiser_only and after.organiser_presents_alone):
            error = "not confirmed by Teams"
    except GRAPH_FAILURES as failure:
        error = type(failure).__name__
    detail: dict[str, DetailValue] = {
        "cause": cause,
        "found_lobby_organiser_only": found.lobby_organiser_only,
        "found_organiser_presents_alone": found.organiser_presents_alone,
    }
    if error is not None:
        log.warning("lobby of meeting %s not put back: %s", meeting.id, error)
        detail["error"] = error
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(
                "meeting.lobby_restored" if error is None else "meeting.lobby_not_restored",
                meeting_id=meeting.id,
                detail=detail,
            )
        )
        await uow.commit()
    if error is None and mailbox is not None:
        telling = tell_organiser(store, mailbox, meeting.id, Notice.LOBBY_RESTORED, ())
        if tell_later is None:
            await telling
        else:
            tell_later(telling)


async def _note_restored(
    store: Store,
    meeting_id: str,
    found: MeetingSettings,
    allowed: bool,
    verdict: RecordingVerdict,
    cause: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
    told: bool,
) -> None:
    """Settings changed in Teams (by the organiser, in the meeting options) were put back:
    audit what was found, and tell the organiser unless the change already did."""
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(
                "recording.settings_restored",
                meeting_id=meeting_id,
                detail={
                    "cause": cause,
                    "found_allow_recording": found.allow_recording,
                    "found_allow_transcription": found.allow_transcription,
                    "found_record_automatically": found.record_automatically,
                    "restored_allowed": allowed,
                    "blockers": _codes(verdict),
                },
            )
        )
        await uow.commit()
    if mailbox is not None and not told:
        notice = Notice.RECORDING_ALLOWED if allowed else Notice.RECORDING_FORBIDDEN
        telling = tell_organiser(store, mailbox, meeting_id, notice, verdict.blockers)
        if tell_later is None:
            await telling
        else:
            tell_later(telling)


async def _note_change(
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
                detail={"cause": cause, "blockers": _codes(verdict)},
            )
        )
        await uow.commit()
    instruments.recording_switched(allowed=allowed, cause=cause, blocker_codes=_codes(verdict))
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
) -> RecordingVerdict:
    """Ask the gate and make Teams match; the gate's verdict. `cause` says why (audited): e.g.
    "decision". With `mailbox`, the organiser is told of each change from it (by `tell_later`
    when given, otherwise before returning). `present`, when given, is who is in the meeting as
    just seen (a call roster not yet stored), instead of the store's. `on_closed` hears the
    verdict when recording first closes for the rest of the meeting. A change Teams does not
    confirm is left to the reconcile job.
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
        )
        gate.decided(_codes(outcome.verdict))
    if not outcome.confirmed:
        await _note_failure(store, meeting_id, outcome, cause)
    return outcome.verdict


LOST_SIGHT_CAUSE: Final = "sight_lost"


async def after_losing_sight(
    store: Store,
    meetings: Meetings,
    meeting_id: str,
    regained_at: datetime,
    *,
    mailbox: Mailbox | None = None,
    tell_later: TellLater | None = None,
    on_closed: OnClosed | None = None,
) -> bool:
    """The bot could not see the meeting for a while before `regained_at`. If it was under way
    before then, note that sight was lost (the gate then closes for good) and make Teams
    match; if whether it was cannot be read, switch recording off (the reconcile job switches
    it back on only once it reads that the meeting has not started). Whether this is settled:
    False when recording could not be confirmed off, to be tried again."""
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
    if meeting.status == CANCELLED:
        return True
    started: datetime | None = meeting.started_at
    if started is None or started >= regained_at:
        try:
            seen = await _start_in_chat(meetings, meeting)
        except (*GRAPH_FAILURES, CallStartUnknown) as unread:
            if started is None:
                return await _off_until_start_known(
                    store, meetings, meeting, type(unread).__name__, mailbox, tell_later
                )
            log.warning(
                "meeting %s: its start, seen after the bot could see again, is not confirmed "
                "by the chat (%s): taken as under way before",
                meeting.id,
                type(unread).__name__,
            )
            return await _sight_lost(
                store, meetings, meeting, regained_at, started, mailbox, tell_later, on_closed
            )
        if seen is not None:
            await _start_seen_in_chat(store, meeting_id, seen)
            started = seen if started is None else min(started, seen)
    if started is None or started >= regained_at:
        return True
    return await _sight_lost(
        store, meetings, meeting, regained_at, started, mailbox, tell_later, on_closed
    )


async def _sight_lost(
    store: Store,
    meetings: Meetings,
    meeting: MeetingRow,
    regained_at: datetime,
    started: datetime,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
    on_closed: OnClosed | None,
) -> bool:
    """Note that the bot lost sight of the meeting under way, audited with for how long at
    most, and make Teams match the gate, which is now closed for good."""
    meeting_id = meeting.id
    unseen_from = max(started, meeting.watched_at or started)
    async with store.unit_of_work() as uow:
        if await uow.meetings.note_sight_lost(meeting_id, uow.now()):
            await uow.audit(
                AuditEvent(
                    "recording.sight_lost",
                    meeting_id=meeting_id,
                    detail={
                        "unseen_seconds": max(0, round((regained_at - unseen_from).total_seconds()))
                    },
                )
            )
        await uow.commit()
    await enforce_recording(
        store,
        meetings,
        meeting_id,
        cause=LOST_SIGHT_CAUSE,
        mailbox=mailbox,
        tell_later=tell_later,
        on_closed=on_closed,
    )
    return True


class _NoMeetingChat(CallStartUnknown):
    """The meeting's chat is not known, so its call's start cannot be read."""


async def _start_in_chat(meetings: Meetings, meeting: MeetingRow) -> datetime | None:
    """When Teams' meeting chat says the call started (None: it has not); raises
    `CallStartUnknown` or a Graph failure when that cannot be read. A start the bot noted
    itself may have been noted late (an event delivered again after a restart), so the chat's
    record is what shows whether the meeting was under way while the bot could not see it."""
    if meeting.teams_chat_thread_id is None:
        raise _NoMeetingChat(meeting.id)
    return await meetings.call_started(meeting.teams_chat_thread_id)


async def _off_until_start_known(
    store: Store,
    meetings: Meetings,
    meeting: MeetingRow,
    unread: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
) -> bool:
    """Whether the meeting started while the bot could not see it is unknown: switch its
    recording off, and leave switching it back on to the reconcile job (which reads the start
    first). Whether Teams confirmed it off."""
    log.warning(
        "meeting %s: whether it started while out of sight is unknown (%s)", meeting.id, unread
    )
    if meeting.teams_meeting_id is None:
        return True
    confirmed, error = await _set_and_confirm(
        meetings, meeting.organiser_user_id, meeting.teams_meeting_id, allowed=False
    )
    if not confirmed:
        log.warning(
            "meeting %s: recording not switched off after losing sight: %s", meeting.id, error
        )
        return False
    async with store.reading() as uow:
        verdict = evaluate_recording(await uow.meetings.facts(meeting.id))
    await _note_change(store, meeting.id, False, verdict, LOST_SIGHT_CAUSE, mailbox, tell_later)
    async with store.unit_of_work() as uow:
        await queue_reconcile(uow, meeting.id, RECONCILE_SOON)
        await uow.commit()
    return True


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
        gate.decided(_codes(outcome.verdict))
    if not outcome.confirmed:
        await _note_failure(store, meeting_id, outcome, RECONCILE_CAUSE)
        raise JobFailed(outcome.error or "not confirmed by Teams")
    await _queue_running_check(store, meeting_id)


async def _queue_running_check(store: Store, meeting_id: str) -> None:
    """While the meeting runs (from its real start until `RUNNING_UNTIL` after its scheduled
    end), read its settings again in `RUNNING_CHECK`."""
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.get(meeting_id)
        now = uow.now()
        started = meeting.started_at is not None or meeting.starts_at <= now
        if meeting.status == CANCELLED or not started or now > meeting.ends_at + RUNNING_UNTIL:
            return
        await uow.jobs.requeue(
            settings_check_key(meeting_id, "running"), RECONCILE, now + RUNNING_CHECK, meeting_id
        )
        await uow.commit()


def reconcile_handlers(
    store: Store, meetings: Meetings, mailbox: Mailbox | None
) -> tuple[Mapping[str, Handler], Mapping[str, RetryPolicy]]:
    """The reconcile job's handler (`reconcile_recording`) and its retry policy."""

    async def reconcile(job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await reconcile_recording(store, meetings, job.meeting_id, mailbox)

    return {RECONCILE: reconcile}, {RECONCILE: RECONCILE_RETRY}
