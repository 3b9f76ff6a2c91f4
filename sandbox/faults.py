"""Fault knobs for tests and demos: added latency, throttling and server errors on Graph
requests; PATCHes answered as if made but not applied (test-only: `ignore_writes`); dropped,
duplicated or reordered notifications (Graph change notifications and calls' comms
notifications alike); and call ids written in varying case and hyphenation in comms
notifications, as Teams does.

A request fault is answered before the request reaches its handler, so the state a client
retries against is exactly the state it first saw (a retried PATCH applies once); an ignored
write is answered 200 with the resource as it stands (as a GET of the same path answers it)
and changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

NotificationFault = Literal["drop", "duplicate", "reorder"]


@dataclass
class RequestFault:
    """The next `remaining` matching Graph requests are answered with `status`; with
    `unapplied`, answered as done (200) without reaching their handler."""

    status: int
    remaining: int
    retry_after_seconds: int | None = None
    method: str | None = None
    path_contains: str | None = None
    unapplied: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_contains is None or self.path_contains.lower() in path.lower()


class FaultPlan:
    """The faults still to happen. Consumed in the order they were added."""

    def __init__(self) -> None:
        self.latency_seconds = 0.0
        self.vary_call_ids = False
        self._request_faults: list[RequestFault] = []
        self._notification_faults: list[NotificationFault] = []

    def throttle(
        self,
        count: int = 1,
        *,
        retry_after_seconds: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next `count` matching requests 429 with `Retry-After`."""
        self._add(RequestFault(429, count, retry_after_seconds, method, path_contains))

    def fail(
        self,
        count: int = 1,
        *,
        status: int = 503,
        retry_after_seconds: int | None = None,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next `count` matching requests with a 5xx status, with `Retry-After`
        if given (msgraph-sdk retries 503 and 504, not 500)."""
        if not 500 <= status <= 599:
            raise ValueError("status must be a 5xx code")
        self._add(RequestFault(status, count, retry_after_seconds, method, path_contains))

    def ignore_writes(self, count: int = 1, *, path_contains: str | None = None) -> None:
        """Answer the next `count` matching PATCH requests 200 with the resource unchanged, and
        do not apply them. Test-only: Microsoft documents no such answer for the resources the
        bot PATCHes (sandbox/FIDELITY.md, "A PATCH answered but not applied")."""
        self._add(RequestFault(200, count, None, "PATCH", path_contains, unapplied=True))

    def disturb_notifications(self, fault: NotificationFault, count: int = 1) -> None:
        """Drop, duplicate or hold back (deliver after the next one) the next notifications."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._notification_faults.extend([fault] * count)

    def clear(self) -> None:
        self.latency_seconds = 0.0
        self.vary_call_ids = False
        self._request_faults.clear()
        self._notification_faults.clear()

    def take_request_fault(self, method: str, path: str) -> RequestFault | None:
        for fault in self._request_faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._request_faults.remove(fault)
                return fault
        return None

    def take_notification_fault(self) -> NotificationFault | None:
        return self._notification_faults.pop(0) if self._notification_faults else None

    def describe(self) -> dict[str, Any]:
        return {
            "latencySeconds": self.latency_seconds,
            "varyCallIds": self.vary_call_ids,
            "requestFaults": [asdict(fault) for fault in self._request_faults],
            "notificationFaults": list(self._notification_faults),
        }

    def _add(self, fault: RequestFault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        self._request_faults.append(fault)
