"""Short notices: a recording without everyone's prior consent, and a file that was refused."""

from __future__ import annotations

from bot.announcement.notices import (
    document_refused_card,
    recording_not_permitted_notice,
    recording_stop_request,
)


def texts(content: dict[str, object]) -> list[str]:
    body = content["body"]
    assert isinstance(body, list)
    return [run["text"] for block in body for run in block["inlines"]]


def test_a_recording_without_consent_is_announced_aloud_and_in_the_chat() -> None:
    notice = recording_not_permitted_notice(someone_uninvited=False)
    assert notice.spoken == (
        "Recording is not permitted in this meeting. Not everyone agreed by email, before the "
        "meeting, that it may be recorded. If you started the recording, please stop it now."
    )
    warning, heading, explanation = texts(notice.card.content)
    assert (warning, heading) == ("Warning: ", "Recording is not permitted")
    assert "Not everyone agreed by email, before the meeting" in explanation
    assert "please stop it now" in explanation
    assert notice.card.content["body"][0]["inlines"][0]["color"] == "Attention"


def test_a_stranger_joining_is_given_as_the_reason_not_missing_consent() -> None:
    notice = recording_not_permitted_notice(someone_uninvited=True)
    assert notice.spoken == (
        "Recording is not permitted in this meeting. Someone who was not invited has joined, so "
        "it may not be recorded. If you started the recording, please stop it now."
    )
    *_, explanation = texts(notice.card.content)
    assert "Someone who was not invited has joined this meeting" in explanation
    assert "Not everyone agreed" not in explanation + notice.spoken


def test_a_refused_file_is_explained_without_naming_it_or_its_owner() -> None:
    assert texts(document_refused_card().content) == [
        "Warning: ",
        "File not shared",
        "That file was not shared: sharing it in this meeting was not agreed by email before "
        "the meeting.",
    ]


def test_the_organising_staff_are_asked_to_stop_a_recording_without_anyone_named() -> None:
    seen = recording_stop_request(someone_uninvited=False)
    uninvited = recording_stop_request(someone_uninvited=True)
    assert seen.startswith("A recording has started in this meeting, but not everyone agreed")
    assert uninvited.startswith("Someone who is not on the attendee list has joined")
    for text in (seen, uninvited):
        assert "Recording has been switched off for this meeting" in text
        assert "please stop it now" in text
        assert "\n" not in text
