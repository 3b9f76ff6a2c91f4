"""Recordings and transcripts of Teams meetings through Graph, for the recording backstop.

- List a meeting's recordings and transcripts, `GET /users/{organiser}/onlineMeetings/{id}/
  recordings` and `/transcripts` (https://learn.microsoft.com/graph/api/onlinemeeting-list-
  recordings, .../onlinemeeting-list-transcripts), or get the one a notification names
  (.../callrecording-get, .../calltranscript-get): ids and times only, never the content.
  Application permissions OnlineMeetingRecording.Read.All and OnlineMeetingTranscript.Read.All,
  with the application access policy for the organiser. Microsoft documents that these do not
  work for a meeting made with `POST /onlineMeetings` and no calendar event.
- Subscriptions to new ones across the tenant, `communications/onlineMeetings/getAllRecordings`
  and `getAllTranscripts`, as basic notifications (no resource data, so no encryption
  certificate): each names the resource, `communications/onlineMeetings('{meeting}')/
  recordings('{id}')` (`resource_of` reads it, and the unquoted form some pages show).
- Who holds the manager app role: `GET /servicePrincipals(appId='{app}')` for the app's roles
  and `.../appRoleAssignedTo` for who is assigned them (Application.Read.All); users assigned
  directly (assignments to groups are not expanded: they are counted and logged).

Nothing here can remove a recording's sharing: a callRecording names no drive item, and
Microsoft documents no way from one to the file in the organiser's OneDrive.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Final

from kiota_abstractions.api_error import APIError

from bot.policy.recording_backstop import ArtefactKind
from bot.ports.recordings import ListedArtefact, NotifiedArtefact

if TYPE_CHECKING:
    from msgraph.generated.models.call_recording import CallRecording
    from msgraph.generated.models.call_transcript import CallTranscript
    from msgraph.graph_service_client import GraphServiceClient

log = logging.getLogger(__name__)

NOT_FOUND: Final = 404

RECORDINGS_RESOURCE: Final = "communications/onlineMeetings/getAllRecordings"
TRANSCRIPTS_RESOURCE: Final = "communications/onlineMeetings/getAllTranscripts"
WATCHED: Final = {
    ArtefactKind.RECORDING: RECORDINGS_RESOURCE,
    ArtefactKind.TRANSCRIPT: TRANSCRIPTS_RESOURCE,
}

_RESOURCE = re.compile(
    r"^/?communications/onlineMeetings(?:\('(?P<qm>[^']+)'\)|/(?P<pm>[^/]+))"
    r"/(?P<kind>recordings|transcripts)(?:\('(?P<qi>[^']+)'\)|/(?P<pi>[^/]+))$",
    re.IGNORECASE,
)
_KIND_OF_SEGMENT: Final = {
    "recordings": ArtefactKind.RECORDING,
    "transcripts": ArtefactKind.TRANSCRIPT,
}

skipped_principals: Counter[str] = Counter()
"""Manager role assignments not to a user (a group, a service principal), by type."""


def resource_of(resource: str) -> NotifiedArtefact | None:
    """The meeting and artefact a notification's `resource` (or `@odata.id`) names; None for
    anything else."""
    match = _RESOURCE.match(resource.strip())
    if match is None:
        return None
    return NotifiedArtefact(
        meeting_id=match["qm"] or match["pm"],
        kind=_KIND_OF_SEGMENT[match["kind"].lower()],
        graph_id=match["qi"] or match["pi"],
    )


class MeetingRecordings:
    """A meeting's recordings and transcripts, and who holds an app role, through
    msgraph-sdk."""

    def __init__(self, graph: GraphServiceClient, app_id: str) -> None:
        self._graph = graph
        self._app_id = app_id

    async def artefacts(self, organiser_id: str, meeting_id: str) -> list[ListedArtefact]:
        """Every recording and transcript Graph lists for the meeting (all pages)."""
        meeting = self._graph.users.by_user_id(organiser_id).online_meetings.by_online_meeting_id(
            meeting_id
        )
        found: list[ListedArtefact] = []
        recordings = await meeting.recordings.get()
        while recordings is not None:
            found.extend(
                ListedArtefact(ArtefactKind.RECORDING, r.id, r.created_date_time, r.end_date_time)
                for r in recordings.value or ()
                if r.id
            )
            link = recordings.odata_next_link
            recordings = await meeting.recordings.with_url(link).get() if link else None
        transcripts = await meeting.transcripts.get()
        while transcripts is not None:
            found.extend(
                ListedArtefact(ArtefactKind.TRANSCRIPT, t.id, t.created_date_time, t.end_date_time)
                for t in transcripts.value or ()
                if t.id
            )
            link = transcripts.odata_next_link
            transcripts = await meeting.transcripts.with_url(link).get() if link else None
        return found

    async def artefact(
        self, organiser_id: str, meeting_id: str, kind: ArtefactKind, artefact_id: str
    ) -> ListedArtefact | None:
        """One recording or transcript by id (`GET .../recordings/{id}`, `.../transcripts/
        {id}`); None when Graph has no such one."""
        meeting = self._graph.users.by_user_id(organiser_id).online_meetings.by_online_meeting_id(
            meeting_id
        )
        found: CallRecording | CallTranscript | None
        try:
            if kind is ArtefactKind.RECORDING:
                found = await meeting.recordings.by_call_recording_id(artefact_id).get()
            else:
                found = await meeting.transcripts.by_call_transcript_id(artefact_id).get()
        except APIError as error:
            if error.response_status_code == NOT_FOUND:
                return None
            raise
        if found is None or not found.id:
            return None
        return ListedArtefact(kind, found.id, found.created_date_time, found.end_date_time)

    async def holders_of(self, role: str) -> list[str]:
        """Object ids of the users assigned the app's role `role` (its `value`)."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.service_principals_with_app_id.service_principals_with_app_id_request_builder import (  # noqa: E501
            ServicePrincipalsWithAppIdRequestBuilder,
        )

        query = ServicePrincipalsWithAppIdRequestBuilder.ServicePrincipalsWithAppIdRequestBuilderGetQueryParameters(  # noqa: E501
            select=["id", "appRoles"]
        )
        principal = await self._graph.service_principals_with_app_id(self._app_id).get(
            RequestConfiguration(query_parameters=query)
        )
        if principal is None or not principal.id:
            return []
        role_ids = {r.id for r in principal.app_roles or () if r.value == role and r.id}
        if not role_ids:
            return []
        holders: list[str] = []
        builder = self._graph.service_principals.by_service_principal_id(principal.id)
        page = await builder.app_role_assigned_to.get()
        while page is not None:
            for assignment in page.value or ():
                if assignment.app_role_id not in role_ids or assignment.principal_id is None:
                    continue
                if (assignment.principal_type or "").lower() != "user":
                    kind = (assignment.principal_type or "unknown")[:32]
                    skipped_principals[kind] += 1
                    log.warning("a %s holds the manager role; only users are told", kind)
                    continue
                holders.append(str(assignment.principal_id))
            link = page.odata_next_link
            page = await builder.app_role_assigned_to.with_url(link).get() if link else None
        return sorted(set(holders))
