"""The colours an element's text may have and the backgrounds it may be seen against.

Read from `color` and `-webkit-text-fill-color`, `background-color` and the `background`
shorthand (inline and from the style sheet rules that may apply), and the presentational
`<font color>`, `<body text>` and `bgcolor`; a translucent colour is laid over each background
below it. Every possibility is kept, so a rule wrongly taken to apply only adds colours to
check. A background image, or a colour not read, gives `None`: the text counts as hidden.
"""

from __future__ import annotations

from typing import Any

from bot.intake.css import BLACK, Colour, Declarations, length_px, parse_colour, split_top_level
from bot.intake.text_look import Look, over

_INHERITED = frozenset({"inherit", "unset", "revert", "revert-layer", "currentcolor"})
_NO_BACKGROUND = frozenset(
    {"none", "transparent", "initial", "inherit", "unset", "revert", "revert-layer"}
)
_BACKGROUND_WORDS = frozenset(
    {
        "none",
        "repeat",
        "no-repeat",
        "repeat-x",
        "repeat-y",
        "space",
        "round",
        "scroll",
        "fixed",
        "local",
        "top",
        "bottom",
        "left",
        "right",
        "center",
        "auto",
        "cover",
        "contain",
        "border-box",
        "padding-box",
        "content-box",
    }
)


def element_colours(
    inline: Declarations,
    matched: list[Declarations],
    tag: str,
    attributes: Any,
    parent: Look,
) -> frozenset[Colour] | None:
    """Every colour the element's text may have (`-webkit-text-fill-color` included)."""
    own: set[Colour] = set()
    base: frozenset[Colour] = parent.colours
    presentational = attributes.get("color") if tag == "font" else None
    if tag == "body" and attributes.get("text") is not None:
        presentational = attributes.get("text")
    if inline.get("color"):
        base = frozenset()
    elif presentational is not None:
        colour = parse_colour(presentational.strip().lower())
        if colour is None:
            return None
        base = frozenset({colour})
    for found in (inline, *matched):
        for name in ("color", "-webkit-text-fill-color"):
            for value in found.get(name, ()):
                if value in _INHERITED:
                    own.update(parent.colours)
                    continue
                colour = BLACK if value == "initial" else parse_colour(value)
                if colour is None:
                    return None
                own.add(colour)
    return base | own


def element_backgrounds(
    inline: Declarations,
    matched: list[Declarations],
    attributes: Any,
    parent: Look,
    colours: frozenset[Colour],
) -> frozenset[Colour] | None:
    """Every background colour the element's text may be seen against."""
    inline_values = _background_values(inline)
    if inline_values is None:
        return None
    if not inline_values and attributes.get("bgcolor") is not None:
        inline_values = [attributes.get("bgcolor").strip().lower()]
    backgrounds = set() if inline_values else set(parent.backgrounds)
    for values in [inline_values, *(_background_values(found) for found in matched)]:
        if values is None:
            return None
        for value in values:
            if value in _NO_BACKGROUND:
                backgrounds.update(parent.backgrounds)
                continue
            layers = colours if value == "currentcolor" else {parse_colour(value)}
            for layer in layers:
                if layer is None:
                    return None
                backgrounds.update(over(layer, below) for below in parent.backgrounds)
    return frozenset(backgrounds)


def _background_values(found: Declarations) -> list[str] | None:
    """The background colours declared (from `background-color` and `background`); `None`
    when an image or anything unread is declared."""
    values = list(found.get("background-color", ()))
    if any(value not in _NO_BACKGROUND for value in found.get("background-image", ())):
        return None
    for shorthand in found.get("background", ()):
        if shorthand in _NO_BACKGROUND:
            values.append(shorthand)
            continue
        for part in split_top_level(shorthand.replace(",", " , ")):
            if part == "," or part in _BACKGROUND_WORDS or length_px(part, 16.0, 1.0) is not None:
                continue
            if part == "currentcolor" or parse_colour(part) is not None:
                values.append(part)
            else:
                return None
    return values
