"""Guarding documents in a meeting's chat: files people post, and staff's `share <title>`.

Policy: staff "will request consent from service-users prior to the meeting before sharing any
documents at virtual meetings". A file posted in the chat (by anyone) is matched to the
meeting's proposed documents and put to the share gate. Permitted: it stays shared and the chat
hears so. Otherwise its sharing is revoked through Graph and the chat is told it was not
shared, and why, naming no one. If revoking fails the chat is told staff must remove it and
the meeting needs attention: the bot never says a refused file is fine. A file in a chat of no
meeting the store knows is refused too. When the service user's individual needs say they join
by phone (they cannot see the chat), what the chat is told, and the answer to `share`, is also
said aloud in the call (`phone_notices`; best effort, the chat is told all the same).

Of each file only its drive item id and its name (encrypted) are kept, with the decision; the
messages themselves are never kept. Every decision is audited, traced and counted
(`bot/instruments.py`) with ids and codes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot import instruments
from bot.announcement.document_replies import (
    LinkToShare,
    file_acknowledged_text,
    file_not_withdrawn_notice,
    file_refused_notice,
    share_link_text,
    share_refused_text,
    share_spoken_text,
)
from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.document_match import (
    NO_MATCH,
    CandidateDocument,
    DocumentMatch,
    FileSeen,
    match_posted_file,
    match_title,
    share_verdicts,
)
from bot.policy.share_refusal import refusal_reason
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.files import DriveItemRef, FileSharing, SharingPermission, UnexpectedDriveItem
from bot.services.live_meeting import (
    CallVoice,
    DocumentEvents,
    MeetingChat,
    PostedFile,
    TeamsPerson,
)
from bot.services.phone_notices import say_for_phone
from consent_store.audit import AuditEvent
from consent_store.needs import needs_of
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import MeetingFacts, Topic

ATTENTION: Final = "chat_file_not_withdrawn"
FILE_FAILURES: Final = (*GRAPH_FAILURES, UnexpectedDriveItem)
UNKNOWN_MEETING: Final = Blocker(BlockerCode.NOT_LISTED, Topic.DOCUMENTS)


@dataclass(frozen=True, slots=True)
class _Meeting:
    """What a decision needs about the chat's meeting."""

    id: str
    facts: MeetingFacts
    documents: tuple[CandidateDocument, ...]
    joins_by_phone: bool = False


@dataclass(frozen=True, slots=True)
class _Decision:
    """The gate's answer on what a file or request matched."""

    match: DocumentMatch
    blockers: tuple[Blocker, ...]

    @property
    def permitted(self) -> bool:
        return not self.blockers

    @property
    def codes(self) -> list[str]:
        return sorted({blocker.code.value for blocker in self.blockers})

    @property
    def document_id(self) -> str | None:
        return self.match.document_ids[0] if self.match.document_ids else None


@dataclass(frozen=True, slots=True)
class _Located:
    """A posted file's drive item and its permissions, or why they could not be read."""

    item: DriveItemRef | None
    permissions: tuple[SharingPermission, ...]
    error: str | None


async def _candidates(uow: UnitOfWork, meeting_id: str) -> tuple[CandidateDocument, ...]:
    candidates = []
    for row in await uow.meetings.documents(meeting_id):
        title = uow.decrypt(row.title_enc, "documents", "title", row.id)
        url = uow.decrypt(row.url_enc, "documents", "url", row.id)
        if title is not None and url is not None:
            candidates.append(CandidateDocument(row.id, title, url))
    return tuple(candidates)


def _decide(meeting: _Meeting | None, match: DocumentMatch) -> _Decision:
    """The gate on every matched document; a chat of no known meeting has nothing proposed."""
    with instruments.gate_evaluation("share", meeting.id if meeting else None) as gate:
        if meeting is None:
            decision = _Decision(NO_MATCH, (UNKNOWN_MEETING,))
        else:
            verdicts = share_verdicts(meeting.facts, match)
            decision = _Decision(match, tuple(b for verdict in verdicts for b in verdict.blockers))
        gate.decided(decision.codes, document_id=decision.document_id)
    return decision


class DocumentGuard(DocumentEvents):
    """`DocumentEvents` for the bot's Teams endpoint: the share gate applied in the chat."""

    def __init__(
        self,
        store: Store,
        files: FileSharing,
        chat: MeetingChat,
        voice: CallVoice | None = None,
    ) -> None:
        self._store = store
        self._files = files
        self._chat = chat
        self._voice = voice

    async def _meeting(self, thread_id: str) -> _Meeting | None:
        async with self._store.reading() as uow:
            row = await uow.meetings.by_chat_thread(thread_id)
            if row is None:
                return None
            return _Meeting(
                row.id,
                await uow.meetings.facts(row.id, present=()),
                await _candidates(uow, row.id),
                needs_of(uow, row).joins_by_phone,
            )

    async def _locate(self, file: PostedFile) -> _Located:
        try:
            item = await self._files.locate(file.content_url)
            return _Located(item, await self._files.permissions(item), None)
        except FILE_FAILURES as error:
            return _Located(None, (), type(error).__name__)

    async def _withdraw(self, located: _Located) -> tuple[int, str | None]:
        """Revoke every sharing permission; how many were revoked, and the failure if any."""
        if located.item is None:
            return 0, located.error
        revoked = 0
        for permission in located.permissions:
            if not permission.removable:
                continue
            try:
                await self._files.revoke(located.item, permission.id)
            except GRAPH_FAILURES as error:
                return revoked, type(error).__name__
            revoked += 1
        return revoked, None

    async def file_posted(self, thread_id: str, poster: TeamsPerson, file: PostedFile) -> None:
        """Keep the file shared if the gate permits it; otherwise revoke its sharing."""
        meeting = await self._meeting(thread_id)
        located = await self._locate(file)
        item_url = located.item.web_url if located.item is not None else None
        addresses = (
            file.content_url,
            *((item_url,) if item_url else ()),
            *(p.link_url for p in located.permissions if p.link_url),
        )
        documents = meeting.documents if meeting is not None else ()
        decision = _decide(meeting, match_posted_file(FileSeen(file.name, addresses), documents))
        if decision.permitted:
            await self._record(meeting, file, located, decision, "shared", {})
            await self._say_for_phone(meeting, file_acknowledged_text(), "file_kept")
            await self._chat.post(thread_id, file_acknowledged_text())
            return
        revoked, failure = await self._withdraw(located)
        if failure is None:
            await self._record(meeting, file, located, decision, "revoked", {"revoked": revoked})
            notice, name = file_refused_notice(), "file_refused"
        else:
            await self._record(
                meeting, file, located, decision, "not_withdrawn", {"error": failure}
            )
            notice, name = file_not_withdrawn_notice(), "file_not_withdrawn"
        await self._say_for_phone(meeting, notice.text, name)
        await self._chat.post(thread_id, notice.text, notice.card.content)

    async def _say_for_phone(self, meeting: _Meeting | None, text: str, notice: str) -> None:
        """Say `text` in the call as well, when the service user joins by phone (best effort:
        the chat is told all the same)."""
        if meeting is not None and meeting.joins_by_phone:
            await say_for_phone(self._voice, meeting.id, text, notice=notice)

    async def _record(
        self,
        meeting: _Meeting | None,
        file: PostedFile,
        located: _Located,
        decision: _Decision,
        outcome: str,
        extra: dict[str, str | int],
    ) -> None:
        detail: dict[str, str | int | bool | list[str] | None] = {
            "outcome": outcome,
            "basis": decision.match.basis.value,
            "blockers": decision.codes,
            "known_meeting": meeting is not None,
            **extra,
        }
        async with self._store.unit_of_work() as uow:
            if meeting is not None:
                shared_file_id = await uow.meetings.add_shared_file(
                    meeting.id,
                    located.item.item_id if located.item else file.unique_id,
                    file.name,
                    decision.document_id,
                    outcome,
                )
                detail["shared_file"] = shared_file_id
                if outcome == "not_withdrawn":
                    (await uow.meetings.get(meeting.id)).needs_attention = ATTENTION
                    await uow.audit(
                        AuditEvent(
                            "meeting.needs_attention",
                            meeting_id=meeting.id,
                            detail={"reason": ATTENTION},
                        )
                    )
            await uow.audit(
                AuditEvent(
                    "document.shared" if decision.permitted else "document.refused",
                    meeting_id=meeting.id if meeting is not None else None,
                    subject_id=decision.document_id,
                    detail=detail,
                )
            )
            await uow.commit()

    async def share_requested(self, thread_id: str, requester: TeamsPerson, wanted: str) -> str:
        """The link to the documents titled `wanted` if all may be shared, or why not."""
        meeting = await self._meeting(thread_id)
        documents = meeting.documents if meeting is not None else ()
        match = match_title(wanted, documents)
        decision = _decide(meeting, match)
        async with self._store.unit_of_work() as uow:
            await uow.audit(
                AuditEvent(
                    "document.share_sent" if decision.permitted else "document.share_refused",
                    actor=requester.object_id or "system",
                    meeting_id=meeting.id if meeting is not None else None,
                    subject_id=decision.document_id,
                    detail={
                        "basis": match.basis.value,
                        "documents": len(match.document_ids),
                        "blockers": decision.codes,
                        "known_meeting": meeting is not None,
                    },
                )
            )
            await uow.commit()
        reason = refusal_reason(decision.blockers)
        await self._say_for_phone(meeting, share_spoken_text(reason), "share")
        if reason is not None:
            return share_refused_text(reason)
        return share_link_text(
            [LinkToShare(d.title, d.url) for d in documents if d.id in match.document_ids]
        )
