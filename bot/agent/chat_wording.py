"""What the bot writes in a chat, from the templates in `templates/chat/`.

Reasons a gate is closed come from the policy's staff sentences. For a meeting's chat, which
everyone in the meeting reads, only reasons about the meeting itself are written out; reasons
about a person are counted, never named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.agent.commands import CommandName
from bot.config import ServiceProfile
from bot.policy.blockers import Blocker, blocker_sentences
from bot.services.meeting_briefing import MeetingBriefing, UpcomingMeeting
from templates import environment


def _render(template: str, context: Mapping[str, object]) -> str:
    text = environment().get_template(f"chat/{template}.txt.j2").render(context)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Reasons:
    sentences: tuple[str, ...]
    withheld: int


def reasons(
    blockers: Sequence[Blocker], names: Mapping[str, str | None], *, personal: bool
) -> Reasons:
    """The blockers as sentences. For one staff member, every blocker, naming its attendee;
    otherwise the meeting's own blockers, and a count of the people the others concern."""
    if personal:
        return Reasons(blocker_sentences(blockers, names.get), 0)
    shown = [b for b in blockers if b.attendee_id is None]
    people = {b.attendee_id for b in blockers if b.attendee_id is not None}
    return Reasons(blocker_sentences(shown, names.get), len(people))


def help_text(*, in_meeting: bool) -> str:
    return _render("help", {"in_meeting": in_meeting})


def contact_text(service: ServiceProfile) -> str:
    return _render("contact", {"service": service})


def briefing_text(name: CommandName, briefing: MeetingBriefing, *, personal: bool) -> str:
    """The answer to `status`, `role` or `documents` about one meeting."""
    base: dict[str, object] = {
        "personal": personal,
        "reference": briefing.reference,
        "title": briefing.title,
        "starts_at": briefing.starts_at,
        "cancelled": briefing.cancelled,
    }
    if name is CommandName.ROLE:
        why = reasons(briefing.role.reasons, briefing.names, personal=personal)
        return _render(
            "role",
            base
            | {
                "declared": briefing.role.declared.value,
                "effective": briefing.role.effective.value,
                "reasons": why.sentences,
                "withheld": why.withheld,
            },
        )
    if name is CommandName.DOCUMENTS:
        documents = [
            {
                "title": document.title,
                "permitted": document.verdict.permitted,
                "reasons": reasons(
                    document.verdict.blockers, briefing.names, personal=personal
                ).sentences,
            }
            for document in briefing.documents
        ]
        return _render("documents", base | {"documents": documents})
    why = reasons(briefing.recording.blockers, briefing.names, personal=personal)
    return _render(
        "status",
        base
        | {
            "permitted": briefing.recording.permitted,
            "reasons": why.sentences,
            "withheld": why.withheld,
            "teams_recording": briefing.teams_recording_allowed,
            "liaison": briefing.liaison,
        },
    )


def meetings_text(name: CommandName, meetings: Sequence[UpcomingMeeting]) -> str:
    return _render("meetings", {"meetings": meetings, "command": name.value})


def not_yours_text(reference: str) -> str:
    return _render("not_yours", {"reference": reference})


def no_meeting_text() -> str:
    return _render("no_meeting", {})


def share_needs_meeting_text() -> str:
    return _render("share_needs_meeting", {})


def unavailable_text() -> str:
    return _render("unavailable", {})
