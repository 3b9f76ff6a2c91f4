"""The resource-specific consent (RSC) permissions the app asks for in a meeting chat.

The manifest declares them and installing the app into a meeting chat consents to them, so
both read this one list: the chat's messages and files (to refuse unconsented documents),
meeting start and end, participants joining and leaving, private in-meeting notifications,
and joining the meeting's call.
"""

from __future__ import annotations

RSC_PERMISSIONS = (
    "ChatMessage.Read.Chat",
    "OnlineMeeting.ReadBasic.Chat",
    "OnlineMeetingParticipant.Read.Chat",
    "OnlineMeetingNotification.Send.Chat",
    "Calls.JoinGroupCalls.Chat",
)
