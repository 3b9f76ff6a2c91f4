"""The receipt for an answer to a request for permission to send information for legal reasons
(issue 17): in plain words, what the service user answered and what happens next (the
information goes to the officer, with a copy to them; or nothing is sent), worded for a young
person when they are one.

Sent, like the consent receipt, to the address they were invited at, never to whatever address
the answer came from. A safeguarding reason is never mentioned: telling the family could put a
child at risk.
"""

from __future__ import annotations

from bot.config import ServiceProfile
from bot.mail.receipt import RenderedReceipt
from templates import environment


def render_legal_receipt(
    *,
    name: str,
    reference: str,
    officer: str,
    given: bool,
    young: bool,
    service: ServiceProfile,
) -> RenderedReceipt:
    """`given`: they gave permission (otherwise they refused it)."""
    context = {
        "name": name,
        "reference": reference,
        "officer": officer,
        "given": given,
        "young": young,
        "service": service,
    }
    env = environment()
    return RenderedReceipt(
        subject=f"We have recorded your answer [{reference}]",
        text=env.get_template("email/legal_answer_receipt.txt.j2").render(context),
        html=env.get_template("email/legal_answer_receipt.html.j2").render(context),
    )
