"""Human-facing pages for live meetings: each meeting's participants, recording, the bot's
calls and prompts, targeted notifications, and its chat as Teams would show it (text, file
attachments, Adaptive Cards as their JSON). Every value written into the HTML is escaped."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.control.pages import page
from sandbox.control.teams_views import meeting_view


def _attachment(attachment: dict[str, Any]) -> str:
    content_type = str(attachment.get("contentType", ""))
    if content_type == "text/html":
        return ""
    if content_type.endswith("file.download.info"):
        return f"<p>File: <code>{escape(str(attachment.get('name', '')))}</code></p>"
    content = json.dumps(attachment.get("content"), indent=2)
    return f"<p>{escape(content_type)}</p><pre>{escape(content)}</pre>"


def _chat_rows(chat: dict[str, Any] | None) -> str:
    rows = []
    for entry in chat["activities"] if chat else []:
        activity = entry["activity"]
        sender = (activity.get("from") or {}).get("name", "")
        what = activity.get("name") or activity.get("text") or ""
        attachments = "".join(_attachment(a) for a in activity.get("attachments") or [])
        edited = " (edited)" if entry["updatedAt"] else ""
        rows.append(
            f"<tr><td>{escape(str(entry['at']))}</td><td>{escape(entry['direction'])}</td>"
            f"<td>{escape(str(sender))}</td>"
            f"<td>{escape(str(what))}{escape(edited)}{attachments}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>" if rows else "<p>No activity yet.</p>"


def _call_item(call: dict[str, Any]) -> str:
    prompts = [
        f"{p['durationSeconds']} s" if p["problem"] is None else f"refused: {p['problem']}"
        for operation in call["operations"]
        for p in operation["prompts"]
    ]
    return (
        f"<li><code>{escape(call['id'])}</code>: {escape(call['state'])}; prompts: "
        f"{escape('; '.join(prompts) or 'none')}</li>"
    )


async def meeting_page(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    meeting = tenant.live_meetings.get(request.match_info["meeting"])
    if meeting is None:
        raise web.HTTPNotFound(text="No live meeting for that onlineMeeting id.")
    view = meeting_view(tenant, meeting)
    people = "".join(
        f"<tr><td>{escape(p['user']['name'])}</td><td>{escape(p['role'])}</td>"
        f"<td>{'in the meeting' if p['inMeeting'] else 'left'}</td>"
        f"<td>{'recording' if p['recording'] else ''}</td><td><code>{escape(p['user']['id'])}"
        "</code></td></tr>"
        for p in view["participants"]
    )
    calls = "".join(_call_item(c) for c in view["calls"])
    notifications = json.dumps(view["notifications"], indent=2)
    content = (
        f"<p>Phase: {escape(view['phase'])}. Recording allowed: {view['allowRecording']}. "
        f"Being recorded: {view['recording']}.</p>"
        f"<h2>Participants</h2><table>{people}</table>"
        f"<h2>The bot's calls</h2><ul>{calls}</ul>"
        f"<h2>Targeted notifications</h2><pre>{escape(notifications)}</pre>"
        f"<h2>Meeting chat</h2>{_chat_rows(view['chat'])}"
    )
    return page(f"Meeting: {view['subject']}", content)


def add_meeting_page_routes(app: web.Application) -> None:
    app.router.add_get("/meetings/{meeting}", meeting_page, name="sandbox-meeting")
