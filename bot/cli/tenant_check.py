"""`iass-bot tenant check`: a preflight against the configured Microsoft 365 tenant. One line
per prerequisite, each failure with its fix; exit status 0 only when nothing failed."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.errors import CliError
from bot.cli.tenant_checklist import exit_status
from bot.cli.tenant_probes import CheckTarget, run_checks
from bot.config import ServiceProfile, TenantSettings
from bot.speech.choice import speech_from_settings
from bot.speech.settings import SpeechSettings

_EPILOG = """\
checked: a Graph token; its application permissions (roles); the application access
policy for the staff member; the consent mailbox readable and the staff member's mailbox
not (Exchange RBAC for Applications); the Teams app in the organisation's catalog; the
public URL's /healthz is this bot over https; the bot echoes a Graph subscription
validation; the speech backend makes a WAV.
With --write also: the consent mailbox sends the staff member a test message, and a Teams
meeting is created for the staff member, read back and removed.
Exit status: 0 when nothing failed (items needing --write are skipped without it), 1 when
something failed, 2 for bad settings."""


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "tenant",
        help="check the Microsoft 365 tenant is set up for the bot",
        description="The Microsoft 365 tenant the bot is configured for.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="check every prerequisite in the tenant, with the fix for each failure",
        description="Check every prerequisite in the configured tenant; one line per item.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--staff",
        required=True,
        metavar="USER",
        help="a staff member who organises meetings (user principal name or object id)",
    )
    check.add_argument(
        "--write",
        action="store_true",
        help="also send a test message and create and remove a test meeting for --staff",
    )
    check.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    tenant = TenantSettings()
    try:
        tenant.graph_config()
        speech = speech_from_settings(SpeechSettings())
    except ValueError as error:
        raise CliError(str(error)) from None
    lines = asyncio.run(
        run_checks(
            CheckTarget(tenant, ServiceProfile(), speech, staff=args.staff, write=args.write)
        )
    )
    for line in lines:
        print(line.render(), flush=True)
    return exit_status(lines)
