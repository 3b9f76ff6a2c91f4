"""How the outside world fails, as the services catch it.

Callers catch exactly these to fail closed (mark the meeting, audit, retry later) while a
programming error still surfaces.
"""

from __future__ import annotations

import aiohttp
import httpx
from kiota_abstractions.api_error import APIError

GRAPH_FAILURES = (APIError, httpx.HTTPError)
"""How a Graph request (the mailbox, meetings, calendar, files, calls, directory, recordings)
can fail: msgraph-sdk raises Graph's own error answers as `APIError` (its `ODataError`), and
transport errors and timeouts as httpx raises them."""

CHAT_FAILURES = (aiohttp.ClientError, httpx.HTTPError, TimeoutError, ValueError)
"""How saying something through `MeetingChat` can fail: the Bot Connector or the Teams API
refused or could not be reached, it timed out, or no token could be had. Callers audit these
and carry on; anything else still raises."""
