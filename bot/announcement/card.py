"""Adaptive Cards for the meeting chat, built with the typed models of microsoft-teams-cards.

Every piece of text is a `TextRun` in a `RichTextBlock`: TextRun text is shown as written (no
Markdown), so a name like "[x](https://…)" or "**Bold**" cannot turn into a link or formatting.
The card is serialised once, by `json`, so quotes, backslashes and braces in names are escaped.
Version 1.5 is the newest Teams renders on desktop and mobile.

For screen readers every card carries `speak` (Adaptive Cards 1.0: "what should be spoken for
this entire card", plain text or SSML; https://learn.microsoft.com/adaptive-cards/authoring-cards/speech):
the card's own words in reading order, its buttons named, made from the card itself so it
cannot say anything else. Nothing is shown only by colour: a warning's heading, in the
attention colour, starts with the word "Warning".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from microsoft_teams.cards import AdaptiveCard, CardElement, RichTextBlock, SubmitAction, TextRun

from bot.announcement.spoken_forms import as_sentence

ADAPTIVE_CARD_CONTENT_TYPE: Final = "application/vnd.microsoft.card.adaptive"
CARD_VERSION: Final = "1.5"
WARNING_LABEL: Final = "Warning: "


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
    """A line in large bold type; `warning` shows it in the attention colour after the word
    "Warning", so that it does not rest on colour alone."""
    inlines: list[CardElement] = [
        TextRun(text=words, size="Medium", weight="Bolder", color="Attention" if warning else None)
        for words in ((WARNING_LABEL, text) if warning else (text,))
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


def spoken_summary(content: dict[str, Any]) -> str:
    """What a card shows, as words to read aloud: each block of text as a sentence, in order,
    then each button by its label. "&" is read as "and" and angle brackets are left out, so a
    name cannot turn into speech markup (SSML)."""
    sentences = [
        as_sentence("".join(run["text"] for run in block.get("inlines", [])))
        for block in content.get("body", [])
    ]
    sentences += [
        f"Button: {as_sentence(action['title'])}" for action in content.get("actions", [])
    ]
    words = " ".join(sentences).replace("&", " and ").replace("<", " ").replace(">", " ")
    return " ".join(words.split())


def card_of(*elements: CardElement, actions: tuple[SubmitAction, ...] = ()) -> Card:
    """An Adaptive Card (version 1.5) showing the elements in order, then any buttons, with
    `speak` saying in words what it shows."""
    body: list[CardElement] = list(elements)
    card = AdaptiveCard(version=CARD_VERSION, body=body, actions=list(actions) or None)
    content: dict[str, Any] = card.model_dump(mode="json", exclude_none=True)
    return Card(json.dumps({**content, "speak": spoken_summary(content)}))
