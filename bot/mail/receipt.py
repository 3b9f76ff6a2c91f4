"""The receipt: a short email telling a person what was recorded from their reply.

Sent to the address they were invited at (never to whatever address the reply came from), so a
reply sent in someone else's name reaches the real person. It says how to withdraw, and
repeats any condition a person put on their agreement as staff wrote it down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import ServiceProfile
from domain.terms import Decision, Topic
from templates import environment

TOPIC_WORDS = {
    Topic.RECORDING: "recording the meeting",
    Topic.DOCUMENTS: "sharing the documents we listed",
    Topic.CONTRIBUTION: "IASS staff contributing to the discussion",
    Topic.LIAISON: "IASS staff liaising with the professionals we named",
}
DECISION_WORDS = {
    Decision.GIVEN: "you agreed to",
    Decision.REFUSED: "you did not agree to",
    Decision.WITHDRAWN: "you withdrew your agreement to",
}


@dataclass(frozen=True)
class RenderedReceipt:
    subject: str
    text: str
    html: str


def render_receipt(
    *,
    name: str,
    reference: str,
    decisions: tuple[tuple[Topic, Decision], ...],
    late: bool,
    service: ServiceProfile,
    conditions: Mapping[Topic, str] | None = None,
) -> RenderedReceipt:
    """`conditions`: the condition written down for a topic agreed to on a condition."""
    written = conditions or {}
    lines = [
        f"{DECISION_WORDS[d]} {TOPIC_WORDS[t]}"
        + (
            f", on the condition you gave, which we wrote down as: “{written[t]}”"
            if t in written
            else ""
        )
        for t, d in decisions
    ]
    context = {
        "name": name,
        "reference": reference,
        "lines": lines,
        "late": late,
        "service": service,
    }
    env = environment()
    return RenderedReceipt(
        subject=f"We have recorded your answer [{reference}]",
        text=env.get_template("email/receipt.txt.j2").render(context),
        html=env.get_template("email/receipt.html.j2").render(context),
    )
