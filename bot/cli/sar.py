"""`iass-bot sar export --email ADDRESS`: a subject access report as JSON and readable HTML."""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

from bot.cli.errors import CliError
from bot.cli.store_access import CLI_ACTOR, with_store
from consent_store.access_report import SubjectAccessReport
from consent_store.audit import AuditEvent
from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sar = subcommands.add_parser("sar", help="subject access requests")
    actions = sar.add_subparsers(title="actions", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write everything held about one person",
        description=(
            "Write report.json and report.html with everything the store holds about the "
            "person with this email address. The folder name does not contain the address."
        ),
    )
    export.add_argument("--email", required=True, help="the person's email address")
    export.add_argument(
        "--out", type=Path, help="folder to write into (default: ./sar-<date>-<id>)"
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    email = args.email.strip()
    if not _EMAIL.match(email):
        raise CliError(f"{email!r} is not an email address")

    async def export(store: Store) -> SubjectAccessReport:
        async with store.unit_of_work() as uow:
            report = await subject_access_report(uow, email)
            await uow.audit(
                AuditEvent(
                    "subject_access.exported",
                    actor=CLI_ACTOR,
                    detail={
                        "invitations": len(report.invitations),
                        "decisions": len(report.decisions),
                        "review_items": len(report.review_items),
                    },
                )
            )
            await uow.commit()
            return report

    report = with_store(export)
    tag = hashlib.sha256(email.lower().encode()).hexdigest()[:8]
    folder: Path = args.out or Path(f"sar-{report.produced_at:%Y%m%d}-{tag}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(report.to_json(), encoding="utf-8")
        (folder / "report.html").write_text(report.to_html(), encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot write the report to {folder}: {error.strerror}") from None
    if not report.holds_anything:
        print("nothing is held about that address; an empty report was written")
    print(f"wrote {folder / 'report.json'} and {folder / 'report.html'}")
    return 0
