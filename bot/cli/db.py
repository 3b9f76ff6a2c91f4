"""`iass-bot db upgrade`: create the store, or bring it to the newest schema."""

from __future__ import annotations

import argparse

from bot.cli.errors import CliError
from bot.config import Settings
from consent_store.errors import StoreUnreachable
from consent_store.migrate import upgrade_to_head


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subcommands.add_parser("db", help="manage the consent store's database")
    actions = db.add_subparsers(title="actions", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="create the database or migrate it to the newest schema",
        description="Apply every schema migration not yet applied to IASS_DATABASE_URL.",
    )
    upgrade.set_defaults(handler=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    try:
        upgrade_to_head(Settings().database_url)
    except (OSError, StoreUnreachable) as error:
        raise CliError(f"cannot reach the database: {str(error).splitlines()[0]}") from None
    print("database is at the newest schema")
    return 0
