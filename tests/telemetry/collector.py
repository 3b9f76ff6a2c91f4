"""A stand-in for where telemetry is exported, served on localhost by a test: an OpenTelemetry
collector's OTLP/HTTP receiver (`/v1/traces`, `/v1/metrics`, protobuf, as the OTLP
specification defines them) and Application Insights' ingestion endpoint (`.../track`, a JSON
list of envelopes). It keeps what it receives and answers as they do when all is accepted."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

PROTOBUF = "application/x-protobuf"


def _body(request: web.Request, raw: bytes) -> bytes:
    encoding = request.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind) if kind else None


def _attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs if isinstance(pair, KeyValue)}


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    scope: str
    attributes: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]]
    status: str
    resource: dict[str, Any]


@dataclass(frozen=True)
class ReceivedPoint:
    metric: str
    attributes: dict[str, Any]


@dataclass
class Collector:
    url: str
    spans: list[ReceivedSpan] = field(default_factory=list)
    points: list[ReceivedPoint] = field(default_factory=list)
    envelopes: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Everything received, a line for each span, data point and envelope."""
        return [
            *(repr(span) for span in self.spans),
            *(repr(point) for point in self.points),
            *(json.dumps(envelope) for envelope in self.envelopes),
        ]

    def envelope_names(self) -> set[str]:
        """The span and metric names in Application Insights' envelopes."""
        names = set()
        for envelope in self.envelopes:
            base = envelope.get("data", {}).get("baseData", {})
            names.add(base.get("name"))
            names.update(m.get("name") for m in base.get("metrics", []))
        return names - {None}

    def _traces(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        ReceivedSpan(
                            span.name,
                            scope_spans.scope.name,
                            _attributes(span.attributes),
                            [(e.name, _attributes(e.attributes)) for e in span.events],
                            span.status.message,
                            resource,
                        )
                    )

    def _metrics(self, body: bytes) -> None:
        request = ExportMetricsServiceRequest.FromString(body)
        for resource_metrics in request.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    data = getattr(metric, metric.WhichOneof("data") or "sum")
                    for point in data.data_points:
                        self.points.append(
                            ReceivedPoint(metric.name, _attributes(point.attributes))
                        )

    def app(self) -> web.Application:
        async def traces(request: web.Request) -> web.Response:
            self._traces(_body(request, await request.read()))
            return web.Response(
                body=ExportTraceServiceResponse().SerializeToString(), content_type=PROTOBUF
            )

        async def metrics(request: web.Request) -> web.Response:
            self._metrics(_body(request, await request.read()))
            return web.Response(
                body=ExportMetricsServiceResponse().SerializeToString(), content_type=PROTOBUF
            )

        async def track(request: web.Request) -> web.Response:
            envelopes = json.loads(_body(request, await request.read()))
            self.envelopes += envelopes
            count = len(envelopes)
            return web.json_response({"itemsReceived": count, "itemsAccepted": count, "errors": []})

        app = web.Application()
        app.router.add_post("/v1/traces", traces)
        app.router.add_post("/v1/metrics", metrics)
        app.router.add_post("/{prefix:.*}track", track)
        return app


@asynccontextmanager
async def collector() -> AsyncIterator[Collector]:
    """A collector on a free port of localhost."""
    kept = Collector("")
    runner = web.AppRunner(kept.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    kept.url = f"http://{host}:{port}"
    try:
        yield kept
    finally:
        await runner.cleanup()
