"""CSS that hides an element with everything in it, whatever its children declare.

Gone: `display:none`, `mso-hide:all`, `content-visibility:hidden`, absolute or fixed
positioning; any transform, filter, clip, clip-path or animation; text moved 100px or more left
or up (or by a negative amount not read); zoom under a half; letters pulled together by more
than 0.3em of `letter-spacing`; and a box of 2px or less whose overflow it or an ancestor clips
(`clips`, `squeezed`). Opacity multiplies down the tree (`element_opacity`), and `visible_text`
leaves out an element too faint. A value not read counts as hiding.
"""

from __future__ import annotations

import re

from bot.intake.css import Declarations, length_px, split_top_level

# A box this small (in CSS pixels) with its overflow clipped shows nothing readable.
MAX_CLIPPED_BOX_PX = 2.0
# Moved this far left or up, text is off the page.
MAX_OFFSET_PX = 100.0
_NUMBER = re.compile(r"\d+\.?\d*|\.\d+")
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


def gone(found: Declarations, font_px: float) -> bool:
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


def element_opacity(every: tuple[Declarations, ...], inherited: float) -> float | None:
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


def clips(found: Declarations) -> bool:
    return any(
        "hidden" in value or "clip" in value
        for name in ("overflow", "overflow-x", "overflow-y")
        for value in found.get(name, ())
    )


def squeezed(found: Declarations, font_px: float) -> bool:
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
