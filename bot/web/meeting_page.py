"""One meeting for staff (`/tab/meetings/{reference}`): its details, each attendee's consent on
each topic they were asked about, what the recording gate, the role statement and the share
gate answer (in plain words, with names), open review items and the meeting's audit trail.

The handler loads rows in one reading unit of work and asks the gates (`meeting_records`:
`load_meeting`, `verdicts_for`), and `meeting_view` here turns both into the view model the
template shows. Ids never reach the page: attendees are named, and audit actors are "a staff
member" or "the bot".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from aiohttp import web

from bot.calling.voice import ATTENTION as PROMPT_NOT_PLAYED
from bot.policy.blockers import Blocker, BlockerCode, blocker_sentences
from bot.services.change_plan import MeetingNotChangeable, ensure_changeable
from bot.services.document_guard import ATTENTION as FILE_NOT_WITHDRAWN
from bot.services.liaison import liaison_standing
from bot.services.meeting_changes import (
    CANCELLATION_NOT_APPLIED,
    CHANGE_NOT_APPLIED,
    CHANGE_NOT_STORED,
    NOTICES_NOT_SENT,
)
from bot.services.meeting_opening import JOIN_FAILED
from bot.services.opening_statement import ANNOUNCEMENT_FAILED
from bot.services.recording_enforcement import ATTENTION as RECORDING_NOT_APPLIED
from bot.services.recording_enforcement import SETTINGS_ATTENTION
from bot.web.error_pages import not_found
from bot.web.meeting_glance import at_a_glance
from bot.web.meeting_records import (
    AttendeeRecord,
    MeetingRecords,
    Verdicts,
    load_meeting,
    verdicts_for,
)
from bot.web.meeting_status import meeting_phase
from bot.web.meeting_view import (
    AttendeeView,
    AuditLine,
    DocumentView,
    GateView,
    MeetingView,
    TopicStatus,
)
from bot.web.needs_view import needs_view
from bot.web.pages import page
from bot.web.recording_alerts import artefact_views
from bot.web.site import STAFF_SITE, teams_link
from bot.web.wording import (
    DECISION_WORDS,
    KIND_WORDS,
    LEGAL_STATUS_WORDS,
    NO_MEETING,
    ROLE_WORDS,
    TOPIC_WORDS,
)
from consent_store.legal_requests import LegalRequests
from consent_store.needs import needs_of, supporter_attending
from consent_store.repository import MeetingNotFound
from consent_store.stored import (
    AuditEntryRow,
    ConsentDecisionRow,
)
from domain.terms import (
    AuthVerdict,
    Decision,
    Topic,
    real_start,
)
from templates.audit_words import action_sentence, actor_words, detail_sentences

BOT_ACTORS = frozenset({"system", "intake"})
STAFF_DECIDER_PREFIX = "staff:"

ATTENTION_WORDS = {
    "bot_not_installed": "The bot could not be added to the meeting's chat in Teams.",
    "consent_requests_not_sent": "Some consent requests could not be sent.",
    RECORDING_NOT_APPLIED: "Teams' recording setting could not be changed to match consent.",
    SETTINGS_ATTENTION: (
        "Teams has not yet confirmed this meeting's settings (recording off, the lobby, who "
        "presents). The bot keeps trying, and recording stays off until Teams confirms them."
    ),
    CHANGE_NOT_APPLIED: "Teams did not accept the last change to this meeting, so it was not made.",
    CHANGE_NOT_STORED: (
        "Teams has the last change to this meeting but it could not be saved here; make the "
        "change again to bring them back in line."
    ),
    CANCELLATION_NOT_APPLIED: "Teams did not remove the meeting, so it was not cancelled.",
    NOTICES_NOT_SENT: "Some attendees could not be emailed about a change to this meeting.",
    JOIN_FAILED: "The bot could not join the meeting's call; it will try again.",
    ANNOUNCEMENT_FAILED: "The bot could not make its opening statement in the meeting.",
    PROMPT_NOT_PLAYED: "Something the bot had to say in the meeting's call could not be played.",
    FILE_NOT_WITHDRAWN: (
        "A file posted in the meeting chat could not be withdrawn; remove it from the chat."
    ),
}

DONE_WORDS = {
    "scheduled": (
        "The meeting was scheduled. Teams has it with recording off, and everyone who needs to "
        "be asked has been emailed for their consent."
    ),
    "changed": "The meeting was changed.",
    "unchanged": "Nothing was changed: the form matched the meeting as it was.",
    "cancelled": "The meeting was cancelled, and everyone invited has been emailed.",
}

AUTH_WORDS = {
    AuthVerdict.PASS.value: "Authenticated",
    AuthVerdict.FAIL.value: "Failed authentication",
    AuthVerdict.NONE.value: "Not authenticated",
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def reasons_in_words(
    blockers: Iterable[Blocker], names: Mapping[str, str | None]
) -> tuple[str, ...]:
    """Each blocker's staff sentence, once each, naming its attendee ("someone" when there is
    no name)."""
    return blocker_sentences(blockers, names.get)


def _how(decided_by: str) -> str:
    if decided_by == "email":
        return "By email"
    if decided_by.startswith(STAFF_DECIDER_PREFIX):
        return "Confirmed by staff from the review queue"
    return "Recorded by the bot"


def _authentication(row: ConsentDecisionRow) -> str:
    verdict = AUTH_WORDS.get(row.auth_verdict, "Not authenticated")
    where = "from their invited address" if row.sender_matches else "not from their invited address"
    return f"{verdict}, {where}"


def topic_status(
    topic: Topic,
    decisions: Sequence[ConsentDecisionRow],
    starts_at: datetime,
    conditions: Mapping[str, str] | None = None,
) -> TopicStatus:
    """The latest of one attendee's `decisions` on `topic` (oldest first), or no reply yet;
    with the condition staff wrote down with it, from `conditions` by decision id."""
    on_topic = [d for d in decisions if d.topic == topic.value]
    if not on_topic:
        return TopicStatus(TOPIC_WORDS[topic], None)
    latest = on_topic[-1]
    return TopicStatus(
        topic=TOPIC_WORDS[topic],
        decision=DECISION_WORDS[Decision(latest.decision)],
        received_at=latest.received_at,
        how=_how(latest.decided_by),
        authentication=_authentication(latest),
        late=latest.received_at >= starts_at,
        condition=(conditions or {}).get(latest.id),
    )


NOT_ASKED_YET = "They have not been asked for consent yet."
NOTHING_TO_ASK = "Nothing at this meeting needs their consent, so they were not asked."


def shown_recording_blockers(blockers: tuple[Blocker, ...]) -> tuple[Blocker, ...]:
    """The recording gate's reasons as the page shows them: when recording was not requested,
    only that (no one is waited on for consent to something not asked for)."""
    not_requested = tuple(b for b in blockers if b.code is BlockerCode.RECORDING_NOT_REQUESTED)
    return not_requested or blockers


def _attendee_view(
    attendee: AttendeeRecord,
    records: MeetingRecords,
    decisions: Sequence[ConsentDecisionRow],
    waited_on: frozenset[str] = frozenset(),
) -> AttendeeView:
    request = records.latest_requests.get(attendee.row.id)
    asked = set(request.topics if request else ()) | {d.topic for d in decisions}
    return AttendeeView(
        name=attendee.name,
        kind=KIND_WORDS.get(attendee.row.kind, attendee.row.kind),
        organisation=attendee.organisation,
        not_asked=NOT_ASKED_YET if attendee.row.id in waited_on else NOTHING_TO_ASK,
        topics=tuple(
            topic_status(
                topic,
                decisions,
                real_start(records.meeting.starts_at, records.meeting.started_at),
                records.conditions,
            )
            for topic in Topic
            if topic.value in asked
        ),
    )


def _gate(permitted: bool, yes: str, no: str, reasons: tuple[str, ...]) -> GateView:
    return GateView(permitted, yes if permitted else no, reasons)


def audit_line(entry: AuditEntryRow, staff_names: Mapping[str, str] | None = None) -> AuditLine:
    """One audit entry in sentences, naming the staff member where the page knows them."""
    return AuditLine(
        at=entry.at,
        action=action_sentence(entry.action),
        actor=actor_words(entry.actor, BOT_ACTORS, staff_names or {}),
        details=detail_sentences(entry.detail),
    )


def _teams_recording(allowed: bool | None) -> str:
    if allowed is None:
        return "Not known: the meeting has not been set up in Teams"
    return "Yes" if allowed else "No"


def meeting_view(records: MeetingRecords, verdicts: Verdicts) -> MeetingView:
    """The page's view model from the store's rows and the gates' verdicts."""
    meeting = records.meeting
    names = {a.row.id: a.name for a in records.attendees}
    role = verdicts.role
    role_words = ROLE_WORDS[role.effective].lower()
    recording_blockers = shown_recording_blockers(verdicts.recording.blockers)
    waited_on = frozenset(
        b.attendee_id
        for b in (
            *recording_blockers,
            *role.reasons,
            *(b for share in verdicts.shares.values() for b in share.blockers),
        )
        if b.attendee_id is not None
    )
    return MeetingView(
        reference=meeting.reference,
        title=records.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=meeting_phase(
            meeting.status, meeting.starts_at, meeting.ends_at, meeting.started_at, records.read_at
        ),
        declared_role=ROLE_WORDS[role.declared],
        recording_requested=meeting.recording_requested,
        teams_recording=_teams_recording(meeting.teams_recording_allowed),
        needs_attention=(
            ATTENTION_WORDS.get(meeting.needs_attention, _sentence(meeting.needs_attention))
            if meeting.needs_attention
            else None
        ),
        safeguarding_hold=meeting.safeguarding_hold,
        attendees=tuple(
            _attendee_view(
                attendee,
                records,
                [d for d in records.decisions if d.attendee_id == attendee.row.id],
                waited_on,
            )
            for attendee in records.attendees
        ),
        recording=_gate(
            verdicts.recording.permitted,
            "Recording permitted",
            "Recording not permitted",
            reasons_in_words(recording_blockers, names),
        ),
        role=_gate(
            not role.reasons,
            f"The bot will state the role: {role_words}",
            f"The bot will state the role: {role_words} (not the declared role)",
            reasons_in_words(role.reasons, names),
        ),
        documents=tuple(
            DocumentView(
                title=document.title,
                sharing=_gate(
                    verdicts.shares[document.row.id].permitted,
                    "Sharing permitted",
                    "Sharing not permitted",
                    reasons_in_words(verdicts.shares[document.row.id].blockers, names),
                ),
            )
            for document in records.documents
        ),
        open_review_items=records.open_review_items,
        audit=tuple(
            audit_line(
                entry,
                {meeting.organiser_user_id: records.staff_name} if records.staff_name else {},
            )
            for entry in records.audit
        ),
        removed_attendees=records.removed_attendees,
        stated_role=ROLE_WORDS[role.effective],
    )


async def meeting_page(request: web.Request) -> web.Response:
    site = request.config_dict[STAFF_SITE]
    async with site.store.reading() as uow:
        try:
            records = await load_meeting(uow, request.match_info["reference"])
        except MeetingNotFound:
            return not_found(request, NO_MEETING)
        names = {a.row.id: a.name for a in records.attendees}
        recordings = await artefact_views(uow, records.meeting.id, names)
        legal_requests = await LegalRequests(uow).concerning_meeting(records.meeting.id)
        needs = needs_of(uow, records.meeting)
        supporter = supporter_attending(uow, needs, [a.row for a in records.attendees])
    try:
        meeting = records.meeting
        ensure_changeable(meeting.status, meeting.starts_at, site.clock(), meeting.started_at)
    except MeetingNotChangeable as refusal:
        not_changeable: str | None = str(refusal)
    else:
        not_changeable = None
    view = meeting_view(records, verdicts_for(records))
    liaison = await liaison_standing(site.store, records.meeting.id, names.get)
    return page(
        request,
        "meeting.html.j2",
        liaison=liaison,
        meeting=view,
        glance=at_a_glance(view),
        not_changeable=not_changeable,
        done=DONE_WORDS.get(request.query.get("done", "")),
        join_link=teams_link(records.meeting.teams_join_url, site.teams_web_url),
        recordings=recordings,
        legal_requests=legal_requests,
        legal_status_words=LEGAL_STATUS_WORDS,
        needs=needs_view(needs, names.get(supporter.attendee_id) if supporter else None),
    )
