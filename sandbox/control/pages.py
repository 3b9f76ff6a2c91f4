"""Human-facing sandbox pages: the tenant at a glance (where to point the bot, who exists)
and each person's inbox. Every value written into the HTML is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.graph_time import graph_datetime_seconds
from sandbox.mail.composer import plain_text
from sandbox.mail.mailboxes import OutsideMessage, StoredMessage
from sandbox.public_urls import public_url

_STYLE = (
    "body{font-family:'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;"
    "text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0}code{background:#f4f4f4}"
)


def page(title: str, content: str) -> web.Response:
    return web.Response(
        text=(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{content}</body></html>"
        ),
        content_type="text/html",
    )


def _inbox_link(request: web.Request, address: str) -> str:
    url = request.app.router["sandbox-inbox"].url_for(address=address)
    return f'<a href="{escape(str(url))}">{escape(address)}</a>'


def _meeting_url(request: web.Request, online_meeting_id: str) -> str:
    return str(request.app.router["sandbox-meeting"].url_for(meeting=online_meeting_id))


async def index(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    origin = str(request.url.origin())
    graph_url = public_url(request, "sandbox-index").removesuffix("sandbox/") + "v1.0"
    apps = "".join(
        f"<tr><td>{escape(app.display_name)}</td><td><code>{escape(app.client_id)}</code></td></tr>"
        for app in tenant.apps
    )
    staff = "".join(
        f"<tr><td>{escape(u.display_name)}</td><td>{escape(u.job_title)}</td>"
        f"<td><code>{escape(u.object_id)}</code></td><td>{_inbox_link(request, u.mail)}</td></tr>"
        for u in (*tenant.directory.staff(), tenant.consent_mailbox)
    )
    guests = "".join(
        f"<tr><td>{escape(u.display_name)}</td><td>guest account, no app role</td>"
        f"<td><code>{escape(u.object_id)}</code></td><td>{_inbox_link(request, u.mail)}</td></tr>"
        for u in tenant.directory.guests()
    )
    people = "".join(
        f"<tr><td>{escape(p.display_name)}</td><td>{escape(p.role)}</td>"
        f"<td>{_inbox_link(request, p.address)}</td></tr>"
        for p in tenant.directory.external_people
    )
    meetings = "".join(
        f"<li><a href='{escape(_meeting_url(request, m.online_meeting_id))}'>"
        f"{escape(m.thread_id)}</a>: {escape(m.phase)}</li>"
        for m in tenant.live_meetings.all()
    )
    content = (
        f"<p>Tenant <code>{escape(tenant.tenant_id)}</code> ({escape(tenant.domain)}).</p>"
        "<ul>"
        f"<li>Authority: <code>https://{escape(tenant.authority_host)}/{escape(tenant.tenant_id)}"
        f"</code>, requests rewritten to <code>{escape(origin)}</code></li>"
        f"<li>Graph base URL: <code>{escape(graph_url)}</code></li>"
        f"<li>Consent mailbox: {_inbox_link(request, tenant.consent_mailbox.mail)}</li>"
        "</ul>"
        f"<h2>Apps</h2><table>{apps}</table>"
        f"<h2>Staff and mailboxes</h2><table>{staff}</table>"
        f"<h2>Guest accounts</h2><table>{guests}</table>"
        f"<h2>Outside people</h2><table>{people}</table>"
        f"<h2>Live meetings</h2><ul>{meetings or '<li>None yet.</li>'}</ul>"
    )
    return page(f"{tenant.display_name} sandbox", content)


async def inbox(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    address = request.match_info["address"]
    user = tenant.directory.user_by_address(address)
    messages: Sequence[StoredMessage | OutsideMessage] = (
        tenant.mail.mailbox(user).messages_in("inbox")
        if user is not None
        else tenant.correspondents.inbox(address)
    )
    rows = []
    for message in reversed(messages):
        parsed = message.parsed()
        mime_url = request.app.router["sandbox-message-mime"].url_for(
            address=address, message=message.id
        )
        rows.append(
            f"<tr><td>{escape(graph_datetime_seconds(message.received_at))}</td>"
            f"<td>{escape(str(parsed.get('From', '')))}</td>"
            f"<td>{escape(str(parsed.get('Subject', '')))}<pre>{escape(plain_text(parsed))}</pre>"
            f"<code>{escape(message.id)}</code></td>"
            f"<td><a href='{escape(str(mime_url))}'>MIME</a></td></tr>"
        )
    content = f"<table>{''.join(rows)}</table>" if rows else "<p>No messages.</p>"
    return page(f"Inbox of {address}", content)


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index, name="sandbox-index")
    app.router.add_get("/people/{address}", inbox, name="sandbox-inbox")
