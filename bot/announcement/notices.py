"""Short notices for the meeting: a recording started without consent (for everyone, and
privately for the organising staff), recording staying off for the rest of a meeting (for the
organising staff), and a file refused.

Neither names anyone or anything: not who started the recording, not the file, not its owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.announcement.card import Card, card_of, heading, paragraph
from bot.announcement.wording import card_wording, chat_text, spoken_text


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice read aloud in the call and posted as a card in the meeting chat."""

    spoken: str
    card: Card


def recording_not_permitted_notice(*, someone_uninvited: bool) -> Notice:
    """Recording is not permitted, saying why: someone not invited joined
    (`someone_uninvited`), or not everyone consented before the meeting. Stop it."""
    context = {"someone_uninvited": someone_uninvited}
    wording = card_wording("recording_not_permitted", context)
    return Notice(
        spoken=spoken_text("recording_not_permitted", context),
        card=card_of(heading(wording["heading"], warning=True), paragraph(wording["explanation"])),
    )


def recording_stop_request(*, someone_uninvited: bool) -> str:
    """The private notice to the organising staff: recording is not permitted (a recording was
    seen, or `someone_uninvited` joined), it has been switched off, stop any that is running."""
    return chat_text("recording_stop_request", {"someone_uninvited": someone_uninvited})


def recording_stays_off(reasons: Sequence[str]) -> str:
    """The private notice to the organising staff: the meeting has started and recording stays
    off until it ends, for these reasons (staff sentences naming no one)."""
    return chat_text("recording_stays_off", {"reasons": list(reasons)})


def document_refused_card() -> Card:
    """The chat card saying a file was not shared because the service user did not agree."""
    wording = card_wording("document_refused", {})
    return card_of(heading(wording["heading"], warning=True), paragraph(wording["explanation"]))
