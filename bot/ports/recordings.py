"""Recordings and transcripts Teams made of a meeting (ids and times only, never the content),
and who holds an app role, for the recording backstop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.policy.recording_backstop import ArtefactKind


@dataclass(frozen=True, slots=True)
class NotifiedArtefact:
    """What a notification names: the meeting's Teams id, the kind, the artefact's id."""

    meeting_id: str
    kind: ArtefactKind
    graph_id: str


@dataclass(frozen=True, slots=True)
class ListedArtefact:
    """A recording or transcript as Graph lists it: ids and times only."""

    kind: ArtefactKind
    graph_id: str
    created_at: datetime | None
    ended_at: datetime | None


class ArtefactSource(Protocol):
    """Graph's recordings and transcripts of a meeting, and who holds an app role."""

    async def artefacts(self, organiser_id: str, meeting_id: str) -> list[ListedArtefact]: ...

    async def artefact(
        self, organiser_id: str, meeting_id: str, kind: ArtefactKind, artefact_id: str
    ) -> ListedArtefact | None: ...

    async def holders_of(self, role: str) -> list[str]: ...
