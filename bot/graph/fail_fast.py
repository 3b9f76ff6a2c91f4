"""Graph requests on the path that keeps recording off are retried once, at once, by
msgraph-sdk, not on its default schedule.

The SDK's retry handler retries 429, 503 and 504 three times, each after a 3 s base delay plus
an exponential backoff and up to a second of jitter: some 15 s in all, during which a stranger
may be recorded. The callers already try again themselves (`recording_setting`'s quick
retries, the durable reconcile job, the meeting watch), so the requests that switch recording
off, read the settings back, read the meeting chat for the call's start and list a call's
participants take one retry at once, or after Graph's `Retry-After` when it gives one
(https://learn.microsoft.com/graph/throttling: "wait the number of seconds specified in the
Retry-After header"), and then fail to their caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiota_abstractions.request_option import RequestOption

RETRIES = 1
BASE_DELAY_SECONDS = 0.0


def fail_fast() -> list[RequestOption]:
    """The request options that give a request one quick retry."""
    from kiota_http.middleware.options import RetryHandlerOption

    return [RetryHandlerOption(delay=BASE_DELAY_SECONDS, max_retries=RETRIES)]
