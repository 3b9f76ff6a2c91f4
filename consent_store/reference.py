"""Meeting reference tokens: `IASS-` and eight random Crockford base32 characters; and legal
request references: `LR-` and eight characters (digits 2-9 and consonants).

The token goes in consent email subjects so a reply can be matched to its meeting (or to the
legal request whose permission it answers); it carries no information about the meeting or
the people in it.
"""

from __future__ import annotations

import re
import secrets

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PATTERN = re.compile(r"\bIASS-([0-9A-HJKMNP-TV-Z]{8})\b", re.IGNORECASE)
LEGAL_REFERENCE_ALPHABET = "23456789BCDFGHJKLMNPQRSTVWXYZ"
LEGAL_REFERENCE_PATTERN = re.compile(r"\bLR-([2-9B-DF-HJ-NP-TV-Z]{8})\b", re.IGNORECASE)


def new_reference() -> str:
    """A fresh random reference (40 bits); uniqueness is enforced by the store."""
    return "IASS-" + "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(8))


def find_reference(text: str) -> str | None:
    """The first reference token in `text`, upper-cased, or None."""
    match = REFERENCE_PATTERN.search(text)
    return f"IASS-{match.group(1).upper()}" if match else None


def find_legal_reference(text: str) -> str | None:
    """The first legal request reference in `text`, upper-cased, or None."""
    match = LEGAL_REFERENCE_PATTERN.search(text)
    return f"LR-{match.group(1).upper()}" if match else None
