"""Reading the `commsNotifications` Graph posts to `/api/calls`, pure.

Three kinds matter to the bot: the call's state (`resourceData` an object, on
`/communications/calls/{id}`), its roster (`resourceData` an array of participants, on
`.../participants`, each perhaps with `recordingInfo.recordingStatus`, which no documented
v1.0 notification shows: best effort), and a finished prompt
(`changeType: deleted` on `.../operations/{id}`). Anything else is passed over. Call and
operation ids are normalised, since Teams varies their case and hyphenation.

Each notification gets a `dedupe_key`: the SHA-256 of its content with the call and operation
ids written the normalised way, so a notification delivered twice has one key however its ids
were spelt.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.ports.call_ids import normalise_call_id, normalise_operation_id
from bot.services.live_meeting import RosterEntry

_CALL_RESOURCE: Final = re.compile(
    r"/(?:communications|app)/calls/(?P<call>[^/?#]+)(?P<rest>/.*)?$"
)
_OPERATION: Final = re.compile(r"/operations/(?P<operation>[^/?#]+)$")
FINISHED_OPERATION_STATUSES: Final = frozenset({"completed", "failed"})


class MalformedNotifications(ValueError):
    """The body is not a `commsNotifications` object."""


@dataclass(frozen=True, slots=True)
class CallStateNotice:
    """The call's state changed; `thread_id` is its meeting chat when the resource says."""

    call_id: str
    state: str
    thread_id: str | None


@dataclass(frozen=True, slots=True)
class RosterNotice:
    """Everyone in the call (the bot itself left out), as one roster notification lists them."""

    call_id: str
    roster: tuple[RosterEntry, ...]


@dataclass(frozen=True, slots=True)
class PromptNotice:
    """A playPrompt operation finished (`status` completed or failed)."""

    call_id: str
    operation_id: str
    status: str
    client_context: str | None


Notice = CallStateNotice | RosterNotice | PromptNotice


@dataclass(frozen=True, slots=True)
class ReceivedNotice:
    """A notice and the key that identifies the notification it came from."""

    dedupe_key: str
    notice: Notice


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def dedupe_key(notification: Mapping[str, Any], *raw_ids: str) -> str:
    """SHA-256 of the notification's canonical JSON, its call (and operation) ids written
    normalised."""
    canonical = json.dumps(notification, sort_keys=True, separators=(",", ":"))
    for raw_id in raw_ids:
        canonical = canonical.replace(raw_id, normalise_call_id(raw_id))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _roster_entry(participant: object) -> RosterEntry | None:
    """A participant in the roster; None for a malformed entry. Graph may write absent
    identities as `null`. An application (the bot itself, or any other app in the call) is
    listed by its app id as `object_id` and no name, so the guard tells the bot by its id and
    can never take another app, whatever it calls itself, for an invited attendee."""
    fields = _mapping(participant)
    participant_id = _text(fields.get("id"))
    if participant_id is None:
        return None
    identity = _mapping(_mapping(fields.get("info")).get("identity"))
    status = _mapping(fields.get("recordingInfo")).get("recordingStatus")
    recording = status == "recording"
    user = _mapping(identity.get("user"))
    application = _mapping(identity.get("application"))
    if application and not user:
        return RosterEntry(participant_id, "", _text(application.get("id")), recording)
    shown = user or next(
        (_mapping(v) for k, v in identity.items() if not k.startswith("@") and _mapping(v)), {}
    )
    return RosterEntry(
        participant_id=participant_id,
        display_name=_text(shown.get("displayName")) or "",
        object_id=_text(user.get("id")),
        recording=recording,
    )


def roster_entries(participants: object) -> tuple[RosterEntry, ...] | None:
    """The entries of a list of participants (a roster notification's `resourceData`, or the
    `value` of `GET /communications/calls/{id}/participants`); None when it is not a list."""
    if not isinstance(participants, Sequence) or isinstance(participants, str):
        return None
    entries = (_roster_entry(participant) for participant in participants)
    return tuple(entry for entry in entries if entry is not None)


def _notice(call_id: str, rest: str, change_type: str, data: object) -> Notice | None:
    if rest == "":
        fields = _mapping(data)
        state = _text(fields.get("state"))
        if state is None:
            return None
        thread_id = _text(_mapping(fields.get("chatInfo")).get("threadId"))
        return CallStateNotice(call_id, state, thread_id)
    if rest == "/participants":
        entries = roster_entries(data)
        return None if entries is None else RosterNotice(call_id, entries)
    operation = _OPERATION.fullmatch(rest)
    if operation is None:
        return None
    fields = _mapping(data)
    status = _text(fields.get("status"))
    if change_type != "deleted" and status not in FINISHED_OPERATION_STATUSES:
        return None
    return PromptNotice(
        call_id,
        normalise_operation_id(operation["operation"]),
        status or "completed",
        _text(fields.get("clientContext")),
    )


def read_comms_notifications(body: object) -> list[ReceivedNotice]:
    """The notices in a `commsNotifications` body, in order; `MalformedNotifications` when
    the body is not one."""
    items = _mapping(body).get("value")
    if not isinstance(items, list):
        raise MalformedNotifications("a commsNotifications body has a `value` list")
    received = []
    for item in items:
        notification = _mapping(item)
        resource_url = _text(notification.get("resourceUrl"))
        change_type = _text(notification.get("changeType"))
        if resource_url is None or change_type is None:
            raise MalformedNotifications("each notification has resourceUrl and changeType")
        match = _CALL_RESOURCE.search(resource_url)
        if match is None:
            continue
        raw_call_id = match["call"]
        notice = _notice(
            normalise_call_id(raw_call_id),
            (match["rest"] or "").rstrip("/"),
            change_type,
            notification.get("resourceData"),
        )
        if notice is not None:
            operation = _OPERATION.fullmatch((match["rest"] or "").rstrip("/"))
            raw_ids = (raw_call_id, operation["operation"]) if operation else (raw_call_id,)
            received.append(ReceivedNotice(dedupe_key(notification, *raw_ids), notice))
    return received
