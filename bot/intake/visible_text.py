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

`hiding_styles` says what hides an element with everything in it, `text_look` how its own text
looks and when that cannot be read, `text_colours` the colours and backgrounds it may have;
this module reads the document's style sheets and walks the tree.
"""

from __future__ import annotations

import re
from typing import Any

import html_text

from bot.intake.css import (
    BLACK,
    VISIBILITY_PROPERTIES,
    WHITE,
    Rule,
    declarations,
    style_sheet_rules,
)
from bot.intake.hiding_styles import clips, element_opacity, gone, squeezed
from bot.intake.text_colours import element_backgrounds, element_colours
from bot.intake.text_look import Look, element_font_px, element_invisible

MIN_OPACITY = 0.2

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
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)(?:</style|\Z)", re.IGNORECASE | re.DOTALL)
_EXTERNAL_STYLE = re.compile(r"<link\b[^>]*stylesheet", re.IGNORECASE)
_PRESENTATIONAL = frozenset({"color", "bgcolor", "text", "size", "background"})
_PAGE = Look(16.0, 1.0, False, False, frozenset({BLACK}), frozenset({WHITE}))


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
    pending: list[tuple[Any, Look]] = [(root, look)]
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


def _look_of(element: Any, parent: Look, rules: tuple[Rule, ...]) -> Look | None:
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
    if any(gone(found, parent.font_px) for found in every):
        return None
    opacity = element_opacity(every, parent.opacity)
    font_px = element_font_px(every, tag, attributes, parent.font_px)
    colours = element_colours(inline, matched, tag, attributes, parent)
    if colours is None:
        return None
    backgrounds = element_backgrounds(inline, matched, attributes, parent, colours)
    if opacity is None or font_px is None or backgrounds is None:
        return None
    clipped = parent.clipped or any(clips(found) for found in every)
    if opacity < MIN_OPACITY or (clipped and any(squeezed(found, font_px) for found in every)):
        return None
    invisible = element_invisible(inline, matched, parent.invisible)
    return Look(font_px, opacity, clipped, invisible, colours, backgrounds)
