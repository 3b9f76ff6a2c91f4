"""Call and operation ids as the store keeps them: Teams writes a call's id in any case, with or
without hyphens, and it changes from one notification to the next; a finished playPrompt's
notification names its operation the same way (upper case, no hyphens) while Graph's answer to
the playPrompt request gives it lower case with hyphens. Both are compared in one spelling."""

from __future__ import annotations

import re

_HEX_32 = re.compile(r"[0-9a-f]{32}")


def normalise_call_id(call_id: str) -> str:
    """Lower case; a GUID written without hyphens gets them back (8-4-4-4-12)."""
    lowered = call_id.strip().lower()
    bare = lowered.replace("-", "")
    if not _HEX_32.fullmatch(bare):
        return lowered
    return f"{bare[:8]}-{bare[8:12]}-{bare[12:16]}-{bare[16:20]}-{bare[20:]}"


def normalise_operation_id(operation_id: str) -> str:
    """An operation id in the spelling call ids are kept in."""
    return normalise_call_id(operation_id)
