"""`iass-bot serve`: run the bot's web application."""

from __future__ import annotations

import argparse

from aiohttp import web

from bot.cli.errors import CliError
from bot.config import Settings
from bot.web.app import create_app


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "serve",
        help="run the bot's web application",
        description="Serve the bot (health check at GET /healthz) on IASS_HOST and PORT.",
    )
    parser.add_argument("--host", help="address to listen on (default: IASS_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"IASS meeting companion on http://{host}:{port} (health check: /healthz)", flush=True)
    try:
        web.run_app(create_app(settings), host=host, port=port, print=None)
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return 0
