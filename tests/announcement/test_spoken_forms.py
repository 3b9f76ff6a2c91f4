"""Text for a speech engine: plain words, names without asides, phone numbers digit by digit."""

from __future__ import annotations

import pytest

from bot.announcement.spoken_forms import as_sentence, speakable, speakable_name, spoken_phone


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Smith & <Jones>", "Smith and Jones"),
        ("SEND  Information,\nAdvice", "SEND Information, Advice"),
        ("50% of #1 @ home = £5", "50 of 1 home 5"),
        ("O’Brien-Ní Bhriain, Zoë", "O’Brien-Ní Bhriain, Zoë"),
        ("**bold** {{ 7 * 7 }}", "bold 7 7"),
    ],
)
def test_symbols_are_spelled_out_or_dropped(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("Priya Castellano (she/her)", "Priya Castellano"),
        ("Castellano, Priya [IASS] {Team}", "Castellano, Priya"),
        ("(IASS)", "IASS"),
    ],
)
def test_bracketed_asides_are_left_out_of_names_unless_they_are_all_there_is(
    name: str, spoken: str
) -> None:
    assert speakable_name(name) == spoken


@pytest.mark.parametrize(
    ("phone", "spoken"),
    [
        ("0300 373 3300", "zero three zero zero, three seven three, three three zero zero"),
        (
            "+44 (0)1539-713 456",
            "plus four four, zero, one five three nine, seven one three, four five six",
        ),
        ("01539.713456", "zero one five three nine, seven one three four five six"),
        ("ask at reception", ""),
    ],
)
def test_phone_numbers_are_read_digit_by_digit_in_their_groups(phone: str, spoken: str) -> None:
    assert spoken_phone(phone) == spoken


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("We help", "We help."),
        ("We help. ", "We help."),
        ("Can we help?", "Can we help?"),
        ("", ""),
    ],
)
def test_a_sentence_ends_with_a_stop(text: str, sentence: str) -> None:
    assert as_sentence(text) == sentence
