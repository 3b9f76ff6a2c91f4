"""Human-facing sandbox pages for the tenant and its mail: the index (what the sandbox is,
where to point the bot, every person with a link to their inbox, the consent mailbox, the
meeting rooms) and each person's inbox, newest first (a meeting invitation with its join
link above its text, `sandbox.control.invitation_view`), where an outside person (the guest's
own address included) replies to a message or writes to the consent mailbox through plain
HTML forms. Tenant mailboxes are shown read-only: their users send through Graph.

Each form posts, acts through `Tenant.correspondents` (as the control API does), and
redirects back with a short notice. Mail bodies are shown as text, never as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.control.invitation_view import invitation_summary
from sandbox.control.page_forms import (
    FormFields,
    checkbox,
    form,
    select,
    text_area,
    text_input,
)
from sandbox.control.page_style import local_time, page, see_other
from sandbox.mail.authentication import Verdict
from sandbox.mail.composer import plain_text
from sandbox.mail.correspondents import UnknownMessageError
from sandbox.mail.decoding import header_text
from sandbox.mail.mailboxes import OutsideMessage, StoredMessage
from sandbox.public_urls import public_url
from sandbox.tenant import Tenant

VERDICTS: dict[str, Verdict] = {"pass": "pass", "fail": "fail"}
_VERDICT_OPTIONS = (
    ("pass", "pass (the tenant's mail servers trust the sender)"),
    ("fail", "fail (SPF/DKIM/DMARC fail: a spoofed sender)"),
)


def _inbox_link(request: web.Request, address: str, text: str | None = None) -> str:
    url = request.app.router["sandbox-inbox"].url_for(address=address)
    return f"<a href='{escape(str(url))}'>{escape(text or address)}</a>"


def _meeting_url(request: web.Request, online_meeting_id: str) -> str:
    return str(request.app.router["sandbox-meeting"].url_for(meeting=online_meeting_id))


def _people(request: web.Request, tenant: Tenant) -> str:
    staff = "".join(
        f"<li>{escape(u.display_name)} ({escape(u.job_title or 'staff')}): "
        f"{_inbox_link(request, u.mail)}</li>"
        for u in tenant.directory.staff()
    )
    outside = "".join(
        f"<li>{escape(p.display_name)} ({escape(p.role)}): {_inbox_link(request, p.address)}</li>"
        for p in tenant.directory.external_people
    )
    guests = "".join(
        f"<li>{escape(u.display_name)}: a guest account in the tenant (Teams, sign-in, no app "
        f"role); mail goes to their own address, {_inbox_link(request, u.mail)}</li>"
        for u in tenant.directory.guests()
    )
    return (
        "<h2>Staff</h2><p>Their mailboxes are read-only here: staff send mail through the bot "
        f"and Graph.</p><ul>{staff}</ul>"
        "<h2>Outside people</h2><p>Open an inbox to read what reached them and reply as them."
        f"</p><ul>{outside}</ul>"
        f"<h2>Guest</h2><ul>{guests}</ul>"
    )


def _meetings(request: web.Request, tenant: Tenant) -> str:
    rooms = []
    for online_meeting in sorted(tenant.meetings.all(), key=lambda m: m.start):
        live = tenant.live_meetings.get(online_meeting.id)
        state = f"room {live.phase}" if live else "room not open yet"
        rooms.append(
            f"<li><a href='{escape(_meeting_url(request, online_meeting.id))}'>"
            f"{escape(online_meeting.subject or '(no subject)')}</a>, "
            f"{escape(local_time(online_meeting.start))} ({escape(state)})</li>"
        )
    opener = form(
        str(request.app.router["sandbox-meeting-open"].url_for()),
        text_input("onlineMeetingId", "onlineMeeting id", field_id="open-meeting-id"),
        "Open the meeting room",
    )
    listing = (
        f"<ul>{''.join(rooms)}</ul>"
        if rooms
        else "<p>No meeting yet. Schedule one on the staff pages and it appears here.</p>"
    )
    return (
        "<h2>Meetings</h2><p>Every Teams meeting created in this tenant, with a link to its "
        "room, where you play the people in the meeting. A meeting's page on the staff site "
        "links here too (Join the meeting in Teams).</p>"
        f"{listing}"
        "<details><summary>Open a room by its onlineMeeting id</summary>"
        f"{opener}</details>"
    )


async def index(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    graph_url = public_url(request, "sandbox-index").removesuffix("sandbox/") + "v1.0"
    bot_note = (
        "<p class='note'>The bot's messaging endpoint is not set yet: what people do in "
        "Teams is recorded here but reaches no bot.</p>"
        if tenant.bot_endpoint is None
        else ""
    )
    content = (
        "<p>A pretend Microsoft 365 tenant for the IASS meeting companion. Here you play "
        "everyone except the bot: parents, young people and professionals answering consent "
        "emails, and the people in a Teams meeting.</p>"
        f"{bot_note}"
        f"<p>Consent mailbox: {_inbox_link(request, tenant.consent_mailbox.mail)} (what "
        "people's replies reach).</p>"
        f"{_people(request, tenant)}{_meetings(request, tenant)}"
        "<h2>For developers</h2><ul>"
        f"<li>Tenant <code>{escape(tenant.tenant_id)}</code> ({escape(tenant.domain)})</li>"
        f"<li>Authority <code>https://{escape(tenant.authority_host)}/"
        f"{escape(tenant.tenant_id)}</code>, served here</li>"
        f"<li>Graph base URL <code>{escape(graph_url)}</code></li>"
        "</ul>"
    )
    return page(_heading(tenant.display_name), content, request)


def _heading(display_name: str) -> str:
    """The tenant's name as the page heading, without saying "sandbox" twice."""
    if "sandbox" in display_name.lower():
        return display_name
    return f"{display_name} sandbox"


def _message_card(
    request: web.Request,
    address: str,
    message: StoredMessage | OutsideMessage,
    number: int,
    can_reply: bool,
) -> str:
    parsed = message.parsed()
    mime_url = request.app.router["sandbox-message-mime"].url_for(
        address=address, message=message.id
    )
    reply = _reply_form(request, address, message.id, number) if can_reply else ""
    return (
        f"<li class='card'><h3>{escape(header_text(parsed, 'Subject') or '(no subject)')}</h3>"
        f"<p class='meta'>From: {escape(header_text(parsed, 'From'))}</p>"
        f"<p class='meta'>To: {escape(header_text(parsed, 'To'))}</p>"
        f"<p class='meta'>Received: {escape(local_time(message.received_at))} (UK time)</p>"
        f"{invitation_summary(request, request.config_dict[TENANT], parsed)}"
        f"<pre>{escape(plain_text(parsed))}</pre>"
        f"<p class='meta'><a href='{escape(str(mime_url))}'>Show the raw message</a></p>"
        f"{reply}</li>"
    )


def _reply_form(request: web.Request, address: str, message_id: str, number: int) -> str:
    action = request.app.router["sandbox-inbox-reply"].url_for(address=address, message=message_id)
    fields = (
        text_area("text", "Your reply", field_id=f"reply-{number}")
        + checkbox(
            "quoteOriginal",
            "Include the original below my reply",
            field_id=f"quote-{number}",
            checked=True,
        )
        + select(
            "authentication", "Sender authentication", _VERDICT_OPTIONS, field_id=f"auth-{number}"
        )
    )
    return f"<details><summary>Reply</summary>{form(str(action), fields, 'Send reply')}</details>"


def _write_form(request: web.Request, tenant: Tenant, address: str) -> str:
    action = request.app.router["sandbox-inbox-write"].url_for(address=address)
    fields = (
        text_input("subject", "Subject", field_id="write-subject")
        + text_area("text", "Message", field_id="write-text")
        + select("authentication", "Sender authentication", _VERDICT_OPTIONS, field_id="write-auth")
    )
    return (
        f"<h2>Write a new email to the consent mailbox ({escape(tenant.consent_mailbox.mail)})"
        f"</h2>{form(str(action), fields, 'Send email')}"
    )


def _inbox_messages(tenant: Tenant, address: str) -> Sequence[StoredMessage | OutsideMessage]:
    user = tenant.directory.user_by_address(address)
    if user is not None:
        return tenant.mail.mailbox(user).messages_in("inbox")
    return tenant.correspondents.inbox(address)


async def inbox(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    address = request.match_info["address"]
    outside = tenant.directory.user_by_address(address) is None
    messages = _inbox_messages(tenant, address)
    cards = "".join(
        _message_card(request, address, m, number, outside)
        for number, m in enumerate(
            sorted(reversed(messages), key=lambda m: m.received_at, reverse=True)
        )
    )
    name = tenant.directory.display_name_for(address)
    content = (
        f"<p>{_back_link(request)}</p>"
        + ("" if outside else "<p class='note'>A tenant mailbox: read-only here.</p>")
        + (f"<ul class='cards'>{cards}</ul>" if cards else "<p>No messages yet.</p>")
        + (_write_form(request, tenant, address) if outside else "")
    )
    title = f"Inbox of {name} ({address})" if name else f"Inbox of {address}"
    return page(title, content, request, refresh=True)


def _back_link(request: web.Request) -> str:
    url = request.app.router["sandbox-index"].url_for()
    return f"<a href='{escape(str(url))}'>Back to the sandbox</a>"


def _verdict(fields: FormFields) -> Verdict:
    return VERDICTS.get(fields.text("authentication"), "pass")


async def reply(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    address = request.match_info["address"]
    fields = await FormFields.of(request)
    if tenant.directory.user_by_address(address) is not None:
        notice = "Tenant mailboxes are read-only here: staff reply through Graph."
    else:
        try:
            sent = tenant.correspondents.reply(
                address,
                request.match_info["message"],
                fields.text("text"),
                quote_original=fields.checked("quoteOriginal"),
                verdict=_verdict(fields),
            )
        except UnknownMessageError:
            notice = "That message is not in this inbox."
        else:
            notice = f"Reply sent to {sent.to}."
    raise see_other(request, "sandbox-inbox", notice, address=address)


async def write(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    address = request.match_info["address"]
    fields = await FormFields.of(request)
    if tenant.directory.user_by_address(address) is not None:
        notice = "Tenant mailboxes are read-only here: staff send mail through Graph."
    else:
        sent = tenant.correspondents.write(
            address,
            tenant.consent_mailbox.mail,
            fields.text("subject"),
            fields.text("text"),
            verdict=_verdict(fields),
        )
        notice = f"Email sent to {sent.to}."
    raise see_other(request, "sandbox-inbox", notice, address=address)


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index, name="sandbox-index")
    app.router.add_get("/people/{address}", inbox, name="sandbox-inbox")
    app.router.add_post("/people/{address}/messages", write, name="sandbox-inbox-write")
    app.router.add_post(
        "/people/{address}/messages/{message}/reply", reply, name="sandbox-inbox-reply"
    )
