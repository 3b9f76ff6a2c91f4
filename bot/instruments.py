"""What the bot records in OpenTelemetry: its spans and its metrics, with ids, codes, counts and
statuses only, never a name, an address, a title or anything a person wrote.

Spans: handling a meeting activity (`meeting_activity.handle`), a calls notification
(`call_notice.handle`), reading the consent mailbox (`consent_mailbox.read`), running a timed
job (`job.run`), and asking a gate (`recording_gate.evaluate`, `share_gate.evaluate`). A span
that fails says so with the failure's type (`error.type`); its exception is not recorded,
since an exception's message can carry what a person wrote.

Metrics:
- `iass.gate.decisions`: each answer of the recording and share gates where the bot acts on
  it, by gate, outcome and reasons (the blockers' codes);
- `iass.recording.switches`: each change of Teams' recording setting the bot made and read
  back, by direction, cause and reason;
- `iass.inbox.depth` and `iass.inbox.oldest_age`: what the meeting activity inbox and the calls
  inbox hold not yet handled, and how long the oldest had waited, as last sampled;
- `iass.consent_mailbox.lag`: how long the oldest reply a read of the consent mailbox found has
  waited, until a read has taken it in (0 when caught up); `iass.consent_mailbox.reply_lag`:
  for each reply taken in, how long after it arrived;
- `iass.graph.errors`: Graph's error answers (after msgraph-sdk's own retries), by status;
- `iass.backstop.alerts`: recordings and transcripts found made without consent, each brought
  to staff by the recording backstop;
- `iass.queue.failures`: work that failed in one of the serial queues (`bot.serial_queue`), by
  queue and the failure's type;
- `iass.background.failures`: runs of the bot's background loops (`bot.sweeping`) that failed
  with something other than a store outage, by loop and the failure's type.

Everything is recorded through the providers `install` was given (`bot/telemetry_export.py`
gives those its settings choose); until then, and when no exporter is configured, through
OpenTelemetry's no-op providers, at next to no cost. Only the bot's own instruments use them:
the libraries' spans (msgraph-sdk's carry request URLs, which name mailboxes) are never
exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from opentelemetry.metrics import (
    CallbackOptions,
    Counter,
    Histogram,
    MeterProvider,
    NoOpMeterProvider,
    Observation,
)
from opentelemetry.trace import (
    NoOpTracerProvider,
    Span,
    Status,
    StatusCode,
    Tracer,
    TracerProvider,
    get_current_span,
)
from opentelemetry.util.types import AttributeValue

from consent_store.meeting_activities import Backlog

SCOPE: Final = "iass_meeting_companion"
"""The instrumentation scope of everything the bot records."""

GATE_DECISIONS: Final = "iass.gate.decisions"
RECORDING_SWITCHES: Final = "iass.recording.switches"
INBOX_DEPTH: Final = "iass.inbox.depth"
INBOX_OLDEST_AGE: Final = "iass.inbox.oldest_age"
MAILBOX_LAG: Final = "iass.consent_mailbox.lag"
REPLY_LAG: Final = "iass.consent_mailbox.reply_lag"
GRAPH_ERRORS: Final = "iass.graph.errors"
BACKSTOP_ALERTS: Final = "iass.backstop.alerts"
QUEUE_FAILURES: Final = "iass.queue.failures"
BACKGROUND_FAILURES: Final = "iass.background.failures"

MEETING_ACTIVITIES: Final = "meeting_activities"
CALL_NOTICES: Final = "call_notices"
"""The inboxes, as `iass.inbox` names them."""

NO_BLOCKERS: Final = "none"

Attributes = Mapping[str, AttributeValue]


@dataclass(frozen=True)
class _Sampled:
    backlog: Backlog
    at: datetime


_backlogs: dict[str, _Sampled] = {}
_replies_waiting_since: list[datetime] = []


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _seconds_since(moment: datetime, now: datetime) -> float:
    return max((now - moment).total_seconds(), 0.0)


def _observe_depth(_options: CallbackOptions) -> Iterable[Observation]:
    for inbox, sampled in sorted(_backlogs.items()):
        yield Observation(sampled.backlog.waiting, {"iass.inbox": inbox})


def _observe_oldest_age(_options: CallbackOptions) -> Iterable[Observation]:
    for inbox, sampled in sorted(_backlogs.items()):
        oldest = sampled.backlog.oldest_received_at
        age = 0.0 if oldest is None else _seconds_since(oldest, sampled.at)
        yield Observation(age, {"iass.inbox": inbox})


def _observe_mailbox_lag(_options: CallbackOptions) -> Iterable[Observation]:
    oldest = min(_replies_waiting_since, default=None)
    yield Observation(0.0 if oldest is None else _seconds_since(oldest, _utc_now()))


class _Instruments:
    """The tracer and the instruments, from one pair of providers."""

    def __init__(self, tracer_provider: TracerProvider, meter_provider: MeterProvider) -> None:
        self.tracer: Tracer = tracer_provider.get_tracer(SCOPE)
        meter = meter_provider.get_meter(SCOPE)
        self.gate_decisions: Counter = meter.create_counter(
            GATE_DECISIONS, unit="{decision}", description="Answers of a gate the bot acted on"
        )
        self.recording_switches: Counter = meter.create_counter(
            RECORDING_SWITCHES,
            unit="{switch}",
            description="Changes of Teams' recording setting the bot made and read back",
        )
        self.graph_errors: Counter = meter.create_counter(
            GRAPH_ERRORS, unit="{response}", description="Graph's error answers, by status"
        )
        self.backstop_alerts: Counter = meter.create_counter(
            BACKSTOP_ALERTS,
            unit="{artefact}",
            description="Recordings and transcripts found made without consent, brought to staff",
        )
        self.queue_failures: Counter = meter.create_counter(
            QUEUE_FAILURES,
            unit="{failure}",
            description="Work that failed in a serial queue, by queue and failure type",
        )
        self.background_failures: Counter = meter.create_counter(
            BACKGROUND_FAILURES,
            unit="{failure}",
            description="Runs of a background loop that failed other than by a store outage",
        )
        self.reply_lag: Histogram = meter.create_histogram(
            REPLY_LAG,
            unit="s",
            description="How long after it arrived in the consent mailbox each reply was taken in",
        )
        meter.create_observable_gauge(
            INBOX_DEPTH,
            [_observe_depth],
            unit="{item}",
            description="Items an inbox holds not yet handled, as last sampled",
        )
        meter.create_observable_gauge(
            INBOX_OLDEST_AGE,
            [_observe_oldest_age],
            unit="s",
            description="How long the oldest item of an inbox had waited, as last sampled",
        )
        meter.create_observable_gauge(
            MAILBOX_LAG,
            [_observe_mailbox_lag],
            unit="s",
            description="How long the oldest reply found in the consent mailbox and not yet "
            "taken in has waited",
        )


_current = _Instruments(NoOpTracerProvider(), NoOpMeterProvider())
_installed = False


def install(tracer_provider: TracerProvider, meter_provider: MeterProvider) -> Callable[[], None]:
    """Record through these providers from now on (what was sampled before is forgotten);
    returns what puts back those before."""
    global _current, _installed
    before = _current, _installed
    _current, _installed = _Instruments(tracer_provider, meter_provider), True
    _backlogs.clear()
    _replies_waiting_since.clear()

    def put_back() -> None:
        global _current, _installed
        _current, _installed = before

    return put_back


def installed() -> bool:
    """Whether anything records what the instruments are given (else it is dropped)."""
    return _installed


@contextmanager
def span(name: str, attributes: Attributes | None = None) -> Iterator[Span]:
    """A span of the bot's own, current inside the block; a failure raised through it sets its
    status to error with the failure's type (its message is not kept)."""
    with _current.tracer.start_as_current_span(
        name, attributes=attributes, record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except BaseException as failure:
            current.set_attribute("error.type", type(failure).__name__)
            current.set_status(Status(StatusCode.ERROR, type(failure).__name__))
            raise


def current_failed(reason: str) -> None:
    """The work the current span is about failed, for `reason` (a short reason that names no
    one, such as a job's failure reason)."""
    current = get_current_span()
    current.set_attribute("error.type", reason)
    current.set_status(Status(StatusCode.ERROR, reason))


def _reasons(codes: Iterable[str]) -> str:
    return ",".join(sorted(set(codes))) or NO_BLOCKERS


class GateEvaluation:
    """One gate asked inside a `gate_evaluation` span."""

    def __init__(self, gate: str, current: Span) -> None:
        self._gate = gate
        self._span = current

    def decided(self, blocker_codes: Iterable[str], document_id: str | None = None) -> None:
        """The gate's answer (permitted when there are no blockers), about the document
        `document_id` for the share gate: on the span, and counted."""
        codes = sorted(set(blocker_codes))
        outcome = "refused" if codes else "permitted"
        self._span.set_attribute("iass.gate.outcome", outcome)
        self._span.set_attribute("iass.gate.blockers", codes)
        if document_id is not None:
            self._span.set_attribute("iass.document.id", document_id)
        _current.gate_decisions.add(
            1,
            {
                "iass.gate": self._gate,
                "iass.gate.outcome": outcome,
                "iass.gate.reasons": _reasons(codes),
            },
        )


@contextmanager
def gate_evaluation(gate: str, meeting_id: str | None, cause: str = "") -> Iterator[GateEvaluation]:
    """A span around asking `gate` ("recording" or "share") about a meeting (None: a chat of
    no meeting the store knows) and acting on the answer."""
    attributes: dict[str, AttributeValue] = {"iass.gate": gate}
    if meeting_id is not None:
        attributes["iass.meeting.id"] = meeting_id
    if cause:
        attributes["iass.gate.cause"] = cause
    with span(f"{gate}_gate.evaluate", attributes) as current:
        yield GateEvaluation(gate, current)


def recording_switched(*, allowed: bool, cause: str, blocker_codes: Iterable[str]) -> None:
    """Teams' recording setting was changed and read back: on (`allowed`) or off, why the gate
    was asked (`cause`) and its reasons."""
    _current.recording_switches.add(
        1,
        {
            "iass.recording.switched": "on" if allowed else "off",
            "iass.recording.cause": cause,
            "iass.recording.reason": _reasons(blocker_codes),
        },
    )


def graph_error(status: int, method: str) -> None:
    """Graph answered a request with an error status."""
    _current.graph_errors.add(
        1, {"http.response.status_code": status, "http.request.method": method}
    )


def backstop_alert(*, kind: str, found_by: str) -> None:
    """A recording or transcript (`kind`) made without consent was found and brought to staff."""
    _current.backstop_alerts.add(
        1, {"iass.artefact.kind": kind, "iass.backstop.found_by": found_by}
    )


def queue_work_failed(queue: str, error_type: str) -> None:
    """A piece of work in the serial queue `queue` failed with `error_type`."""
    _current.queue_failures.add(1, {"iass.queue": queue, "error.type": error_type})


def background_run_failed(loop: str, error_type: str) -> None:
    """A run of the background loop `loop` failed with `error_type` (not a store outage)."""
    _current.background_failures.add(1, {"iass.background": loop, "error.type": error_type})


def backlog_sampled(inbox: str, backlog: Backlog, at: datetime) -> None:
    """What `inbox` held at `at`, for the inbox gauges."""
    _backlogs[inbox] = _Sampled(backlog, at)


def replies_waiting(received: Sequence[datetime]) -> None:
    """A read of the consent mailbox found these replies (their arrival times) still to take
    in; an empty sequence once it has taken in everything it found."""
    _replies_waiting_since[:] = received


def replies_taken_in(received: Sequence[datetime]) -> None:
    """Replies that arrived at these times were just taken in."""
    now = _utc_now()
    for arrived in received:
        _current.reply_lag.record(_seconds_since(arrived, now))
