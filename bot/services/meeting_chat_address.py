"""Where a meeting's chat is reached: the Bot Connector `serviceUrl` Teams last sent an
activity from that chat with, kept on the meeting so the bot can post there unprompted."""

from __future__ import annotations

from yarl import URL

from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store


async def remember_service_url(store: Store, thread_id: str, service_url: str) -> bool:
    """Keep `service_url` on the meeting whose chat this is; True if it changed. A chat of no
    meeting of ours is ignored."""
    async with store.reading() as uow:
        meeting = await uow.meetings.by_chat_thread(thread_id)
        if meeting is None or meeting.teams_service_url == service_url:
            return False
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.by_chat_thread(thread_id)
        if meeting is None or meeting.teams_service_url == service_url:
            return False
        meeting.teams_service_url = service_url
        await uow.audit(
            AuditEvent(
                "teams.service_url_changed",
                actor="system",
                meeting_id=meeting.id,
                detail={"host": URL(service_url).host or ""},
            )
        )
        await uow.commit()
    return True


async def service_url_of(store: Store, thread_id: str) -> str | None:
    """The service URL kept for this chat's meeting, if any."""
    async with store.reading() as uow:
        meeting = await uow.meetings.by_chat_thread(thread_id)
        return meeting.teams_service_url if meeting is not None else None
