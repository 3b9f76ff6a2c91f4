"""The bot's telemetry kept in memory for a test: its spans (an `InMemorySpanExporter`) and
its metrics (an `InMemoryMetricReader`), through the providers `bot.instruments` records to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bot import instruments


@dataclass(frozen=True)
class Point:
    """One data point of a metric: its attributes and its value (a sum, a gauge's value, or
    a histogram's count)."""

    attributes: dict[str, Any]
    value: float


@dataclass
class Recorded:
    spans_exported: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        return [
            s for s in self.spans_exported.get_finished_spans() if name is None or s.name == name
        ]

    def points(self, metric: str) -> list[Point]:
        """The metric's data points as collected now."""
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for each in scope.metrics:
                    if each.name != metric:
                        continue
                    for point in each.data.data_points:
                        value = getattr(point, "value", None)
                        if value is None:
                            value = point.count
                        found.append(Point(dict(point.attributes or {}), value))
        return found

    def value(self, metric: str, attributes: Mapping[str, Any]) -> float:
        """The value of the metric's point whose attributes include `attributes` (0 when
        there is none)."""
        matching = [
            p.value
            for p in self.points(metric)
            if all(p.attributes.get(k) == v for k, v in attributes.items())
        ]
        assert len(matching) <= 1, matching
        return matching[0] if matching else 0


@contextmanager
def recording() -> Iterator[Recorded]:
    """Record the bot's telemetry in memory inside the block."""
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    put_back = instruments.install(tracer_provider, meter_provider)
    try:
        yield Recorded(spans, reader)
    finally:
        put_back()
        tracer_provider.shutdown()
        meter_provider.shutdown()
