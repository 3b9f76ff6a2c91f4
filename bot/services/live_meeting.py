"""What the bot's Teams endpoints and the in-meeting use cases say to each other.

The Agents SDK side (`bot/agent/`) turns Teams activities into calls on `MeetingEvents` and
`DocumentEvents`, and offers `MeetingChat` for saying things in a meeting. The calling side
(`bot/calling/`) turns Graph comms notifications into `CallEvents` and offers `CallVoice` for
speaking in the bot's call. The use cases in `bot/services/` (opening the meeting, guarding
recording, guarding documents) implement the events and use the chat and the voice. Neither
side imports the other; the composition root connects them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class TeamsPerson:
    """Someone in a meeting as Teams describes them. `teams_id` is the bot's pairwise `29:`
    id; `object_id` is their Entra object id, absent for people who join anonymously (invited
    outside people join this way too, known only by `display_name`)."""

    teams_id: str
    display_name: str
    object_id: str | None = None


@dataclass(frozen=True, slots=True)
class PostedFile:
    """A file someone posted in a meeting's chat: `content_url` is the driveItem's `webUrl`
    (usable with `/shares/u!…/driveItem`), `unique_id` its drive item id."""

    name: str
    content_url: str
    unique_id: str
    file_type: str


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One participant of the bot's call as a roster notification lists them. `object_id` is
    absent for guests (anonymous joiners); `recording` is true when their
    `recordingInfo.recordingStatus` is `recording`."""

    participant_id: str
    display_name: str
    object_id: str | None
    recording: bool


class MeetingChat(Protocol):
    """Saying things in a meeting's chat, addressed by the chat's thread id."""

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        """Post `text` to everyone in the chat, as an Adaptive Card when `card` is given."""

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        """A targeted in-meeting notification to the staff with these Entra object ids."""


class MeetingEvents(Protocol):
    """What happens in a meeting, as Teams tells the bot."""

    async def meeting_started(self, thread_id: str) -> None: ...

    async def meeting_ended(self, thread_id: str) -> None: ...

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None: ...

    async def participant_left(self, thread_id: str, person: TeamsPerson) -> None: ...


class DocumentEvents(Protocol):
    """Files and share requests in a meeting's chat."""

    async def file_posted(self, thread_id: str, poster: TeamsPerson, file: PostedFile) -> None:
        """Decide about a file someone posted: keep it shared, or revoke its sharing."""

    async def share_requested(self, thread_id: str, requester: TeamsPerson, wanted: str) -> str:
        """Staff asked `share <wanted>`: the reply to post (the link, or why not)."""


class ObjectionSource(StrEnum):
    """How someone objected to recording in a meeting: words in its chat, or the opening
    card's button."""

    CHAT = "chat"
    CARD = "card"


class ChatWordsEvents(Protocol):
    """Words written to the bot in a meeting's chat that are not staff commands."""

    async def objected(self, thread_id: str, person: TeamsPerson, source: ObjectionSource) -> str:
        """Someone objected to recording: switch it off for the rest of the meeting and
        record a refusal; the reply to post."""

    async def asked(self, thread_id: str) -> str:
        """Someone wrote other words to the bot: pass them to staff; the reply to post."""


class CallEvents(Protocol):
    """What the bot's call into a meeting reports (after duplicates are dropped)."""

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None: ...

    async def roster_unchecked(self, meeting_id: str) -> None:
        """A roster arrived that cannot be put to the gate (the store is down)."""


class CallVoice(Protocol):
    """Speaking in the bot's call into a meeting."""

    async def say(self, meeting_id: str, text: str) -> None:
        """Play `text` as speech in the meeting's call, if the bot is in it."""
