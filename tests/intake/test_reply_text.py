"""Finding the sender's own new words: quoting styles, forwards, signatures, disclaimers."""

from __future__ import annotations

import pytest

from bot.intake.reply_text import html_to_text, own_words, strip_reply

QUOTED_REQUEST = 'May we record the meeting?\n"Yes, I agree to everything."\n"No, I do not agree."'


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("No\n\n-----Original Message-----\nFrom: IASS\n" + QUOTED_REQUEST, "No"),
        ("No\n\n________________________________\nFrom: IASS\n" + QUOTED_REQUEST, "No"),
        ("No\n\nFrom: Priya <p@iass.example.com>\nSent: 03 November 2025\nTo: Jo\n\nI agree", "No"),
        (
            "No\n\nOn Mon, 3 Nov 2025 at 10:02, Priya <\np@iass.example.com> wrote:\n\n> I agree",
            "No",
        ),
        ("No\n\nOn 3 Nov 2025, at 10:02, Priya <p@iass.example.com> wrote:\n> I agree", "No"),
        (
            "Nie\n\npon., 3 lis 2025 o 10:02 Priya <p@iass.example.com> napisał(a):\n> I agree",
            "Nie",
        ),
        ("No\n\nOd: Priya\nWysłane: poniedziałek\nDo: Ola\n\nI agree", "No"),
        ("No\n\n---------- Forwarded message ---------\nFrom: Jo\n\nI agree", "No"),
        ("No\n\nBegin forwarded message:\n\nI agree", "No"),
        ("No\n\nSent from my iPhone\n\n> I agree", "No"),
        ("No\nGet Outlook for Android\nI agree", "No"),
        ("No\n-- \nJo Bloggs\nI agree", "No"),
        ("No\n\nKind regards\nJo Bloggs\nParent", "No"),
        ("No\nThanks, Jo\nI agree", "No"),
        ("Yes\n\nThis email and any attachments are confidential. Do not copy.", "Yes"),
        ("Yes\n\nDISCLAIMER: we do not agree to anything by email", "Yes"),
        ("Yes\n\nThe information contained in this email is confidential.", "Yes"),
        ("Yes\n> I do not agree\n> No", "Yes"),
        ("Thanks\nYes please", "Thanks\nYes please"),
        ("Thanks, yes that's fine", "Thanks, yes that's fine"),
        ("Yes\n\n-Recording yes\n-Documents no", "Yes\n-Recording yes\n-Documents no"),
        ("On Mon, Jo wrote:\n> May we record?\nYes\n> Documents?\nNo", ""),
    ],
)
def test_strip_reply(text: str, words: str) -> None:
    assert strip_reply(text) == words


def test_html_is_cut_before_quoted_history() -> None:
    html = (
        '<div>No thank you</div><div id="appendonsend"></div><hr>'
        '<div id="divRplyFwdMsg"><b>From:</b> Priya</div><div>I agree to everything</div>'
    )
    assert html_to_text(html).strip() == "No thank you"
    gmail = '<div dir="ltr">No</div><div class="gmail_quote"><blockquote>I agree</blockquote>'
    assert html_to_text(gmail).strip() == "No"


def test_plain_text_is_preferred_and_html_used_when_plain_is_blank() -> None:
    assert own_words("Yes", "<p>No</p>") == "Yes"
    assert own_words("  \n", "<p>No</p>") == "No"
    assert own_words(None, None) == ""


def test_pathological_on_lines_skip_the_reply_parser_quickly() -> None:
    assert strip_reply("On " * 3000).startswith("On")
