"""How the bot's own Graph requests read Graph's error answers, in one place.

Requests the bot sends itself through the request adapter (to skip parsing an answer it does
not need, or to read raw bytes) must say how an error answer's body is parsed, as msgraph-sdk's
generated request builders do. Kiota looks a status up as itself, then as its range (`4XX`,
`5XX`), then as `XXX`, any status (https://learn.microsoft.com/openapi/kiota/errors,
"Runtime behavior"). Graph writes every error as an OData error body, so any error status is
parsed into `ODataError` and raised; it is an `APIError`, one of the `GRAPH_FAILURES` callers
catch.
"""

from __future__ import annotations

from typing import Any

from msgraph.generated.models.o_data_errors.o_data_error import ODataError

GRAPH_ERRORS: Any = {"XXX": ODataError}
