"""Reading the `commsNotifications` Graph posts to `/api/calls`.

Three kinds matter to the bot: the call's state (`resourceData` an object, on
`/communications/calls/{id}`), its roster (`resourceData` an array of participants, on
`.../participants`, each perhaps with `recordingInfo.recordingStatus`, which no documented
v1.0 notification shows: best effort), and a finished prompt
(`changeType: deleted` on `.../operations/{id}`). Anything else is passed over, never in
silence: it is logged by its `resourceData`'s `@odata.type`, its `changeType` and the kind of
its resource (the URL with every id but the call's left out; never anything from
`resourceData`, which may name people), and counted for this process in
`unhandled_notifications`. The rest of its batch is read as usual, so `/api/calls` still
answers 202 and Graph does not deliver the batch again. Call and operation ids are normalised,
since Teams varies their case and hyphenation.

Each notification gets a `dedupe_key`: the SHA-256 of its content with the call and operation
ids written the normalised way, so a notification delivered twice has one key however its ids
were spelt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.ports.call_ids import normalise_call_id, normalise_operation_id
from bot.services.live_meeting import RosterEntry

_CALL_RESOURCE: Final = re.compile(
    r"/(?:communications|app)/calls/(?P<call>[^/?#]+)(?P<rest>/.*)?$"
)
_OPERATION: Final = re.compile(r"/operations/(?P<operation>[^/?#]+)$")
_SEGMENT_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9]*")
FINISHED_OPERATION_STATUSES: Final = frozenset({"completed", "failed"})
KIND_LIMIT: Final = 120
"""Longer kinds are cut in the log: the sender chooses these strings."""

log = logging.getLogger(__name__)

unhandled_notifications: Counter[tuple[str, str, str]] = Counter()
"""How many comms notifications this process has passed over, by `resourceData` type,
`changeType` and resource kind."""


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


def resource_kind(resource_url: str) -> str:
    """The resource's path with each id written `{id}`: Graph's paths alternate a collection's
    name and an item's id after the root (`communications`, or the deprecated `app`), as in
    `/communications/calls/{id}/audioRoutingGroups/{id}`. A name that is not a plain word is
    written `{?}` too, so nothing but Graph's own vocabulary reaches the log."""
    path = re.split(r"[?#]", resource_url, maxsplit=1)[0]
    segments = [segment for segment in path.split("/") if segment]
    return "/" + "/".join(_segment_kind(position, s) for position, s in enumerate(segments))


def _segment_kind(position: int, segment: str) -> str:
    if position > 0 and position % 2 == 0:
        return "{id}"
    return segment if _SEGMENT_NAME.fullmatch(segment) else "{?}"


def _data_type(data: object) -> str:
    """The `@odata.type` of `resourceData`, or of each entity in it, in order, for a list."""
    if isinstance(data, Mapping):
        return _text(data.get("@odata.type")) or ""
    if isinstance(data, Sequence) and not isinstance(data, str):
        types = dict.fromkeys(_text(_mapping(entity).get("@odata.type")) or "" for entity in data)
        return "[" + ",".join(types) + "]"
    return ""


def note_unhandled(notification: Mapping[str, Any], call_id: str | None) -> None:
    """Log and count a notification the bot passes over, by its kind (and its call's id)."""
    key = (
        _data_type(notification.get("resourceData"))[:KIND_LIMIT],
        (_text(notification.get("changeType")) or "")[:KIND_LIMIT],
        resource_kind(_text(notification.get("resourceUrl")) or "")[:KIND_LIMIT],
    )
    unhandled_notifications[key] += 1
    log.warning(
        "comms notification not handled: type %r, changeType %r, resource %r, call %s (%d so far)",
        *key,
        call_id or "none",
        unhandled_notifications[key],
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
            note_unhandled(notification, None)
            continue
        raw_call_id = match["call"]
        notice = _notice(
            normalise_call_id(raw_call_id),
            (match["rest"] or "").rstrip("/"),
            change_type,
            notification.get("resourceData"),
        )
        if notice is None:
            note_unhandled(notification, normalise_call_id(raw_call_id))
            continue
        operation = _OPERATION.fullmatch((match["rest"] or "").rstrip("/"))
        raw_ids = (raw_call_id, operation["operation"]) if operation else (raw_call_id,)
        received.append(ReceivedNotice(dedupe_key(notification, *raw_ids), notice))
    return received
