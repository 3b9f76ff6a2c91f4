"""The cards the bot posts in the meeting chat: Adaptive Card 1.5 attachments whose text shows
names exactly as given, each saying in `speak` what it shows for screen readers, and none
showing anything by colour alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.announcement.card import ADAPTIVE_CARD_CONTENT_TYPE, Card
from bot.announcement.document_replies import file_not_withdrawn_notice
from bot.announcement.notices import document_refused_card, recording_not_permitted_notice
from bot.announcement.opening import compose_announcement
from bot.config import ServiceProfile
from bot.policy.objection import OBJECT_ACTION
from bot.policy.role_statement import decide_role

from .builders import RECORDING_AGREED_WITH_DOCUMENTS, ROLE_SITUATIONS, SERVICE, STAFF_NAME

HOSTILE_NAMES = [
    'Robert "Bobby" O\'Brien',
    "Back\\slash \\\\ and \\u0041",
    "{{ 7 * 7 }} {% raw %} ${name}",
    '"}]}, {"type": "Action.OpenUrl", "url": "https://evil.example"',
    "**Bold** _italic_ [click](https://evil.example)",
    "</script><script>alert(1)</script>",
    "Zoë\nNew line\ttab",
]


def opening_card(staff_name: str = STAFF_NAME, service: ServiceProfile = SERVICE) -> Card:
    facts = RECORDING_AGREED_WITH_DOCUMENTS
    return compose_announcement(
        service, staff_name, decide_role(facts), recording_permitted=True, documents_proposed=True
    ).card


def elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every object with a "type" in the card, depth first."""
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for item in node:
            yield from elements(item)


def runs_of(card: Card) -> list[str]:
    return [e["text"] for e in elements(card.content) if e["type"] == "TextRun"]


ALL_CARDS = {
    "opening": opening_card(),
    "opening, contribution": compose_announcement(
        SERVICE,
        STAFF_NAME,
        decide_role(ROLE_SITUATIONS["contribution agreed"]),
        recording_permitted=False,
        documents_proposed=False,
    ).card,
    "recording not permitted": recording_not_permitted_notice(someone_uninvited=True).card,
    "recording not permitted, not everyone agreed": recording_not_permitted_notice(
        someone_uninvited=False
    ).card,
    "document refused": document_refused_card(),
    "file not withdrawn": file_not_withdrawn_notice().card,
}
WARNINGS = {
    "recording not permitted",
    "recording not permitted, not everyone agreed",
    "document refused",
    "file not withdrawn",
}


@pytest.mark.parametrize("card", ALL_CARDS.values(), ids=ALL_CARDS.keys())
def test_each_card_is_an_adaptive_card_1_5_attachment(card: Card) -> None:
    attachment = card.attachment()
    assert ADAPTIVE_CARD_CONTENT_TYPE == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentType"] == ADAPTIVE_CARD_CONTENT_TYPE
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard"
    assert content["version"] == "1.5"
    assert json.loads(json.dumps(attachment)) == attachment


@pytest.mark.parametrize("card", ALL_CARDS.values(), ids=ALL_CARDS.keys())
def test_each_card_holds_only_rich_text_so_no_text_is_read_as_markdown(card: Card) -> None:
    content = card.content
    assert content["body"]
    for block in content["body"]:
        assert block["type"] == "RichTextBlock"
        assert block["inlines"]
        for run in block["inlines"]:
            assert run["type"] == "TextRun"
            assert isinstance(run["text"], str)
            assert run["text"].strip()
    assert {e["type"] for e in elements(content)} - {"Action.Submit"} == {
        "AdaptiveCard",
        "RichTextBlock",
        "TextRun",
    }


def lines_shown(card: Card) -> list[str]:
    """Each block's words as shown, then each button's label."""
    content = card.content
    shown = ["".join(run["text"] for run in block["inlines"]) for block in content["body"]]
    return shown + [action["title"] for action in content.get("actions", [])]


@pytest.mark.parametrize("card", ALL_CARDS.values(), ids=ALL_CARDS.keys())
def test_each_card_says_in_words_what_it_shows_for_screen_readers(card: Card) -> None:
    """`speak` (Adaptive Cards 1.0, on the card itself) holds every line shown, in order, each
    ending a sentence, and names the buttons."""
    speak = card.content["speak"]
    assert isinstance(speak, str)
    lines = lines_shown(card)
    spoken_lines = [line if line.endswith(".") else f"{line}." for line in lines]
    if "actions" in card.content:
        spoken_lines[-1] = f"Button: {spoken_lines[-1]}"
    assert speak == " ".join(spoken_lines)


def test_the_opening_cards_speech_names_the_role_recording_documents_and_button() -> None:
    assert opening_card().content["speak"] == (
        f"{STAFF_NAME} from {SERVICE.short_name}. From the automated meeting assistant of "
        f"{SERVICE.short_name}, on behalf of {STAFF_NAME}. {SERVICE.what_we_do.rstrip('.')}. "
        "Role: To support the parent carer or young person. "
        "Recording: Permitted. Everyone invited agreed by email before the meeting. "
        "Documents: Some documents may be shared. A document is shared only if the parent carer "
        "or young person agreed to it before the meeting. "
        f"Contact {SERVICE.short_name}: {SERVICE.phone}, {SERVICE.email}. "
        "Button: I do not agree to recording."
    )


@pytest.mark.parametrize("name", ALL_CARDS.keys())
def test_nothing_is_shown_by_colour_alone(name: str) -> None:
    """A warning is in the attention colour and also says "Warning" in words, shown first and
    spoken first; no other card uses colour."""
    content = ALL_CARDS[name].content
    coloured = [
        block
        for block in content["body"]
        if any(run.get("color") not in (None, "Default") for run in block["inlines"])
    ]
    if name not in WARNINGS:
        assert coloured == []
        assert "Warning" not in content["speak"]
        return
    assert coloured == content["body"][:1], "the heading only"
    assert {run["color"] for run in coloured[0]["inlines"]} == {"Attention"}
    assert coloured[0]["inlines"][0]["text"] == "Warning: "
    assert content["speak"].startswith("Warning: ")


def test_the_opening_card_has_one_button_to_object_to_recording() -> None:
    for card in (opening_card(), ALL_CARDS["opening, contribution"]):
        (button,) = card.content["actions"]
        assert button == {
            "type": "Action.Submit",
            "title": "I do not agree to recording",
            "data": {"action": OBJECT_ACTION},
        }
    assert "actions" not in ALL_CARDS["document refused"].content


def test_the_opening_card_shows_the_name_role_recording_documents_and_contact() -> None:
    runs = runs_of(opening_card())
    assert runs[0] == f"{STAFF_NAME} from {SERVICE.short_name}"
    assert runs[1] == (
        f"From the automated meeting assistant of {SERVICE.short_name}, on behalf of "
        f"{STAFF_NAME}. {SERVICE.what_we_do}"
    )
    assert runs[2:8] == [
        "Role: ",
        "To support the parent carer or young person.",
        "Recording: ",
        "Permitted. Everyone invited agreed by email before the meeting.",
        "Documents: ",
        "Some documents may be shared. A document is shared only if the parent carer or young "
        "person agreed to it before the meeting.",
    ]
    assert runs[8] == f"Contact {SERVICE.short_name}: {SERVICE.phone}, {SERVICE.email}"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_staff_name_is_shown_exactly_and_changes_nothing_else(name: str) -> None:
    card = opening_card(staff_name=name)
    content = json.loads(card.json_text)
    assert runs_of(card)[0] == f"{' '.join(name.split())} from {SERVICE.short_name}"
    assert len(content["body"]) == len(opening_card().content["body"])
    assert content["actions"] == opening_card().content["actions"]
    assert {e["type"] for e in elements(content)} == {
        "AdaptiveCard",
        "RichTextBlock",
        "TextRun",
        "Action.Submit",
    }
    assert "49" not in card.json_text


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_cannot_become_speech_markup(name: str) -> None:
    """`speak` may be read as SSML: angle brackets are left out and "&" is said as "and"."""
    speak = opening_card(staff_name=name).content["speak"]
    assert not set(speak) & set("<>&\n\t")
    assert speak.startswith(
        " ".join(name.replace("<", " ").replace(">", " ").split()) + f" from {SERVICE.short_name}."
    )
    assert "49" not in speak


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_service_name_is_shown_exactly(name: str) -> None:
    service = SERVICE.model_copy(update={"short_name": name, "email": name})
    card = opening_card(service=service)
    runs = runs_of(card)
    assert runs[0] == f"{STAFF_NAME} from {' '.join(name.split())}"
    assert runs[-1].startswith(f"Contact {' '.join(name.split())}: ")
    assert "49" not in card.json_text


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_is_read_aloud_without_its_symbols(name: str) -> None:
    facts = RECORDING_AGREED_WITH_DOCUMENTS
    spoken = compose_announcement(
        SERVICE, name, decide_role(facts), recording_permitted=True, documents_proposed=True
    ).spoken
    assert not set(spoken) & set('<>{}[]()"\\*_/$%=#@\n\t')
    assert "49" not in spoken


def test_a_card_cannot_be_changed_through_its_content() -> None:
    card = opening_card()
    card.content["body"].clear()
    card.attachment()["content"]["version"] = "1.6"
    assert card.content["body"]
    assert card.content["version"] == "1.5"
