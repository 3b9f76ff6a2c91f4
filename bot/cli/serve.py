"""`iass-bot serve`: run the bot's web application."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.cli.errors import CliError
from bot.config import Settings
from bot.serving import LOCAL_HOST_NAME, serving_app


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
        help="also serve the local sandbox tenant on the next port and use it (make run)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    host = args.host or (LOCAL_HOST_NAME if args.sandbox else settings.host)
    port = args.port or settings.port
    if port != settings.port:
        settings = settings.model_copy(update={"port": port})
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
