"""Reading a mailbox through Graph: list messages (`$top`, `$skip`, `$select`, newest
first, `@odata.nextLink`), get one (`internetMessageHeaders` only when `$select`ed), its MIME
(`/$value`), and the folder's delta query (`@odata.nextLink` with `$skiptoken` within a round,
`@odata.deltaLink` with `$deltatoken` at its end, returning only messages new since then)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.app_keys import TENANT
from sandbox.graph.errors import GraphError, not_found
from sandbox.graph.mailbox_access import MAIL_DENIAL, scoped_mailbox_owner
from sandbox.graph.odata import (
    integer_option,
    prefer_max_page_size,
    prefers_text_body,
    project,
    selected,
)
from sandbox.graph.protection import GraphRouter
from sandbox.mail.graph_view import DEFAULT_PROPERTIES, SELECTABLE_PROPERTIES, message_resource
from sandbox.mail.mailboxes import Mailbox, StoredMessage

READ_ROLES = frozenset({"Mail.Read", "Mail.ReadWrite"})
MESSAGE_TYPE = "microsoft.graph.message"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000


def _mailbox(request: web.Request) -> Mailbox:
    owner = scoped_mailbox_owner(request, request.match_info["user"])
    return request.config_dict[TENANT].mail.mailbox(owner)


def _folder(request: web.Request, mailbox: Mailbox) -> str | None:
    reference = request.match_info.get("folder")
    if reference is None:
        return None
    folder = mailbox.resolve_folder(reference)
    if folder is None:
        raise GraphError(404, "ErrorInvalidIdMalformed", "Id is malformed.")
    return folder


def _rendered(
    request: web.Request,
    mailbox: Mailbox,
    message: StoredMessage,
    properties: tuple[str, ...] | None,
) -> dict[str, Any]:
    resource = message_resource(message, mailbox, prefer_text=prefers_text_body(request))
    return project(resource, properties if properties is not None else DEFAULT_PROPERTIES)


def _preference_headers(page_size: int | None) -> dict[str, str]:
    return {"Preference-Applied": f"odata.maxpagesize={page_size}"} if page_size else {}


async def list_messages(request: web.Request) -> web.Response:
    mailbox = _mailbox(request)
    folder = _folder(request, mailbox)
    properties = selected(request, SELECTABLE_PROPERTIES, MESSAGE_TYPE)
    top = integer_option(request, "$top", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    skip = integer_option(request, "$skip", 0, 10**9)
    newest_first = sorted(
        mailbox.messages_in(folder), key=lambda m: (m.received_at, m.sequence), reverse=True
    )
    page = newest_first[skip : skip + top]
    body: dict[str, Any] = {"value": [_rendered(request, mailbox, m, properties) for m in page]}
    if skip + top < len(newest_first):
        body["@odata.nextLink"] = str(request.url.update_query({"$top": top, "$skip": skip + top}))
    return web.json_response(body)


def _message(request: web.Request, mailbox: Mailbox) -> StoredMessage:
    folder = _folder(request, mailbox)
    message = mailbox.message(request.match_info["message"])
    if message is None or (folder is not None and message.folder != folder):
        raise not_found("The specified object was not found in the store.")
    return message


async def get_message(request: web.Request) -> web.Response:
    mailbox = _mailbox(request)
    message = _message(request, mailbox)
    properties = selected(request, SELECTABLE_PROPERTIES, MESSAGE_TYPE)
    return web.json_response(_rendered(request, mailbox, message, properties))


async def get_message_mime(request: web.Request) -> web.Response:
    mailbox = _mailbox(request)
    return web.Response(body=_message(request, mailbox).mime, content_type="text/plain")


@dataclass(frozen=True)
class DeltaState:
    """What a delta token carries: whose folder, the messages already reported (sequence
    numbers up to `after`), the end of the current round, and the round's query options."""

    owner_id: str
    folder: str
    after: int
    round_end: int | None
    select: list[str] | None
    page_size: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(json.dumps(asdict(self)).encode()).rstrip(b"=").decode()

    @classmethod
    def decode(cls, token: str) -> DeltaState:
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            return cls(**data)
        except (ValueError, TypeError, binascii.Error) as error:
            raise _sync_state_lost() from error


def _sync_state_lost() -> GraphError:
    return GraphError(
        410, "SyncStateNotFound", "The sync state is not valid. Start a new round of delta queries."
    )


def _delta_state(request: web.Request, mailbox: Mailbox, folder: str) -> DeltaState:
    token = request.query.get("$skiptoken") or request.query.get("$deltatoken")
    if token is None:
        properties = selected(request, SELECTABLE_PROPERTIES, MESSAGE_TYPE)
        page_size = prefer_max_page_size(request) or integer_option(
            request, "$top", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        )
        return DeltaState(
            owner_id=mailbox.owner.object_id,
            folder=folder,
            after=0,
            round_end=None,
            select=list(properties) if properties is not None else None,
            page_size=max(1, min(page_size, MAX_PAGE_SIZE)),
        )
    state = DeltaState.decode(token)
    if state.owner_id != mailbox.owner.object_id or state.folder != folder:
        raise _sync_state_lost()
    return state


async def message_delta(request: web.Request) -> web.Response:
    mailbox = _mailbox(request)
    folder = _folder(request, mailbox)
    if folder is None:
        raise not_found()
    state = _delta_state(request, mailbox, folder)
    in_folder = mailbox.messages_in(folder)
    round_end = state.round_end
    if round_end is None:
        round_end = max((m.sequence for m in in_folder), default=state.after)
    changes = sorted(
        (m for m in in_folder if state.after < m.sequence <= round_end), key=lambda m: m.sequence
    )
    page = changes[: state.page_size]
    properties = tuple(state.select) if state.select is not None else None
    items = [
        {"@odata.type": f"#{MESSAGE_TYPE}", **_rendered(request, mailbox, m, properties)}
        for m in page
    ]
    base = request.url.with_query(None)
    body: dict[str, Any] = {"value": items}
    if len(changes) > len(page):
        following = DeltaState(
            state.owner_id, folder, page[-1].sequence, round_end, state.select, state.page_size
        )
        body["@odata.nextLink"] = str(base.with_query({"$skiptoken": following.encode()}))
    else:
        finished = DeltaState(
            state.owner_id, folder, round_end, None, state.select, state.page_size
        )
        body["@odata.deltaLink"] = str(base.with_query({"$deltatoken": finished.encode()}))
    return web.json_response(body, headers=_preference_headers(prefer_max_page_size(request)))


def add_mail_read_routes(graph: GraphRouter) -> None:
    def read(path: str, handler: Handler) -> None:
        graph.add("GET", path, handler, roles=READ_ROLES, denial=MAIL_DENIAL)

    folder_messages = "/users/{user}/mailFolders/{folder}/messages"
    read(f"{folder_messages}/delta", message_delta)
    read(f"{folder_messages}/delta()", message_delta)
    read(folder_messages, list_messages)
    read(f"{folder_messages}/{{message}}", get_message)
    read(f"{folder_messages}/{{message}}/$value", get_message_mime)
    read("/users/{user}/messages", list_messages)
    read("/users/{user}/messages/{message}", get_message)
    read("/users/{user}/messages/{message}/$value", get_message_mime)
