"""Documents in the meeting chat, against the sandbox tenant with the real msgraph-sdk (both
engines): a file nobody agreed to is withdrawn from the chat and the chat is told why; an agreed
proposed document stays shared; `share <title>` posts an agreed document's link and refuses
any other; a withdrawal Graph refuses leaves the meeting needing attention."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.files import ChatFiles
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.mailbox.reader import MailboxReader
from bot.services import phone_notices
from bot.services.document_guard import DocumentGuard
from bot.services.live_meeting import DocumentEvents, PostedFile, TeamsPerson
from bot.services.scheduling import open_teams_meeting, schedule_meeting
from consent_store.needs import record_needs
from consent_store.records import IndividualNeeds, NewDocument
from consent_store.tables import AuditEntryRow, SharedFileRow
from consent_store.unit_of_work import Store
from sandbox.files import DriveItem, Grantee
from sandbox.seed import ADVISER, BOT_CATALOG_APP_ID, COORDINATOR, PARENT_CARER
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, parent_and_school_meeting

REPORT_URL = "https://example.org/reports/school-report.docx"
POSTER = TeamsPerson("29:poster", COORDINATOR.display_name, COORDINATOR.object_id)
STAFF = TeamsPerson("29:staff", ADVISER.display_name, ADVISER.object_id)


@dataclass
class ChatDouble:
    """The meeting chat as the Teams endpoint offers it: what the bot posted, in order."""

    posts: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        self.posts.append((thread_id, text, card))

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        raise AssertionError("documents are never the subject of a private notice")


@dataclass
class Meeting:
    id: str
    reference: str
    thread_id: str


@dataclass
class Scene:
    store: Store
    sandbox: RunningSandbox
    chat: ChatDouble
    guard: DocumentEvents
    meetings: OnlineMeetings
    people: People
    mailbox: ConsentMailbox
    service: ServiceProfile

    async def schedule(self, documents: tuple[NewDocument, ...]) -> Meeting:
        scheduled = await schedule_meeting(
            self.store,
            self.meetings,
            self.mailbox,
            self.service,
            parent_and_school_meeting(datetime.now(UTC) + timedelta(days=2), documents),
            COORDINATOR.display_name,
        )
        async with self.store.reading() as uow:
            thread_id = (await uow.meetings.get(scheduled.meeting_id)).teams_chat_thread_id
        assert thread_id is not None
        return Meeting(scheduled.meeting_id, scheduled.reference, thread_id)

    async def parent_agrees(self, meeting: Meeting) -> None:
        await self.people.reply(PARENT_CARER.address, meeting.reference, "Yes to all of it.")
        await MailboxReader(self.store, self.mailbox, self.service).catch_up()

    def chat_members(self, thread_id: str) -> list[Grantee]:
        chat = self.sandbox.tenant.chats.get(thread_id)
        assert chat is not None
        return [Grantee(m.user_id, m.display_name, m.email) for m in chat.members]

    def upload(self, name: str, members: Sequence[Grantee]) -> DriveItem:
        """A file the co-ordinator shares with `members` from their OneDrive."""
        owner = self.sandbox.tenant.directory.user_by_object_id(COORDINATOR.object_id)
        assert owner is not None
        return self.sandbox.tenant.files.share_in_chat(
            owner, name, b"content", "application/octet-stream", members, datetime.now(UTC)
        )

    async def post(self, thread_id: str, item: DriveItem, name: str | None = None) -> None:
        """The file posted in the chat, as the Teams endpoint hands it to the guard."""
        shown = name or item.name
        file = PostedFile(shown, item.web_url, item.etag_guid.upper(), shown.rsplit(".")[-1])
        await self.guard.file_posted(thread_id, POSTER, file)

    async def shared_files(self, meeting: Meeting) -> list[tuple[str, str | None, str, str]]:
        """Each recorded file: outcome, matched document, drive item id, name."""
        async with self.store.reading() as uow:
            rows = await uow.session.scalars(
                select(SharedFileRow).where(SharedFileRow.meeting_id == meeting.id)
            )
            return [
                (
                    row.outcome,
                    row.document_id,
                    row.drive_item_id,
                    uow.decrypt(row.name_enc, "shared_files", "name", row.id) or "",
                )
                for row in rows
            ]

    async def audited(self, action_prefix: str) -> list[AuditEntryRow]:
        async with self.store.reading() as uow:
            return list(
                await uow.session.scalars(
                    select(AuditEntryRow)
                    .where(AuditEntryRow.action.startswith(action_prefix))
                    .order_by(AuditEntryRow.seq)
                )
            )


@pytest.fixture
def scene(
    store: Store,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    people: People,
    tenant_sandbox: RunningSandbox,
    env_without_iass: Path,
) -> Scene:
    clock.now = datetime.now(UTC)
    chat = ChatDouble()
    return Scene(
        store=store,
        sandbox=tenant_sandbox,
        chat=chat,
        guard=DocumentGuard(store, ChatFiles(mailbox.graph), chat),
        meetings=OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url),
        people=people,
        mailbox=mailbox,
        service=ServiceProfile(),
    )


def card_heading(card: dict[str, Any] | None) -> str:
    assert card is not None
    heading: str = card["body"][0]["inlines"][-1]["text"]
    return heading


def detail(entry: AuditEntryRow) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(entry.detail)
    return details


def readers(item: DriveItem) -> set[str]:
    """Who, besides its owner, can open the file."""
    return {g.display_name for p in item.permissions if not p.inherited for g in p.granted_to}


async def test_a_file_nobody_agreed_to_is_withdrawn_and_the_chat_told_why(scene: Scene) -> None:
    meeting = await scene.schedule((NewDocument("School report", REPORT_URL),))
    await scene.parent_agrees(meeting)
    letter = scene.upload("Medical letter.docx", scene.chat_members(meeting.thread_id))
    assert PARENT_CARER.display_name in readers(letter)

    await scene.post(meeting.thread_id, letter)

    assert readers(letter) == set()
    assert scene.sandbox.tenant.files.item_at_url(letter.web_url) is letter
    assert [p.roles for p in letter.permissions] == [("owner",)]
    ((thread_id, text, card),) = scene.chat.posts
    assert thread_id == meeting.thread_id
    assert text == (
        "That file was not shared: sharing it in this meeting was not agreed by email before "
        "the meeting."
    )
    assert card_heading(card) == "File not shared"
    assert "Medical letter" not in str(card)
    assert await scene.shared_files(meeting) == [
        ("revoked", None, letter.id, "Medical letter.docx")
    ]
    (refused,) = await scene.audited("document.")
    assert (refused.action, refused.meeting_id, refused.subject_id) == (
        "document.refused",
        meeting.id,
        None,
    )
    assert detail(refused) == {
        "outcome": "revoked",
        "basis": "none",
        "blockers": ["not_asked_about_document", "not_listed"],
        "known_meeting": True,
        "revoked": 1,
        "shared_file": detail(refused)["shared_file"],
    }


async def test_a_proposed_document_before_agreement_is_withdrawn(scene: Scene) -> None:
    meeting = await scene.schedule((NewDocument("School report", REPORT_URL),))
    report = scene.upload("school report.DOCX", scene.chat_members(meeting.thread_id))

    await scene.post(meeting.thread_id, report)

    assert readers(report) == set()
    assert card_heading(scene.chat.posts[0][2]) == "File not shared"
    ((outcome, document_id, _, _),) = await scene.shared_files(meeting)
    assert outcome == "revoked"
    assert document_id is not None
    (refused,) = await scene.audited("document.")
    assert (detail(refused)["basis"], detail(refused)["blockers"]) == ("name", ["no_reply"])


async def test_an_agreed_document_stays_shared_and_is_acknowledged(scene: Scene) -> None:
    members = [Grantee(None, PARENT_CARER.display_name, PARENT_CARER.address)]
    plan = scene.upload("Draft EHCP.docx", members)
    link = next(p.link_url for p in plan.permissions if p.link_url)
    assert link is not None
    meeting = await scene.schedule(
        (NewDocument("School report", REPORT_URL), NewDocument("Draft plan", link))
    )
    await scene.parent_agrees(meeting)
    report = scene.upload("School Report.docx", scene.chat_members(meeting.thread_id))

    await scene.post(meeting.thread_id, plan, name="EHCP copy.docx")
    await scene.post(meeting.thread_id, report)

    assert readers(plan) == {PARENT_CARER.display_name}
    assert PARENT_CARER.display_name in readers(report)
    acknowledgement = (
        "This file can stay shared: it was proposed before the meeting, and the people it "
        "concerns agreed by email, before the meeting, to it being shared."
    )
    assert [(text, card) for _, text, card in scene.chat.posts] == [(acknowledgement, None)] * 2
    assert [(outcome, item) for outcome, _, item, _ in await scene.shared_files(meeting)] == [
        ("shared", plan.id),
        ("shared", report.id),
    ]
    shared = await scene.audited("document.")
    assert [(e.action, detail(e)["basis"], detail(e)["blockers"]) for e in shared] == [
        ("document.shared", "link", []),
        ("document.shared", "name", []),
    ]


async def test_share_posts_an_agreed_documents_link_and_refuses_others(scene: Scene) -> None:
    meeting = await scene.schedule((NewDocument("School report", REPORT_URL),))

    before = await scene.guard.share_requested(meeting.thread_id, STAFF, "school report")
    assert before == (
        "That cannot be shared: the people it concerns have not agreed by email, before the "
        "meeting, to it being shared."
    )
    await scene.parent_agrees(meeting)
    after = await scene.guard.share_requested(meeting.thread_id, STAFF, "School Report")
    unknown = await scene.guard.share_requested(meeting.thread_id, STAFF, "Medical letter")

    assert after == (
        f"Shared with the agreement of the people it concerns: School report {REPORT_URL}"
    )
    assert unknown == (
        "That cannot be shared: it is not one of the documents proposed for sharing before "
        "this meeting."
    )
    audited = await scene.audited("document.share")
    assert [(e.action, e.actor, e.meeting_id) for e in audited] == [
        ("document.share_refused", ADVISER.object_id, meeting.id),
        ("document.share_sent", ADVISER.object_id, meeting.id),
        ("document.share_refused", ADVISER.object_id, meeting.id),
    ]
    assert [detail(e)["blockers"] for e in audited] == [
        ["no_reply"],
        [],
        ["not_asked_about_document", "not_listed"],
    ]
    assert all("report" not in e.detail.lower() for e in audited)


async def test_a_withdrawal_graph_refuses_leaves_the_meeting_needing_attention(
    scene: Scene,
) -> None:
    meeting = await scene.schedule((NewDocument("School report", REPORT_URL),))
    letter = scene.upload("Medical letter.docx", scene.chat_members(meeting.thread_id))
    scene.sandbox.tenant.faults.fail(status=500, method="DELETE", path_contains="/permissions/")

    await scene.post(meeting.thread_id, letter)

    assert PARENT_CARER.display_name in readers(letter)
    ((_, text, card),) = scene.chat.posts
    assert text == (
        "That file may not be shared in this meeting, and it could not be withdrawn "
        "automatically. Staff: please remove it from the chat now."
    )
    assert card_heading(card) == "File could not be withdrawn"
    async with scene.store.reading() as uow:
        assert (await uow.meetings.get(meeting.id)).needs_attention == "chat_file_not_withdrawn"
    assert [(o, item) for o, _, item, _ in await scene.shared_files(meeting)] == [
        ("not_withdrawn", letter.id)
    ]
    attention = await scene.audited("meeting.needs_attention")
    assert [detail(e) for e in attention] == [{"reason": "chat_file_not_withdrawn"}]
    (refused,) = await scene.audited("document.")
    assert (detail(refused)["outcome"], detail(refused)["error"]) == ("not_withdrawn", "ODataError")


async def test_a_file_in_the_chat_of_an_unknown_meeting_is_withdrawn(scene: Scene) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    _, teams = await open_teams_meeting(
        scene.meetings,
        COORDINATOR.object_id,
        "Not ours",
        "",
        (start, start + timedelta(hours=1)),
        (),
    )
    letter = scene.upload("Notes.docx", [Grantee(None, "Someone", "someone@example.org")])

    await scene.post(teams.chat_thread_id, letter)

    assert readers(letter) == set()
    assert card_heading(scene.chat.posts[0][2]) == "File not shared"
    (refused,) = await scene.audited("document.")
    assert (refused.action, refused.meeting_id) == ("document.refused", None)
    assert detail(refused)["known_meeting"] is False


async def test_a_file_graph_cannot_find_is_not_called_fine(scene: Scene) -> None:
    meeting = await scene.schedule((NewDocument("School report", REPORT_URL),))
    letter = scene.upload("Medical letter.docx", scene.chat_members(meeting.thread_id))
    scene.sandbox.tenant.faults.fail(status=500, method="GET", path_contains="/shares/")

    await scene.post(meeting.thread_id, letter)

    assert PARENT_CARER.display_name in readers(letter)
    assert card_heading(scene.chat.posts[0][2]) == "File could not be withdrawn"
    async with scene.store.reading() as uow:
        assert (await uow.meetings.get(meeting.id)).needs_attention == "chat_file_not_withdrawn"
    assert [(o, item) for o, _, item, _ in await scene.shared_files(meeting)] == [
        ("not_withdrawn", letter.etag_guid.upper())
    ]


@dataclass
class VoiceDouble:
    """The bot's voice in the call: what it said, by meeting."""

    said: list[tuple[str, str]] = field(default_factory=list)

    async def say(self, meeting_id: str, text: str) -> None:
        self.said.append((meeting_id, text))


async def test_a_refusal_is_said_aloud_when_the_service_user_joins_by_phone(
    scene: Scene,
) -> None:
    """Issue 18, part 5: someone joining by phone cannot see the chat, so what it is told about
    a file is said in the call too; without that need, the chat alone is told."""
    voice = VoiceDouble()
    guard = DocumentGuard(scene.store, ChatFiles(scene.mailbox.graph), scene.chat, voice)
    by_phone = await scene.schedule(())
    online = await scene.schedule(())
    async with scene.store.unit_of_work() as uow:
        record_needs(uow, await uow.meetings.get(by_phone.id), IndividualNeeds(joins_by_phone=True))
        await uow.commit()

    for meeting in (by_phone, online):
        letter = scene.upload("Medical letter.docx", scene.chat_members(meeting.thread_id))
        file = PostedFile(letter.name, letter.web_url, letter.etag_guid.upper(), "docx")
        await guard.file_posted(meeting.thread_id, POSTER, file)

    assert voice.said == [
        (
            by_phone.id,
            "That file was not shared: sharing it in this meeting was not agreed by email before"
            " the meeting.",
        )
    ]
    assert [thread for thread, _, _ in scene.chat.posts] == [by_phone.thread_id, online.thread_id]


@dataclass
class FailingVoice:
    """A voice whose store cannot be reached: nothing can be said."""

    async def say(self, meeting_id: str, text: str) -> None:
        raise OSError("the store is down")


async def test_the_answer_to_share_is_said_aloud_and_a_voice_that_fails_still_tells_the_chat(
    scene: Scene,
) -> None:
    """Issue 18, part 5: the answer to staff's `share` is said in the call for someone who joins
    by phone, naming no document; speaking is best effort, so a voice that fails leaves the
    file withdrawn and the chat told, and the failure is counted."""
    voice = VoiceDouble()
    by_phone = await scene.schedule((NewDocument("School report", REPORT_URL),))
    async with scene.store.unit_of_work() as uow:
        record_needs(uow, await uow.meetings.get(by_phone.id), IndividualNeeds(joins_by_phone=True))
        await uow.commit()
    guard = DocumentGuard(scene.store, ChatFiles(scene.mailbox.graph), scene.chat, voice)

    refused = await guard.share_requested(by_phone.thread_id, STAFF, "school report")
    await scene.parent_agrees(by_phone)
    shared = await guard.share_requested(by_phone.thread_id, STAFF, "school report")

    assert refused.startswith("That cannot be shared")
    assert REPORT_URL in shared
    assert voice.said == [
        (
            by_phone.id,
            "Staff asked to share a document, but it cannot be shared. The people it concerns"
            " have not agreed to it by email before the meeting.",
        ),
        (
            by_phone.id,
            "Staff have shared a document in the meeting chat. The people it concerns agreed to"
            " this by email before the meeting.",
        ),
    ]

    failing = DocumentGuard(scene.store, ChatFiles(scene.mailbox.graph), scene.chat, FailingVoice())
    before = phone_notices.counts["file_refused.not_said"]
    letter = scene.upload("Medical letter.docx", scene.chat_members(by_phone.thread_id))
    file = PostedFile(letter.name, letter.web_url, letter.etag_guid.upper(), "docx")
    await failing.file_posted(by_phone.thread_id, POSTER, file)

    assert [card_heading(card) for _, _, card in scene.chat.posts] == ["File not shared"]
    assert readers(letter) == set()
    assert phone_notices.counts["file_refused.not_said"] == before + 1
