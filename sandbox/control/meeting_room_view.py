"""How the meeting room page writes what happens in a live meeting: the participants (in the
meeting or not, recording or not), the bot's calls and the prompts played, and the meeting chat
as text (cards as their TextBlock and TextRun texts, never as HTML); and the actions of the
bot's latest Adaptive Card in the chat, whose buttons the room offers to press."""

from __future__ import annotations

from html import escape
from typing import Any

from sandbox.control.card_text import card_lines
from sandbox.teams.activities import (
    FILE_DOWNLOAD_INFO,
    MEETING_END,
    MEETING_START,
    PARTICIPANT_JOIN,
    PARTICIPANT_LEAVE,
)
from sandbox.teams.live_meetings import LiveMeeting
from sandbox.tenant import Tenant

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
_EVENTS = {
    MEETING_START: "the meeting started",
    MEETING_END: "the meeting ended",
    PARTICIPANT_JOIN: "joined the meeting",
    PARTICIPANT_LEAVE: "left the meeting",
}


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _attachment_lines(attachment: dict[str, Any]) -> list[str]:
    content_type = str(attachment.get("contentType", ""))
    if content_type == ADAPTIVE_CARD:
        return ["Card:", *(f"  {line}" for line in card_lines(attachment.get("content")))]
    if content_type in {FILE_DOWNLOAD_INFO, "reference"}:
        return [f"File: {attachment.get('name', '')}"]
    if content_type == "text/html":
        return []
    return [f"({content_type})"]


def _chat_entry(entry: dict[str, Any]) -> str:
    activity = entry["activity"]
    sender = str((activity.get("from") or {}).get("name") or "")
    name = str(activity.get("name") or "")
    if name in _EVENTS:
        members = (activity.get("value") or {}).get("members") or []
        who = ", ".join(str(m["user"].get("name", "")) for m in members) or sender
        lines = [f"{who} {_EVENTS[name]}" if members else _EVENTS[name].capitalize()]
    else:
        lines = [str(activity.get("text") or "")] if activity.get("text") else []
    for attachment in activity.get("attachments") or []:
        lines.extend(_attachment_lines(attachment))
    direction = "to the bot" if entry["direction"] == "to_bot" else "from the bot"
    edited = ", edited" if entry["updatedAt"] else ""
    return (
        f"<li class='card'><p class='meta'>{escape(sender)} ({escape(direction)}), "
        f"{escape(str(entry['at']))}{escape(edited)}</p>"
        f"<pre>{escape(chr(10).join(lines))}</pre></li>"
    )


def chat_html(view: dict[str, Any]) -> str:
    chat = view["chat"]
    entries = "".join(_chat_entry(e) for e in chat["activities"]) if chat else ""
    return f"<ul class='cards'>{entries}</ul>" if entries else "<p>Nothing in the chat yet.</p>"


_PROMPT_STATES = {"running": "playing now", "notStarted": "waiting", "completed": "played"}
ASKED_DURING = (
    " The bot asked for it while its previous prompt was still waiting or playing; Teams "
    "queues prompts, so it waits its turn."
)


def _prompt(prompt: dict[str, Any], status: str) -> str:
    if prompt["problem"] is not None:
        return f"<li>A prompt Teams refused: {escape(str(prompt['problem']))}</li>"
    seconds = prompt["durationSeconds"]
    length = f"{seconds:.1f} seconds" if isinstance(seconds, int | float) else "length unknown"
    uri = str(prompt["uri"] or "")
    player = (
        f" <audio controls preload='none' src='{escape(uri)}'></audio>"
        if uri.startswith(("http://", "https://"))
        else ""
    )
    state = _PROMPT_STATES.get(status, status)
    return f"<li>A spoken prompt of {escape(length)}, {escape(state)}.{player}</li>"


def _operation(operation: dict[str, Any]) -> str:
    """The prompts of one playPrompt operation, or that it waits its turn, and whether the
    bot asked for it while an earlier one had not finished."""
    status = str(operation["status"])
    items = [_prompt(p, status) for p in operation["prompts"]]
    if not items:
        items = [f"<li>A spoken prompt, {escape(_PROMPT_STATES.get(status, status))}.</li>"]
    if operation["askedDuring"] is not None:
        items[0] = items[0].removesuffix("</li>") + escape(ASKED_DURING) + "</li>"
    return "".join(items)


def calls_html(view: dict[str, Any]) -> str:
    if not view["calls"]:
        return "<p>The bot has not joined the call.</p>"
    items = []
    for call in view["calls"]:
        prompts = "".join(_operation(operation) for operation in call["operations"])
        played = f"<ul>{prompts}</ul>" if prompts else " No prompt has been played yet."
        items.append(f"<li>The bot's call is {escape(call['state'])}.{played}</li>")
    return f"<ul>{''.join(items)}</ul>"


def participants_html(view: dict[str, Any]) -> str:
    items = "".join(
        f"<li>{escape(p['user']['name'])} ({escape(p['role'])}, "
        f"{escape(p['user']['userRole'])}): "
        f"{'in the meeting' if p['inMeeting'] else 'left'}"
        f"{', recording' if p['recording'] else ''}</li>"
        for p in view["participants"]
    )
    return f"<ul>{items}</ul>" if items else "<p>Nobody has joined yet.</p>"


def latest_card_actions(tenant: Tenant, meeting: LiveMeeting) -> list[dict[str, Any]]:
    """The actions of the bot's latest Adaptive Card in the meeting chat."""
    conversation = tenant.conversations.get(meeting.thread_id)
    cards = [
        attachment["content"]
        for entry in (conversation.entries if conversation is not None else [])
        if entry.direction == "from_bot"
        for attachment in entry.activity.get("attachments") or ()
        if attachment.get("contentType") == ADAPTIVE_CARD
    ]
    return list(cards[-1].get("actions") or []) if cards else []
