"""Adaptive Cards as readable lines of text, for the meeting room page: each TextBlock's
text, each RichTextBlock's TextRuns joined into one line, facts as "title: value", inputs by
their label and buttons by their title. Nothing of the card is rendered as HTML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def card_lines(card: Any) -> list[str]:
    return [line for line in _lines(card) if line.strip()]


def _lines(element: Any) -> Iterator[str]:
    if isinstance(element, list):
        for item in element:
            yield from _lines(item)
        return
    if not isinstance(element, dict):
        return
    kind = str(element.get("type", ""))
    if kind in {"TextBlock", "TextRun"}:
        yield str(element.get("text", ""))
    elif kind == "RichTextBlock":
        yield "".join(
            str(run.get("text", "")) if isinstance(run, dict) else str(run)
            for run in element.get("inlines") or []
        )
        return
    elif kind == "FactSet":
        for fact in element.get("facts") or []:
            yield f"{fact.get('title', '')}: {fact.get('value', '')}"
        return
    elif kind.startswith("Input."):
        yield f"(input) {element.get('label') or element.get('placeholder') or element.get('id')}"
    elif kind.startswith("Action."):
        yield f"[button] {element.get('title', '')}"
    elif kind == "Image" and element.get("altText"):
        yield f"(image) {element['altText']}"
    for value in element.values():
        if isinstance(value, dict | list):
            yield from _lines(value)
