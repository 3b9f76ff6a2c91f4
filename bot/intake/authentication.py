"""The receiving tenant's Authentication-Results verdict: did the email really come from its sender?

Only the topmost Authentication-Results header is read (the one our own tenant stamped last;
lower ones were written by servers we do not control). Microsoft 365 writes the header without
an authserv-id, which `authres` requires, so a placeholder is put in front before parsing.

The verdict fails closed: any `dmarc=fail` or `compauth=fail` gives FAIL even beside a pass;
otherwise `dmarc=pass` or `compauth=pass` gives PASS; anything else (no header, no such
method, `bestguesspass`, `softpass`, `none`, an unparseable header) gives NONE.
"""

from __future__ import annotations

import re
from functools import lru_cache

import authres

from domain.terms import AuthVerdict

PLACEHOLDER_AUTHSERV_ID = "receiving-tenant.invalid"
# Microsoft 365 writes one clause per method in a few hundred characters; a header far longer,
# or with more verdict clauses, is not one our tenant wrote and gets no verdict.
MAX_HEADER_CHARS = 4_000
MAX_VERDICT_CLAUSES = 4
_METHODS = ("dmarc", "compauth")
_SPECIAL = re.compile(r'[\\"();]')


def authentication_verdict(header: str | None) -> AuthVerdict:
    """The verdict carried by one Authentication-Results header value (None: no header)."""
    if not header or len(header) > MAX_HEADER_CHARS:
        return AuthVerdict.NONE
    clauses = _verdict_clauses(header)
    if not clauses or len(clauses) > MAX_VERDICT_CLAUSES:
        return AuthVerdict.NONE
    return _parse_clauses(clauses)


def _verdict_clauses(header: str) -> tuple[str, ...] | None:
    """The `dmarc` and `compauth` result clauses, or None when comments or quotes do not close.

    Parsing with `authres` costs a few hundred microseconds per clause, so the clauses that
    cannot change the verdict (spf, dkim, their comments) are dropped first. Clauses are split
    at semicolons outside comments and quoted strings, as RFC 8601 allows no others.
    """
    clauses: list[str] = []
    start = 0
    depth = 0
    quoted = False
    escaped_at = -1
    for match in _SPECIAL.finditer(header):
        index, char = match.start(), match.group()
        if index == escaped_at:
            continue
        if char == "\\":
            escaped_at = index + 1
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == ";" and not depth:
            clauses.append(header[start:index])
            start = index + 1
    if depth or quoted:
        return None
    clauses.append(header[start:])
    return tuple(clause.strip() for clause in clauses if _method(clause) in _METHODS)


def _method(clause: str) -> str:
    name, equals, _ = clause.strip().partition("=")
    return name.strip().lower() if equals else ""


@lru_cache(maxsize=512)
def _parse_clauses(clauses: tuple[str, ...]) -> AuthVerdict:
    """Cached: the verdict clauses repeat across senders of one domain, the IPs do not."""
    value = f"{PLACEHOLDER_AUTHSERV_ID}; " + "; ".join(clauses)
    try:
        parsed = authres.AuthenticationResultsHeader.parse_value(value)
    except authres.AuthResError:
        return AuthVerdict.NONE
    results = {
        (str(result.method).lower(), str(result.result).lower()) for result in parsed.results
    }
    if any((method, "fail") in results for method in _METHODS):
        return AuthVerdict.FAIL
    if any((method, "pass") in results for method in _METHODS):
        return AuthVerdict.PASS
    return AuthVerdict.NONE
