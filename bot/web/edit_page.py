"""Editing a meeting (`/tab/meetings/{reference}/edit`): the form filled in with the meeting as
it stands (decrypted), where staff change the title, time, role or recording, take people or
documents off, add new ones in blank rows like the scheduling form's, and change the
professionals named for liaison (one on each line, as listed now).

On posting, the people and documents kept are put together with the new rows and checked as
a whole by `meeting_request` (so the same plain-word problems appear, linked to their
fields); `meeting_edit.edit_meeting` then applies the change and the browser goes back to
the meeting's page, which says what happened."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from aiohttp import web

from bot.services.change_plan import MeetingNotChangeable, ensure_changeable
from bot.services.meeting_changes import MeetingChangeFailed
from bot.services.meeting_edit import edit_meeting
from bot.services.meeting_request import (
    InvalidMeeting,
    MeetingInput,
    PersonInput,
    parse_meeting,
)
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.error_pages import not_changeable, not_found
from bot.web.meeting_form import (
    Problem,
    adding_row,
    form_choices,
    form_problems,
    parse_form,
    problem_links,
)
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import GRAPH_FAILURE_ADVICE, KIND_WORDS, NO_MEETING
from consent_store.liaison import LiaisonRecords
from consent_store.needs import needs_of, supporter_attending
from consent_store.records import IndividualNeeds
from consent_store.repository import MeetingNotFound
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole
from templates import in_uk_time

FORM_ROLES = {
    DeclaredRole.SUPPORT: "support",
    DeclaredRole.SUPPORT_AND_CONTRIBUTE: "support-and-contribute",
}
NOT_CONNECTED = (
    "Changing meetings is not available: the bot is not connected to Microsoft 365 at the "
    "moment, so Teams cannot be updated."
)


@dataclass(frozen=True)
class InvitedPerson:
    """Someone invited now, as the form shows them; `field` is their removal checkbox."""

    field: str
    name: str
    email: str
    kind: str
    organisation: str | None

    @property
    def kind_words(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)

    def as_input(self) -> PersonInput:
        return PersonInput(f"{self.name} <{self.email}>", self.kind, self.organisation)


@dataclass(frozen=True)
class ListedDocument:
    field: str
    title: str
    url: str


@dataclass(frozen=True)
class EditableMeeting:
    """The meeting as the form shows it, decrypted."""

    id: str
    reference: str
    status: str
    starts_at: datetime
    started_at: datetime | None
    values: Mapping[str, str]
    people: tuple[InvitedPerson, ...]
    documents: tuple[ListedDocument, ...]


async def load_editable(store: Store, reference: str) -> EditableMeeting:
    """The meeting with this reference as the form shows it; `MeetingNotFound` if none."""
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        attendees = await uow.meetings.attendees(meeting.id)
        documents = await uow.meetings.documents(meeting.id)
        liaison = await LiaisonRecords(uow).organisations(meeting.id)
        title = uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id) or ""
        needs = needs_of(uow, meeting)
        supporter = supporter_attending(uow, needs, attendees)
        supporter_name = next(
            (
                uow.decrypt(a.name_enc, "attendees", "name", a.id) or ""
                for a in attendees
                if supporter and a.id == supporter.attendee_id
            ),
            "",
        )
        people = tuple(
            InvitedPerson(
                field=f"remove-attendee-{a.position}",
                name=uow.decrypt(a.name_enc, "attendees", "name", a.id) or "",
                email=uow.decrypt(a.email_enc, "attendees", "email", a.id) or "",
                kind=a.kind,
                organisation=uow.decrypt(a.organisation_enc, "attendees", "organisation", a.id),
            )
            for a in attendees
            if supporter is None or a.id != supporter.attendee_id
        )
        listed = tuple(
            ListedDocument(
                field=f"remove-document-{d.position}",
                title=uow.decrypt(d.title_enc, "documents", "title", d.id) or "",
                url=uow.decrypt(d.url_enc, "documents", "url", d.id) or "",
            )
            for d in documents
        )
    values = {
        "title": title,
        "start": in_uk_time(meeting.starts_at, "%Y-%m-%dT%H:%M"),
        "end": in_uk_time(meeting.ends_at, "%H:%M"),
        "role": FORM_ROLES[DeclaredRole(meeting.declared_role)],
        "liaison": "\n".join(o.name for o in liaison),
    }
    if meeting.recording_requested:
        values["record"] = "yes"
    values.update(needs_values(needs, supporter_name if supporter else None))
    return EditableMeeting(
        meeting.id,
        meeting.reference,
        meeting.status,
        meeting.starts_at,
        meeting.started_at,
        values,
        people,
        listed,
    )


def needs_values(needs: IndividualNeeds, supporter_name: str | None) -> dict[str, str]:
    """The individual needs as the form's fields; the supporter only while still invited."""
    values = {}
    if needs.joins_by_phone:
        values["needs-phone"] = "yes"
    if needs.easy_read:
        values["needs-easy-read"] = "yes"
    if needs.supporter is not None and supporter_name is not None:
        values["needs-supporter"] = "yes"
        values["needs-supporter-name"] = supporter_name
        values["needs-supporter-email"] = needs.supporter.email
        values["needs-supporter-role"] = needs.supporter.role
    if needs.other_format:
        values["needs-format"] = "yes"
        values["needs-format-text"] = needs.other_format
    return values


def edit_request(
    form: Mapping[str, str], editable: EditableMeeting, organiser_user_id: str
) -> MeetingInput:
    """The whole meeting staff now want: the people and documents not ticked for removal,
    then those in the new rows."""
    new = parse_form(form, organiser_user_id)
    return replace(
        new,
        people=(
            *(person.as_input() for person in editable.people if form.get(person.field) != "yes"),
            *new.people,
        ),
        documents=(
            *((d.title, d.url) for d in editable.documents if form.get(d.field) != "yes"),
            *new.documents,
        ),
    )


def change_failed_in_words(failure: MeetingChangeFailed) -> str:
    """What went wrong, without the Graph SDK's class names, and what staff can do."""
    said = re.sub(r" \([A-Za-z]*Error\)", "", str(failure)).rstrip(".")
    return f"{said}. {GRAPH_FAILURE_ADVICE}"


def _form_page(
    request: web.Request,
    editable: EditableMeeting,
    values: Mapping[str, str],
    *,
    status: int = 200,
    problems: Sequence[Problem] = (),
    not_changed: str | None = None,
) -> web.Response:
    return page(
        request,
        "edit.html.j2",
        status=status,
        meeting=editable,
        values=values,
        problems=problems,
        not_changed=not_changed,
        **form_choices(values, problems),
    )


async def edit_form(request: web.Request) -> web.Response:
    site = request.config_dict[STAFF_SITE]
    try:
        editable = await load_editable(site.store, request.match_info["reference"])
        ensure_changeable(editable.status, editable.starts_at, site.clock(), editable.started_at)
    except MeetingNotFound:
        return not_found(request, NO_MEETING)
    except MeetingNotChangeable as refusal:
        return not_changeable(request, request.match_info["reference"], str(refusal))
    return _form_page(request, editable, editable.values)


async def save_edit(request: web.Request) -> web.Response:
    staff = request[STAFF_SESSION]
    site = request.config_dict[STAFF_SITE]
    form = {name: value for name, value in (await request.post()).items() if isinstance(value, str)}
    try:
        editable = await load_editable(site.store, request.match_info["reference"])
        ensure_changeable(editable.status, editable.starts_at, site.clock(), editable.started_at)
    except MeetingNotFound:
        return not_found(request, NO_MEETING)
    except MeetingNotChangeable as refusal:
        return not_changeable(request, request.match_info["reference"], str(refusal))
    if adding_row(form):
        return _form_page(request, editable, form)
    problems = form_problems(form, needs_service_user=False)
    if problems:
        return _form_page(request, editable, form, status=400, problems=problems)
    try:
        wanted = parse_meeting(edit_request(form, editable, staff.object_id), site.clock())
    except InvalidMeeting as invalid:
        problems = problem_links(invalid.problems, form)
        return _form_page(request, editable, form, status=400, problems=problems)
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is None:
        return _form_page(request, editable, form, status=503, not_changed=NOT_CONNECTED)
    settings = request.config_dict[SETTINGS_KEY]
    try:
        changed = await edit_meeting(
            site.store,
            clients.meetings,
            clients.mailbox,
            settings.service,
            editable.id,
            wanted,
            actor=staff.object_id,
            staff_name=staff.display_name,
            reminder_hours=settings.reminder_hours,
        )
    except MeetingNotChangeable as refusal:
        return not_changeable(request, editable.reference, str(refusal))
    except MeetingChangeFailed as failure:
        return _form_page(
            request, editable, form, status=502, not_changed=change_failed_in_words(failure)
        )
    outcome = "changed" if changed.changed else "unchanged"
    raise web.HTTPSeeOther(f"/tab/meetings/{editable.reference}?done={outcome}")
