"""The sandbox's human-facing pages through plain HTTP: the index lists people and rooms, an
inbox shows mail as escaped text and replies through its form as RFC 5322 mail to the
consent mailbox, and a meeting room's forms drive a live meeting (start, admit a stranger,
recording refused until the meeting allows it, a file posted in the chat) and show the bot's
cards as text; an inbox shows a meeting invitation (and its update and cancellation) with the
join link, which leads to the meeting's room; the organiser's meeting options form changes the
onlineMeeting's settings as a Graph PATCH does, and changes nothing when Graph would refuse
the values."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default as default_policy
from html import unescape
from urllib.parse import quote

import aiohttp
from msgraph.generated.models.event import Event
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient
from yarl import URL

from sandbox.seed import ADVISER, CONSENT_MAILBOX, COORDINATOR, PARENT_CARER, SENCO
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.people import (
    message_with_subject,
    send_from_consent_mailbox,
    unique_subject,
)
from tests.sandbox.test_sandbox_events import london, online_event

HOSTILE = "<script>alert(1)</script>"


async def _get(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.text()


async def _submit(http: aiohttp.ClientSession, url: str, fields: dict[str, str]) -> str:
    """Post a form as a browser does and follow the redirect back; the page shown."""
    async with http.post(url, data=fields, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
        location = response.headers["Location"]
    return await _get(http, str(response.url.join(URL(location))))


def _notice(html: str) -> str:
    found = re.search(r"<p class='notice' role='status'>(.*?)</p>", html)
    assert found is not None, "no notice on the page"
    return unescape(found.group(1))


def _form_actions(html: str, ending: str) -> list[str]:
    return [unescape(a) for a in re.findall(r"action='([^']*)'", html) if a.endswith(ending)]


async def test_the_index_links_every_inbox_and_the_consent_mailbox(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    html = await _get(http, sandbox.url("/sandbox/"))
    for address in (PARENT_CARER.address, COORDINATOR.mail, CONSENT_MAILBOX.mail):
        assert f"href='/sandbox/people/{address}'" in html
    assert "<h1>IASS Sandbox</h1>" in html
    assert "rel='icon'" in html
    assert "location.reload" not in html, "only inboxes refresh themselves"
    assert "Meetings" in html


async def test_every_meeting_is_listed_and_its_join_link_opens_its_room(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    subject = unique_subject(f"Join link {HOSTILE}")
    meeting = await meeting_with_bot(graph, subject)
    assert meeting.id is not None
    assert meeting.join_web_url is not None
    room = f"/sandbox/meetings/{quote(meeting.id, safe='')}"

    index = await _get(http, sandbox.url("/sandbox/"))
    assert f"href='{room}'>{subject.replace('<', '&lt;').replace('>', '&gt;')}</a>" in index

    join_path = URL(meeting.join_web_url, encoded=True).raw_path_qs
    async with http.get(sandbox.url(join_path), allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"] == room
    unknown = join_path.replace("meeting_", "meeting_unknown", 1)
    async with http.get(sandbox.url(unknown), allow_redirects=False) as response:
        assert response.status == 404
        assert "No meeting in this sandbox has that join link" in await response.text()


async def test_an_inbox_shows_mail_as_escaped_text(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    subject = unique_subject(f"{HOSTILE} consent")
    await send_from_consent_mailbox(
        graph,
        SENCO.address,
        subject,
        html="<p>&lt;script&gt;alert(1)&lt;/script&gt; <b>now</b></p>",
    )
    html = await _get(http, sandbox.url(f"/sandbox/people/{quote(SENCO.address)}"))
    assert HOSTILE not in html
    assert "<b>now</b>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "From: IASS Consent &lt;consent@iass-sandbox.example&gt;" in html
    assert re.search(r"Received: \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d \(UK time\)", html)
    assert "location.reload" in html, "an inbox shows new mail without a manual reload"
    assert "Include the original below my reply" in html


async def test_replying_through_the_form_reaches_the_consent_mailbox(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    subject = unique_subject("May we record?")
    await send_from_consent_mailbox(graph, PARENT_CARER.address, subject)
    original = await message_with_subject(http, sandbox, PARENT_CARER.address, subject)
    html = await _get(http, sandbox.url(f"/sandbox/people/{quote(PARENT_CARER.address)}"))
    action = next(a for a in _form_actions(html, "/reply") if quote(original["id"], safe="") in a)

    shown = await _submit(
        http,
        sandbox.url(action),
        {"text": "Yes", "quoteOriginal": "yes", "authentication": "fail"},
    )

    assert _notice(shown) == f"Reply sent to {CONSENT_MAILBOX.mail}."
    received = await message_with_subject(http, sandbox, CONSENT_MAILBOX.mail, f"RE: {subject}")
    mime_path = (
        f"/sandbox/api/people/{quote(CONSENT_MAILBOX.mail)}/messages/"
        f"{quote(received['id'], safe='')}/mime"
    )
    async with http.get(sandbox.url(mime_path)) as response:
        reply = message_from_bytes(await response.read(), policy=default_policy)
    assert reply["In-Reply-To"] == original["internetMessageId"]
    assert "dmarc=fail" in str(reply["Authentication-Results"])
    assert received["text"].startswith("Yes\n\nOn ")
    assert "> May we record the meeting?" in received["text"]


async def test_a_new_email_from_the_form_reaches_the_consent_mailbox(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    subject = unique_subject("A question")
    page_url = sandbox.url(f"/sandbox/people/{quote(PARENT_CARER.address)}")
    html = await _get(http, page_url)
    (action,) = _form_actions(html, "/messages")
    shown = await _submit(
        http, sandbox.url(action), {"subject": subject, "text": "Can Dad come too?"}
    )
    assert _notice(shown) == f"Email sent to {CONSENT_MAILBOX.mail}."
    received = await message_with_subject(http, sandbox, CONSENT_MAILBOX.mail, subject)
    assert received["text"].strip() == "Can Dad come too?"


async def test_a_meeting_room_drives_the_live_meeting(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    meeting = await meeting_with_bot(graph, f"Annual review {HOSTILE}")
    assert meeting.id is not None
    room = f"/sandbox/meetings/{quote(meeting.id, safe='')}"
    closed = await _get(http, sandbox.url(room))
    assert "Open the meeting room" in closed
    assert HOSTILE not in closed

    shown = await _submit(http, sandbox.url(room), {})
    assert _notice(shown) == "The meeting room is open."
    assert "Recording allowed: no." in shown
    shown = await _submit(http, sandbox.url(f"{room}/start"), {})
    assert _notice(shown).startswith(f"The meeting started; {COORDINATOR.display_name} joined.")
    shown = await _submit(
        http, sandbox.url(f"{room}/participants"), {"anonymousName": "Nan <i>Brown</i>"}
    )
    assert _notice(shown).startswith("Nan <i>Brown</i> joined as ")
    assert "Nan &lt;i&gt;Brown&lt;/i&gt; (" in shown

    record = {"by": COORDINATOR.object_id, "action": "start"}
    shown = await _submit(http, sandbox.url(f"{room}/recording"), record)
    assert _notice(shown).startswith("Recording is turned off for this meeting")

    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    await meetings.by_online_meeting_id(meeting.id).patch(OnlineMeeting(allow_recording=True))
    shown = await _submit(http, sandbox.url(f"{room}/recording"), record)
    assert _notice(shown) == "Recording started."
    assert "Recording allowed: yes." in shown
    assert "Being recorded: yes." in shown
    assert f"{COORDINATOR.display_name} (Organizer, user): in the meeting, recording" in shown

    shown = await _submit(
        http,
        sandbox.url(f"{room}/files"),
        {"from": ADVISER.object_id, "name": "plan.txt", "content": "Draft", "text": "The plan"},
    )
    assert _notice(shown).startswith("Posted plan.txt in the chat. The bot: delivered")
    assert "The plan\nFile: plan.txt" in unescape(shown)

    shown = await _submit(http, sandbox.url(f"{room}/end"), {})
    assert _notice(shown).startswith("The meeting ended.")
    assert "Start the meeting" in shown


async def test_the_bots_cards_show_as_text(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    meeting = await meeting_with_bot(graph, "Cards as text")
    assert meeting.id is not None
    assert meeting.chat_info is not None
    sandbox.teams.create(meeting.id)
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "TextBlock", "text": "Recording consent"},
            {
                "type": "RichTextBlock",
                "inlines": [
                    {"type": "TextRun", "text": "Alex: "},
                    {"type": "TextRun", "text": f"yes {HOSTILE}"},
                ],
            },
        ],
        "actions": [{"type": "Action.Submit", "title": "Start recording"}],
    }
    activity = {
        "type": "message",
        "from": {"id": "28:bot", "name": "IASS companion"},
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
    conversation = sandbox.tenant.conversations.meeting_chat(meeting.chat_info.thread_id or "")
    sandbox.tenant.conversations.record(conversation, "from_bot", activity, sandbox.tenant.now())

    html = await _get(http, sandbox.url(f"/sandbox/meetings/{quote(meeting.id, safe='')}"))
    assert HOSTILE not in html
    shown = unescape(html)
    assert f"Card:\n  Recording consent\n  Alex: yes {HOSTILE}\n  [button] Start recording" in shown


async def test_the_organiser_changes_the_meeting_options_from_the_room_page(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    meeting = await meeting_with_bot(graph, "Meeting options")
    assert meeting.id is not None
    teams = sandbox.tenant.meetings.get(meeting.id)
    assert teams is not None
    room = f"/sandbox/meetings/{quote(meeting.id, safe='')}"
    shown = await _get(http, sandbox.url(room))
    assert "Meeting options" in shown
    assert f"As the organiser, {COORDINATOR.display_name}, changes them in Teams." in shown
    assert "name='allowRecording' value='yes'>" in shown, "recording is off: not ticked"
    assert "<option value='organizer' selected>Only the organiser (organizer)" in shown
    assert _form_actions(shown, "/options") == [f"{room}/options"]
    before = len(teams.allow_recording_changes)

    options = {
        "allowRecording": "yes",
        "recordAutomatically": "yes",
        "lobbyScope": "everyone",
        "allowedPresenters": "organization",
    }
    shown = await _submit(http, sandbox.url(f"{room}/options"), options)

    assert _notice(shown) == "The meeting options were saved."
    assert "name='allowRecording' value='yes' checked>" in shown
    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        True,
        False,
        True,
    )
    assert (teams.lobby_bypass_scope, teams.allowed_presenters) == ("everyone", "organization")
    assert [allowed for _, allowed in teams.allow_recording_changes[before:]] == [True]
    got = (
        await graph.users.by_user_id(COORDINATOR.object_id)
        .online_meetings.by_online_meeting_id(meeting.id)
        .get()
    )
    assert got is not None
    assert (got.allow_recording, got.record_automatically) == (True, True)

    refused = await _submit(
        http,
        sandbox.url(f"{room}/options"),
        {"lobbyScope": "nobody", "allowedPresenters": "organizer"},
    )
    assert _notice(refused).startswith(
        "Teams did not save the meeting options: Invalid value for 'scope'."
    )
    assert (teams.allow_recording, teams.allowed_presenters) == (True, "organization")
    assert [allowed for _, allowed in teams.allow_recording_changes[before:]] == [True]

    await _submit(
        http,
        sandbox.url(f"{room}/options"),
        {"lobbyScope": "organizer", "allowedPresenters": "organizer"},
    )
    assert (teams.allow_recording, teams.record_automatically) == (False, False)
    assert [allowed for _, allowed in teams.allow_recording_changes[before:]] == [True, False]
    opened = await _submit(http, sandbox.url(room), {})
    assert "Recording allowed: no." in opened
    assert _form_actions(opened, "/options") == [f"{room}/options"], "also in the open room"


def _cards_about(html: str, subject: str) -> list[tuple[str, str]]:
    """The inbox's message cards whose text names `subject`, newest first: (HTML, text)."""
    cards = re.findall(r"<li class='card'>(.*?)</li>", html, flags=re.DOTALL)
    texts = [(card, unescape(re.sub(r"<[^>]+>", " ", card))) for card in cards]
    return [(card, " ".join(text.split())) for card, text in texts if subject in text]


async def test_an_inbox_shows_a_meeting_invitation_with_its_join_link(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    subject = unique_subject(f"Review {HOSTILE}")
    events = graph.users.by_user_id(COORDINATOR.object_id).events
    created = await events.post(online_event(subject))
    assert created is not None
    assert created.id is not None
    event = sandbox.tenant.events.get(created.id)
    assert event is not None
    assert event.join_url is not None
    assert event.online_meeting_id is not None
    inbox = sandbox.url(f"/sandbox/people/{quote(PARENT_CARER.address)}")

    html = await _get(http, inbox)
    assert HOSTILE not in html
    ((card, text),) = _cards_about(html, subject)
    assert f"Meeting invitation : {subject}. Tue 6 Jul 2027, 10:00 to Tue 6 Jul 2027, 11:00" in text
    room = f"/sandbox/meetings/{quote(event.online_meeting_id, safe='')}"
    assert f"<a href='{room}'>Join the meeting now</a>" in card
    assert f"Teams join link: {event.join_url}" in text
    async with http.get(sandbox.url(room)) as opened:
        assert opened.status == 200
        assert "Open the meeting room" in await opened.text()

    await events.by_event_id(created.id).patch(Event(start=london(7, 14), end=london(7, 15)))
    await events.by_event_id(created.id).cancel.post(CancelPostRequestBody(comment="Not needed."))

    (_, cancelled), (_, updated), _ = _cards_about(await _get(http, inbox), subject)
    assert f"Updated meeting invitation (update 1) : {subject}. Wed 7 Jul 2027, 14:00" in updated
    assert "Join the meeting now" in updated
    assert f"Meeting cancelled : {subject}." in cancelled
    assert "Join the meeting now" not in cancelled
