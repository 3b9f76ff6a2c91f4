"""The service user's individual needs as the meeting's page shows them (pure): one line for
each need recorded, and the reminder about the documents' format."""

from __future__ import annotations

from dataclasses import dataclass

from consent_store.records import IndividualNeeds


@dataclass(frozen=True)
class NeedsView:
    """What the page shows: `lines` (empty when no needs were recorded) and, when the
    documents are needed in another format, the reminder to staff."""

    lines: tuple[str, ...]
    format_reminder: str | None


def needs_view(needs: IndividualNeeds, supporter_name: str | None = None) -> NeedsView:
    """The needs in words; `supporter_name` is the supporter's name while they are invited."""
    lines = []
    if needs.joins_by_phone:
        lines.append(
            "Joins by phone: the bot says its notices aloud in the call as well as in the chat."
        )
    if needs.easy_read:
        lines.append("Easy read: parent carers and young people get the easy-read consent email.")
    if needs.supporter is not None:
        who = f" ({supporter_name})" if supporter_name else ""
        lines.append(
            f"An interpreter or supporter attends: {needs.supporter.role}{who}. They are asked"
            " for consent like everyone else, and the bot names their role at the start."
        )
    if needs.other_format:
        lines.append(f"Documents needed as: {needs.other_format}.")
    reminder = (
        f"Send the documents as {needs.other_format} before the meeting: the service user"
        " needs them in this format."
        if needs.other_format
        else None
    )
    return NeedsView(tuple(lines), reminder)
