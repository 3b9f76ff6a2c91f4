"""`iass-bot stats`: monthly service statistics that identify no one."""

from __future__ import annotations

import argparse

from bot.cli.store_access import with_store
from consent_store.disclosure import ProtectedTable
from consent_store.statistics import monthly_statistics
from consent_store.statistics_format import format_csv, format_text
from consent_store.unit_of_work import Store


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "stats",
        help="print monthly statistics (small numbers hidden, others rounded)",
        description=(
            "Monthly counts of meetings, recordings permitted and refused, documents refused, "
            "consent replies by outcome, permission to liaise by outcome, legal requests "
            "(logged, refused by the manager, permission asked, agreed and refused by the "
            "service user, extracts sent) and recordings found without consent. Counts from 1 "
            "to 9 are hidden, others rounded to the nearest 5, and more cells hidden where a "
            "total would give one away."
        ),
    )
    parser.add_argument("--format", choices=("text", "csv"), default="text")
    parser.set_defaults(handler=run)


async def _table(store: Store) -> ProtectedTable:
    async with store.unit_of_work() as uow:
        return await monthly_statistics(uow)


def run(args: argparse.Namespace) -> int:
    table = with_store(_table)
    print(format_csv(table) if args.format == "csv" else format_text(table), end="")
    return 0
