"""Which of a meeting's proposed documents a file posted in its chat is, or `share <title>` names.

A posted file is the proposed document whose link is one of the file's addresses: its own web
URL, or a sharing link of the same drive item (compared without scheme, case, escaping, a
trailing slash, the fragment or SharePoint's `e` tracking parameter). Failing that, it is the
document whose title is the file's name, compared without case, one known file extension,
spaces or punctuation. A name that fits several documents names them all, and each must be
permitted. No match is no proposed document: the share gate then fails closed ("not listed").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from bot.policy.share_gate import ShareVerdict, evaluate_share
from domain.terms import MeetingFacts

FILE_EXTENSIONS: Final = frozenset(
    {
        "bmp", "csv", "doc", "docm", "docx", "dot", "dotx", "eml", "gif", "heic", "htm", "html",
        "jpeg", "jpg", "m4a", "md", "mp3", "mp4", "msg", "odp", "ods", "odt", "one", "pdf",
        "png", "pps", "ppsx", "ppt", "pptx", "rtf", "tif", "tiff", "txt", "vsdx", "wav", "xls",
        "xlsm", "xlsx", "zip",
    }
)  # fmt: skip

_TRACKING_PARAMETERS: Final = frozenset({"e"})


class MatchBasis(StrEnum):
    """How a file or request was matched to proposed documents."""

    LINK = "link"
    NAME = "name"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class CandidateDocument:
    """A proposed document still on the meeting's list, with its title and link in clear."""

    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class FileSeen:
    """A posted file as the bot knows it: its name, and every address of its drive item."""

    name: str
    addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocumentMatch:
    """The proposed documents matched (none when `basis` is NONE), in list order."""

    document_ids: tuple[str, ...]
    basis: MatchBasis


NO_MATCH: Final = DocumentMatch((), MatchBasis.NONE)


def normalised_url(url: str) -> str:
    """A URL reduced to what identifies the resource: host and path without case or escaping,
    and the query without tracking parameters."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path).rstrip("/").casefold()
    query = urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name.lower() not in _TRACKING_PARAMETERS
        )
    )
    return f"{parts.netloc.lower()}{path}" + (f"?{query}" if query else "")


def title_key(text: str) -> str:
    """A name or title without case, one known file extension, spaces or punctuation."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    stem, dot, extension = folded.rpartition(".")
    if dot and extension in FILE_EXTENSIONS:
        folded = stem
    return "".join(character for character in folded if character.isalnum())


def _by_title(key: str, documents: Iterable[CandidateDocument]) -> DocumentMatch:
    if not key:
        return NO_MATCH
    named = tuple(d.id for d in documents if title_key(d.title) == key)
    return DocumentMatch(named, MatchBasis.NAME) if named else NO_MATCH


def match_posted_file(file: FileSeen, documents: Sequence[CandidateDocument]) -> DocumentMatch:
    """The proposed documents a posted file is: by link first, then by name."""
    addresses = {normalised_url(a) for a in file.addresses if a.strip()}
    linked = tuple(d.id for d in documents if d.url.strip() and normalised_url(d.url) in addresses)
    if linked:
        return DocumentMatch(linked, MatchBasis.LINK)
    return _by_title(title_key(file.name), documents)


def match_title(wanted: str, documents: Sequence[CandidateDocument]) -> DocumentMatch:
    """The proposed documents whose title is `wanted` (as staff typed it after `share`)."""
    return _by_title(title_key(wanted), documents)


def share_verdicts(facts: MeetingFacts, match: DocumentMatch) -> tuple[ShareVerdict, ...]:
    """The share gate on each matched document, or on "no proposed document" when none is."""
    if not match.document_ids:
        return (evaluate_share(facts, None),)
    return tuple(evaluate_share(facts, document_id) for document_id in match.document_ids)
