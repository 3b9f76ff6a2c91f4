"""Where the bot's spans and metrics (`bot/instruments.py`) go, chosen from the environment
when the application is built:

- `APPLICATIONINSIGHTS_CONNECTION_STRING` set: to Azure Monitor (Application Insights) through
  Microsoft's exporter package, `azure-monitor-opentelemetry-exporter`, set up as its
  documentation does: `AzureMonitorTraceExporter` behind a `BatchSpanProcessor`, and
  `AzureMonitorMetricExporter` behind a `PeriodicExportingMetricReader`, each given the
  connection string. (Not the `azure-monitor-opentelemetry` distro: docs/deploy.md says why.)
- `OTEL_EXPORTER_OTLP_ENDPOINT` set: to that OpenTelemetry collector over OTLP/HTTP with
  protobuf (`opentelemetry-exporter-otlp-proto-http`). The exporters read OpenTelemetry's
  documented variables themselves: the endpoint (`/v1/traces` and `/v1/metrics` are added to
  it), the per-signal endpoints, headers, timeout, compression and certificate.
- both: to both; neither: nowhere, and the instruments stay OpenTelemetry's no-op ones.

These are the platforms' own variables, read from the process environment as Microsoft's and
OpenTelemetry's exporters read them (App Service and the compose file set them there), not
from `.env`. Metrics are exported every 60 s (`OTEL_METRIC_EXPORT_INTERVAL` changes it), spans
in batches; whatever is held is exported when the bot stops, for at most `STOP_SECONDS` (an
unreachable collector must not keep a stopping bot past the 30 s a platform gives it). Nothing
is downloaded at run time.

While anything records, the inbox gauges are fed by reading each inbox's size and oldest item
from the store every `BACKLOG_SAMPLE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from typing import Final

from aiohttp import web
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from bot import instruments
from bot.mailbox.runtime import worker_id
from consent_store.errors import STORE_FAILURES
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

CONNECTION_STRING: Final = "APPLICATIONINSIGHTS_CONNECTION_STRING"
OTLP_ENDPOINT: Final = "OTEL_EXPORTER_OTLP_ENDPOINT"
AZURE_MONITOR: Final = "azure_monitor"
OTLP: Final = "otlp"
SERVICE: Final = "iass-meeting-companion"
BACKLOG_SAMPLE_SECONDS: Final = 15.0
STOP_SECONDS: Final = 5.0


@dataclass(frozen=True)
class TelemetrySettings:
    """Which exporters the environment asks for. The OTLP exporters read the endpoint (and
    OpenTelemetry's other variables) from the environment themselves."""

    connection_string: str = ""
    otlp_endpoint: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> TelemetrySettings:
        found = os.environ if environ is None else environ
        return cls(
            connection_string=found.get(CONNECTION_STRING, "").strip(),
            otlp_endpoint=found.get(OTLP_ENDPOINT, "").strip(),
        )


@dataclass(frozen=True)
class Exporting:
    """The providers that export, and where to (`AZURE_MONITOR`, `OTLP`)."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    destinations: tuple[str, ...]

    def shutdown(self) -> None:
        """Export what is held, then stop."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def _resource() -> Resource:
    """The bot as telemetry names it: `SERVICE` unless `OTEL_SERVICE_NAME` (or a `service.name`
    in `OTEL_RESOURCE_ATTRIBUTES`) names it otherwise, its version, and this instance."""
    found = Resource.create(
        {SERVICE_VERSION: version("iass-meeting-companion"), SERVICE_INSTANCE_ID: worker_id()}
    )
    if str(found.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        return found.merge(Resource({SERVICE_NAME: SERVICE}))
    return found


def _azure_monitor(connection_string: str) -> tuple[SpanExporter, MetricExporter]:
    from azure.monitor.opentelemetry.exporter import (
        AzureMonitorMetricExporter,
        AzureMonitorTraceExporter,
    )

    try:
        return (
            AzureMonitorTraceExporter(connection_string=connection_string),
            AzureMonitorMetricExporter(connection_string=connection_string),
        )
    except ValueError as error:
        raise ValueError(
            f"{CONNECTION_STRING} is not an Application Insights connection string: {error}"
        ) from None


def _otlp() -> tuple[SpanExporter, MetricExporter]:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(), OTLPMetricExporter()


async def stop_exporting(chosen: Exporting, seconds: float = STOP_SECONDS) -> None:
    """Export what is held and stop, waiting for that at most `seconds`; what is not sent by
    then is dropped as the process exits."""
    stopping = threading.Thread(target=chosen.shutdown, name="telemetry-stop", daemon=True)
    stopping.start()
    await asyncio.to_thread(stopping.join, seconds)


def exporting(settings: TelemetrySettings) -> Exporting | None:
    """Providers exporting where `settings` say, or None when they say nowhere. `ValueError`
    names a malformed setting."""
    chosen: dict[str, tuple[SpanExporter, MetricExporter]] = {}
    if settings.connection_string:
        chosen[AZURE_MONITOR] = _azure_monitor(settings.connection_string)
    if settings.otlp_endpoint:
        chosen[OTLP] = _otlp()
    if not chosen:
        return None
    resource = _resource()
    tracer_provider = TracerProvider(resource=resource)
    for span_exporter, _ in chosen.values():
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
    meter_provider = MeterProvider(
        resource=resource,
        metric_readers=[
            PeriodicExportingMetricReader(metric_exporter) for _, metric_exporter in chosen.values()
        ],
    )
    return Exporting(tracer_provider, meter_provider, tuple(chosen))


async def sample_backlogs(store: Store) -> None:
    """Read what each inbox holds, for the inbox gauges."""
    async with store.reading() as uow:
        now = uow.now()
        activities = await uow.activities.backlog()
        notices = await uow.call_notices.backlog()
    instruments.backlog_sampled(instruments.MEETING_ACTIVITIES, activities, now)
    instruments.backlog_sampled(instruments.CALL_NOTICES, notices, now)


async def _sample_forever(store: Store, every: float) -> None:
    while True:
        try:
            await sample_backlogs(store)
        except STORE_FAILURES as failure:
            log.warning("the inboxes were not sampled: %s", type(failure).__name__)
        await asyncio.sleep(every)


def attach_telemetry(
    app: web.Application, store: Store, settings: TelemetrySettings | None = None
) -> None:
    """Export the bot's telemetry where `settings` (by default the environment's) say while
    `app` runs, and feed the inbox gauges while anything records. `ValueError` names a
    malformed setting."""
    chosen = exporting(settings or TelemetrySettings.from_environment())

    async def run(_app: web.Application) -> AsyncIterator[None]:
        put_back = None
        if chosen is not None:
            put_back = instruments.install(chosen.tracer_provider, chosen.meter_provider)
            log.info("telemetry exported to %s", " and ".join(chosen.destinations))
        sampling = (
            asyncio.create_task(_sample_forever(store, BACKLOG_SAMPLE_SECONDS))
            if instruments.installed()
            else None
        )
        yield
        if sampling is not None:
            sampling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampling
        if chosen is not None and put_back is not None:
            put_back()
            await stop_exporting(chosen)

    app.cleanup_ctx.append(run)
