"""`iass-bot meeting schedule`: schedule meetings from the command line or a bulk JSON file."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError
from bot.cli.store_access import with_store
from bot.config import Settings
from bot.graph.tenant import TenantClients, open_tenant
from bot.ports.failures import GRAPH_FAILURES
from bot.services.meeting_request import (
    InvalidMeeting,
    MeetingInput,
    NeedsInput,
    PersonInput,
    parse_meeting,
)
from bot.services.scheduling import ScheduledMeeting, SchedulingFailed, schedule_meeting
from bot.serving import sandbox_origin, sandbox_tenant
from consent_store.unit_of_work import Store

_PEOPLE_FLAGS = (
    ("parent", "parent_carer", "a parent carer"),
    ("young_person", "young_person", "a young person"),
    ("professional", "professional", "a professional (add , Organisation after the address)"),
    ("staff", "staff", "another member of IASS staff"),
)


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    meeting = subcommands.add_parser("meeting", help="schedule meetings")
    actions = meeting.add_subparsers(title="actions", metavar="ACTION", required=True)
    schedule = actions.add_parser(
        "schedule",
        help="create a meeting in Teams (recording off) and send the consent requests",
        description=(
            "Schedule one meeting from the options, or many from --file (a JSON list of objects "
            "with the same names: title, start, end, role, record, organiser, staff_name, parent, "
            "young_person, professional, staff, document, phone, easy_read, supporter, "
            "supporter_role, document_format). Times are UK local time. People are "
            "given as 'Name <address>'; documents as 'Title=https://link'."
        ),
    )
    schedule.add_argument("--file", type=Path, help="a JSON file of meetings to schedule")
    schedule.add_argument(
        "--sandbox",
        action="store_true",
        help="use the sandbox tenant that `make run` (serve --sandbox) is serving",
    )
    schedule.add_argument("--title")
    schedule.add_argument("--start", help="e.g. 2026-12-01 10:00 (UK time)")
    schedule.add_argument("--end", help="e.g. 2026-12-01 11:00 (UK time)")
    schedule.add_argument("--role", choices=("support", "support-and-contribute"))
    schedule.add_argument(
        "--record", action="store_true", help="ask everyone to consent to recording"
    )
    schedule.add_argument(
        "--organiser",
        help=(
            "the organising staff member: their email address (sign-in name), or their Entra "
            "directory object id"
        ),
    )
    schedule.add_argument("--staff-name", help="the staff member's name as attendees will see it")
    for flag, _, what in _PEOPLE_FLAGS:
        schedule.add_argument(f"--{flag.replace('_', '-')}", action="append", default=[], help=what)
    schedule.add_argument("--document", action="append", default=[], help="Title=https://link")
    needs = schedule.add_argument_group("the service user's individual needs")
    needs.add_argument(
        "--phone",
        action="store_true",
        help="they join by phone: the bot says its notices aloud as well as in the chat",
    )
    needs.add_argument(
        "--easy-read",
        action="store_true",
        help="parent carers and young people get the easy-read consent email",
    )
    needs.add_argument(
        "--supporter",
        help="an interpreter or other supporter who will attend, 'Name <address>' (asked for "
        "consent like everyone else)",
    )
    needs.add_argument(
        "--supporter-role",
        help="their role, said at the start, e.g. 'British Sign Language interpreter'",
    )
    needs.add_argument(
        "--document-format",
        help="large print or another format the documents are needed in (a reminder to staff)",
    )
    schedule.set_defaults(handler=run_schedule)


def _people(source: dict[str, Any]) -> tuple[PersonInput, ...]:
    people = []
    for key, kind, _ in _PEOPLE_FLAGS:
        for text in source.get(key) or []:
            person, _, organisation = str(text).partition(">,")
            people.append(
                PersonInput(
                    person + (">" if organisation else ""), kind, organisation.strip() or None
                )
            )
    return tuple(people)


def _needs(source: dict[str, Any]) -> NeedsInput:
    supporter = str(source.get("supporter") or "")
    name, _, email = supporter.partition("<")
    document_format = str(source.get("document_format") or "")
    return NeedsInput(
        joins_by_phone=bool(source.get("phone")),
        easy_read=bool(source.get("easy_read")),
        supporter=bool(supporter or source.get("supporter_role")),
        supporter_name=name.strip(),
        supporter_email=email.rstrip().removesuffix(">").strip(),
        supporter_role=str(source.get("supporter_role") or ""),
        other_format=bool(document_format),
        format_text=document_format,
    )


def _request(source: dict[str, Any]) -> tuple[MeetingInput, str]:
    documents = []
    for text in source.get("document") or []:
        title, _, url = str(text).partition("=")
        documents.append((title, url))
    request = MeetingInput(
        title=str(source.get("title") or ""),
        start=str(source.get("start") or ""),
        end=str(source.get("end") or ""),
        role=str(source.get("role") or ""),
        recording_wanted=bool(source.get("record")),
        organiser_user_id=str(source.get("organiser") or ""),
        people=_people(source),
        documents=tuple(documents),
        needs=_needs(source),
    )
    if not request.organiser_user_id or not source.get("staff_name"):
        raise CliError("give --organiser and --staff-name (the organising staff member)")
    return request, str(source["staff_name"])


def _requests(args: argparse.Namespace) -> list[tuple[MeetingInput, str]]:
    if args.file is None:
        return [_request(vars(args))]
    try:
        items = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CliError(f"cannot read {args.file}: {error}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CliError(f"{args.file} must hold a JSON list of meeting objects")
    return [_request(item) for item in items]


async def organiser_object_id(tenant: TenantClients, organiser: str) -> str:
    """The organiser's directory object id: given as one, or found from their email address
    (Graph reads a user by id or by userPrincipalName)."""
    if "@" not in organiser:
        return organiser
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder

    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["id"])
    try:
        user = await tenant.mailbox.graph.users.by_user_id(organiser).get(
            RequestConfiguration(query_parameters=query)
        )
    except GRAPH_FAILURES as error:
        raise CliError(
            f"no staff account found for {organiser} in the tenant's directory "
            f"({type(error).__name__}); give their sign-in address or directory object id"
        ) from None
    if user is None or not user.id:
        raise CliError(f"no staff account found for {organiser} in the tenant's directory")
    return user.id


def run_schedule(args: argparse.Namespace) -> int:
    settings = Settings()
    requests = _requests(args)
    tenant_settings = sandbox_tenant(settings.port) if args.sandbox else settings.tenant
    where = (
        f"the sandbox tenant at {sandbox_origin(settings.port)} (is `make run` serving it, on "
        f"PORT={settings.port} plus one?)"
        if args.sandbox
        else f"Microsoft 365 at {tenant_settings.graph_base_url}"
    )

    async def work(store: Store) -> list[ScheduledMeeting | str]:
        try:
            return await schedule_all(store)
        except (OSError, *GRAPH_FAILURES) as error:
            raise CliError(f"cannot reach {where}: {type(error).__name__}") from None

    async def schedule_all(store: Store) -> list[ScheduledMeeting | str]:
        outcomes: list[ScheduledMeeting | str] = []
        async with open_tenant(tenant_settings) as tenant:
            for number, (request, staff_name) in enumerate(requests, start=1):
                try:
                    organiser = await organiser_object_id(tenant, request.organiser_user_id)
                    request = replace(request, organiser_user_id=organiser)
                    meeting = parse_meeting(request, store.clock())
                    outcomes.append(
                        await schedule_meeting(
                            store,
                            tenant.meetings,
                            tenant.mailbox,
                            settings.service,
                            meeting,
                            staff_name,
                        )
                    )
                except (InvalidMeeting, SchedulingFailed) as error:
                    outcomes.append(f"meeting {number} not scheduled: {error}")
                print(f"{number} of {len(requests)} done", flush=True)
        return outcomes

    try:
        outcomes = with_store(work, settings)
    except ValueError as error:
        raise CliError(str(error)) from None
    failed = 0
    for outcome in outcomes:
        if isinstance(outcome, str):
            failed += 1
            print(outcome)
            continue
        attention = (
            f"; NEEDS ATTENTION: {outcome.needs_attention}" if outcome.needs_attention else ""
        )
        print(
            f"scheduled {outcome.reference}: {outcome.requests_sent} consent request(s) sent; "
            f"join at {outcome.join_url}{attention}"
        )
    return 1 if failed else 0
