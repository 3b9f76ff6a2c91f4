"""How a consent request should ask people to answer, so that their replies are easy to read.

The consent request template uses these words. Every answer shown here is read by
`classify_text` exactly as meant (the intake tests check it), and the format avoids what
makes replies hard to read: numbered questions ("1. yes 2. no" cannot be matched to topics
once the quoted request is cut away), answers written between the lines of the quoted
request (those lines are cut as quotation), and conditions or questions mixed into an answer
(which always go to a person). Each topic has a one-word label that is also a word the
classifier knows for that topic.
"""

from __future__ import annotations

from domain.terms import Topic

TOPIC_LABELS = {
    Topic.RECORDING: "Recording",
    Topic.DOCUMENTS: "Documents",
    Topic.CONTRIBUTION: "Contribution",
    Topic.LIAISON: "Liaison",
}
YES_TO_EVERYTHING = "Yes"
NO_TO_EVERYTHING = "No"
WITHDRAWAL = "I withdraw my consent"


def answer_line(topic: Topic, *, agree: bool) -> str:
    """One line of a per-topic answer, for example "Recording: yes"."""
    return f"{TOPIC_LABELS[topic]}: {'yes' if agree else 'no'}"
