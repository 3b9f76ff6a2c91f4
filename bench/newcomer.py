"""Benchmark: a newcomer's first `make run`. Clones this repository into a fresh folder (no
.venv, no .env, no database), runs `make run` there on a free port, and times how long until
GET /healthz answers 200. Target: within 3 minutes. The last line reads `newcomer_s: N`.

    .venv/bin/python bench/newcomer.py
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

LIMIT_S = 600


def free_port() -> int:
    """A port with the next one free too (`make run` puts the sandbox there)."""
    while True:
        with socket.socket() as bot, socket.socket() as sandbox:
            bot.bind(("127.0.0.1", 0))
            port = int(bot.getsockname()[1])
            try:
                sandbox.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main() -> None:
    repository = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", str(repository), str(clone)], check=True)
        port = free_port()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("IASS_")}
        started = time.perf_counter()
        run = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env={**environment, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while not healthy(port):
                if run.poll() is not None or time.perf_counter() - started > LIMIT_S:
                    print("make run did not serve /healthz", file=sys.stderr)
                    sys.exit(1)
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
        finally:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(timeout=30)
    print(f"fresh clone to /healthz: {elapsed:.0f} s (target 180 s)")
    print(f"newcomer_s: {elapsed:.0f}")


if __name__ == "__main__":
    main()
