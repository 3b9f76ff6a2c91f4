"""The failures a job handler may meet, and the short reason recorded for each.

A handler raises `JobFailed` for an expected failure it can name; infrastructure errors
(Microsoft Graph, HTTP, the database, the network, a run that outlived its lease) count too.
Reasons are stored and logged, so they name a failure, never a person: only `JobFailed`
carries words of its own, and the rest are reduced to their type (and Graph's status code).
"""

from __future__ import annotations

import httpx
from kiota_abstractions.api_error import APIError

from consent_store.errors import STORE_FAILURES


class JobFailed(Exception):
    """An expected failure of a job; `reason` is short and names no person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


HANDLED_FAILURES = (JobFailed, APIError, httpx.HTTPError, *STORE_FAILURES)


def failure_reason(failure: BaseException) -> str:
    if isinstance(failure, JobFailed):
        return failure.reason
    if isinstance(failure, APIError) and failure.response_status_code is not None:
        return f"APIError {failure.response_status_code}"
    return type(failure).__name__
