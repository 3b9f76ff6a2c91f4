"""How an element's own text would look (`Look`), and when that cannot be read.

A `Look` is carried down the tree: the smallest font size the text may have (from `font-size`,
the `font` shorthand and `<font size>`), its opacity, whether an ancestor clips overflow,
whether `visibility` hides it (a child's own `visibility:visible` shows it again), and every
text and background colour it may have (`text_colours`). Its text is hidden when the font is
under 6px, `visibility` hides it, or any of its colours, laid over any of its backgrounds, has
a WCAG 2 contrast ratio under 1.5 with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.intake.css import Colour, Declarations, length_px, split_top_level

MIN_FONT_PX = 6.0
MIN_CONTRAST = 1.5
_FONT_SIZE_KEYWORDS = {
    "xx-small": 9.0,
    "x-small": 10.0,
    "small": 13.0,
    "medium": 16.0,
    "large": 18.0,
    "x-large": 24.0,
    "xx-large": 32.0,
    "xxx-large": 48.0,
}
# <font size="n">, 1 to 7 (HTML's legacy font sizes).
_FONT_ELEMENT_PX = (10.0, 13.0, 16.0, 18.0, 24.0, 32.0, 48.0)


@dataclass(frozen=True, slots=True)
class Look:
    """How an element's own text would look: the smallest font it may have, its opacity,
    whether an ancestor clips overflow, whether `visibility` hides it, and every text and
    background colour it may have."""

    font_px: float
    opacity: float
    clipped: bool
    invisible: bool
    colours: frozenset[Colour]
    backgrounds: frozenset[Colour]

    @property
    def text_hidden(self) -> bool:
        return (
            self.invisible
            or self.font_px < MIN_FONT_PX
            or _too_faint(self.colours, self.backgrounds)
        )


@cache
def _too_faint(colours: frozenset[Colour], backgrounds: frozenset[Colour]) -> bool:
    return any(
        _contrast(over(colour, background), background) < MIN_CONTRAST
        for colour in colours
        for background in backgrounds
    )


def element_font_px(
    every: tuple[Declarations, ...], tag: str, attributes: Any, inherited: float
) -> float | None:
    """The smallest font size the element may have."""
    sizes: list[float] = []
    if tag == "font" and attributes.get("size") is not None:
        sizes.append(_font_element_px(attributes.get("size")))
    for found in every:
        values = list(found.get("font-size", ()))
        values.extend(_font_shorthand_size(value) for value in found.get("font", ()))
        for value in values:
            size = _font_size(value, inherited)
            if size is None:
                return None
            sizes.append(size)
    return min(sizes) if sizes else inherited


def _font_element_px(value: str) -> float:
    value = value.strip()
    number = re.fullmatch(r"([+-]?)(\d+)", value)
    if number is None:
        return _FONT_ELEMENT_PX[2]
    size = int(number.group(2))
    if number.group(1) == "+":
        size += 3
    elif number.group(1) == "-":
        size = 3 - size
    return _FONT_ELEMENT_PX[min(7, max(1, size)) - 1]


def _font_shorthand_size(value: str) -> str:
    """The size in a `font` shorthand (`italic bold 12px/1.2 Arial`, `0/0 a`)."""
    if value in ("inherit", "initial", "unset", "revert"):
        return "inherit"
    for token in split_top_level(value):
        size = token.split("/")[0]
        if size in _FONT_SIZE_KEYWORDS or size in ("smaller", "larger"):
            return size
        if size == "0" or ((size[:1].isdigit() or size[:1] == ".") and not size.isdigit()):
            return size
    return "medium" if value in ("caption", "icon", "menu", "message-box", "small-caption") else ""


def _font_size(value: str, inherited: float) -> float | None:
    if value in ("inherit", "unset", "revert", "revert-layer"):
        return inherited
    if value == "initial":
        return 16.0
    if value in _FONT_SIZE_KEYWORDS:
        return _FONT_SIZE_KEYWORDS[value]
    if value == "smaller":
        return inherited / 1.2
    if value == "larger":
        return inherited * 1.2
    return length_px(value, inherited, percent_of=inherited)


def element_invisible(inline: Declarations, matched: list[Declarations], inherited: bool) -> bool:
    if any(
        value in ("hidden", "collapse")
        for found in (inline, *matched)
        for value in found.get("visibility", ())
    ):
        return True
    values = inline.get("visibility", ())
    if values and all(value == "visible" for value in values):
        return False
    return inherited


def over(colour: Colour, below: Colour) -> Colour:
    red, green, blue, alpha = colour
    return (
        red * alpha + below[0] * (1 - alpha),
        green * alpha + below[1] * (1 - alpha),
        blue * alpha + below[2] * (1 - alpha),
        1.0,
    )


def _contrast(first: Colour, second: Colour) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: Colour) -> float:
    def linear(channel: float) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour[0]) + 0.7152 * linear(colour[1]) + 0.0722 * linear(colour[2])
