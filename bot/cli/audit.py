"""`iass-bot audit verify`: walk the audit chain and name the first broken entry."""

from __future__ import annotations

import argparse

from bot.cli.store_access import with_store
from consent_store.audit import ChainReport, verify_chain
from consent_store.unit_of_work import Store


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subcommands.add_parser("audit", help="check the audit log")
    actions = audit.add_subparsers(title="actions", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check that no audit entry was altered, inserted or removed",
        description=(
            "Recompute the HMAC chain over every audit entry with IASS_AUDIT_KEY. Exit status 0 "
            "when intact, 1 naming the first broken entry."
        ),
    )
    verify.set_defaults(handler=run_verify)


async def _verify(store: Store) -> ChainReport:
    async with store.unit_of_work() as uow:
        return await verify_chain(uow.session, store.audit_key)


def run_verify(args: argparse.Namespace) -> int:
    report = with_store(_verify)
    if report.intact:
        print(f"audit log intact: {report.entries_checked} entries verified")
        return 0
    print(
        f"audit log BROKEN at entry {report.first_broken_seq}: {report.problem} "
        f"({report.entries_checked} entries before it verified)"
    )
    return 1
