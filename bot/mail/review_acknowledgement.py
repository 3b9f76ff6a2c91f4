"""The acknowledgement: a short email telling a person that their reply went to a member of
staff to read, because the bot could not be sure what it meant.

Sent to the address they were invited at when the reply was matched to an attendee, otherwise
to the address it came from only if that address passed the tenant's sender check, so a forged
sender is never written to. It names the meeting only when the reply was matched to it, and
records nothing: it says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import ServiceProfile
from templates import environment


@dataclass(frozen=True)
class RenderedAcknowledgement:
    subject: str
    text: str
    html: str


def render_acknowledgement(
    *, name: str | None, reference: str | None, service: ServiceProfile
) -> RenderedAcknowledgement:
    context = {"name": name, "reference": reference, "service": service}
    env = environment()
    subject = "We have your email: a member of staff will read it"
    return RenderedAcknowledgement(
        subject=f"{subject} [{reference}]" if reference else subject,
        text=env.get_template("email/review_acknowledgement.txt.j2").render(context),
        html=env.get_template("email/review_acknowledgement.html.j2").render(context),
    )
