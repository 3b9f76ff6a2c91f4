"""What `iass-bot tenant check` asks the tenant and the bot, with the product's own clients
(msal through `GraphCredential`, msgraph-sdk, aiohttp), turned into checklist lines by
`bot/cli/tenant_checklist.py`.

Read-only unless `write` is set: then the consent mailbox sends the staff member one test
message, and an event with a Teams meeting is made in their calendar, read back and cancelled,
as scheduling does."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import jwt
from azure.core.exceptions import ClientAuthenticationError
from kiota_abstractions.api_error import APIError

from bot.cli import tenant_checklist as checklist
from bot.cli.tenant_checklist import CheckLine
from bot.config import ServiceProfile, TenantSettings
from bot.graph.client import create_graph_client, graph_http_client
from bot.graph.credential import MsalAppCredential
from bot.ports.failures import GRAPH_FAILURES
from bot.speech.backend import SpeechBackend, SynthesisError
from bot.speech.wav import PromptFormatError, validate_prompt_wav

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

PROBE_MEETING_ID = "iass-tenant-check-no-such-meeting"
PROBE_EVENT_ID = "iass-tenant-check-no-such-event"
HTTP_TIMEOUT_SECONDS = 10.0
TEST_SUBJECT = checklist.TEST_EVENT_SUBJECT
SPOKEN_TEXT = "This is the IASS meeting companion's tenant check."


@dataclass(frozen=True)
class CheckTarget:
    """What the check is run against: the tenant, the service, the speech backend, a staff
    member who organises meetings (user principal name or object id) and whether to write."""

    tenant: TenantSettings
    service: ServiceProfile
    speech: SpeechBackend
    staff: str
    write: bool = False


async def _status(call: Callable[[], Awaitable[object]]) -> tuple[int | None, object]:
    """Graph's status for `call` (200 when it returned) and what it returned; None when
    Graph could not be reached."""
    try:
        result = await call()
    except APIError as error:
        return error.response_status_code, None
    except GRAPH_FAILURES:
        return None, None
    return 200, result


async def run_checks(target: CheckTarget) -> list[CheckLine]:
    """Every line of the checklist, in order."""
    lines: list[CheckLine] = []
    config = target.tenant.graph_config()
    credential = MsalAppCredential(config)
    http_client = graph_http_client()
    try:
        try:
            token = await credential.get_token(config.graph_scope)
        except ClientAuthenticationError as error:
            lines.append(checklist.token_line(error.message or type(error).__name__))
            lines.extend(_graph_items_not_checked(target.write))
        else:
            lines.append(checklist.token_line(None))
            claims = jwt.decode(token.token, options={"verify_signature": False})
            roles = claims.get("roles")
            lines.append(
                checklist.roles_line(
                    frozenset(r for r in roles if isinstance(r, str))
                    if isinstance(roles, list)
                    else frozenset()
                )
            )
            graph = create_graph_client(config, credential, http_client)
            lines.extend(await _graph_lines(graph, target))
    finally:
        await http_client.aclose()
        await credential.close()
    lines.extend(await _bot_lines(target))
    lines.append(await _speech_line(target.speech))
    return lines


def _graph_items_not_checked(write: bool) -> list[CheckLine]:
    items = [
        checklist.ROLES,
        checklist.POLICY,
        checklist.CONSENT_READ,
        checklist.OTHER_MAILBOX,
        checklist.CONSENT_SEND,
        checklist.CALENDAR,
        checklist.CATALOG,
    ]
    if write:
        items.append(checklist.TEST_EVENT)
    return [
        checklist.failed(item, "not checked: no token", "fix the token first") for item in items
    ]


async def _graph_lines(graph: GraphServiceClient, target: CheckTarget) -> list[CheckLine]:
    tenant = target.tenant
    lines: list[CheckLine] = []
    staff_status, staff = await _status(lambda: graph.users.by_user_id(target.staff).get())
    staff_id = getattr(staff, "id", None)
    if not isinstance(staff_id, str):
        lines.append(checklist.staff_missing_line(staff_status))
        lines.append(checklist.not_checked(checklist.CALENDAR, "no staff member"))
    else:
        policy_status, _ = await _status(
            lambda: (
                graph.users.by_user_id(staff_id)
                .online_meetings.by_online_meeting_id(PROBE_MEETING_ID)
                .get()
            )
        )
        lines.append(checklist.policy_line(policy_status, tenant.bot_app_id))
        calendar_status, _ = await _status(
            lambda: graph.users.by_user_id(staff_id).events.by_event_id(PROBE_EVENT_ID).get()
        )
        lines.append(checklist.calendar_line(calendar_status))
    read_status, _ = await _status(lambda: _first_message(graph, tenant.consent_mailbox))
    lines.append(checklist.consent_read_line(read_status))
    if not isinstance(staff_id, str):
        lines.append(checklist.not_checked(checklist.CALENDAR, "no staff member"))
    if isinstance(staff_id, str):
        other_status, _ = await _status(lambda: _first_message(graph, staff_id))
        lines.append(checklist.other_mailbox_line(other_status))
    else:
        lines.append(checklist.not_checked(checklist.OTHER_MAILBOX, "no staff member"))
    if not target.write:
        lines.append(checklist.not_checked(checklist.CONSENT_SEND, "sends mail; use --write"))
    elif isinstance(staff_id, str):
        send_status, _ = await _status(lambda: _send_test(graph, tenant.consent_mailbox, staff))
        lines.append(checklist.consent_send_line(send_status))
    else:
        lines.append(checklist.not_checked(checklist.CONSENT_SEND, "no staff member"))
    catalog_status, apps = await _status(lambda: _catalog_apps(graph, tenant.teams_catalog_app_id))
    lines.append(
        checklist.catalog_line(
            catalog_status,
            apps if isinstance(apps, list) else [],
            tenant.teams_catalog_app_id,
            tenant.bot_app_id,
        )
    )
    if target.write and isinstance(staff_id, str):
        lines.append(await _write_event(graph, staff_id))
    elif target.write:
        lines.append(checklist.not_checked(checklist.TEST_EVENT, "no staff member"))
    return lines


async def _first_message(graph: GraphServiceClient, mailbox: str) -> object:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
        MessagesRequestBuilder,
    )

    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=1, select=["id"])
    return await (
        graph.users.by_user_id(mailbox)
        .mail_folders.by_mail_folder_id("inbox")
        .messages.get(RequestConfiguration(query_parameters=query))
    )


async def _send_test(graph: GraphServiceClient, mailbox: str, staff: object) -> None:
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.message import Message
    from msgraph.generated.models.recipient import Recipient
    from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
        SendMailPostRequestBody,
    )

    address = getattr(staff, "mail", None) or getattr(staff, "user_principal_name", None)
    await graph.users.by_user_id(mailbox).send_mail.post(
        SendMailPostRequestBody(
            message=Message(
                subject=TEST_SUBJECT,
                body=ItemBody(
                    content_type=BodyType.Text,
                    content="A test from `iass-bot tenant check --write`. No action is needed.",
                ),
                to_recipients=[Recipient(email_address=EmailAddress(address=address))],
            ),
            save_to_sent_items=False,
        )
    )


async def _catalog_apps(graph: GraphServiceClient, catalog_app_id: str) -> list[dict[str, Any]]:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.app_catalogs.teams_apps.teams_apps_request_builder import (
        TeamsAppsRequestBuilder,
    )

    query = TeamsAppsRequestBuilder.TeamsAppsRequestBuilderGetQueryParameters(
        filter=f"id eq '{catalog_app_id.replace(chr(39), chr(39) * 2)}'"
    )
    found = await graph.app_catalogs.teams_apps.get(RequestConfiguration(query_parameters=query))
    apps = found.value if found is not None and found.value is not None else []
    return [{"id": app.id, "externalId": app.external_id} for app in apps]


async def _write_event(graph: GraphServiceClient, staff_id: str) -> CheckLine:
    """What scheduling does, with no attendees: an event with a Teams meeting in the staff
    member's calendar, read back, then cancelled and seen gone."""
    from bot.graph.events import CalendarEvents
    from bot.ports.calendar import EventWithoutJoinUrl

    events = CalendarEvents(graph)
    start = datetime.now(UTC) + timedelta(days=30)
    try:
        created = await events.create(
            staff_id,
            TEST_SUBJECT,
            "<p>A test event; it is removed at once.</p>",
            start,
            start + timedelta(minutes=15),
            (),
        )
    except EventWithoutJoinUrl as unjoinable:
        made_id = unjoinable.event_id
        await _status(lambda: events.cancel(staff_id, made_id))
        return checklist.write_event_line(201, False, True)
    except APIError as error:
        return checklist.write_event_line(error.response_status_code, False, False)
    except GRAPH_FAILURES:
        return checklist.write_event_line(None, False, False)
    one = graph.users.by_user_id(staff_id).events.by_event_id(created.id)
    read_status, _ = await _status(one.get)
    await _status(lambda: events.cancel(staff_id, created.id))
    gone_status, _ = await _status(one.get)
    return checklist.write_event_line(201, read_status == 200, gone_status == 404)


async def _bot_lines(target: CheckTarget) -> list[CheckLine]:
    public_url = target.tenant.public_url.rstrip("/")
    if not checklist.reachable_url(public_url):
        return [
            checklist.public_url_line(public_url, None, None, target.service.short_name),
            checklist.not_checked(checklist.VALIDATION, "IASS_PUBLIC_URL is not https"),
        ]
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        health_status: int | None = None
        service: object = None
        try:
            async with http.get(f"{public_url}/healthz") as response:
                health_status = response.status
                if response.status == 200:
                    service = (await response.json(content_type=None)).get("service")
        except (aiohttp.ClientError, TimeoutError, ValueError, AttributeError):
            pass
        health = checklist.public_url_line(
            public_url, health_status, service, target.service.short_name
        )
        validation_token = secrets.token_urlsafe(24)
        echoed = False
        validation_status: int | None = None
        try:
            async with http.post(
                f"{public_url}/notifications/mail",
                params={"validationToken": validation_token},
                headers={"Content-Type": "text/plain"},
            ) as response:
                validation_status = response.status
                echoed = response.status == 200 and await response.text() == validation_token
        except (aiohttp.ClientError, TimeoutError):
            pass
    return [health, checklist.validation_line(echoed, validation_status)]


async def _speech_line(speech: SpeechBackend) -> CheckLine:
    try:
        wav = await speech.synthesise(SPOKEN_TEXT)
        seconds = validate_prompt_wav(wav)
    except (SynthesisError, PromptFormatError) as error:
        return checklist.speech_line(str(error) or type(error).__name__, 0.0)
    return checklist.speech_line(None, seconds)
