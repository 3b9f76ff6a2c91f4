"""The check the Agents SDK leaves out: an activity's `serviceUrl` must be the one its token
was issued for (the channel token's `serviceurl` claim), or a valid token taken from one
activity could send the bot's replies, and its connector token, somewhere else. The SDK
compares only host names, and only logs a difference unless outbound host validation is on.

Runs after the SDK's JWT middleware, on the same sub-application. Also refuses a token with no
expiry, which PyJWT would otherwise accept, and answers 400 to a body that is not an activity
the SDK can read (not UTF-8 JSON, too deeply nested, fields of the wrong type), which the SDK
would fail on with 500. The SDK's model logs such a body's values at ERROR with a traceback
(`quiet_sdk_validation` keeps that out of the log: the values may be what someone wrote); the
refusal is logged here by reason only.

An optional field the bot never reads and the SDK's model cannot parse (Microsoft's own meeting
event examples carry `"localTimestamp": "2023-02-23T11:34:07.478-8"`, an offset pydantic
refuses) is left out instead, logged in one line by field name and counted in
`unreadable_fields`; the activity goes on without it (`ACTIVITY_BODY` holds what the endpoint
hands the SDK)."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler
from microsoft_agents.activity import Activity
from pydantic import ValidationError
from yarl import URL

from bot.web.json_body import json_object, malformed

log = logging.getLogger(__name__)
SDK_ACTIVITY_LOGGER = "microsoft_agents.activity.activity"

SERVICE_URL_CLAIM = "serviceurl"
CLAIMS_IDENTITY = "claims_identity"
ACTIVITY_BODY: Final = web.RequestKey("iass_activity_body", dict[str, Any])
"""The request key of the activity as the SDK is to read it."""
UNUSED_OPTIONAL_FIELDS: Final = frozenset({"localTimestamp", "localTimezone"})
"""Optional activity fields the bot never reads, so one the SDK cannot parse can be left out."""
unreadable_fields: Counter[str] = Counter()
"""How many activities this process took without an unreadable optional field, by field."""


def same_service_url(claimed: Any, given: Any) -> bool:
    """Whether two service URLs name the same place: scheme, host and port equal, paths equal
    but for a trailing slash (host and scheme compared case-insensitively)."""
    if not isinstance(claimed, str) or not isinstance(given, str) or not claimed or not given:
        return False
    try:
        first, second = URL(claimed), URL(given)
    except ValueError:
        return False
    if not first.absolute or not second.absolute or first.query_string or second.query_string:
        return False
    return (
        first.scheme.lower() == second.scheme.lower()
        and (first.host or "").lower() == (second.host or "").lower()
        and first.port == second.port
        and first.path.rstrip("/") == second.path.rstrip("/")
    )


class _WithoutValidationErrors(logging.Filter):
    """Drops the SDK's log records of an activity that failed validation."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is None or not isinstance(record.exc_info[1], ValidationError)


_WITHOUT_VALIDATION_ERRORS = _WithoutValidationErrors()


def quiet_sdk_validation() -> None:
    """Keep the SDK's logging of invalid activities (their values) out of the log."""
    logging.getLogger(SDK_ACTIVITY_LOGGER).addFilter(_WITHOUT_VALIDATION_ERRORS)


def _refused(reason: str) -> web.Response:
    log.warning("activity refused: %s", reason)
    return web.json_response({"error": "Invalid token or authentication failed."}, status=401)


def _unreadable_unused_fields(error: ValidationError) -> frozenset[str] | None:
    """The fields a validation error names, if every one is an unused optional field."""
    fields = {str(detail["loc"][0]) if detail["loc"] else "" for detail in error.errors()}
    return frozenset(fields) if fields <= UNUSED_OPTIONAL_FIELDS else None


def _readable_activity(request: web.Request, body: dict[str, Any]) -> Activity:
    """The body as the SDK reads it, less any unused optional field it cannot parse; the body
    the SDK is to read is kept on the request."""
    try:
        activity = Activity.model_validate(body)
    except ValidationError as error:
        unread = _unreadable_unused_fields(error)
        if unread is None:
            raise malformed(request, "not an activity") from None
        body = {key: value for key, value in body.items() if key not in unread}
        for name in sorted(unread):
            unreadable_fields[name] += 1
            log.warning(
                "an activity's %s could not be read and was left out (%d so far)",
                name,
                unreadable_fields[name],
            )
        try:
            activity = Activity.model_validate(body)
        except ValidationError:
            raise malformed(request, "not an activity") from None
    request[ACTIVITY_BODY] = body
    return activity


@web.middleware
async def service_url_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    identity = request.get(CLAIMS_IDENTITY)
    claims = getattr(identity, "claims", None)
    if not isinstance(claims, dict) or "exp" not in claims:
        return _refused("the token has no expiry")
    activity = _readable_activity(request, await json_object(request))
    if not same_service_url(claims.get(SERVICE_URL_CLAIM), activity.service_url):
        return _refused("the activity's serviceUrl is not the token's")
    return await handler(request)
