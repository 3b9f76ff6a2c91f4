"""Microsoft's documented JSON examples, kept as fixtures: each file's `_source` names where it
comes from and every edit made to it (see README.md); `documented` gives the body as sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def documented(name: str) -> dict[str, Any]:
    """The fixture `name` (a path under tests/conformance/) without its `_source`."""
    body: dict[str, Any] = json.loads((HERE / name).read_text())
    source = body.pop("_source")
    assert source["url"], f"{name} names no source"
    assert source["checked"], f"{name} says not when it was checked"
    return body


def documented_request(name: str) -> dict[str, Any]:
    """The documented request the fixture `name` answers (`_source.request`: method, url,
    headers and body as Microsoft's example sends them)."""
    body: dict[str, Any] = json.loads((HERE / name).read_text())
    request: dict[str, Any] = body["_source"]["request"]
    return request


def missing_keys(documented: object, answer: object, absent: Iterable[str] = ()) -> set[str]:
    """The key paths of `documented` that `answer` lacks, but for those under the paths in
    `absent` (objects the answer writes as null, for a reason the caller states)."""
    under = tuple(f"{path}." for path in absent) + tuple(f"{path}[]" for path in absent)
    return {
        path for path in key_paths(documented) - key_paths(answer) if not path.startswith(under)
    }


def shape_gaps(documented: object, answer: object, absent: Iterable[str] = ()) -> set[str]:
    """How `answer` falls short of the shape of `documented`: the key paths it lacks (as
    `missing_keys`), and for each key path both have, `path: documented types written as the
    answer's types` where the answer writes a value of a JSON type Microsoft's example does
    not show there. Null says nothing of a type either way: Graph writes null for a property
    with no value, and Microsoft's examples do the same for the properties they leave unset."""
    under = tuple(f"{path}." for path in absent) + tuple(f"{path}[]" for path in absent)
    wanted, given = json_types(documented), json_types(answer)
    differing = {
        f"{path}: {sorted(types)} written as {sorted(given[path])}"
        for path, types in wanted.items()
        if types - {"null"}
        and path in given
        and not given[path] - {"null"} <= types
        and path not in absent
        and not path.startswith(under)
    }
    return missing_keys(documented, answer, absent) | differing


def json_types(value: object, prefix: str = "") -> dict[str, set[str]]:
    """The JSON types found at each key path of `value` (list items share their list's path);
    the root's path is the empty string."""
    found: dict[str, set[str]] = {prefix: {json_type(value)}}
    items: list[tuple[str, object]] = []
    if isinstance(value, dict):
        items = [(f"{prefix}.{key}" if prefix else key, item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{prefix}[]", item) for item in value]
    for path, item in items:
        for inner, types in json_types(item, path).items():
            found.setdefault(inner, set()).update(types)
    return found


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def key_paths(value: object, prefix: str = "") -> set[str]:
    """Every key path in `value` (list items share their list's path, `[]`)."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(item, path)
        return paths
    if isinstance(value, list):
        return set().union(*(key_paths(item, f"{prefix}[]") for item in value))
    return set()


Check = tuple[str, str]
"""A test: its module (a path under tests/conformance/) and its function's name."""

SERVED_CALLS = "calls/test_served_calls.py"
SANDBOX_CALLS = "calls/test_comms_notifications.py"
CONNECTOR = "connector/test_connector_answers.py"
READ = "graph/test_documented_answers_read.py"
RESPONSES = "graph/test_graph_responses.py"
SANDBOX_GRAPH = "graph/test_sandbox_graph_answers.py"
MAIL = "graph/test_change_notifications.py"
RECORDINGS = "graph/test_recording_notifications.py"
WRITES = "graph/test_bot_writes_documented_shapes.py"

CALL_FOLLOWED = (
    SERVED_CALLS,
    "test_the_documented_call_of_a_meeting_is_followed_from_start_to_hang_up",
)
NOTIFIED_RECORDING = (
    "graph/test_served_recording_notifications.py",
    "test_a_documented_notification_finds_the_recording_and_alerts_the_organiser",
)
PARTICIPANT_NOTIFIED = (
    CONNECTOR,
    "test_the_bots_notice_to_a_documented_participant_has_the_documented_shape",
)
MEETING_READ = (
    READ,
    "test_no_documented_meeting_answer_is_read_as_allowing_or_forbidding_recording",
)
EVENTS = (
    SANDBOX_GRAPH,
    "test_each_documented_event_request_is_answered_with_every_key_its_example_shows",
)
EVENT_WRITES = (WRITES, "test_every_event_property_the_bot_writes_is_in_the_documented_event")
CALL_MESSAGES = (SANDBOX_GRAPH, "test_the_meeting_chats_call_messages_carry_every_documented_key")
CALL_START_FOUND = (READ, "test_a_call_start_on_the_page_after_peoples_messages_is_found")
LIFECYCLE = (MAIL, "test_the_sandbox_lifecycle_notification_has_the_documented_keys")
RECHECKED = (MAIL, "test_a_documented_removal_or_reauthorization_checks_the_subscription_now")
SANDBOX_RECORDING = (RECORDINGS, "test_the_sandboxs_notification_carries_every_documented_key")
SERVED_TEAMS = "teams/test_served_activities.py"
MEETING_EVENTS = (
    (SERVED_TEAMS, "test_a_documented_start_has_the_bot_join_and_speak_and_its_end_hang_up"),
    (
        "teams/test_sandbox_meeting_events.py",
        "test_the_sandbox_meeting_events_have_every_documented_key_of_their_shape",
    ),
)

CHECKED_BY: dict[str, tuple[Check, Check]] = {
    "calls/established.json": (
        CALL_FOLLOWED,
        (SANDBOX_CALLS, "test_the_sandbox_established_notification_has_every_documented_key"),
    ),
    "calls/roster.json": (
        CALL_FOLLOWED,
        (SANDBOX_CALLS, "test_the_sandbox_roster_has_every_documented_key"),
    ),
    "calls/prompt_completed.json": (
        CALL_FOLLOWED,
        (SANDBOX_CALLS, "test_the_sandbox_finished_prompt_has_every_documented_key"),
    ),
    "calls/terminated.json": (
        CALL_FOLLOWED,
        (SANDBOX_CALLS, "test_the_sandbox_terminated_notification_has_every_documented_key"),
    ),
    "calls/incoming.json": (
        (SERVED_CALLS, "test_a_documented_incoming_call_of_no_meeting_is_audited_as_unmatched"),
        (
            "calls/test_sandbox_rings.py",
            "test_the_sandboxs_incoming_call_is_the_documented_one_signed",
        ),
    ),
    "calls/participants_list.json": (
        (
            "calls/test_participants_listed.py",
            "test_the_documented_participant_list_reaches_the_recording_guard",
        ),
        (
            SANDBOX_CALLS,
            "test_the_sandbox_participant_list_has_every_documented_key_and_reads_as_its_roster",
        ),
    ),
    "connector/meeting_participant.json": (
        PARTICIPANT_NOTIFIED,
        (CONNECTOR, "test_the_sandbox_participant_answer_has_every_documented_key"),
    ),
    "connector/targeted_notification.json": (
        PARTICIPANT_NOTIFIED,
        (CONNECTOR, "test_the_documented_targeted_notification_is_taken_by_the_sandbox"),
    ),
    "graph/call_recording.json": (
        (RECORDINGS, "test_the_documented_call_recording_is_read_by_the_bots_adapter"),
        SANDBOX_RECORDING,
    ),
    "graph/chat_messages_call_ended.json": (
        (RESPONSES, "test_a_chat_whose_call_only_ended_reads_as_not_started"),
        CALL_MESSAGES,
    ),
    "graph/chat_messages_call_started.json": (CALL_START_FOUND, CALL_MESSAGES),
    "graph/chat_messages_sorted.json": (
        CALL_START_FOUND,
        (
            SANDBOX_GRAPH,
            "test_a_page_of_the_meeting_chat_has_every_documented_key_and_the_next_page_link",
        ),
    ),
    "graph/chat_messages_without_prefer.json": (
        (RESPONSES, "test_a_documented_call_start_the_sdk_cannot_read_keeps_the_start_unknown"),
        CALL_MESSAGES,
    ),
    "graph/event_created.json": (
        (RESPONSES, "test_a_documented_event_without_a_teams_meeting_is_refused_with_its_id"),
        EVENTS,
    ),
    "graph/event_created_online.json": (
        (RESPONSES, "test_the_documented_online_event_gives_its_id_and_join_url"),
        EVENTS,
    ),
    "graph/event_got.json": (EVENT_WRITES, EVENTS),
    "graph/event_got_locations.json": (EVENT_WRITES, EVENTS),
    "graph/event_updated.json": (
        (READ, "test_the_documented_event_update_answer_is_taken_for_the_bots_edit"),
        EVENTS,
    ),
    "graph/lifecycle_missed.json": (
        (MAIL, "test_a_documented_missed_notification_has_the_lost_reply_read_and_recorded"),
        LIFECYCLE,
    ),
    "graph/lifecycle_reauthorizationRequired.json": (RECHECKED, LIFECYCLE),
    "graph/lifecycle_subscriptionRemoved.json": (RECHECKED, LIFECYCLE),
    "graph/mail_created.json": (
        (MAIL, "test_the_documented_mail_notification_has_the_reply_read_and_recorded"),
        (MAIL, "test_the_sandbox_mail_notification_has_every_documented_key"),
    ),
    **{
        f"graph/online_meeting_created{variant}.json": (
            MEETING_READ,
            (
                SANDBOX_GRAPH,
                "test_each_documented_create_is_answered_with_every_key_its_example_shows",
            ),
        )
        for variant in ("", "_passcode", "_no_passcode", "_template", "_encrypted")
    },
    **{
        f"graph/online_meeting_{variant}.json": (
            MEETING_READ,
            (SANDBOX_GRAPH, "test_each_documented_get_answer_is_matched_by_the_sandboxs"),
        )
        for variant in ("get", "get_by_vtc_id")
    },
    **{
        f"graph/online_meeting_updated{variant}.json": (
            (READ, "test_each_documented_update_answer_is_taken_for_the_bots_changes"),
            (
                SANDBOX_GRAPH,
                "test_each_documented_update_is_answered_with_every_key_its_example_shows",
            ),
        )
        for variant in ("", "_lobby", "_encryption")
    },
    **{
        f"graph/online_meetings_by_{variant}.json": (
            (READ, "test_each_documented_meeting_list_gives_the_meeting_and_its_chat"),
            (
                SANDBOX_GRAPH,
                "test_each_documented_lookup_by_join_url_or_meeting_id_is_matched_by_the_sandboxs",
            ),
        )
        for variant in ("join_url", "join_meeting_id")
    },
    "graph/online_meeting_recordings.json": (
        (RECORDINGS, "test_the_documented_recordings_list_is_read_by_the_bots_adapter"),
        (SANDBOX_GRAPH, "test_the_sandboxs_recordings_list_has_every_documented_key"),
    ),
    "graph/online_meeting_resource.json": (
        (WRITES, "test_every_meeting_property_the_bot_sets_is_documented_with_its_type"),
        (SANDBOX_GRAPH, "test_a_meeting_has_every_property_of_the_documented_resource"),
    ),
    "graph/recording_created_basic.json": (NOTIFIED_RECORDING, SANDBOX_RECORDING),
    "graph/recording_created_with_resource_data.json": (
        NOTIFIED_RECORDING,
        (
            RECORDINGS,
            "test_the_sandboxs_notification_has_every_key_of_one_with_resource_data_but_the_data",
        ),
    ),
    "graph/transcript_created_basic.json": (
        NOTIFIED_RECORDING,
        (RECORDINGS, "test_the_sandboxs_transcript_notification_carries_every_documented_key"),
    ),
    "graph/validation_request.json": (
        (MAIL, "test_the_documented_validation_request_is_echoed_as_plain_text"),
        (MAIL, "test_the_sandboxs_validation_request_is_the_documented_one"),
    ),
    "teams/file_attachment.json": (
        (SERVED_TEAMS, "test_a_documented_file_posted_in_the_meeting_chat_has_its_sharing_revoked"),
        (
            "teams/test_file_attachments.py",
            "test_the_sandbox_file_attachment_has_every_documented_key",
        ),
    ),
    **{
        f"teams/meeting_{kind}_{shape}.json": MEETING_EVENTS
        for kind in ("start", "end")
        for shape in ("2021", "2023")
    },
    **{
        f"teams/participant_{kind}.json": (
            (
                SERVED_TEAMS,
                "test_a_documented_join_of_a_stranger_stops_recording_and_their_leave_is_kept",
            ),
            (
                "teams/test_sandbox_meeting_events.py",
                "test_the_sandbox_participant_events_have_every_key_of_the_sdks_examples",
            ),
        )
        for kind in ("join", "leave")
    },
}
"""Each fixture, with the test that runs it through the bot and the test that runs it through
the sandbox (README.md says what each side means). `test_fixture_registry.py` holds this to
the fixture files on disk, to the tests' own code and to README.md's table."""
