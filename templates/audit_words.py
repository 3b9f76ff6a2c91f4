"""The audit trail in sentences, for staff on the meeting page and for the person in their
subject access report: each action code and each detail becomes words (topics, answers,
reasons, the consent request sent), ids are left out, and the staff member is named where the
store knows them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

_ID_PATTERN = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)

ACTION_SENTENCES = {
    "attendee.added": "Someone was added to the meeting.",
    "attendee.removed": "Someone was removed from the meeting.",
    "call.notification_unmatched": "Teams sent a call notice that matched no call of the bot.",
    "call.prompt_finished": "A spoken notice finished playing in the call.",
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
    "legal_request.logged": "A request for information for legal reasons was logged.",
    "legal_request.permission_asked": "The service manager asked the service user's permission"
    " to send information for a legal request.",
    "legal_request.refused_by_manager": "The service manager refused a request for information"
    " for legal reasons: nothing was asked or sent.",
    "liaison.named": "Staff changed the professionals or organisations named for liaison.",
    "liaison.request_not_sent": "The email asking permission to liaise could not be sent.",
    "meeting.announced": "The opening statement was given in the meeting.",
    "meeting.announcement_failed": "The opening statement could not be given.",
    "meeting.cancelled": "The meeting was cancelled.",
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
    "meeting.notice_failed": "A notice to the organiser could not be given.",
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
    "not_about_consent": "it was not about consent",
    "cannot_tell": "staff could not tell what it meant",
}
AUTHENTICATION_WORDS = {
    "pass": "the email passed the sender check",
    "fail": "the email failed the sender check",
    "none": "the email's sender was not checked",
}
_TEMPLATE = re.compile(r"consent-request/(\d+)/(adult|young_person)")


def request_words(version: str) -> str:
    """A consent request's template version (`consent-request/3/adult`) in words."""
    found = _TEMPLATE.fullmatch(version)
    if found is None:
        return f"a consent request (version {version})"
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


def _value_words(key: str, value: object) -> str | None:
    if isinstance(value, bool):
        if key == "sender_matches":
            return (
                "it came from the address they were invited at"
                if value
                else "it did not come from the address they were invited at"
            )
        return f"{key.replace('_', ' ')}: {'yes' if value else 'no'}"
    text = str(value)
    if _ID_PATTERN.fullmatch(text):
        return None
    if key == "topic":
        return f"about {TOPIC_WORDS.get(text, text)}"
    if key == "decision":
        return f"answer: {DECISION_WORDS.get(text, text)}"
    if key in TOPIC_WORDS:
        return f"{TOPIC_WORDS[key]}: {DECISION_WORDS.get(text, text)}"
    if key == "authentication":
        return AUTHENTICATION_WORDS.get(text, f"sender check: {text}")
    if key == "reason":
        return f"why: {REASON_WORDS.get(text, text.replace('_', ' '))}"
    if key == "template":
        return request_words(text)
    return f"{key.replace('_', ' ')}: {text.replace('_', ' ')}"


def detail_sentences(detail: str) -> tuple[str, ...]:
    """The audit detail in words, leaving out ids."""
    try:
        parsed = json.loads(detail)
    except ValueError:
        return ()
    if not isinstance(parsed, dict):
        return ()
    words = []
    for key, value in sorted(parsed.items()):
        if key.endswith(("_id", "_ids")) or key == "review_item":
            continue
        if key == "topics" and isinstance(value, list):
            topics = [TOPIC_WORDS.get(str(t), str(t)) for t in value]
            words.append(f"asked about: {', '.join(topics) or 'nothing'}")
            continue
        values = value if isinstance(value, list) else [value]
        shown = [w for v in values if v is not None and (w := _value_words(key, v)) is not None]
        words.extend(shown)
    return tuple(words)


def actor_words(actor: str, bot_actors: frozenset[str], staff_names: Mapping[str, str]) -> str:
    """Who acted: the bot, the named staff member where the store knows them, or "a staff
    member"."""
    if actor in bot_actors:
        return "the bot"
    return staff_names.get(actor) or "a staff member"
