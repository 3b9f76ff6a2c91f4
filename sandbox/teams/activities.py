"""The activities Teams sends a bot, as JSON: meeting start and end events, participant join
and leave events, and chat messages, in a meeting chat or a personal chat, with or without a
file posted from the sender's OneDrive.

Microsoft documents the meeting start and end events in two shapes that contradict each other
(`meeting-apps-apis`, see sandbox/FIDELITY.md), and the sandbox sends each in turn
(`MEETING_EVENT_SHAPES`):

- "2021": the event name as the SDKs spell it, `value` keys in PascalCase (as the property
  table and the Agents SDK's models have them), `channelData.meeting`, the sender's object id,
  a `tenantId` on the conversation;
- "2023": a space before the event name, `value` keys in camelCase but `EndTime`, no
  `channelData.meeting`, a sender and conversation without tenant or object id, no activity
  id, and a `localTimestamp` whose offset is whole hours only (`-8`, which pydantic refuses)."""

from __future__ import annotations

from html import escape
from typing import Any, Final
from zoneinfo import ZoneInfo

from sandbox.files import DriveItem
from sandbox.graph_time import graph_datetime
from sandbox.meetings import OnlineMeeting
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.conversations import Conversation
from sandbox.teams.live_meetings import Attendance, LiveMeeting
from sandbox.tenant import Tenant

MEETING_EVENT_SHAPES: Final = ("2021", "2023")
MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
PARTICIPANT_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
LOCALE = "en-GB"
LOCAL_ZONE = ZoneInfo("Europe/London")
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


def _meeting_event_2021(
    tenant: Tenant, sender: TeamsAccount, conversation: Conversation, meeting: LiveMeeting
) -> dict[str, Any]:
    """The 2021 example's activity: an event whose channel data names its `source` (null)."""
    activity = _activity(tenant, "event", sender, conversation, meeting)
    activity["channelData"]["source"] = None
    return activity


def _local_timestamp_in_hours(tenant: Tenant) -> str:
    """The local time as the 2023 example writes it: milliseconds, then the offset in whole
    hours (`2023-02-23T11:34:07.478-8`)."""
    local = tenant.now().astimezone(LOCAL_ZONE)
    offset = local.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{hours:+d}"


def _meeting_event_2023(
    tenant: Tenant,
    name: str,
    conversation: Conversation,
    meeting: LiveMeeting,
    online_meeting: OnlineMeeting,
    sender: TeamsAccount,
    at: tuple[str, str],
) -> dict[str, Any]:
    time_key, time_value = at
    return {
        "name": f" {name}",
        "type": "event",
        "timestamp": graph_datetime(tenant.now()),
        "localTimestamp": _local_timestamp_in_hours(tenant),
        "channelId": "msteams",
        "serviceUrl": tenant.connector_url,
        "from": {"id": sender.id},
        "conversation": {"isGroup": True, "conversationType": "groupchat", "id": conversation.id},
        "recipient": {"id": f"28:{tenant.bot.client_id}"},
        "value": {
            "id": meeting.teams_meeting_id,
            "joinUrl": online_meeting.join_web_url,
            "title": online_meeting.subject,
            "meetingType": "Scheduled",
            time_key: time_value,
        },
        "channelData": {"tenant": {"id": tenant.tenant_id}},
    }


def meeting_started(
    tenant: Tenant,
    conversation: Conversation,
    meeting: LiveMeeting,
    online_meeting: OnlineMeeting,
    host: TeamsAccount,
    shape: str = MEETING_EVENT_SHAPES[0],
) -> dict[str, Any]:
    """The meeting start event in the documented `shape` ("2021" or "2023")."""
    started_at = graph_datetime(meeting.started_at or tenant.now())
    if shape == "2023":
        return _meeting_event_2023(
            tenant,
            MEETING_START,
            conversation,
            meeting,
            online_meeting,
            host,
            ("startTime", started_at),
        )
    return _meeting_event_2021(tenant, host, conversation, meeting) | {
        "name": MEETING_START,
        "value": _meeting_value(meeting, online_meeting) | {"StartTime": started_at},
    }


def meeting_ended(
    tenant: Tenant,
    conversation: Conversation,
    meeting: LiveMeeting,
    online_meeting: OnlineMeeting,
    host: TeamsAccount,
    shape: str = MEETING_EVENT_SHAPES[0],
) -> dict[str, Any]:
    """The meeting end event in the documented `shape` ("2021" or "2023")."""
    ended_at = graph_datetime(meeting.ended_at or tenant.now())
    if shape == "2023":
        return _meeting_event_2023(
            tenant,
            MEETING_END,
            conversation,
            meeting,
            online_meeting,
            host,
            ("EndTime", ended_at),
        )
    return _meeting_event_2021(tenant, host, conversation, meeting) | {
        "name": MEETING_END,
        "value": _meeting_value(meeting, online_meeting) | {"EndTime": ended_at},
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


def mention_of_bot(tenant: Tenant, message: dict[str, Any]) -> dict[str, Any]:
    """The message as Teams sends it when it @mentions the bot: `<at>name</at>` before the
    words in `text` (and in its HTML), and a `mention` entity naming the bot
    (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations,
    "Work with mentions")."""
    tag = f"<at>{escape(tenant.bot.display_name)}</at>"
    mentioned = {"id": f"28:{tenant.bot.client_id}", "name": tenant.bot.display_name}
    html = {"contentType": "text/html", "content": f"<p>{tag} {escape(message['text'])}</p>"}
    files = [a for a in message["attachments"] if a.get("contentType") != "text/html"]
    return message | {
        "text": f"{tag} {message['text']}",
        "attachments": [*files, html],
        "entities": [
            *message["entities"],
            {"type": "mention", "mentioned": mentioned, "text": tag},
        ],
    }


def card_action(
    tenant: Tenant,
    conversation: Conversation,
    sender: TeamsAccount,
    data: dict[str, Any],
    card_activity_id: str,
    *,
    meeting: LiveMeeting | None = None,
) -> dict[str, Any]:
    """Someone pressed an `Action.Submit` button on the bot's Adaptive Card: a message with
    no text whose `value` is the button's `data`, replying to the card's activity
    (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-actions,
    "Adaptive Cards actions": Action.Submit)."""
    return _activity(tenant, "message", sender, conversation, meeting) | {
        "replyToId": card_activity_id,
        "value": dict(data),
    }


def card_action_invoke(
    tenant: Tenant,
    conversation: Conversation,
    sender: TeamsAccount,
    data: dict[str, Any],
    card_activity_id: str,
    *,
    meeting: LiveMeeting | None = None,
) -> dict[str, Any]:
    """The other documented delivery of a card button: an `adaptiveCard/action` invoke whose
    `value.action` carries the button's type and `data` (AdaptiveCardInvokeAction,
    https://learn.microsoft.com/python/api/microsoft-agents-activity/microsoft_agents.activity.adaptivecardinvokeaction;
    the Teams SDK reference says Action.Submit is sent "via an Invoke activity",
    https://learn.microsoft.com/javascript/api/teams-sdk-typescript/@microsoft/teams.cards/submitaction)."""
    return _activity(tenant, "invoke", sender, conversation, meeting) | {
        "name": "adaptiveCard/action",
        "replyToId": card_activity_id,
        "value": {"action": {"type": "Action.Submit", "data": dict(data)}, "trigger": "manual"},
    }
