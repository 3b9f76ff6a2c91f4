"""Short notices to attendees when staff change a meeting: it was cancelled, or it moved.

Like every email we send, they name the meeting by its reference and time only, never its
title or anything about the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import ServiceProfile
from bot.mail.consent_request import describe_when, request_subject
from templates import environment


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str


def _render(template: str, subject: str, context: dict[str, object]) -> RenderedNotice:
    env = environment()
    return RenderedNotice(
        subject=subject,
        text=env.get_template(f"email/{template}.txt.j2").render(context),
        html=env.get_template(f"email/{template}.html.j2").render(context),
    )


def render_cancellation(
    *,
    name: str,
    reference: str,
    starts_at: datetime,
    ends_at: datetime,
    asked: bool,
    service: ServiceProfile,
) -> RenderedNotice:
    """`asked` says whether the person was sent a consent request (only then does the email
    speak of replying to it)."""
    return _render(
        "cancellation",
        f"Cancelled: your meeting with {service.short_name} [{reference}]",
        {
            "name": name,
            "reference": reference,
            "when": describe_when(starts_at, ends_at),
            "asked": asked,
            "service": service,
        },
    )


def render_new_time(
    *,
    name: str,
    reference: str,
    was: tuple[datetime, datetime],
    now_at: tuple[datetime, datetime],
    asked: bool,
    service: ServiceProfile,
) -> RenderedNotice:
    """The meeting moved from `was` to `now_at` (start, end); `asked` says whether the person
    was sent a consent request to reply to."""
    return _render(
        "new_time",
        f"New time for your meeting with {service.short_name} [{reference}]",
        {
            "name": name,
            "reference": reference,
            "when": describe_when(*now_at),
            "previous_when": describe_when(*was),
            "asked": asked,
            "original_subject": request_subject(service, reference),
            "service": service,
        },
    )
