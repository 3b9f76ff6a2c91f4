"""The words an HTML body shows its reader, and nothing else.

Left out: the head and title, scripts, styles, templates, `noscript`, comments, form controls,
embedded objects and closed `details`/`dialog` content; elements marked `hidden` or
`aria-hidden="true"`; and whatever CSS (inline, presentational attributes, or the document's
style sheets) makes invisible: `display:none`, `visibility:hidden`, `mso-hide:all`, near-zero
opacity, font sizes under 6px (`font-size:0`, `font:0/0 a`), boxes squeezed to nothing with
overflow hidden, text moved off the page, transforms, filters and clipping, and text whose
colour is too close to its background (white on the default white page included).

Style sheet rules are matched by an element's tag, id and classes only, so a rule may be taken
to apply where it does not; everything that cannot be read (an escape, `var()`, an unknown
colour, a background image, an imported sheet) counts as hidden. A word wrongly left out sends
the reply to a person or counts as no reply; a hidden word read as the sender's could give a
consent they never saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import html_text

from bot.intake.css import (
    BLACK,
    VISIBILITY_PROPERTIES,
    WHITE,
    Colour,
    Declarations,
    Rule,
    declarations,
    length_px,
    parse_colour,
    split_top_level,
    style_sheet_rules,
)

MIN_FONT_PX = 6.0
MIN_OPACITY = 0.2
MIN_CONTRAST = 1.5
# A box this small (in CSS pixels) with its overflow clipped shows nothing readable.
MAX_CLIPPED_BOX_PX = 2.0
# Moved this far left or up, text is off the page.
MAX_OFFSET_PX = 100.0

_NEVER_SHOWN = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "noframes",
        "object",
        "embed",
        "applet",
        "noembed",
        "audio",
        "video",
        "canvas",
        "svg",
        "math",
        "select",
        "datalist",
        "option",
        "textarea",
        "input",
        "rp",
    }
)
_NUMBER = re.compile(r"\d+\.?\d*|\.\d+")
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)(?:</style|\Z)", re.IGNORECASE | re.DOTALL)
_EXTERNAL_STYLE = re.compile(r"<link\b[^>]*stylesheet", re.IGNORECASE)
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
_SIZE_WORDS = frozenset(
    {
        "auto",
        "none",
        "initial",
        "inherit",
        "unset",
        "revert",
        "normal",
        "max-content",
        "min-content",
        "fit-content",
    }
)
_PRESENTATIONAL = frozenset({"color", "bgcolor", "text", "size", "background"})
_CLIPPED_BOX = ("height", "max-height", "width", "max-width", "line-height")
_OFFSETS = ("text-indent", "margin-left", "margin-top", "left", "top")
_GONE = (
    ("display", frozenset({"none"})),
    ("mso-hide", frozenset({"all"})),
    ("content-visibility", frozenset({"hidden"})),
    ("position", frozenset({"absolute", "fixed"})),
)
_ONLY_HARMLESS = (
    ("transform", frozenset({"none", "initial", "unset", "inherit"})),
    ("filter", frozenset({"none", "initial", "unset", "inherit"})),
    ("clip-path", frozenset({"none", "initial", "unset", "inherit"})),
    ("clip", frozenset({"auto", "initial", "unset", "inherit"})),
    ("animation", frozenset({"none", "initial", "unset", "inherit"})),
    ("animation-name", frozenset({"none", "initial", "unset", "inherit"})),
)
_REMOVING_PROPERTIES = frozenset(
    {name for name, _ in (*_GONE, *_ONLY_HARMLESS)}
    | {"margin", "zoom", "letter-spacing", *_OFFSETS}
)


@dataclass(frozen=True, slots=True)
class _Look:
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
        _contrast(_over(colour, background), background) < MIN_CONTRAST
        for colour in colours
        for background in backgrounds
    )


_PAGE = _Look(16.0, 1.0, False, False, frozenset({BLACK}), frozenset({WHITE}))


def visible_text(html: str, *, style_source: str) -> str:
    """The text `html` shows, laid out by `html_text`. `style_source` is the whole body, whose
    style sheets may reach into `html` (a cut-down part of it)."""
    rules = _document_rules(style_source)
    if rules is None:
        return ""
    root = html_text.parse_html(html)
    look = _look_of(root, _PAGE, rules)
    if look is None:
        return ""
    pending: list[tuple[Any, _Look]] = [(root, look)]
    while pending:
        element, look = pending.pop()
        children = list(element)
        closed = element.tag in ("details", "dialog") and element.get("open") is None
        if closed or look.text_hidden:
            element.text = None
            for child in children:
                child.tail = None
        for child in children:
            child_look = None if closed and child.tag != "summary" else _look_of(child, look, rules)
            if child_look is None:
                child.drop_tree()
            else:
                pending.append((child, child_look))
    return str(html_text.etree_to_text(root))


def _document_rules(source: str) -> tuple[Rule, ...] | None:
    if _EXTERNAL_STYLE.search(source):
        return None
    rules: list[Rule] = []
    for sheet in _STYLE_ELEMENT.findall(source):
        found = style_sheet_rules(sheet)
        if found is None:
            return None
        rules.extend(found)
    return tuple(rules)


def _look_of(element: Any, parent: _Look, rules: tuple[Rule, ...]) -> _Look | None:
    """How `element` looks inside `parent`; `None` when it and everything in it is hidden."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    tag = tag.lower()
    if tag in _NEVER_SHOWN:
        return None
    attributes = element.attrib
    if not attributes and not rules:
        return parent
    if "hidden" in attributes or attributes.get("aria-hidden", "").strip().lower() == "true":
        return None
    inline = declarations(attributes.get("style", ""))
    if inline is None:
        return None
    classes = frozenset(attributes.get("class", "").lower().split())
    element_id = attributes.get("id", "").lower()
    matched = [rule.declarations for rule in rules if rule.may_apply(tag, element_id, classes)]
    if (
        VISIBILITY_PROPERTIES.isdisjoint(inline)
        and not matched
        and _PRESENTATIONAL.isdisjoint(attributes)
    ):
        return parent
    if attributes.get("background") is not None:
        return None
    every = (inline, *matched)
    if any(_gone(found, parent.font_px) for found in every):
        return None
    opacity = _opacity(every, parent.opacity)
    font_px = _font_px(every, tag, attributes, parent.font_px)
    colours = _colours(inline, matched, tag, attributes, parent)
    if colours is None:
        return None
    backgrounds = _backgrounds(inline, matched, attributes, parent, colours)
    if opacity is None or font_px is None or backgrounds is None:
        return None
    clipped = parent.clipped or any(_clips(found) for found in every)
    if opacity < MIN_OPACITY or (clipped and any(_squeezed(found, font_px) for found in every)):
        return None
    invisible = _invisible(inline, matched, parent.invisible)
    return _Look(font_px, opacity, clipped, invisible, colours, backgrounds)


def _gone(found: Declarations, font_px: float) -> bool:
    """Whether these declarations hide an element and everything in it."""
    if _REMOVING_PROPERTIES.isdisjoint(found):
        return False
    for name, hiding in _GONE:
        if any(value in hiding for value in found.get(name, ())):
            return True
    for name, harmless in _ONLY_HARMLESS:
        if any(value not in harmless for value in found.get(name, ())):
            return True
    for name in _OFFSETS:
        for value in found.get(name, ()):
            offset = length_px(value, font_px)
            if offset is None and value.startswith("-"):
                return True
            if offset is not None and offset <= -MAX_OFFSET_PX:
                return True
    for value in found.get("margin", ()):
        for part in split_top_level(value):
            offset = length_px(part, font_px)
            if (offset is None and part.startswith("-")) or (
                offset is not None and offset <= -MAX_OFFSET_PX
            ):
                return True
    for value in found.get("zoom", ()):
        if value not in ("normal", "reset", "initial", "unset", "inherit"):
            factor = _opacity_value(value)
            if factor is None or factor < 0.5:
                return True
    for value in found.get("letter-spacing", ()):
        spacing = length_px(value, font_px)
        if value != "normal" and (spacing is None or spacing < -0.3 * font_px):
            return True
    return False


def _opacity(every: tuple[Declarations, ...], inherited: float) -> float | None:
    opacity = inherited
    for found in every:
        for value in found.get("opacity", ()):
            factor = _opacity_value(value)
            if factor is None:
                return None
            opacity = min(opacity, inherited * factor)
    return opacity


def _opacity_value(value: str) -> float | None:
    if value in ("initial", "unset", "inherit"):
        return 1.0
    if value.endswith("%"):
        number = value.removesuffix("%")
        return float(number) / 100 if _NUMBER.fullmatch(number) else None
    return float(value) if _NUMBER.fullmatch(value) else None


def _font_px(
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


def _colours(
    inline: Declarations,
    matched: list[Declarations],
    tag: str,
    attributes: Any,
    parent: _Look,
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


def _backgrounds(
    inline: Declarations,
    matched: list[Declarations],
    attributes: Any,
    parent: _Look,
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
                backgrounds.update(_over(layer, below) for below in parent.backgrounds)
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


def _clips(found: Declarations) -> bool:
    return any(
        "hidden" in value or "clip" in value
        for name in ("overflow", "overflow-x", "overflow-y")
        for value in found.get(name, ())
    )


def _squeezed(found: Declarations, font_px: float) -> bool:
    """Whether a box dimension is next to nothing (a percentage of 1% or less counts)."""
    for name in _CLIPPED_BOX:
        for value in found.get(name, ()):
            if value in _SIZE_WORDS:
                continue
            if name == "line-height" and _NUMBER.fullmatch(value):
                size: float | None = float(value) * font_px
            elif name == "line-height" or not value.endswith("%"):
                size = length_px(value, font_px, percent_of=font_px)
            else:
                size = length_px(value, font_px, percent_of=100.0)
            if size is None or size <= MAX_CLIPPED_BOX_PX:
                return True
    return False


def _invisible(inline: Declarations, matched: list[Declarations], inherited: bool) -> bool:
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


def _over(colour: Colour, below: Colour) -> Colour:
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
