"""`iass-bot serve`: run the bot's web application."""

from __future__ import annotations

import argparse
from pathlib import Path

from aiohttp import web

from bot.cli.errors import CliError
from bot.config import Settings
from bot.serving import LOCAL_HOST_NAME, serving_app
from bot.telemetry import configure_logging
from consent_store.engine import sqlite_file
from consent_store.errors import StoreUnreachable
from consent_store.migrate import upgrade_to_head

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "serve",
        help="run the bot's web application",
        description="Serve the bot (health check at GET /healthz) on IASS_HOST and PORT.",
    )
    parser.add_argument("--host", help="address to listen on (default: IASS_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT)")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help=(
            "also serve the local sandbox tenant on the next port and use it (make run); the "
            "sandbox lives in memory, so the SQLite store starts empty with it (the previous "
            "one is kept beside it as .previous)"
        ),
    )
    parser.set_defaults(handler=run)


def fresh_sandbox_store(database_url: str) -> str:
    """Start the store empty, as the in-memory sandbox tenant starts: a store kept from an
    earlier run would name Teams meetings and mailboxes the new sandbox has never seen. Only a
    SQLite file is emptied, and the previous one is kept beside it (`iass.db.previous`)."""
    database = sqlite_file(database_url)
    if database is None:
        raise CliError(
            "serve --sandbox starts the sandbox tenant empty, so it starts the store empty "
            "with it, and it does that only to a SQLite file; IASS_DATABASE_URL names another "
            "database. Use a sqlite+aiosqlite:///./iass.db store for the sandbox."
        )
    path = Path(database)
    kept = path.with_name(path.name + ".previous")
    had_store = path.exists()
    for suffix in ("", *SQLITE_SIDE_FILES):
        current = path.with_name(path.name + suffix)
        if current.exists():
            current.replace(kept.with_name(kept.name + suffix))
    try:
        upgrade_to_head(database_url)
    except (OSError, StoreUnreachable) as error:
        raise CliError(f"cannot create the store {path}: {str(error).splitlines()[0]}") from None
    if had_store:
        return (
            f"The sandbox starts empty, so the store does too: {path} is new, and the store "
            f"of the previous run is kept as {kept}."
        )
    return f"The sandbox starts empty, and so does the store ({path})."


def run(args: argparse.Namespace) -> int:
    configure_logging()
    settings = Settings()
    host = args.host or (LOCAL_HOST_NAME if args.sandbox else settings.host)
    port = args.port or settings.port
    if port != settings.port:
        settings = settings.model_copy(update={"port": port})
    if args.sandbox:
        print(fresh_sandbox_store(settings.database_url), flush=True)
    try:
        app = serving_app(settings, sandbox=args.sandbox, host=host)
    except ValueError as error:
        raise CliError(str(error)) from None
    shown = host
    print(f"IASS meeting companion on http://{shown}:{port}", flush=True)
    print(f"  staff pages:  http://{shown}:{port}/tab", flush=True)
    print(f"  health check: http://{shown}:{port}/healthz", flush=True)
    if args.sandbox:
        print(
            f"  sandbox tenant (mailboxes, meetings): http://{shown}:{port + 1}/sandbox/",
            flush=True,
        )
    try:
        web.run_app(app, host=host, port=port, print=None)
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return 0
