"""Microsoft's documented file attachment (`file_attachment.json`: the page documents the
attachments only) on a message signed as the Bot Framework channel signs it and sent to the
bot as served: in a meeting chat the file reaches the document use case with its name, link,
id and type; in a personal chat staff get the bot's help and no file is taken as a meeting
document. The sandbox's own file attachment carries every documented key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aiohttp

from bot.agent import chat_wording
from bot.services.live_meeting import PostedFile
from sandbox.botframework.tokens import channel_token
from sandbox.files import DriveItem
from sandbox.seed import COORDINATOR
from sandbox.teams.activities import file_attachment
from sandbox.teams.conversations import Conversation
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.conformance.documented import documented, shape_gaps
from tests.sandbox.conftest import RunningSandbox

DOCUMENTED_FILE = PostedFile(
    name="file_example.txt",
    content_url=(
        "https://contoso.sharepoint.com/personal/johnadams_contoso_com/Documents/"
        "Applications/file_example.txt"
    ),
    unique_id="1150D938-8870-4044-9F2C-5BBDEBA70C9D",
    file_type="txt",
)


def message_with_the_file(
    sandbox: RunningSandbox, conversation: dict[str, Any], channel_data: dict[str, Any]
) -> bytes:
    tenant = sandbox.tenant
    sender = tenant.teams_accounts.resolve(COORDINATOR.user_principal_name)
    activity = {
        "type": "message",
        "id": uuid4().hex,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": tenant.connector_url,
        "from": sender.sender(),
        "conversation": {"tenantId": tenant.tenant_id, **conversation},
        "recipient": {"id": f"28:{tenant.bot.client_id}"},
        "channelData": {"tenant": {"id": tenant.tenant_id}, **channel_data},
        **documented("teams/file_attachment.json"),
    }
    return json.dumps(activity).encode()


async def post(bot: ServedBot, sandbox: RunningSandbox, body: bytes) -> int:
    headers = {
        "Authorization": f"Bearer {channel_token(sandbox.tenant)}",
        "Content-Type": "application/json",
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(bot.messages_url, data=body, headers=headers) as response,
    ):
        return response.status


async def test_a_documented_file_posted_in_the_meeting_chat_reaches_the_documents(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    live = sandbox.tenant.live_meetings.get(linked_meeting.online_id)
    assert live is not None
    thread = linked_meeting.thread_id
    body = message_with_the_file(
        sandbox,
        {"id": thread, "conversationType": "groupChat", "isGroup": True},
        {"meeting": {"id": live.teams_meeting_id}},
    )

    assert await post(served_bot, sandbox, body) == 202
    assert served_bot.events.calls == [("file", thread)]
    assert served_bot.events.files == [DOCUMENTED_FILE]


def from_bot(conversation: Conversation) -> list[str]:
    return [str(e.activity.get("text")) for e in conversation.entries if e.direction == "from_bot"]


async def test_a_documented_file_sent_in_a_personal_chat_gets_staff_the_help(
    served_bot: ServedBot, sandbox: RunningSandbox
) -> None:
    account = sandbox.tenant.teams_accounts.resolve(COORDINATOR.user_principal_name)
    chat = sandbox.tenant.conversations.personal(account.id)
    seen = len(from_bot(chat))
    body = message_with_the_file(sandbox, {"id": chat.id, "conversationType": "personal"}, {})

    assert await post(served_bot, sandbox, body) in {200, 202}
    assert from_bot(chat)[seen:] == [chat_wording.help_text(in_meeting=False)]
    assert served_bot.events.files == []


def test_the_sandbox_file_attachment_has_every_documented_key() -> None:
    (documented_attachment,) = documented("teams/file_attachment.json")["attachments"]
    item = DriveItem(
        id="01ABC",
        drive_id="b!drive",
        name="Plan.docx",
        parent_id="root",
        parent_path="/drive/root:",
        web_url="https://contoso.sharepoint.com/personal/a/Documents/Plan.docx",
        mime_type="application/octet-stream",
        content=b"x",
        created_at=datetime.now(UTC),
        created_by=None,  # type: ignore[arg-type]
    )
    built = file_attachment(item, "https://download.example/plan")
    assert shape_gaps(documented_attachment, built) == set()
