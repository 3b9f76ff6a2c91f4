"""Reading comms notifications: call state, roster and finished prompts, whatever case and
hyphenation the call id is written in, and one dedupe key per notification."""

from __future__ import annotations

from typing import Any

import pytest

from bot.calling.notifications import (
    CallStateNotice,
    MalformedNotifications,
    PromptNotice,
    RosterNotice,
    read_comms_notifications,
    unhandled_notifications,
)
from bot.ports.call_ids import normalise_call_id
from bot.services.live_meeting import RosterEntry

CALL = "2f1a0b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
THREAD = "19:meeting_abc@thread.v2"


def notification(resource_url: str, data: object, change_type: str = "updated") -> dict[str, Any]:
    return {
        "value": [
            {
                "@odata.type": "#microsoft.graph.commsNotification",
                "changeType": change_type,
                "resourceUrl": resource_url,
                "resourceData": data,
            }
        ]
    }


def state(call_written: str, value: str) -> dict[str, Any]:
    return notification(
        f"/communications/calls/{call_written}",
        {"state": value, "id": call_written, "chatInfo": {"threadId": THREAD}},
    )


def participant(pid: str, identity: dict[str, Any], status: str = "notRecording") -> object:
    return {
        "id": pid,
        "info": {"identity": identity},
        "recordingInfo": {"recordingStatus": status},
    }


@pytest.mark.parametrize(
    "written", [CALL, CALL.upper(), CALL.replace("-", ""), CALL.upper().replace("-", "")]
)
def test_call_ids_are_normalised_however_teams_writes_them(written: str) -> None:
    assert normalise_call_id(written) == CALL
    (received,) = read_comms_notifications(state(written, "established"))
    assert received.notice == CallStateNotice(CALL, "established", THREAD)
    assert received.dedupe_key == read_comms_notifications(state(CALL, "established"))[0].dedupe_key


def test_different_notifications_have_different_keys() -> None:
    keys = {
        read_comms_notifications(state(CALL, value))[0].dedupe_key
        for value in ("establishing", "established", "terminated")
    }
    assert len(keys) == 3


def test_a_roster_lists_people_with_their_recording_and_apps_by_id_only() -> None:
    body = notification(
        f"/communications/calls/{CALL}/participants",
        [
            participant("p0", {"application": {"id": "bot", "displayName": "IASS bot"}}),
            participant("p1", {"user": {"id": "oid-1", "displayName": "Staff"}}, "recording"),
            participant("p2", {"guest": {"id": "g", "displayName": "Visitor"}}),
        ],
    )
    (received,) = read_comms_notifications(body)
    assert received.notice == RosterNotice(
        CALL,
        (
            RosterEntry("p0", "", "bot", recording=False),
            RosterEntry("p1", "Staff", "oid-1", recording=True),
            RosterEntry("p2", "Visitor", None, recording=False),
        ),
    )


def test_a_person_whose_identity_lists_absent_kinds_as_null_is_a_person() -> None:
    """Graph writes absent identities as `null` (the List participants example does); a user
    beside `"application": null` is still a person, not the bot."""
    identity = {"application": None, "device": None, "user": {"id": "oid-3", "displayName": "Jo"}}
    body = notification(f"/communications/calls/{CALL}/participants", [participant("p3", identity)])
    (received,) = read_comms_notifications(body)
    assert received.notice == RosterNotice(CALL, (RosterEntry("p3", "Jo", "oid-3", False),))


def test_another_app_is_never_listed_under_the_name_it_gives_itself() -> None:
    app = {"application": {"id": "app-9", "displayName": "Parent Carer"}, "user": None}
    body = notification(f"/communications/calls/{CALL}/participants", [participant("p9", app)])
    (received,) = read_comms_notifications(body)
    assert received.notice == RosterNotice(CALL, (RosterEntry("p9", "", "app-9", False),))


def test_a_finished_prompt_is_a_deleted_operation() -> None:
    body = notification(
        f"/communications/calls/{CALL.upper()}/operations/op-1",
        {"status": "completed", "clientContext": "abc"},
        change_type="deleted",
    )
    (received,) = read_comms_notifications(body)
    assert received.notice == PromptNotice(CALL, "op-1", "completed", "abc")


def test_an_operation_id_in_upper_case_without_hyphens_matches_graphs_spelling() -> None:
    """Graph answers playPrompt with the operation id lower case with hyphens; the finished
    operation's notification may name it upper case without them: both read alike, and a
    redelivery spelt the other way has the same key."""
    operation = "0fe0623f-d628-42ed-b4bd-8ac290072cc5"
    spellings = (operation.upper().replace("-", ""), operation)
    received = [
        read_comms_notifications(
            notification(
                f"/communications/calls/{CALL}/operations/{spelt}",
                {"status": "completed"},
                change_type="deleted",
            )
        )[0]
        for spelt in spellings
    ]
    assert [r.notice for r in received] == [PromptNotice(CALL, operation, "completed", None)] * 2
    assert received[0].dedupe_key == received[1].dedupe_key


def test_running_operations_and_other_resources_are_passed_over_and_counted() -> None:
    """`changeType` may be `unknownFutureValue` (commsNotification,
    https://learn.microsoft.com/graph/api/resources/commsnotification); a resource outside a
    call has no call id to log. Each is counted by its kind, its ids left out."""
    running = notification(
        f"/communications/calls/{CALL}/operations/op",
        {"@odata.type": "#microsoft.graph.playPromptOperation", "status": "running"},
    )
    future = notification(f"/communications/calls/{CALL}", {}, change_type="unknownFutureValue")
    other = notification("/communications/onlineMeetings/jo@example.org?x=1", [{}])
    keys = [
        (
            "#microsoft.graph.playPromptOperation",
            "updated",
            "/communications/calls/{id}/operations/{id}",
        ),
        ("", "unknownFutureValue", "/communications/calls/{id}"),
        ("[]", "updated", "/communications/onlineMeetings/{id}"),
    ]
    before = [unhandled_notifications[key] for key in keys]
    for body in (running, future, other):
        assert read_comms_notifications(body) == []
    assert [unhandled_notifications[key] for key in keys] == [count + 1 for count in before]


@pytest.mark.parametrize(
    "body", [[], {"value": "x"}, {"value": [{"resourceUrl": "/communications/calls/a"}]}]
)
def test_a_body_that_is_not_comms_notifications_is_refused(body: object) -> None:
    with pytest.raises(MalformedNotifications):
        read_comms_notifications(body)
