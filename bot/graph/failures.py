"""The failures a Graph call can end in: Graph's own error answers and transport errors.

Callers catch exactly these to fail closed (mark the meeting, audit, retry later) while a
programming error still surfaces.
"""

from __future__ import annotations

import httpx
from kiota_abstractions.api_error import APIError

GRAPH_FAILURES = (APIError, httpx.HTTPError)
