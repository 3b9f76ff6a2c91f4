"""Text made fit to be read aloud by a speech engine: words and plain punctuation only.

Symbols are spelled out or dropped, bracketed asides in display names ("(she/her)", "[IASS]")
are left out, and phone numbers are read digit by digit in their groups.
"""

from __future__ import annotations

import re
from typing import Final

_KEPT_PUNCTUATION: Final = frozenset(" .,;:?!'’-")
_BRACKETED: Final = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_SENTENCE_ENDINGS: Final = (".", "?", "!")
_DIGIT_WORDS: Final = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "+": "plus",
}


def speakable(text: str) -> str:
    """`text` with "&" read as "and", other symbols dropped, and single spaces."""
    with_and = text.replace("&", " and ")
    kept = "".join(ch if ch.isalnum() or ch in _KEPT_PUNCTUATION else " " for ch in with_and)
    return " ".join(kept.split())


def speakable_name(name: str) -> str:
    """A display name to read aloud, without bracketed asides unless they are all there is."""
    return speakable(_BRACKETED.sub(" ", name)) or speakable(name)


def as_sentence(text: str) -> str:
    """`text` ending with a full stop unless it already ends a sentence; empty stays empty."""
    stripped = text.strip()
    if not stripped or stripped.endswith(_SENTENCE_ENDINGS):
        return stripped
    return f"{stripped}."


def spoken_phone(phone: str) -> str:
    """A phone number read digit by digit, a pause between its groups: "zero three zero zero, …".

    Groups are as written (separated by spaces, hyphens or dots); empty when there are no digits.
    """
    groups = (
        " ".join(_DIGIT_WORDS[ch] for ch in group if ch in _DIGIT_WORDS)
        for group in re.split(r"[\s.\-()/]+", phone)
    )
    return ", ".join(group for group in groups if group)
