"""`iass-bot dispose [--dry-run]`: remove personal data past the retention period."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.cli.store_access import CLI_ACTOR, with_store
from bot.config import Settings
from consent_store.engine import scrub_freed_space
from consent_store.retention import SCRUBBED_TABLES, DisposalPlan, dispose, plan_disposal
from consent_store.unit_of_work import Store


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "dispose",
        help="dispose of personal data older than the retention period",
        description=(
            "Clear names, addresses, titles and email evidence of meetings that ended more than "
            "IASS_RETENTION_DAYS ago, except meetings under a safeguarding hold. What remains is "
            "pseudonymous and still counts in statistics."
        ),
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be disposed of, change nothing"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    retention = timedelta(days=settings.retention_days)

    async def work(store: Store) -> DisposalPlan:
        async with store.unit_of_work() as uow:
            plan = await plan_disposal(uow, retention)
            if not args.dry_run:
                await dispose(uow, plan, CLI_ACTOR)
                await uow.commit()
        if not args.dry_run:
            await scrub_freed_space(store.engine, SCRUBBED_TABLES)
        return plan

    plan = with_store(work, settings)
    verb = "would dispose of" if args.dry_run else "disposed of"
    print(
        f"{verb} {len(plan.meeting_references)} meeting(s) that ended before "
        f"{plan.cutoff:%Y-%m-%d %H:%M} UTC"
    )
    for reference in plan.meeting_references:
        print(f"  {reference}")
    if plan.unmatched_review_items:
        print(f"{verb} {plan.unmatched_review_items} unmatched review item(s)")
    if plan.legal_requests:
        print(f"{verb} {plan.legal_requests} legal request(s) about those meetings only")
    if plan.meetings_held:
        print(f"kept {plan.meetings_held} meeting(s) under a safeguarding hold")
    return 0
