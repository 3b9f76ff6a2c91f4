"""CSS read only as far as deciding whether text can be seen: inline declarations, colours,
lengths, and a document's style sheet rules with the elements each could apply to.

Pure. Whatever is not understood comes back as `None`, so the caller can treat the element
(or the whole document) as hidden: a word left out sends the reply to a person or counts as
no reply, never as consent.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Mapping
from dataclasses import dataclass

Colour = tuple[float, float, float, float]
"""Red, green and blue from 0 to 255, and alpha from 0 to 1."""
Declarations = Mapping[str, tuple[str, ...]]
"""Each property's values in order, lower-cased, `!important` removed. Every value is kept:
a browser ignores an invalid later value and keeps the earlier one."""

BLACK: Colour = (0.0, 0.0, 0.0, 1.0)
WHITE: Colour = (255.0, 255.0, 255.0, 1.0)
ROOT_FONT_PX = 16.0

# CSS Color Module Level 4, named colours (https://www.w3.org/TR/css-color-4/#named-colors).
_NAMED_SOURCE = """
aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc
bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a
burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50
cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b darkcyan 008b8b
darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b
darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000
darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f
darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff
dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0
forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700
goldenrod daa520 gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0
hotpink ff69b4 indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa
lavenderblush fff0f5 lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080
lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3
lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa
lightslategray 778899 lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00
limegreen 32cd32 linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa
mediumblue 0000cd mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371
mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585
midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead
navy 000080 oldlace fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500
orchid da70d6 palegoldenrod eee8aa palegreen 98fb98 paleturquoise afeeee palevioletred db7093
papayawhip ffefd5 peachpuff ffdab9 peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6
purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f royalblue 4169e1
saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee
sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 slategrey 708090
snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c teal 008080 thistle d8bfd8
tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5
yellow ffff00 yellowgreen 9acd32
windowtext 000000 window ffffff canvas ffffff canvastext 000000 buttontext 000000
buttonface f0f0f0 graytext 6d6d6d linktext 0000ee
"""
_NAMED: dict[str, Colour] = {
    name: (float(int(value[0:2], 16)), float(int(value[2:4], 16)), float(int(value[4:6], 16)), 1.0)
    for name, value in zip(_NAMED_SOURCE.split()[0::2], _NAMED_SOURCE.split()[1::2], strict=True)
}
_NAMED["transparent"] = (0.0, 0.0, 0.0, 0.0)

_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_IMPORTANT = re.compile(r"!\s*important\s*$")
_FUNCTION = re.compile(r"(rgba?|hsla?)\((.*)\)")
_ARGUMENT_SPLIT = re.compile(r"[\s,/]+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")
_LENGTH = re.compile(
    r"([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|pc|in|cm|mm|q|em|rem|ex|ch|%|vw|vh|vmin|vmax)?"
)
_ABSOLUTE_PX = {
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
}
_SELECTOR_PART = re.compile(
    r"\.(?P<cls>-?[a-z_][\w-]*)|#(?P<id>[\w-]+)|\[[^\]]*\]|::?[a-z-]+(?:\((?:[^()]|\([^()]*\))*\))?"
)
_TYPE = re.compile(r"\*|[a-z][\w-]*")
_KEYFRAMES = re.compile(r"@(?:-\w+-)?keyframes\b")
# Properties that can hide text, alone or with others; rules setting none of these are dropped.
VISIBILITY_PROPERTIES = frozenset(
    {
        "display",
        "visibility",
        "opacity",
        "font-size",
        "font",
        "mso-hide",
        "color",
        "-webkit-text-fill-color",
        "background",
        "background-color",
        "background-image",
        "overflow",
        "overflow-x",
        "overflow-y",
        "height",
        "max-height",
        "width",
        "max-width",
        "line-height",
        "position",
        "clip",
        "clip-path",
        "transform",
        "filter",
        "zoom",
        "content-visibility",
        "text-indent",
        "margin",
        "margin-left",
        "margin-top",
        "left",
        "top",
        "letter-spacing",
        "animation",
        "animation-name",
    }
)


def declarations(style: str) -> Declarations | None:
    """An inline style's declarations; `None` when it holds an escape (`\\`), which could spell
    any value."""
    if "\\" in style:
        return None
    found: dict[str, tuple[str, ...]] = {}
    for part in _COMMENT.sub(" ", style).split(";"):
        name, colon, value = part.partition(":")
        if colon:
            key = name.strip().lower()
            found[key] = (*found.get(key, ()), _IMPORTANT.sub("", value.strip().lower()).strip())
    return found


def parse_colour(value: str) -> Colour | None:
    """A CSS colour (named, system, hex, rgb(), hsl()); `None` when not understood."""
    value = value.strip()
    named = _NAMED.get(value)
    if named is not None:
        return named
    if value.startswith("#"):
        return _hex_colour(value[1:])
    match = _FUNCTION.fullmatch(value)
    if match is None:
        return None
    arguments = [a for a in _ARGUMENT_SPLIT.split(match.group(2).strip()) if a]
    if len(arguments) not in (3, 4):
        return None
    alpha = _fraction(arguments[3]) if len(arguments) == 4 else 1.0
    if alpha is None:
        return None
    if match.group(1).startswith("rgb"):
        channels = [_channel(argument) for argument in arguments[:3]]
        if any(channel is None for channel in channels):
            return None
        red, green, blue = (channel or 0.0 for channel in channels)
        return (red, green, blue, alpha)
    hue, saturation, lightness = _hue(arguments[0]), _percent(arguments[1]), _percent(arguments[2])
    if hue is None or saturation is None or lightness is None:
        return None
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return (red * 255, green * 255, blue * 255, alpha)


def length_px(value: str, font_px: float, percent_of: float | None = None) -> float | None:
    """A length in CSS pixels; `None` when not understood. A bare number is read as pixels, as
    browsers do in quirks mode (most mail has no doctype)."""
    match = _LENGTH.fullmatch(value.strip())
    if match is None:
        return None
    number = float(match.group(1))
    unit = match.group(2) or "px"
    if unit in _ABSOLUTE_PX:
        return number * _ABSOLUTE_PX[unit]
    if unit == "em":
        return number * font_px
    if unit == "rem":
        return number * ROOT_FONT_PX
    if unit in ("ex", "ch"):
        return number * font_px / 2
    if unit == "%" and percent_of is not None:
        return number * percent_of / 100
    return None


def split_top_level(value: str, separator: str | None = None) -> list[str]:
    """`value` split at `separator` (or whitespace) outside brackets and parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for character in value:
        if character in "([":
            depth += 1
        elif character in ")]":
            depth = max(0, depth - 1)
        at_separator = character.isspace() if separator is None else character == separator
        if at_separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


@dataclass(frozen=True, slots=True)
class Subject:
    """What an element must be for a selector to apply to it, as far as can be told from its
    tag, id and classes. Ancestors, attributes and pseudo-classes are not checked, so a
    subject may match more elements than the selector does, never fewer."""

    tag: str | None
    element_id: str | None
    classes: frozenset[str]

    def may_match(self, tag: str, element_id: str, classes: frozenset[str]) -> bool:
        return (
            (self.tag is None or self.tag == tag)
            and (self.element_id is None or self.element_id == element_id)
            and self.classes <= classes
        )


EVERY_ELEMENT = Subject(None, None, frozenset())


@dataclass(frozen=True, slots=True)
class Rule:
    subjects: tuple[Subject, ...]
    declarations: Declarations

    def may_apply(self, tag: str, element_id: str, classes: frozenset[str]) -> bool:
        return any(subject.may_match(tag, element_id, classes) for subject in self.subjects)


def style_sheet_rules(css: str) -> tuple[Rule, ...] | None:
    """The rules of a style sheet that could hide text; `None` when the sheet could do what is
    not read here: import other sheets, load fonts, or write text of its own (`content`)."""
    text = _COMMENT.sub(" ", css.lower()).replace("<!--", " ").replace("-->", " ")
    if "@import" in text:
        return None
    blocks = _blocks(text)
    if blocks is None:
        return None
    rules: list[Rule] = []
    for prelude, body, in_keyframes in blocks:
        found = declarations(body)
        if found is None:
            return None
        if prelude.startswith("@"):
            if prelude.startswith("@font-face") and "src" in found:
                return None
            continue
        if any(value not in ("none", "normal", '""', "''") for value in found.get("content", ())):
            return None
        if VISIBILITY_PROPERTIES.isdisjoint(found):
            continue
        subjects = (
            (EVERY_ELEMENT,)
            if in_keyframes
            else tuple(_subject(selector) for selector in split_top_level(prelude, ","))
        )
        rules.append(Rule(subjects, found))
    return tuple(rules)


def _blocks(css: str) -> list[tuple[str, str, bool]] | None:
    """Each innermost `{...}` block: its prelude, its body and whether it is inside
    `@keyframes`. A block left open at the end is closed there, as browsers do. `None` when a
    style rule nests another (CSS nesting), whose selectors are not read here."""
    found: list[tuple[str, str, bool]] = []
    openers: list[tuple[str, bool]] = []
    start = 0
    for index, character in enumerate(css):
        if character == "{":
            if openers:
                parent, _ = openers[-1]
                if not parent.startswith("@"):
                    return None
                openers[-1] = (parent, True)
            openers.append((css[start:index].split(";")[-1].strip(), False))
            start = index + 1
        elif character == "}" and openers:
            prelude, has_children = openers.pop()
            if not has_children:
                found.append((prelude, css[start:index], _inside_keyframes(openers)))
            start = index + 1
    if openers and not openers[-1][1]:
        found.append((openers[-1][0], css[start:], _inside_keyframes(openers[:-1])))
    return found


def _inside_keyframes(openers: list[tuple[str, bool]]) -> bool:
    return any(_KEYFRAMES.match(prelude) for prelude, _ in openers)


def _subject(selector: str) -> Subject:
    """The last compound of `selector` read as a Subject; one that cannot be read matches
    every element."""
    compound = split_top_level(selector.replace(">", " ").replace("+", " ").replace("~", " "))
    if not compound:
        return EVERY_ELEMENT
    last = compound[-1]
    tag_match = _TYPE.match(last)
    tag = None
    position = 0
    if tag_match is not None:
        tag = None if tag_match.group() == "*" else tag_match.group()
        position = tag_match.end()
    element_id: str | None = None
    classes: set[str] = set()
    while position < len(last):
        part = _SELECTOR_PART.match(last, position)
        if part is None:
            return EVERY_ELEMENT
        if part.group("cls"):
            classes.add(part.group("cls"))
        elif part.group("id"):
            element_id = part.group("id")
        position = part.end()
    return Subject(tag, element_id, frozenset(classes))


def _hex_colour(digits: str) -> Colour | None:
    if not all(c in "0123456789abcdef" for c in digits) or len(digits) not in (3, 4, 6, 8):
        return None
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (float(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
    alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
    return (red, green, blue, alpha)


def _channel(argument: str) -> float | None:
    if argument == "none":
        return 0.0
    if argument.endswith("%"):
        fraction = _percent(argument)
        return None if fraction is None else fraction * 255
    if not _NUMBER.fullmatch(argument):
        return None
    return min(255.0, max(0.0, float(argument)))


def _fraction(argument: str) -> float | None:
    if argument.endswith("%"):
        return _percent(argument)
    if not _NUMBER.fullmatch(argument):
        return None
    return min(1.0, max(0.0, float(argument)))


def _percent(argument: str) -> float | None:
    number = argument.removesuffix("%")
    if not _NUMBER.fullmatch(number):
        return None
    return min(1.0, max(0.0, float(number) / 100))


def _hue(argument: str) -> float | None:
    for unit, turn in (("deg", 360.0), ("grad", 400.0), ("rad", 6.283185307179586), ("turn", 1.0)):
        if argument.endswith(unit):
            number = argument.removesuffix(unit)
            return float(number) / turn % 1.0 if _NUMBER.fullmatch(number) else None
    return float(argument) / 360 % 1.0 if _NUMBER.fullmatch(argument) else None
