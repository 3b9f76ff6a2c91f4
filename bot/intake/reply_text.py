"""The sender's own new words: the reply with quoted originals, forwards, signatures and
disclaimers removed.

Plain text is preferred; HTML-only mail is first cut at the markers mail clients put before
quoted history (Outlook's `divRplyFwdMsg`/`appendonsend`, Gmail's `gmail_quote`, Apple's and
Thunderbird's `blockquote`, signature blocks) and then turned into the text it shows its reader
(`visible_text`: hidden elements, titles, scripts, styles, comments and white-on-white text
are not the sender's words).
The text is cut at the first line that starts quoted or appended material: an Outlook header
block ("From: ... Sent: ..."), "-----Original Message-----", "On <date>, <name> wrote:" (and
the same in the languages webmail commonly uses), a forwarded-message banner, "Sent from my
iPhone" and the like, the "-- " signature delimiter, or a common disclaimer opening.
`email_reply_parser` then drops quoted fragments and header blocks that remain, and lines still
starting with ">" go last.
"""

from __future__ import annotations

import re

from email_reply_parser import EmailReplyParser

from bot.intake.visible_text import visible_text

# email_reply_parser runs a regex whose cost grows with the square of the count of "On" in its
# input times the input's length. Past these bounds it is skipped: such text is no ordinary
# reply, and the classifier's own checks send it to a person.
REPLY_PARSER_MAX_CHARS = 8_000
REPLY_PARSER_MAX_ON = 10
# Only the start of a body is searched for where the new words end. New words longer than this
# are far past what the classifier reads (it sends them to a person), so the rest cannot matter.
MAX_SCAN_CHARS = 64_000
MAX_HTML_CHARS = 512_000

_HTML_CUT_MARKERS = (
    'id="divrplyfwdmsg"',
    "id=divrplyfwdmsg",
    'id="appendonsend"',
    "id=appendonsend",
    'class="gmail_quote',
    "class=gmail_quote",
    'class="gmail_signature',
    'class="moz-cite-prefix',
    'class="moz-signature',
    'class="yahoo_quoted',
    'id="signature"',
    "<blockquote",
    "<hr",
)
_BANNER = re.compile(
    r"-{2,}\s*(?:original\s+message|forwarded\s+message)\s*-{2,}"
    r"|begin\s+forwarded\s+message\s*:"
    r"|_{10,}",
    re.IGNORECASE,
)
# Outlook's header block in English and in the languages its users here commonly run it in.
_HEADER_FROM = re.compile(
    r"\*?(?:from|von|de|od|van|da|från|fra|oddi\s+wrth)\s*:\*?\s", re.IGNORECASE
)
_HEADER_SENT = re.compile(
    r"\*?(?:sent|date|gesendet|datum|envoyé|enviado|fecha|wysłane|wysłano|data|verzonden"
    r"|inviato|skickat|sendt|anfonwyd|dyddiad)\s*:\*?\s",
    re.IGNORECASE,
)
_WROTE = re.compile(
    r"(?:wrote|a\s+écrit|schrieb|escribió|napisał\(a\)|napisała|napisał|ysgrifennodd"
    r"|scrisse|escreveu|schreef)\s*:$",
    re.IGNORECASE,
)
_ON = re.compile(r"(?:on|le|am|el|dnia|ar)\s", re.IGNORECASE)
_DEVICE = re.compile(
    r"(?:sent\s+(?:from|via|with|using)\s|get\s+outlook\s+for\s|download\s+outlook\s+for\s)",
    re.IGNORECASE,
)
_DISCLAIMER_OPENERS = (
    "disclaimer",
    "email disclaimer",
    "confidentiality notice",
    "confidentiality:",
    "important: this e",
    "privileged and confidential",
    "private and confidential",
    "this email and any",
    "this e-mail and any",
    "this message and any",
    "this email is confidential",
    "this e-mail is confidential",
    "this message is confidential",
    "this email may contain",
    "this e-mail may contain",
    "this message may contain",
    "this email (including",
    "this e-mail (including",
    "this message (including",
    "this email is intended",
    "this e-mail is intended",
    "this message is intended",
    "this email has been scanned",
    "this e-mail has been scanned",
    "the information contained in this",
    "the information in this email",
    "the information in this e-mail",
    "the information in this message",
    "the contents of this email",
    "the contents of this e-mail",
    "the content of this email",
    "if you are not the intended recipient",
    "if you have received this email in error",
    "if you have received this e-mail in error",
    "if you have received this message in error",
    "any views or opinions",
    "please consider the environment",
    "think before you print",
)
# Closing words that start a sign-off; longer first so "thanks again" is not read as "thanks".
_CLOSINGS = (
    "yours sincerely",
    "yours faithfully",
    "warmest regards",
    "kind regards",
    "best regards",
    "warm regards",
    "many thanks",
    "thanks again",
    "thank you",
    "best wishes",
    "all the best",
    "with thanks",
    "take care",
    "speak soon",
    "thankyou",
    "regards",
    "thanks",
    "cheers",
    "sincerely",
    "best",
    "love",
    "thx",
    "ta",
)
_ANSWER_WORDS = frozenset({"yes", "no", "ok", "okay", "fine", "agreed", "i"})


def own_words(plain: str | None, html: str | None) -> str:
    """The sender's own new words in a reply whose body parts are `plain` and `html`."""
    if plain is not None and plain.strip():
        text = plain
    elif html:
        text = html_to_text(html)
    else:
        return ""
    return strip_reply(text)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, cut before quoted history and signature blocks. The
    whole body's style sheets apply to the part kept."""
    lowered = html.lower()
    cut = len(html)
    for marker in _HTML_CUT_MARKERS:
        found = lowered.find(marker, 0, cut)
        if found != -1:
            tag = lowered.rfind("<", 0, found + 1)
            cut = tag if tag != -1 else found
    return visible_text(html[: min(cut, MAX_HTML_CHARS)], style_source=html)


def strip_reply(text: str) -> str:
    """The new part of a plain-text reply (see the module docstring for the rules)."""
    text = text[:MAX_SCAN_CHARS].replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = text.split("\n")
    kept = lines[: _first_cut(lines)]
    body = "\n".join(kept)
    if len(body) <= REPLY_PARSER_MAX_CHARS and body.count("On") <= REPLY_PARSER_MAX_ON:
        body = _unquoted_fragments(body)
    return "\n".join(line for line in body.split("\n") if not line.lstrip().startswith(">")).strip()


def _first_cut(lines: list[str]) -> int:
    """Index of the first line that starts material that is not the sender's own new words."""
    said_something = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        unmarked = stripped.lstrip("*[ ")
        lowered = unmarked.lower()
        if (said_something and _is_sign_off(unmarked, lowered)) or (
            _BANNER.fullmatch(stripped)
            or _DEVICE.match(stripped)
            or line.rstrip() == "--"
            or lowered.startswith(_DISCLAIMER_OPENERS)
            or _is_outlook_header(lines, index)
            or _is_quote_intro(lines, index)
        ):
            return index
        said_something = True
    return len(lines)


def _is_sign_off(line: str, lowered: str) -> bool:
    """A closing ("Kind regards", "Thanks, Jo", "x") with at most a name after it."""
    if lowered.strip("x ") == "":
        return True
    for closing in _CLOSINGS:
        if lowered.startswith(closing) and not lowered[len(closing) : len(closing) + 1].isalpha():
            rest = line[len(closing) :].strip(" ,.!-").split()
            return len(rest) <= 4 and all(
                word[0].isupper() and word.lower().strip(",.!") not in _ANSWER_WORDS
                for word in rest
            )
    return False


def _is_outlook_header(lines: list[str], index: int) -> bool:
    if not _HEADER_FROM.match(lines[index].lstrip()):
        return False
    return any(_HEADER_SENT.match(line.lstrip()) for line in lines[index + 1 : index + 5])


def _is_quote_intro(lines: list[str], index: int) -> bool:
    """ "On <date>, <name> wrote:" on this line, or starting here and ending one or two later."""
    joined = lines[index].strip()
    if len(joined) > 400:
        return False
    if _WROTE.search(joined):
        return True
    if not _ON.match(joined):
        return False
    for following in lines[index + 1 : index + 3]:
        joined = f"{joined} {following.strip()}"
        if len(joined) > 400:
            return False
        if _WROTE.search(joined):
            return True
    return False


def _unquoted_fragments(body: str) -> str:
    """email_reply_parser's fragments before the first header block, quoted ones left out.

    Its signature guess is not used: it hides a trailing paragraph that starts with "-x" or
    "--", which is how some people list their answers.
    """
    kept: list[str] = []
    for fragment in EmailReplyParser.read(body).fragments:
        if fragment.headers:
            break
        if not fragment.quoted:
            kept.append(fragment.content)
    return "\n".join(kept)
