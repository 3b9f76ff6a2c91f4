"""`iass-bot serve`: run the bot's web application."""

from __future__ import annotations

import argparse

from aiohttp import web

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
    web.run_app(create_app(settings), host=host, port=port, print=None)
    return 0
