"""Adaptive Cards for the meeting chat, built with the typed models of microsoft-teams-cards.

Every piece of text is a `TextRun` in a `RichTextBlock`: TextRun text is shown as written (no
Markdown), so a name like "[x](https://…)" or "**Bold**" cannot turn into a link or formatting.
The card is serialised once, by `json`, so quotes, backslashes and braces in names are escaped.
Version 1.5 is the newest Teams renders on desktop and mobile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from microsoft_teams.cards import AdaptiveCard, CardElement, RichTextBlock, SubmitAction, TextRun

ADAPTIVE_CARD_CONTENT_TYPE: Final = "application/vnd.microsoft.card.adaptive"
CARD_VERSION: Final = "1.5"


@dataclass(frozen=True, slots=True)
class Card:
    """A finished Adaptive Card, held as its JSON text so it cannot change once built."""

    json_text: str

    @property
    def content(self) -> dict[str, Any]:
        """The card as a new dict, ready for an attachment's `content`."""
        content: dict[str, Any] = json.loads(self.json_text)
        return content

    def attachment(self) -> dict[str, Any]:
        """The card as a message attachment."""
        return {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": self.content}


def heading(text: str, *, warning: bool = False) -> RichTextBlock:
    """A line in large bold type; `warning` shows it in the attention colour."""
    inlines: list[CardElement] = [
        TextRun(text=text, size="Medium", weight="Bolder", color="Attention" if warning else None)
    ]
    return RichTextBlock(inlines=inlines)


def paragraph(text: str, *, subtle: bool = False) -> RichTextBlock:
    """Plain text, optionally in the subtler colour."""
    inlines: list[CardElement] = [TextRun(text=text, is_subtle=subtle or None)]
    return RichTextBlock(inlines=inlines, spacing="Small")


def labelled(label: str, text: str) -> RichTextBlock:
    """Text after a bold label, such as "Role: To support …"."""
    inlines: list[CardElement] = [
        TextRun(text=f"{label}: ", weight="Bolder"),
        TextRun(text=text),
    ]
    return RichTextBlock(inlines=inlines, spacing="Small")


def submit_button(title: str, data: dict[str, Any]) -> SubmitAction:
    """A button that sends `data` to the bot (Teams delivers it as a message whose `value`
    is `data`)."""
    return SubmitAction(title=title, data=data)


def card_of(*elements: CardElement, actions: tuple[SubmitAction, ...] = ()) -> Card:
    """An Adaptive Card (version 1.5) showing the elements in order, then any buttons."""
    body: list[CardElement] = list(elements)
    card = AdaptiveCard(version=CARD_VERSION, body=body, actions=list(actions) or None)
    return Card(json.dumps(card.model_dump(mode="json", exclude_none=True)))
