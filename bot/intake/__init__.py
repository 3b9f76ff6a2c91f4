"""Consent intake: reply emails in, consent decisions (or a request for a person to read) out.

    classify_email(raw) -> ConsentReply | Unreadable     # bytes of one email, end to end
    classify_text(words) -> Classification               # the sender's own words only

Modules, one concept each: `message` (bytes to ParsedEmail), `authentication`
(Authentication-Results verdict), `auto_reply`, `reply_text` (the sender's own new words) with
`visible_text` (the words an HTML body shows) and the CSS it reads by: `css`, `hiding_styles`
(what hides an element), `text_look` (when text is too small or faint to read) and
`text_colours`; `lexicon` and `tokens` (the vocabulary), `classify` (the consent language
rules) with `sentences` (the text cut into sentences and clauses) and `clause_reading` (what
one clause says), `verdict` (result types), `guidance` (how requests ask people to answer),
`consent_email` (all of it).
"""

from bot.intake.classify import classify_text
from bot.intake.consent_email import MAX_EMAIL_BYTES, classify_email
from bot.intake.verdict import Classification, ConsentReply, Finding, Unreadable

__all__ = [
    "MAX_EMAIL_BYTES",
    "Classification",
    "ConsentReply",
    "Finding",
    "Unreadable",
    "classify_email",
    "classify_text",
]
