"""`python -m sandbox` serves the seeded tenant on a free port and says where it is."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp


def interruptible() -> None:
    """Ctrl+C reaches the sandbox as it would from a terminal, even when the tests run where
    SIGINT is ignored (a background job's children inherit that, and Python then never turns
    Ctrl+C into KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def test_python_m_sandbox_serves_and_prints_its_urls(http: aiohttp.ClientSession) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        preexec_fn=interruptible,
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Press Ctrl+C"):
            line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
            assert line, "the sandbox exited early"
            lines.append(line.decode().strip())
        printed = dict(line.split(":", 1) for line in lines if ":" in line and "(" not in line)
        graph_base_url = printed["Graph base URL"].strip()
        tenant_id = printed["Tenant id"].strip()
        origin = graph_base_url.removesuffix("/v1.0")
        path = f"/{tenant_id}/v2.0/.well-known/openid-configuration"
        async with http.get(origin + path) as response:
            assert response.status == 200
            assert (await response.json())["issuer"].endswith(f"/{tenant_id}/v2.0")
        async with http.get(origin + "/sandbox/") as page:
            assert page.status == 200
            assert "Priya Raman" in await page.text()
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
