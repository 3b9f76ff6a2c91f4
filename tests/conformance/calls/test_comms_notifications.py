"""Microsoft's documented comms notifications (`tests/conformance/calls/`) read by the bot's
parser, and the sandbox's own notifications checked to carry every key the documented ones
carry."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.calling.notifications import (
    CallStateNotice,
    PromptNotice,
    RosterNotice,
    read_comms_notifications,
    roster_entries,
)
from bot.services.live_meeting import RosterEntry
from sandbox.calls.calls import Call, PromptOperation
from sandbox.calls.resources import (
    call_state,
    comms_notification,
    finished_operation,
    listed,
    result_info,
    roster,
)
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.live_meetings import Attendance
from tests.conformance.documented import documented, shape_gaps

JOINED = "2f1a1100-b174-40a0-aba7-0b405e01ed92"
ANSWERED = "57dab8b1-894c-409a-b240-bd8beae78896"
BOT_APP = "f2fa86af-3c51-4bc2-8fc0-475452d9764f"
OTHER_APP = "ef43e42b-4c05-4594-9756-1edb3ccbc989"
THREAD = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"


def only_notice(name: str) -> object:
    (received,) = read_comms_notifications(documented(name))
    return received.notice


def test_the_documented_established_notification_tells_the_bot_its_meeting_call_is_up() -> None:
    assert only_notice("calls/established.json") == CallStateNotice(JOINED, "established", THREAD)


def test_the_documented_roster_names_the_person_and_lists_the_bot_by_its_app_id() -> None:
    assert only_notice("calls/roster.json") == RosterNotice(
        JOINED,
        (
            RosterEntry(
                participant_id="0d7664b6-6432-43ed-8d27-d9e7adec188c",
                display_name="John",
                object_id="112f7296-5fa4-42ca-bae8-6a692b15d4b8",
                recording=False,
            ),
            RosterEntry(
                participant_id="05491616-385f-44a8-9974-18cc5f9933c1",
                display_name="",
                object_id="2891555a-92ff-42e6-80fa-6e1300c6b5c6",
                recording=False,
            ),
        ),
    )


def test_the_documented_participant_list_reads_as_a_roster_of_two_apps() -> None:
    """`GET /communications/calls/{id}/participants` answers with the participants a roster
    notification carries, absent identities written as `null`: both are applications here,
    so each is listed by its app id with no name (the guard takes the bot's for the bot and
    any other for someone not invited)."""
    listed = roster_entries(documented("calls/participants_list.json")["value"])
    assert listed == (
        RosterEntry("a7ebfb2d-871e-419c-87af-27290b22e8db", "", BOT_APP, False),
        RosterEntry("1e126418-44a0-4a94-a6f8-0efe1ad71acb", "", OTHER_APP, False),
    )


def test_the_documented_finished_prompt_is_read_with_its_ids_normalised() -> None:
    assert only_notice("calls/prompt_completed.json") == PromptNotice(
        ANSWERED,
        "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
        "completed",
        "d45324c1-fcb5-430a-902c-f20af696537c",
    )


def test_an_incoming_call_is_read_as_a_call_of_no_meeting() -> None:
    assert only_notice("calls/incoming.json") == CallStateNotice(ANSWERED, "incoming", None)


def test_the_documented_terminated_notification_ends_the_call() -> None:
    assert only_notice("calls/terminated.json") == CallStateNotice(ANSWERED, "terminated", None)


def sandbox_call() -> Call:
    return Call(
        id=JOINED,
        app_id="2891555a-92ff-42e6-80fa-6e1300c6b5c6",
        app_display_name="Calling Bot",
        callback_uri="https://bot.contoso.com/callback",
        thread_id=THREAD,
        organizer_id="5810cede-f3cc-42eb-b2c1-e9bd5d53ec96",
        organizer_name="Bob",
        tenant_id="aa67bd4c-8475-432d-bd41-39f255720e0a",
        created_at=datetime.now(UTC),
        requested_modalities=["audio"],
        media_config={},
        state="established",
    )


def test_the_sandbox_established_notification_has_every_documented_key() -> None:
    call = sandbox_call()
    path = f"/communications/calls/{call.id}"
    sent = comms_notification(call, "updated", path, call_state(call, path))
    assert shape_gaps(documented("calls/established.json"), sent) == set()
    assert read_comms_notifications(sent)[0].notice == only_notice("calls/established.json")


def test_the_sandbox_roster_has_every_documented_key() -> None:
    call = sandbox_call()
    path = f"/communications/calls/{call.id}/participants"
    john = TeamsAccount(
        "29:1john", "John", "user", "112f7296-5fa4-42ca-bae8-6a692b15d4b8", tenant_id=call.tenant_id
    )
    present = [Attendance(john, "Attendee", invited=True, joined_at=call.created_at)]
    sent = comms_notification(call, "updated", path, roster(call, present))
    assert shape_gaps(documented("calls/roster.json"), sent) == set()


def test_the_sandbox_participant_list_has_every_documented_key_and_reads_as_its_roster() -> None:
    """Every key of Microsoft's example but `info.id` (an id of the participant's info that
    Microsoft does not describe, and the bot does not read)."""
    call = sandbox_call()
    john = TeamsAccount(
        "29:1john", "John", "user", "112f7296-5fa4-42ca-bae8-6a692b15d4b8", tenant_id=call.tenant_id
    )
    present = [Attendance(john, "Attendee", invited=True, joined_at=call.created_at)]
    participants = roster(call, present)
    body = {"value": [listed(participant) for participant in participants]}
    example = documented("calls/participants_list.json")
    del example["@odata.context"]
    for participant in example["value"]:
        del participant["info"]["id"]
    assert shape_gaps(example, body) == set()
    assert roster_entries(body["value"]) == roster_entries(participants)


def test_the_sandbox_finished_prompt_has_every_documented_key() -> None:
    call = sandbox_call()
    operation = PromptOperation("0fe0623f-d628-42ed-b4bd-8ac290072cc5", "d45", "completed")
    path = f"/communications/calls/{call.id}/operations/{operation.id}"
    data = finished_operation(
        operation, path, result_info(200, 0, "Action completed successfully.")
    )
    sent = comms_notification(call, "deleted", path, data)
    assert shape_gaps(documented("calls/prompt_completed.json"), sent) == set()


def test_the_sandbox_terminated_notification_has_every_documented_key() -> None:
    call = sandbox_call()
    call.state = "terminated"
    path = f"/communications/calls/{call.id}"
    result = result_info("200", "5001", "The conversation has ended.")
    sent = comms_notification(call, "deleted", path, call_state(call, path, result))
    assert shape_gaps(documented("calls/terminated.json"), sent) == set()
    assert read_comms_notifications(sent)[0].notice == CallStateNotice(JOINED, "terminated", None)
