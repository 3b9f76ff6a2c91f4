"""Where telemetry goes is chosen from the environment, and it arrives there: with
`APPLICATIONINSIGHTS_CONNECTION_STRING` at Application Insights' ingestion endpoint through
Microsoft's exporter, with `OTEL_EXPORTER_OTLP_ENDPOINT` at an OpenTelemetry collector over
OTLP/HTTP, with both at both, with neither nowhere. Both stand-ins run on localhost
(tests/telemetry/collector.py); what is held is sent when the bot stops."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import pytest

from bot import instruments
from bot.telemetry_export import (
    AZURE_MONITOR,
    OTLP,
    SERVICE,
    Exporting,
    TelemetrySettings,
    exporting,
    stop_exporting,
)
from tests.telemetry.collector import collector

INSTRUMENTATION_KEY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def exporters_only_to_the_stand_ins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Microsoft's exporter also reports its own health to Microsoft (statsbeat, SDK stats) and
    reads remote settings unless told not to (docs/deploy.md), and keeps what it could not send
    in the temporary folder: here it does none of that outside the test."""
    monkeypatch.setenv("APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL", "true")
    monkeypatch.setenv("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true")
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED", "true")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for name in (
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
    ):
        monkeypatch.delenv(name, raising=False)


async def record_and_stop(chosen: Exporting) -> None:
    """Record a job run with a gate decision in it, then stop as the bot does."""
    put_back = instruments.install(chosen.tracer_provider, chosen.meter_provider)
    try:
        with (
            instruments.span("job.run", {"iass.job.kind": "recording_reconcile"}),
            instruments.gate_evaluation("recording", "meeting-1", "reconcile") as gate,
        ):
            gate.decided(["no_reply"])
    finally:
        put_back()
    await stop_exporting(chosen)


def test_with_neither_setting_nothing_is_exported() -> None:
    assert TelemetrySettings.from_environment({}) == TelemetrySettings()
    assert TelemetrySettings.from_environment() == TelemetrySettings()
    assert exporting(TelemetrySettings()) is None


def test_the_settings_are_the_platforms_own_variables() -> None:
    settings = TelemetrySettings.from_environment(
        {
            "APPLICATIONINSIGHTS_CONNECTION_STRING": " InstrumentationKey=k ",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "IASS_OTLP_ENDPOINT": "http://elsewhere",
        }
    )
    assert settings == TelemetrySettings("InstrumentationKey=k", "http://collector:4318")


def test_a_connection_string_application_insights_would_refuse_is_named() -> None:
    with pytest.raises(ValueError, match=r"^APPLICATIONINSIGHTS_CONNECTION_STRING is not an"):
        exporting(TelemetrySettings(connection_string="InstrumentationKey=not-a-key"))


async def test_a_connection_string_exports_to_application_insights() -> None:
    async with collector() as received:
        chosen = exporting(
            TelemetrySettings(
                connection_string=(
                    f"InstrumentationKey={INSTRUMENTATION_KEY};IngestionEndpoint={received.url}/"
                )
            )
        )
        assert chosen is not None
        assert chosen.destinations == (AZURE_MONITOR,)
        await record_and_stop(chosen)

    assert {"job.run", "recording_gate.evaluate", instruments.GATE_DECISIONS} <= (
        received.envelope_names()
    )
    assert {e["iKey"] for e in received.envelopes} == {INSTRUMENTATION_KEY}
    assert received.spans == []


async def test_an_otlp_endpoint_exports_to_that_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    async with collector() as received:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", received.url)
        chosen = exporting(TelemetrySettings.from_environment())
        assert chosen is not None
        assert chosen.destinations == (OTLP,)
        await record_and_stop(chosen)

    assert [(s.name, s.scope) for s in received.spans] == [
        ("recording_gate.evaluate", instruments.SCOPE),
        ("job.run", instruments.SCOPE),
    ]
    (gate, job) = received.spans
    assert gate.attributes == {
        "iass.gate": "recording",
        "iass.meeting.id": "meeting-1",
        "iass.gate.cause": "reconcile",
        "iass.gate.outcome": "refused",
        "iass.gate.blockers": ["no_reply"],
    }
    assert job.resource["service.name"] == SERVICE
    assert job.resource["service.instance.id"]
    (decision,) = [p for p in received.points if p.metric == instruments.GATE_DECISIONS]
    assert decision.attributes == {
        "iass.gate": "recording",
        "iass.gate.outcome": "refused",
        "iass.gate.reasons": "no_reply",
    }
    assert received.envelopes == []


async def test_with_both_settings_both_receive_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "iass-staging")
    async with collector() as received:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", received.url)
        monkeypatch.setenv(
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
            f"InstrumentationKey={INSTRUMENTATION_KEY};IngestionEndpoint={received.url}/",
        )
        chosen = exporting(TelemetrySettings.from_environment())
        assert chosen is not None
        assert chosen.destinations == (AZURE_MONITOR, OTLP)
        await record_and_stop(chosen)

    assert "job.run" in received.envelope_names()
    assert "job.run" in {s.name for s in received.spans}
    assert {s.resource["service.name"] for s in received.spans} == {"iass-staging"}
    assert {e["tags"]["ai.cloud.role"] for e in received.envelopes} == {"iass-staging"}


async def test_a_collector_that_never_answers_does_not_hold_a_stopping_bot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(60)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    async with server:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://{host}:{port}")
        chosen = exporting(TelemetrySettings.from_environment())
        assert chosen is not None
        put_back = instruments.install(chosen.tracer_provider, chosen.meter_provider)
        with instruments.span("job.run"):
            pass
        put_back()
        started = time.monotonic()
        await stop_exporting(chosen, seconds=0.5)
        assert time.monotonic() - started < 2
