"""Who the Teams driver's people are and the meeting chat they belong to: a person named by
`29:` id, object id, UPN or mail address (`TeamsAccounts.resolve`); whether they are a member
of a meeting's chat (the Graph chat made with the onlineMeeting: the organiser, the invitees,
and whoever has joined); and someone admitted joining it."""

from __future__ import annotations

from sandbox.chats import Chat, ChatMember
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.live_meetings import LiveMeeting
from sandbox.teams.meeting_outcomes import MeetingActionError
from sandbox.tenant import Tenant


def account_of(tenant: Tenant, who: str) -> TeamsAccount:
    try:
        return tenant.teams_accounts.resolve(who)
    except LookupError as error:
        raise MeetingActionError(404, "Nobody known goes by that id or address.") from error


def chat_member(tenant: Tenant, meeting: LiveMeeting, who: str) -> TeamsAccount:
    attendance = meeting.participant(who)
    if attendance is not None:
        return attendance.account
    account = account_of(tenant, who)
    address = who if "@" in who else None
    keys = {k.lower() for k in (account.aad_object_id, account.email, address) if k}
    chat = graph_chat(tenant, meeting)
    if not any((m.user_id or m.email).lower() in keys for m in chat.members):
        raise MeetingActionError(403, "That person is not a member of the meeting chat.")
    return account


def graph_chat(tenant: Tenant, meeting: LiveMeeting) -> Chat:
    chat = tenant.chats.get(meeting.thread_id)
    if chat is None:
        raise MeetingActionError(404, "The meeting has no chat.")
    return chat


def join_chat(
    tenant: Tenant, meeting: LiveMeeting, account: TeamsAccount, address: str | None
) -> None:
    chat = graph_chat(tenant, meeting)
    email = account.email or address or ""
    keys = {k.lower() for k in (account.aad_object_id, email) if k}
    if not any((m.user_id or m.email).lower() in keys for m in chat.members):
        chat.members.append(ChatMember(account.aad_object_id, account.name, email))
