"""The bot served as docs/deploy.md says App Service runs it: gunicorn with aiohttp's worker,
against the sandbox tenant in a process of its own. It answers its probes and its staff pages,
and on SIGTERM it stops within 30 seconds."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from consent_store.keys import new_key
from sandbox.endpoints import environment as sandbox_environment
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    TENANT_ID,
)
from tests import databases
from tests.served_bot import free_port_pair
from tests.tenant_flows.conftest import sandbox_process  # noqa: F401 (a fixture)

START_COMMAND = (
    "gunicorn",
    "bot.serving:gunicorn_app",
    "--worker-class",
    "aiohttp.GunicornWebWorker",
    "--workers",
    "1",
    "--timeout",
    "600",
    "--graceful-timeout",
    "25",
)
"""docs/deploy.md's start command, less its `--bind`."""


def bot_environment(database_url: str, sandbox: str, port: int) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("IASS_")}
    return inherited | {
        "IASS_DATABASE_URL": database_url,
        "IASS_ENCRYPTION_KEYS": f"k1:{new_key()}",
        "IASS_BLIND_INDEX_KEY": new_key(),
        "IASS_AUDIT_KEY": new_key(),
        "IASS_SESSION_KEY": new_key(),
        "IASS_TENANT_ID": TENANT_ID,
        "IASS_BOT_APP_ID": BOT_CLIENT_ID,
        "IASS_BOT_APP_SECRET": BOT_CLIENT_SECRET,
        "IASS_CONSENT_MAILBOX": CONSENT_MAILBOX.mail,
        "IASS_TEAMS_CATALOG_APP_ID": BOT_CATALOG_APP_ID,
        **sandbox_environment(sandbox),
        "IASS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
async def served_by_gunicorn(
    sandbox_process: str,  # noqa: F811 (the fixture)
    sqlite_template: Path,
    tmp_path: Path,
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    port = free_port_pair()
    database_url = databases.clone_sqlite(sqlite_template, tmp_path)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = await asyncio.create_subprocess_exec(
        str(gunicorn),
        *START_COMMAND[1:],
        "--bind",
        f"127.0.0.1:{port}",
        env=bot_environment(database_url, sandbox_process, port),
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        yield process, origin
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def until_ready(http: aiohttp.ClientSession, origin: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            async with http.get(f"{origin}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("the bot did not become ready under gunicorn")


async def test_the_bot_serves_under_gunicorns_aiohttp_worker_and_stops_on_sigterm(
    served_by_gunicorn: tuple[asyncio.subprocess.Process, str],
) -> None:
    process, origin = served_by_gunicorn
    async with aiohttp.ClientSession() as http:
        await until_ready(http, origin)
        async with http.get(f"{origin}/healthz") as health:
            assert health.status == 200
            assert (await health.json())["status"] == "ok"
        async with http.get(f"{origin}/tab", allow_redirects=False) as staff_pages:
            assert staff_pages.status in {302, 303}
            assert staff_pages.headers["Location"].startswith("/auth/sign-in")
        async with http.post(
            f"{origin}/notifications/mail", params={"validationToken": "gunicorn-check"}
        ) as validation:
            assert await validation.text() == "gunicorn-check"

    stopping = time.monotonic()
    process.send_signal(signal.SIGTERM)
    status = await asyncio.wait_for(process.wait(), timeout=30)
    stopped_in = time.monotonic() - stopping

    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert status == 0, log
    assert "Booting worker" in log
    assert "Traceback" not in log
    print(f"stopped {stopped_in:.1f} s after SIGTERM")
