"""The activities Teams sends a bot, as JSON: meeting start and end events (`value` keys in
PascalCase, as Microsoft's property table and the Agents SDK's models have them), participant
join and leave events, and chat messages, in a meeting chat or a personal chat, with or
without a file posted from the sender's OneDrive."""

from __future__ import annotations

from html import escape
from typing import Any

from sandbox.files import DriveItem
from sandbox.graph_time import graph_datetime
from sandbox.meetings import OnlineMeeting
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.conversations import Conversation
from sandbox.teams.live_meetings import Attendance, LiveMeeting
from sandbox.tenant import Tenant

MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
PARTICIPANT_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
LOCALE = "en-GB"
CLIENT_INFO = {
    "locale": LOCALE,
    "country": "GB",
    "platform": "Web",
    "timezone": "Europe/London",
    "type": "clientInfo",
}


def _activity(
    tenant: Tenant,
    activity_type: str,
    sender: TeamsAccount,
    conversation: Conversation,
    meeting: LiveMeeting | None,
) -> dict[str, Any]:
    conversation_account: dict[str, Any] = {
        "conversationType": conversation.conversation_type,
        "tenantId": tenant.tenant_id,
        "id": conversation.id,
    }
    channel_data: dict[str, Any] = {"tenant": {"id": tenant.tenant_id}}
    if meeting is not None:
        conversation_account["isGroup"] = True
        channel_data["meeting"] = {"id": meeting.teams_meeting_id}
    return {
        "type": activity_type,
        "timestamp": graph_datetime(tenant.now()),
        "channelId": "msteams",
        "serviceUrl": tenant.connector_url,
        "from": sender.sender(),
        "conversation": conversation_account,
        "recipient": {"id": f"28:{tenant.bot.client_id}", "name": tenant.bot.display_name},
        "entities": [CLIENT_INFO],
        "channelData": channel_data,
        "locale": LOCALE,
    }


def _meeting_value(meeting: LiveMeeting, online_meeting: OnlineMeeting) -> dict[str, Any]:
    return {
        "MeetingType": "Scheduled",
        "Title": online_meeting.subject,
        "Id": meeting.teams_meeting_id,
        "JoinUrl": online_meeting.join_web_url,
    }


def meeting_started(
    tenant: Tenant,
    conversation: Conversation,
    meeting: LiveMeeting,
    online_meeting: OnlineMeeting,
    host: TeamsAccount,
) -> dict[str, Any]:
    started_at = meeting.started_at or tenant.now()
    return _activity(tenant, "event", host, conversation, meeting) | {
        "name": MEETING_START,
        "value": _meeting_value(meeting, online_meeting)
        | {"StartTime": graph_datetime(started_at)},
    }


def meeting_ended(
    tenant: Tenant,
    conversation: Conversation,
    meeting: LiveMeeting,
    online_meeting: OnlineMeeting,
    host: TeamsAccount,
) -> dict[str, Any]:
    ended_at = meeting.ended_at or tenant.now()
    return _activity(tenant, "event", host, conversation, meeting) | {
        "name": MEETING_END,
        "value": _meeting_value(meeting, online_meeting) | {"EndTime": graph_datetime(ended_at)},
    }


def participants_changed(
    tenant: Tenant,
    conversation: Conversation,
    meeting: LiveMeeting,
    attendance: Attendance,
) -> dict[str, Any]:
    """A participant join event, or a leave event once they have left."""
    member = {
        "user": attendance.account.channel_account(),
        "meeting": {"inMeeting": attendance.in_meeting, "role": attendance.role},
    }
    return _activity(tenant, "event", attendance.account, conversation, meeting) | {
        "name": PARTICIPANT_JOIN if attendance.in_meeting else PARTICIPANT_LEAVE,
        "value": {"members": [member]},
    }


def file_attachment(item: DriveItem, download_url: str) -> dict[str, Any]:
    """How a file posted in a chat reaches the bot: a pointer into the poster's OneDrive."""
    return {
        "contentType": FILE_DOWNLOAD_INFO,
        "contentUrl": item.web_url,
        "name": item.name,
        "content": {
            "downloadUrl": download_url,
            "uniqueId": item.etag_guid.upper(),
            "fileType": item.name.rsplit(".", 1)[-1].lower() if "." in item.name else "",
            "etag": item.etag,
        },
    }


def message(
    tenant: Tenant,
    conversation: Conversation,
    sender: TeamsAccount,
    text: str,
    *,
    meeting: LiveMeeting | None = None,
    attachments: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """A chat message: plain `text`, the HTML Teams renders as a `text/html` attachment, and
    any file attachments."""
    html = {"contentType": "text/html", "content": f"<p>{escape(text)}</p>"}
    return _activity(tenant, "message", sender, conversation, meeting) | {
        "text": text,
        "textFormat": "plain",
        "attachments": [*attachments, html],
    }
