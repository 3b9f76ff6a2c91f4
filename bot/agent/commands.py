"""The staff commands the bot answers in chat, read from a message's text.

A command is the whole message: `status`, `role`, `documents` or `help`, optionally followed by
a meeting reference (`status IASS-7KQ2M9XD`), or `share <document>`. Anything else is ordinary
conversation, which the bot leaves alone in a meeting chat."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from consent_store.reference import REFERENCE_PATTERN, find_reference

TRAILING_PUNCTUATION = ".!?"


class CommandName(StrEnum):
    STATUS = "status"
    ROLE = "role"
    DOCUMENTS = "documents"
    HELP = "help"
    SHARE = "share"


ABOUT_A_MEETING = frozenset({CommandName.STATUS, CommandName.ROLE, CommandName.DOCUMENTS})


@dataclass(frozen=True, slots=True)
class Command:
    """A command; `reference` is the meeting named, `wanted` what `share` asks for."""

    name: CommandName
    reference: str | None = None
    wanted: str = ""


def parse_command(text: str | None) -> Command | None:
    """The command `text` is, or None if it is not one."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return None
    first = words[0].lower().rstrip(TRAILING_PUNCTUATION).lstrip("/")
    rest = words[1].strip() if len(words) > 1 else ""
    try:
        name = CommandName(first)
    except ValueError:
        return None
    if name is CommandName.SHARE:
        return Command(name, wanted=rest) if rest else None
    if not rest:
        return Command(name)
    if name is not CommandName.HELP and REFERENCE_PATTERN.fullmatch(rest):
        return Command(name, reference=find_reference(rest))
    return None
