"""What the bot says in the meeting chat about documents: nothing names a person or tells a
decision; only the answer to `share` for an agreed document names it."""

from __future__ import annotations

import pytest

from bot.announcement.document_replies import (
    LinkToShare,
    file_acknowledged_text,
    file_not_withdrawn_notice,
    file_refused_notice,
    share_link_text,
    share_refused_text,
)
from bot.policy.share_refusal import RefusalReason


def card_texts(content: dict[str, object]) -> list[str]:
    body = content["body"]
    assert isinstance(body, list)
    return [run["text"] for block in body for run in block["inlines"]]


def test_a_refused_file_is_explained_in_text_and_card() -> None:
    notice = file_refused_notice()
    assert notice.text == (
        "That file was not shared: sharing it in this meeting was not agreed by email before "
        "the meeting."
    )
    assert card_texts(notice.card.content) == ["Warning: ", "File not shared", notice.text]


def test_a_file_that_could_not_be_withdrawn_asks_staff_to_remove_it() -> None:
    notice = file_not_withdrawn_notice()
    assert "could not be withdrawn" in notice.text
    assert "Staff: please remove it from the chat now." in notice.text
    warning, heading, explanation = card_texts(notice.card.content)
    assert (warning, heading) == ("Warning: ", "File could not be withdrawn")
    assert explanation == notice.text
    assert notice.card.content["body"][0]["inlines"][0]["color"] == "Attention"


def test_a_kept_file_is_acknowledged() -> None:
    assert file_acknowledged_text() == (
        "This file can stay shared: it was proposed before the meeting, and the people it "
        "concerns agreed by email, before the meeting, to it being shared."
    )


def test_share_posts_the_title_and_link() -> None:
    text = share_link_text([LinkToShare("School report", "https://example.org/r.docx")])
    assert text == (
        "Shared with the agreement of the people it concerns: School report "
        "https://example.org/r.docx"
    )


def test_share_of_two_documents_with_one_title_posts_both() -> None:
    text = share_link_text(
        [LinkToShare("Plan", "https://example.org/1"), LinkToShare("Plan", "https://example.org/2")]
    )
    assert text == (
        "Shared with the agreement of the people they concern: Plan https://example.org/1; "
        "Plan https://example.org/2"
    )


@pytest.mark.parametrize(
    ("reason", "because"),
    [
        (
            RefusalReason.NOT_PROPOSED,
            "it is not one of the documents proposed for sharing before this meeting.",
        ),
        (RefusalReason.MEETING_CANCELLED, "this meeting was cancelled."),
        (
            RefusalReason.NOT_AGREED,
            "the people it concerns have not agreed by email, before the meeting, to it being "
            "shared.",
        ),
    ],
)
def test_share_refused_gives_the_reason(reason: RefusalReason, because: str) -> None:
    assert share_refused_text(reason) == f"That cannot be shared: {because}"
