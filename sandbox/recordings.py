"""Recordings and transcripts Teams made of meetings (Graph's callRecording and callTranscript).

A recording is made when someone recording a meeting stops (or leaves, or the meeting ends):
it runs from when they started to then. Like Teams' "Record and transcribe", a transcript of
the same span is made with it when the meeting allowed transcription when the recording
began. Listeners (the change notifier) hear of each one as it is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sandbox.graph_time import graph_datetime
from sandbox.ids import new_guid

ArtefactKind = Literal["recording", "transcript"]
SEGMENT = {"recording": "recordings", "transcript": "transcripts"}
ODATA_TYPE = {
    "recording": "#Microsoft.Graph.callRecording",
    "transcript": "#Microsoft.Graph.callTranscript",
}


@dataclass(frozen=True)
class MeetingArtefact:
    kind: ArtefactKind
    id: str
    meeting_id: str
    organizer_id: str
    tenant_id: str
    call_id: str
    content_correlation_id: str
    created_at: datetime
    ended_at: datetime

    @property
    def resource(self) -> str:
        """How a change notification names it (Microsoft's documented form)."""
        return (
            f"communications/onlineMeetings('{self.meeting_id}')/{SEGMENT[self.kind]}('{self.id}')"
        )

    def graph_resource(self, base: str) -> dict[str, Any]:
        """The callRecording or callTranscript as Graph returns it; `base` is the Graph
        root the content URL is under."""
        meeting = f"{base}/users/{self.organizer_id}/onlineMeetings/{self.meeting_id}"
        content = f"{meeting}/{SEGMENT[self.kind]}/{self.id}/content"
        body: dict[str, Any] = {
            "id": self.id,
            "meetingId": self.meeting_id,
            "callId": self.call_id,
            "contentCorrelationId": self.content_correlation_id,
            "createdDateTime": graph_datetime(self.created_at),
            "endDateTime": graph_datetime(self.ended_at),
            "meetingOrganizer": {
                "application": None,
                "device": None,
                "user": {
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                    "id": self.organizer_id,
                    "displayName": None,
                    "userIdentityType": "aadUser",
                    "tenantId": self.tenant_id,
                },
            },
        }
        if self.kind == "recording":
            body["recordingContentUrl"] = content
        else:
            body["transcriptContentUrl"] = content
        return body


class ArtefactStore:
    def __init__(self) -> None:
        self._artefacts: list[MeetingArtefact] = []
        self._listeners: list[Callable[[MeetingArtefact], None]] = []

    def add_listener(self, listener: Callable[[MeetingArtefact], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[MeetingArtefact], None]) -> None:
        self._listeners.remove(listener)

    def made(
        self,
        *,
        meeting_id: str,
        organizer_id: str,
        tenant_id: str,
        call_id: str,
        started_at: datetime,
        ended_at: datetime,
        transcribed: bool,
    ) -> list[MeetingArtefact]:
        """A recording (and its transcript, when `transcribed`) of `started_at`..`ended_at`."""
        correlation = new_guid()
        kinds: tuple[ArtefactKind, ...] = (
            ("recording", "transcript") if transcribed else ("recording",)
        )
        made = [
            MeetingArtefact(
                kind=kind,
                id=new_guid(),
                meeting_id=meeting_id,
                organizer_id=organizer_id,
                tenant_id=tenant_id,
                call_id=call_id,
                content_correlation_id=correlation,
                created_at=started_at,
                ended_at=ended_at,
            )
            for kind in kinds
        ]
        self._artefacts.extend(made)
        for artefact in made:
            for listener in list(self._listeners):
                listener(artefact)
        return made

    def of_meeting(self, meeting_id: str, kind: ArtefactKind) -> list[MeetingArtefact]:
        return [a for a in self._artefacts if a.meeting_id == meeting_id and a.kind == kind]

    def get(self, meeting_id: str, kind: ArtefactKind, artefact_id: str) -> MeetingArtefact | None:
        return next((a for a in self.of_meeting(meeting_id, kind) if a.id == artefact_id), None)
