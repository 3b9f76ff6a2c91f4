"""The audit trail in sentences, for staff on the meeting page and for the person in their
subject access report: each action code and each detail becomes words (topics, answers,
reasons, the consent request sent), ids and fingerprints are left out, and the staff member is
named where the store knows them.

Every action the code audits has a sentence in `ACTION_SENTENCES`, and every detail key it
writes has words in `DETAIL_WORDS` or is hidden (`HIDDEN_DETAILS`); tests/web/test_audit_words.py
finds them in the source, so a new one cannot be forgotten."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from bot.policy.blockers import BlockerCode
from bot.policy.recording_backstop import REASON_SENTENCES

_ID_PATTERN = re.compile(
    r"[0-9a-f]{32}|[0-9a-f]{64}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE
)

ACTION_SENTENCES = {
    "attendee.added": "Someone was added to the meeting.",
    "attendee.removed": "Someone was removed from the meeting.",
    "call.not_spoken": "Something the bot had to say in the meeting's call was not said.",
    "call.notification_unmatched": "Teams sent a call notice that matched no call of the bot.",
    "call.prompt_failed": "Something the bot had to say in the meeting's call could not be played.",
    "call.prompt_finished": "A spoken notice finished playing in the call.",
    "call.prompt_started": "The bot began saying a spoken notice in the call.",
    "call.state_changed": "The bot's call changed state.",
    "call_notice.abandoned": "A call notice could not be handled and was given up.",
    "consent.given": "Consent was given.",
    "consent.recorded": "An answer about consent was recorded.",
    "consent.refused": "Consent was refused.",
    "consent.withdrawn": "Consent was withdrawn.",
    "consent.reminded": "A reminder to reply was sent.",
    "consent.requested": "A consent request was emailed.",
    "document.refused": "A file was taken down: sharing it was not agreed.",
    "document.share_refused": "A file was not shared: sharing it was not agreed.",
    "document.share_sent": "A link to an agreed document was posted in the chat.",
    "document.shared": "An agreed document was shared.",
    "intake.unreadable": "An email could not be read.",
    "job.abandoned": "A timed task failed too many times and was given up.",
    "job.done": "A timed task was done.",
    "job.failed": "A timed task did not finish; it is tried again later.",
    "legal_request.disposed": "The personal details of a request for information for legal"
    " reasons were removed under the retention schedule, with the last meeting it was about.",
    "legal_request.extract_not_sent": "The information for a legal request could not be sent.",
    "legal_request.extract_sent": "The information for a legal request was sent.",
    "legal_request.logged": "A request for information for legal reasons was logged.",
    "legal_request.permission_asked": "The service manager asked the service user's permission"
    " to send information for a legal request.",
    "legal_request.permission_not_asked": "The service manager chose to ask the service"
    " user's permission for a legal request, but they could not be asked.",
    "legal_request.permission_given": "The service user gave permission to send information"
    " for a legal request.",
    "legal_request.permission_refused": "The service user refused permission to send"
    " information for a legal request.",
    "legal_request.receipt_sent": "The service user was emailed a receipt for their answer to a"
    " request for information for legal reasons, saying what happens next.",
    "legal_request.safeguarding_override": "The service manager recorded a safeguarding reason"
    " to send information for a legal request without the service user's permission.",
    "legal_request.safeguarding_override_meeting": "Information about this meeting is to be"
    " sent for a legal request without the service user's permission, for safeguarding.",
    "legal_request.refused_by_manager": "The service manager refused a request for information"
    " for legal reasons: nothing was asked or sent.",
    "liaison.named": "Staff changed the professionals or organisations named for liaison.",
    "liaison.request_not_sent": "The email asking permission to liaise could not be sent.",
    "meeting.announced": "The opening statement was given in the meeting.",
    "meeting.announcement_failed": "The opening statement could not be given.",
    "meeting.cancel_failed": "Teams did not cancel the meeting, so it was not cancelled and no "
    "one was told.",
    "meeting.cancellation_sent": "An attendee was emailed that the meeting is cancelled.",
    "meeting.cancelled": "The meeting was cancelled.",
    "meeting.change_failed": "Teams did not accept a change to the meeting, so nothing was "
    "changed.",
    "meeting.change_not_reverted": "Teams has a change to the meeting that could not be saved "
    "here, and it could not be undone in Teams; make the change again.",
    "meeting.disposed": "The meeting's personal details were removed under the retention schedule.",
    "meeting.edited": "The meeting was changed.",
    "meeting.ended": "The meeting ended.",
    "meeting.join_failed": "The bot could not join the meeting's call.",
    "meeting.join_skipped": "The bot did not join the meeting's call.",
    "meeting.bot_in_lobby": "The bot was still waiting in the meeting's lobby; the organiser "
    "was told.",
    "meeting.chat_question": "Someone wrote to the bot in the meeting chat; the organiser was "
    "asked to answer them.",
    "meeting.joined": "The bot joined the meeting's call.",
    "meeting.latecomers_told": "People who joined late heard a short version of the opening "
    "statement.",
    "meeting.lobby_notice_failed": "The organiser could not be told that the bot was waiting "
    "in the lobby.",
    "meeting.lobby_not_restored": "The lobby and presenters, changed in Teams' meeting "
    "options, could not be put back yet; the next check tries again.",
    "meeting.lobby_restored": "The lobby and presenters, changed in Teams' meeting options, "
    "were put back as the bot set them.",
    "meeting.needs_attention": "Something about the meeting needs attention.",
    "meeting.new_time_sent": "An attendee was emailed the meeting's new time.",
    "meeting.notice_failed": "A notice to the organiser could not be given.",
    "meeting.safeguarding_hold_lifted": "The safeguarding hold on the meeting was lifted.",
    "meeting.safeguarding_hold_placed": "A safeguarding hold was placed on the meeting.",
    "meeting.scheduled": "The meeting was scheduled.",
    "meeting.settings_applied": "Teams' settings for the meeting were applied.",
    "meeting.start_seen": "The meeting was seen starting.",
    "meeting.started": "The meeting started.",
    "meeting.uninvited_participant": "Someone not invited joined the meeting.",
    "meeting_activity.abandoned": "Something that happened in the meeting could not be handled "
    "and was given up.",
    "organiser.not_told": "The organiser could not be told.",
    "organiser.told": "The organiser was told.",
    "recording.alert_not_sent": "The alert about a recording could not be sent.",
    "recording.alert_sent": "An alert about a recording was sent.",
    "recording.allowed": "Teams was set to allow recording: everyone agreed.",
    "recording.closed_for_good": "Recording was switched off for the rest of the meeting.",
    "recording.forbidden": "Teams was set not to allow recording.",
    "recording.found": "A recording of the meeting was found.",
    "recording.found_without_consent": "A recording made without everyone's consent was found.",
    "recording.notice_failed": "A notice about recording could not be given.",
    "recording.objection": "Someone in the meeting objected to recording, so it was switched "
    "off for the rest of the meeting.",
    "recording.resolved": "A found recording was dealt with.",
    "recording.seen_without_consent": "A recording was seen starting without everyone's consent.",
    "recording.setting_failed": "Teams' recording setting could not be changed.",
    "recording.settings_restored": "Teams' meeting settings were put back as the bot set them.",
    "recording.sight_lost": "For a while after the meeting started, the bot could not see who "
    "was in it (it was restarting, or could not store what Teams sent), so recording stays off "
    "until the meeting ends.",
    "recording.warned": "The meeting was warned that recording is not permitted.",
    "review.confirmed": "Staff confirmed their reading of an email from the review queue.",
    "review.queued": "An email was put in the review queue for a person to read.",
    "review.rejected": "Staff set an email in the review queue aside.",
    "review_items.disposed": "Emails in the review queue were removed under the retention "
    "schedule.",
    "store.reencrypted": "The store was encrypted again with a new key.",
    "subject_access.downloaded": "The service manager downloaded a subject access report.",
    "subject_access.exported": "A subject access report was made.",
    "subject_access.previewed": "The service manager looked at what is held, for a subject"
    " access request.",
    "subject_access.sent": "A subject access report was emailed to the person it is about.",
    "teams.service_url_changed": "Teams gave the bot a new address for the meeting's chat.",
}

TOPIC_WORDS = {
    "recording": "recording the meeting",
    "documents": "sharing documents",
    "contribution": "staff contributing to discussions",
    "liaison": "staff liaising with the professionals named",
}
DECISION_WORDS = {"given": "given", "refused": "refused", "withdrawn": "withdrawn"}
REASON_WORDS = {
    "not_clearly_understood": "the reply could not be read with certainty",
    "no_matching_meeting": "the email matched no meeting",
    "reference_and_thread_disagree": "the reference and the email it replied to disagreed",
    "sender_not_invited": "it came from an address not invited",
    "address_shared_by_attendees": "more than one attendee was invited at that address",
    "no_request_sent": "no consent request had been sent to that person",
    "legal_answer_not_authenticated": "it did not pass the sender check, so it could not give"
    " permission",
    "legal_request_not_awaiting_answer": "the legal request was not waiting for an answer",
    "not_about_consent": "it was not about consent",
    "cannot_tell": "staff could not tell what it meant",
}
"""Why an email went to the review queue, or was set aside (also read by the subject access
report)."""

OTHER_REASON_WORDS = {
    "bot_not_installed": "the bot could not be added to the meeting's chat in Teams",
    "consent_requests_not_sent": "some consent requests could not be sent",
    "recording_setting_not_applied": "Teams' recording setting could not be changed to match "
    "consent",
    "meeting_settings_not_applied": "Teams had not yet confirmed the meeting's settings",
    "change_not_applied": "Teams did not accept a change to the meeting",
    "change_in_teams_only": "Teams has a change to the meeting that could not be saved here",
    "cancellation_not_applied": "Teams did not remove the meeting",
    "notices_not_sent": "some attendees could not be emailed about a change to the meeting",
    "call_not_joined": "the bot could not join the meeting's call",
    "announcement_not_made": "the bot could not make its opening statement",
    "prompt_not_played": "something the bot had to say in the call could not be played",
    "chat_file_not_withdrawn": "a file posted in the meeting chat could not be withdrawn",
    "cancelled": "the meeting is cancelled",
    "no_teams_meeting": "the meeting has no Teams meeting",
    "no_staff_name": "the staff member's name or the meeting chat was not known",
    "not_delivered": "it could not be delivered",
    "no_match": "they matched no one invited",
    "ambiguous": "they could have been more than one of the people invited",
    "not_in_call": "the bot was not in the call",
    "call_ended": "the call had ended before its turn came",
    "address_not_kept": "the service user's address is no longer kept",
    "request_disposed": "the request's personal details were removed under the retention schedule",
    "meetings_disposed": "a meeting it is about was disposed of under the retention schedule",
}
"""Why something needs attention, or was not done (the reasons besides the review queue's)."""

BLOCKER_WORDS: Mapping[str, str] = {
    BlockerCode.RECORDING_NOT_REQUESTED: "recording was not asked for when the meeting was "
    "arranged",
    BlockerCode.MEETING_CANCELLED: "the meeting is cancelled",
    BlockerCode.NO_ATTENDEES: "no one is invited",
    BlockerCode.NO_SERVICE_USER: "no parent carer or young person is invited",
    BlockerCode.NOT_LISTED: "the file was not listed for sharing before the meeting",
    BlockerCode.LISTED_AFTER_START: "the document was listed for sharing only after the "
    "meeting started",
    BlockerCode.NO_REPLY: "a reply was awaited",
    BlockerCode.LATE_REPLY: "a reply came after the start",
    BlockerCode.REFUSED: "someone said no",
    BlockerCode.WITHDRAWN: "someone withdrew their consent",
    BlockerCode.NOT_AUTHENTICATED: "a reply could not be authenticated",
    BlockerCode.SENDER_MISMATCH: "a reply came from another address",
    BlockerCode.NOT_ASKED_ABOUT_DOCUMENT: "someone was not asked about sharing the document",
    BlockerCode.UNKNOWN_PARTICIPANT_PRESENT: "someone not invited was in the meeting",
    BlockerCode.CLOSED_SINCE_START: "recording was switched off after the meeting started, so "
    "it stays off until the meeting ends",
    BlockerCode.SIGHT_LOST: "the bot could not see who was present for a while after the "
    "meeting started",
    BlockerCode.ORGANISATION_NOT_NAMED: "the professional or organisation was not named for "
    "liaison",
    BlockerCode.NOT_ASKED_ABOUT_ORGANISATION: "someone was not asked about liaising with the "
    "professional or organisation",
}
"""Each gate blocker as a short phrase (the meeting page's sentences without names)."""

BACKSTOP_WORDS: Mapping[str, str] = {
    reason.value: sentence[:1].lower() + sentence[1:].rstrip(".")
    for reason, sentence in REASON_SENTENCES.items()
}
"""Each backstop reason (a found recording not permitted) as a phrase."""

KIND_WORDS = {
    "consent_reminder": "task: sending reminders to reply",
    "meeting_start": "task: keeping consent as it stood at the start",
    "meeting_join": "task: joining the meeting's call",
    "consent_receipt": "task: sending a receipt for a reply",
    "review_acknowledgement": "task: telling the sender that staff will read their email",
    "review_receipt": "task: sending a receipt for a reply staff read",
    "legal_extract": "task: sending the information for a legal request",
    "legal_answer_receipt": "task: sending a receipt for an answer to a legal request",
    "recording_reconcile": "task: checking that Teams' recording setting matches consent",
    "meeting_lobby_check": "task: checking whether the bot is still waiting in the lobby",
    "recording_check": "task: looking for recordings and transcripts of the meeting",
    "call_state": "about: the call's state",
    "state": "about: the call's state",
    "report_established": "about: the call being connected",
    "roster": "about: who is in the call",
    "prompt_finished": "about: a spoken notice finishing",
    "participant_joined": "what happened: someone joined",
    "participant_left": "what happened: someone left",
    "file_posted": "what happened: a file was posted in the chat",
    "meeting_started": "what happened: the meeting started",
    "meeting_ended": "what happened: the meeting ended",
    "parent_carer": "a parent carer",
    "young_person": "a young person",
    "staff": "a member of IASS staff",
    "professional": "a professional",
    "recording": "a recording",
    "transcript": "a transcript",
}
"""Kinds of timed task, call notice, meeting happening, attendee and recording."""

CAUSE_WORDS = {
    "decision": "checked because an answer about consent was recorded",
    "edit": "checked because the meeting was changed",
    "start": "checked because the meeting was due to start",
    "participant_joined": "checked because someone joined",
    "participant_left": "checked because someone left",
    "roster_changed": "checked because who was in the call changed",
    "objection": "checked because someone objected to recording",
    "reconcile": "checked in the regular check that Teams matches consent",
    "sight_lost": "checked because the bot could not see who was in the meeting for a while",
}
"""Why the bot checked recording (a start seen is worded from how it was seen)."""
SOURCE_WORDS = {
    "schedule": "its scheduled start time came",
    "teams_event": "Teams said it had started",
    "participant_joined": "someone joined it",
    "call_established": "the bot's call connected",
    "roster": "someone was in its call",
    "teams_chat": "Teams' record in the meeting chat",
    "chat": "written in the meeting chat",
    "card": "the button on the opening card",
    "meeting": "joining the meeting",
    "call": "in the call",
}
"""How a start, an objection or an arrival was seen."""

NOTICE_WORDS = {
    "recording_allowed": "the notice that recording is allowed",
    "recording_forbidden": "the notice that recording is not allowed",
    "will_start_without_consent": "the warning that the meeting will start without everyone's "
    "consent",
    "started_without_consent": "the notice that the meeting started without everyone's consent",
    "lobby_restored": "the notice that the lobby was put back",
    "objection": "the private note that someone objected to recording",
    "question": "the private note that someone wrote to the bot",
    "card": "the card in the meeting chat",
    "staff": "the private note to staff",
    "voice": "the spoken notice",
    "stays_off": "the notice that recording stays off",
    "uninvited_arrival": "the warning that someone not on the attendee list joined while "
    "recording was allowed",
    "recording_seen": "the warning that a recording was seen without everyone's consent",
}
ERROR_WORDS = {
    "ODataError": "Microsoft 365 refused the request",
    "APIError": "Microsoft 365 refused the request",
    "HTTPStatusError": "Microsoft 365 refused the request",
    "ClientResponseError": "Teams refused the message",
    "ClientConnectorError": "Teams could not be reached",
    "CallNotPlaced": "the bot was not in the call",
    "SynthesisError": "the speech could not be made",
    "no_address": "no email address is known for them",
}
"""What went wrong, by the error's name (others are worded by what their name says)."""
_CLASS_NAME = re.compile(r"[A-Z][A-Za-z]*")
_UNREACHABLE = ("Connect", "Network", "Transport", "Protocol")

CALL_STATE_WORDS = {
    "establishing": "the call is connecting",
    "established": "the call is connected",
    "terminating": "the call is ending",
    "terminated": "the call has ended",
}
PROMPT_STATUS_WORDS = {
    "completed": "it played to the end",
    "failed": "it could not be played",
}
ROLE_WORDS = {"support": "support", "support_and_contribute": "support and contribute"}
TEAMS_MEETING_WORDS = {
    "none": "there was no Teams meeting to remove",
    "deleted": "the Teams meeting was deleted",
    "event_cancelled": "the calendar event was cancelled, and Teams told those invited",
    "already_gone": "the Teams meeting had already gone",
}
OUTCOME_WORDS = {
    "shared": "the file stays shared",
    "revoked": "the file's sharing was removed",
    "not_withdrawn": "the file's sharing could not be removed",
}
BASIS_WORDS = {
    "link": "it matched a listed document by its link",
    "name": "it matched a listed document by its name",
    "none": "it matched no listed document",
}
FOUND_BY_WORDS = {
    "notification": "found when Microsoft 365 said it was made",
    "after_meeting": "found by the check after the meeting",
    "judged_again": "kept as permitted when found, and judged again by the check after the "
    "meeting with what was known by then",
}
MATCH_KIND_WORDS = {
    "attendee": "said by an attendee",
    "organiser": "said by the organiser",
    "unknown": "said by someone not on the attendee list",
    "bot": "said by the bot",
}
LEGAL_STATUS_WORDS = {
    "logged": "logged",
    "refused_by_manager": "refused by the service manager",
    "permission_asked": "waiting for the service user's permission",
    "permission_given": "permission given",
    "permission_refused": "permission refused",
    "safeguarding": "to be sent for safeguarding",
    "extract_sent": "information sent",
}
AUTHENTICATION_WORDS = {
    "pass": "the email passed the sender check",
    "fail": "the email failed the sender check",
    "none": "the email's sender was not checked",
}
_TEMPLATE = re.compile(r"consent-request/(\d+)/(adult|young_person|easy_read)")


def request_words(version: str) -> str:
    """A consent request's template version (`consent-request/3/adult`) in words."""
    found = _TEMPLATE.fullmatch(version)
    if found is None:
        return f"a consent request (version {version})"
    if found[2] == "easy_read":
        return f"the consent request in easy read (version {found[1]})"
    who = "a young person" if found[2] == "young_person" else "an adult"
    return f"the consent request worded for {who} (version {found[1]})"


def decided_by_words(decided_by: str) -> str:
    """How a decision was recorded, in words."""
    if decided_by == "email":
        return "read from your email by the bot"
    if decided_by.startswith("staff:"):
        return "read from your email by a member of staff"
    if decided_by == "meeting_objection":
        return "said by you in the meeting, objecting to recording"
    return "recorded by the bot"


def action_sentence(action: str) -> str:
    """The action as a sentence; an action without one is shown in words from its code."""
    if action in ACTION_SENTENCES:
        return ACTION_SENTENCES[action]
    words = action.replace(".", " ").replace("_", " ")
    return f"{words[:1].upper()}{words[1:]}."


def _plain(code: str) -> str:
    return code.replace("_", " ")


def error_words(error: str) -> str:
    """What went wrong, in words, keeping an error's name for whoever supports the service."""
    if not _CLASS_NAME.fullmatch(error):
        return ERROR_WORDS.get(error, _plain(error))
    if error in ERROR_WORDS:
        words = ERROR_WORDS[error]
    elif "Timeout" in error:
        words = "Microsoft 365 did not answer in time"
    elif any(part in error for part in _UNREACHABLE):
        words = "Microsoft 365 could not be reached"
    else:
        words = "something went wrong"
    return f"{words} ({error})"


def _list(value: object) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item) for item in items if str(item)]


def _count(one: str, many: str, *, zero: str | None = None) -> Callable[[object], str | None]:
    def words(value: object) -> str | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return str(value)
        if value == 0:
            return zero
        return (one if value == 1 else many).format(n=f"{value:,}")

    return words


def _yes_no(yes: str | None, no: str | None) -> Callable[[object], str | None]:
    return lambda value: yes if value else no


def _looked_up(
    words: Mapping[str, str], prefix: str = "", otherwise: str = "{text}"
) -> Callable[[object], str | None]:
    def look(value: object) -> str | None:
        text = str(value)
        if not text:
            return None
        return prefix + words.get(text, otherwise.format(text=_plain(text)))

    return look


def _listed(
    words: Callable[[str], str], prefix: str, separator: str = "; ", empty: str | None = None
) -> Callable[[object], str | None]:
    def listed(value: object) -> str | None:
        items = _list(value)
        return prefix + separator.join(dict.fromkeys(words(i) for i in items)) if items else empty

    return listed


def _gate_reason(code: str) -> str:
    return BLOCKER_WORDS.get(code) or BACKSTOP_WORDS.get(code) or _plain(code)


def _reason(value: object) -> str | None:
    text = str(value)
    words = REASON_WORDS.get(text) or OTHER_REASON_WORDS.get(text) or _plain(text)
    return f"why: {words}"


def _cause(value: object) -> str | None:
    text = str(value)
    if text.startswith("start:"):
        how = SOURCE_WORDS.get(text.partition(":")[2], _plain(text.partition(":")[2]))
        return f"checked because the meeting was seen starting: {how}"
    return CAUSE_WORDS.get(text, f"checked because: {_plain(text)}")


def _duration(value: object) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    minutes, seconds = divmod(value, 60)
    parts = [
        *([f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes else []),
        *([f"{seconds} second{'s' if seconds != 1 else ''}"] if seconds or not minutes else []),
    ]
    return f"the bot could not see who was in the meeting for {' '.join(parts)}"


def _topic_or_count(topic: str) -> Callable[[object], str | None]:
    def words(value: object) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return _count("{n} document", "{n} documents", zero="no documents")(value)
        return f"{TOPIC_WORDS[topic]}: {DECISION_WORDS.get(str(value), _plain(str(value)))}"

    return words


def _sender_matches(value: object) -> str:
    if value:
        return "it came from the address they were invited at"
    return "it did not come from the address they were invited at"


HIDDEN_DETAILS = frozenset(
    {
        "call",
        "operation",
        "prompt",
        "recipient",
        "artefacts",
        "recording_key",
        "shared_file",
        "sha256",
        "host",
        "review_item",
        "subject_ids",
        "key_id",
    }
)
"""Details that mean nothing to staff or the person: ids, fingerprints, addresses of Teams'
services."""

DETAIL_WORDS: Mapping[str, Callable[[object], str | None]] = {
    "topic": lambda v: f"about {TOPIC_WORDS.get(str(v), _plain(str(v)))}",
    "decision": lambda v: f"answer: {DECISION_WORDS.get(str(v), _plain(str(v)))}",
    **{topic: _topic_or_count(topic) for topic in TOPIC_WORDS},
    "authentication": _looked_up(AUTHENTICATION_WORDS, otherwise="sender check: {text}"),
    "sender_matches": _sender_matches,
    "reason": _reason,
    "template": lambda v: request_words(str(v)),
    "late": _yes_no(
        "the answer came after the meeting started", "the answer came before the meeting started"
    ),
    "condition_written": _yes_no("a condition was written down", None),
    "kind": _looked_up(KIND_WORDS),
    "state": _looked_up(CALL_STATE_WORDS),
    "status": _looked_up(PROMPT_STATUS_WORDS, otherwise="Teams said: {text}"),
    "attempts": _count("tried once", "tried {n} times"),
    "invitations": _count("{n} invitation", "{n} invitations", zero="no invitations"),
    "decisions": _count("{n} answer", "{n} answers", zero="no answers"),
    "review_items": _count(
        "{n} email in the review queue",
        "{n} emails in the review queue",
        zero="no emails in the review queue",
    ),
    "size_bytes": _count("the email was {n} byte long", "the email was {n} bytes long"),
    "added": _count("{n} added", "{n} added", zero=None),
    "removed": _count("{n} removed", "{n} removed", zero=None),
    "service_users": _count(
        "{n} parent carer or young person was not asked",
        "{n} parent carers or young people were not asked",
    ),
    "attendees": _count("{n} attendee", "{n} attendees", zero="no attendees"),
    "jobs_cancelled": _count(
        "{n} timed task (reminders, checks) cancelled",
        "{n} timed tasks (reminders, checks) cancelled",
        zero=None,
    ),
    "unsent": _count("{n} email not sent", "{n} emails not sent", zero=None),
    "calls_left": _count("the bot left {n} call", "the bot left {n} calls", zero=None),
    "people": _count("{n} person told", "{n} people told"),
    "people_recording": _count("{n} person recording", "{n} people recording"),
    "values": _count("{n} value encrypted again", "{n} values encrypted again"),
    "count": _count("{n} removed", "{n} removed"),
    "revoked": _count("{n} way of reaching it removed", "{n} ways of reaching it removed"),
    "meetings": _count("about {n} meeting", "about {n} meetings"),
    "attendees_added": _count("{n} attendee added", "{n} attendees added", zero=None),
    "attendees_removed": _count("{n} attendee removed", "{n} attendees removed", zero=None),
    "documents_added": _count("{n} document added", "{n} documents added", zero=None),
    "documents_removed": _count("{n} document removed", "{n} documents removed", zero=None),
    "liaison_named": _count(
        "{n} professional named for liaison", "{n} professionals named for liaison", zero=None
    ),
    "liaison_added": _count(
        "{n} professional named for liaison", "{n} professionals named for liaison", zero=None
    ),
    "liaison_removed": _count(
        "{n} professional taken off the liaison list",
        "{n} professionals taken off the liaison list",
        zero=None,
    ),
    "unseen_seconds": _duration,
    "title_changed": _yes_no("the title changed", None),
    "moved": _yes_no("the time changed", None),
    "role": _looked_up(ROLE_WORDS, "role: "),
    "role_reasons": _listed(_gate_reason, "not stated as contributing because: "),
    "recording_requested": _yes_no("recording was asked for", "recording was not asked for"),
    "recording_switched_off": _yes_no("recording was switched off until they agree", None),
    "recording_permitted": _yes_no("recording was permitted", "recording was not permitted"),
    "documents_proposed": _yes_no(
        "documents were listed for sharing", "no documents were listed for sharing"
    ),
    "staff_notified": _yes_no("the staff member was told privately", None),
    "supporter_named": _yes_no("the service user's supporter was named by their role", None),
    "calendar_event": _yes_no("made as an event in the organiser's calendar", None),
    "settings_confirmed": _yes_no(
        "Teams confirmed the meeting's settings", "Teams had not yet confirmed its settings"
    ),
    "early": _yes_no("earlier than scheduled", None),
    "known_meeting": _yes_no(None, "in no meeting the bot knows"),
    "refusal_recorded": _yes_no(
        "written down as their refusal", "not written down as anyone's refusal"
    ),
    "recorded_as": _looked_up({"refusal": "taken as refusing consent to recording"}),
    "closed_now": _yes_no(
        "recording was switched off for the rest of the meeting",
        "recording was already off for the rest of the meeting",
    ),
    "found_allow_recording": _yes_no(
        "Teams was found allowing recording", "Teams was found not allowing recording"
    ),
    "found_allow_transcription": _yes_no(
        "Teams was found allowing transcription", "Teams was found not allowing transcription"
    ),
    "found_record_automatically": _yes_no("Teams was found recording automatically", None),
    "found_lobby_organiser_only": _yes_no(
        None, "the lobby was found letting people in without the organiser"
    ),
    "found_organiser_presents_alone": _yes_no(None, "others were found able to present"),
    "restored_allowed": _yes_no(
        "recording was set back to allowed", "recording was set back to not allowed"
    ),
    "wanted": _yes_no("the bot was allowing recording", "the bot was switching recording off"),
    "blockers": _listed(_gate_reason, "not permitted because: "),
    "reasons": _listed(_gate_reason, "why it was not permitted: "),
    "cause": _cause,
    "source": _looked_up(SOURCE_WORDS, "how it was seen: "),
    "by": _looked_up(MATCH_KIND_WORDS),
    "notice": _looked_up(NOTICE_WORDS),
    "notices": _listed(lambda n: NOTICE_WORDS.get(n, _plain(n)), "not delivered: ", ", "),
    "error": lambda v: f"what went wrong: {error_words(str(v))}" if str(v) else None,
    "errors": _listed(error_words, "what went wrong: "),
    "hang_up_errors": _listed(error_words, "the bot could not hang up: "),
    "chat_errors": _listed(error_words, "the chat message could not be posted: "),
    "teams_meeting": _looked_up(TEAMS_MEETING_WORDS),
    "outcome": _looked_up(OUTCOME_WORDS),
    "basis": _looked_up(BASIS_WORDS),
    "found_by": _looked_up(FOUND_BY_WORDS),
    "sharing": _looked_up(
        {
            "not_reachable": "the bot cannot remove who it is shared with: Microsoft 365 does "
            "not say which file it is"
        }
    ),
    "to": _looked_up({"organiser": "to the organiser", "manager": "to a service manager"}),
    "reference": lambda v: f"request reference: {v}",
    "legal_request": lambda v: f"about legal request {v}",
    "previous_status": _looked_up(LEGAL_STATUS_WORDS, "before: "),
    "safeguarding": _yes_no("sent for safeguarding, without permission", None),
    "copy_to_service_user": _yes_no("a copy went to the service user", None),
    "answer": _looked_up({"given": "they gave permission", "refused": "they refused permission"}),
    "claim_held": _yes_no(
        None, "it may have been sent twice: the sender's claim on it had run out"
    ),
    "topics": _listed(
        lambda t: TOPIC_WORDS.get(t, _plain(t)), "asked about: ", ", ", empty="asked about: nothing"
    ),
}
"""Each detail key's words; a function answers None to leave the value out."""


def _value_words(key: str, value: object) -> str | None:
    if isinstance(value, str) and _ID_PATTERN.fullmatch(value):
        return None
    if key in DETAIL_WORDS:
        return DETAIL_WORDS[key](value)
    if isinstance(value, bool):
        return f"{_plain(key)}: {'yes' if value else 'no'}"
    text = str(value)
    return f"{_plain(key)}: {_plain(text)}" if text else None


_WHOLE_LISTS = frozenset(
    {
        "blockers",
        "reasons",
        "notices",
        "errors",
        "chat_errors",
        "hang_up_errors",
        "role_reasons",
        "topics",
    }
)
"""Details whose list is worded as one line."""


def detail_sentences(detail: str) -> tuple[str, ...]:
    """The audit detail in words, leaving out ids, fingerprints and empty values."""
    try:
        parsed = json.loads(detail)
    except ValueError:
        return ()
    if not isinstance(parsed, dict):
        return ()
    words = []
    for key, value in sorted(parsed.items()):
        if key in HIDDEN_DETAILS or key.endswith(("_id", "_ids")) or value is None:
            continue
        if key in _WHOLE_LISTS or not isinstance(value, list):
            shown = _value_words(key, value)
            words.extend([shown] if shown else [])
            continue
        words.extend(w for v in value if v is not None and (w := _value_words(key, v)))
    return tuple(words)


def actor_words(actor: str, bot_actors: frozenset[str], staff_names: Mapping[str, str]) -> str:
    """Who acted: the bot, the named staff member where the store knows them, or "a staff
    member"."""
    if actor in bot_actors:
        return "the bot"
    return staff_names.get(actor) or "a staff member"
