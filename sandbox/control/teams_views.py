"""Teams state as the control API and the pages show it: live meetings (participants, roles,
recording, targeted notifications, the bot's calls), conversations with every activity in
both directions, calls with the prompts played in them."""

from __future__ import annotations

from typing import Any

from sandbox.calls.calls import Call
from sandbox.graph_time import graph_datetime
from sandbox.teams.conversations import ChatEntry, Conversation
from sandbox.teams.live_meetings import Attendance, LiveMeeting
from sandbox.tenant import Tenant


def _time(value: Any) -> str | None:
    return graph_datetime(value) if value is not None else None


def attendance_view(attendance: Attendance) -> dict[str, Any]:
    return {
        "user": attendance.account.channel_account(),
        "role": attendance.role,
        "invited": attendance.invited,
        "inMeeting": attendance.in_meeting,
        "joinedAt": _time(attendance.joined_at),
        "leftAt": _time(attendance.left_at),
        "recording": attendance.recording_since is not None,
    }


def entry_view(entry: ChatEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "direction": entry.direction,
        "at": _time(entry.at),
        "replyToId": entry.reply_to_id,
        "updatedAt": _time(entry.updated_at),
        "activity": entry.activity,
    }


def conversation_view(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "conversationType": conversation.conversation_type,
        "activities": [entry_view(e) for e in conversation.entries],
    }


def call_view(call: Call) -> dict[str, Any]:
    return {
        "id": call.id,
        "state": call.state,
        "inLobby": call.in_lobby,
        "threadId": call.thread_id,
        "callbackUri": call.callback_uri,
        "createdAt": _time(call.created_at),
        "operations": [
            {
                "id": operation.id,
                "status": operation.status,
                "clientContext": operation.client_context,
                "requestedAt": _time(operation.requested_at),
                "askedDuring": operation.asked_during,
                "startedAt": _time(operation.started_at),
                "finishedAt": _time(operation.finished_at),
                "prompts": [
                    {
                        "uri": prompt.uri,
                        "at": _time(prompt.at),
                        "durationSeconds": prompt.duration_seconds,
                        "problem": prompt.problem,
                    }
                    for prompt in operation.prompts
                ],
            }
            for operation in call.operations.values()
        ],
    }


def meeting_view(tenant: Tenant, meeting: LiveMeeting) -> dict[str, Any]:
    online_meeting = tenant.meetings.get(meeting.online_meeting_id)
    recorder = meeting.recorder()
    conversation = tenant.conversations.get(meeting.thread_id)
    return {
        "onlineMeetingId": meeting.online_meeting_id,
        "teamsMeetingId": meeting.teams_meeting_id,
        "threadId": meeting.thread_id,
        "subject": online_meeting.subject if online_meeting else None,
        "allowRecording": online_meeting.allow_recording if online_meeting else None,
        "phase": meeting.phase,
        "startedAt": _time(meeting.started_at),
        "endedAt": _time(meeting.ended_at),
        "participants": [attendance_view(a) for a in meeting.attendance.values()],
        "recording": recorder is not None,
        "recordingBy": recorder.account.id if recorder is not None else None,
        "recordingLog": [
            {
                "at": _time(event.at),
                "by": event.by,
                "action": event.action,
                "startedWhilePermitted": event.started_while_permitted,
            }
            for event in meeting.recording_log
        ],
        "notifications": meeting.notifications,
        "calls": [call_view(c) for c in tenant.calls.all() if c.thread_id == meeting.thread_id],
        "chat": conversation_view(conversation) if conversation is not None else None,
    }
