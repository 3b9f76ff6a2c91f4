"""Call ids as the store keeps them: Teams writes a call's id in any case, with or without
hyphens, and it changes from one notification to the next."""

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
