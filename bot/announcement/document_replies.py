"""What the bot says in a meeting chat about documents: a posted file kept or refused, a file that
could not be withdrawn, and the answer to staff's `share <title>` (also as read aloud).

Only the answer to `share` names a document, and only one the people it concerns agreed to
share; refusals give the reason in words that name no one and tell no one's decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.announcement.card import Card, card_of, heading, paragraph
from bot.announcement.notices import document_refused_card
from bot.announcement.wording import card_wording, chat_text, spoken_text
from bot.policy.share_refusal import RefusalReason


@dataclass(frozen=True, slots=True)
class ChatNotice:
    """A message for the chat: its text, and the same as a card."""

    text: str
    card: Card


@dataclass(frozen=True, slots=True)
class LinkToShare:
    """A document's title and link, to post once sharing it is permitted."""

    title: str
    url: str


def file_refused_notice() -> ChatNotice:
    """A posted file was not shared: its sharing was withdrawn."""
    return ChatNotice(
        text=card_wording("document_refused", {})["explanation"], card=document_refused_card()
    )


def file_not_withdrawn_notice() -> ChatNotice:
    """A posted file may not be shared, but withdrawing it failed: staff must remove it."""
    wording = card_wording("document_not_withdrawn", {})
    return ChatNotice(
        text=wording["explanation"],
        card=card_of(heading(wording["heading"], warning=True), paragraph(wording["explanation"])),
    )


def file_acknowledged_text() -> str:
    """A posted file is a proposed document the people it concerns agreed to share."""
    return chat_text("document_acknowledged", {})


def share_link_text(links: Sequence[LinkToShare]) -> str:
    """The answer to `share` when every document it names may be shared."""
    return chat_text("document_share_link", {"documents": links})


def share_refused_text(reason: RefusalReason) -> str:
    """The answer to `share` when it may not be shared, with the reason."""
    return chat_text("document_share_refused", {"reason": reason.value})


def share_spoken_text(reason: RefusalReason | None) -> str:
    """The answer to `share` read aloud, for someone who joins by phone: a document was shared
    (`reason` None) or could not be, and why; it names no document."""
    return spoken_text(
        "document_share", {"shared": reason is None, "reason": reason.value if reason else None}
    )
