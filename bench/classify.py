"""Benchmark: consent reply classification throughput on one core.

Generates a corpus of varied replies in memory (Outlook, Gmail, Apple Mail and Android quoting;
plain, multipart/alternative and HTML-only bodies; quoted-printable, base64 and 8-bit
windows-1252 parts; out-of-office replies; answers that are clear, mixed, conditional,
questions and in other languages; Authentication-Results headers with varied IPs, domains and
verdicts), then times `classify_email` over all of it. Target: at least 2,000 emails per second.
Also prints where the time goes, stage by stage. The last line reads `classify_per_s: N`.

    .venv/bin/python bench/classify.py
    .venv/bin/python bench/classify.py --count 2000 --seed 7
"""

from __future__ import annotations

import argparse
import base64
import quopri
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.intake import ConsentReply, classify_email
from bot.intake.authentication import authentication_verdict
from bot.intake.classify import classify_text
from bot.intake.message import parse_email
from bot.intake.reply_text import own_words

TARGET_PER_S = 2_000
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIRST = ["Jane", "Tomasz", "Rhiannon", "Mohammed", "Leanne", "Daniel", "Sophie", "Kelly", "Amir"]
LAST = ["Okafor", "Wielgosz", "Bell", "Iqbal", "Marsh", "Hughes", "Clarke", "Ashworth", "Haddad"]
DOMAINS = [
    f"{name}.example.{tld}"
    for name in ("mail", "home", "school", "nhs", "council")
    for tld in ("org", "com", "net")
] + ["example.org", "example.com", "example.net"]
ANSWERS = [
    "Yes",
    "Yes, that's fine.",
    "Yes that's fine, thanks",
    "I agree to all of the above.",
    "Happy with everything, thanks",
    "yse thats fine",
    "No problem at all, happy for you to go ahead.",
    "Recording: yes\nDocuments: yes\nContribution: yes",
    "I'm happy for the meeting to be recorded, for the documents to be shared and for you to "
    "contribute on my behalf.",
    "Yes to the recording, but please do not share the documents.",
    "Recording is fine but please don't share documents",
    "Yes to everything apart from the recording.",
    "No to recording, yes to the rest.",
    "No.",
    "No thanks",
    "I do not consent to the meeting being recorded.",
    "I'd rather you didn't record it, sorry.",
    "I withdraw my consent.",
    "I've changed my mind, please don't record the meeting after all.",
    "Yes as long as the recording is deleted afterwards.",
    "Will it be recorded? Who will see it?",
    "I'm not sure about the recording, I'll let you know.",
    "Ydw, rwy'n hapus i'r cyfarfod gael ei recordio. Diolch",
    "Tak, zgadzam się na nagrywanie spotkania.",
    "جی ہاں، مجھے کوئی اعتراض نہیں",
    "Hi Priya,\n\nThanks for sending this through. Yes, I'm happy for the meeting to be recorded "
    "and for you to share the draft plan.\n\nLooking forward to meeting you on Thursday.",
    "",
]
REQUEST = (
    "Dear {first},\n\nPriya Castellano from Northshire SEND Information, Advice and Support "
    "Service has arranged a Microsoft Teams meeting you are invited to:\n\n    Tuesday 11 "
    "November 2025, 10:00 to 11:00 (GMT)\n    Reference: {ref}\n\nBefore the meeting we need your "
    "answer to these questions. Nothing below happens unless you agree by email before the "
    "meeting starts.\n\nRECORDING\nMay we record the meeting? We record only if every person "
    "invited agrees by email before the meeting starts.\n\nDOCUMENTS\nMay we share this document "
    "with the people at the meeting?\n    - Draft EHC plan section F\n\nHOW TO ANSWER\nReply to "
    'this email in your own words, above the quoted text. For example:\n    "Yes, I agree to '
    'everything."\n    "Yes to the recording, but please do not share the documents."\n    '
    '"No, I do not agree."\n\nCHANGING YOUR MIND\nYou can change your mind at any time before '
    'the meeting by replying "I withdraw my consent".\n\nNorthshire SEND IASS\n0300 555 0199\n'
)
DISCLAIMER = (
    "This email and any attachments are confidential and intended solely for the addressee. If "
    "you are not the intended recipient you must not read, copy, disclose or use it."
)


def reference(rng: random.Random) -> str:
    return "IASS-" + "".join(rng.choice(CROCKFORD) for _ in range(8))


def quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def plain_reply(style: str, answer: str, request: str, sender: str) -> str:
    if style == "outlook":
        return (
            f"{answer}\n\nKind regards\n{sender}\n\n________________________________\n"
            "From: Priya Castellano <priya.castellano@iass.example.com>\nSent: 03 November 2025 "
            f"10:02\nTo: {sender}\nSubject: Your meeting\n\n{request}"
        )
    if style == "gmail":
        return (
            f"{answer}\n\nOn Mon, 3 Nov 2025 at 10:02, Priya Castellano <\n"
            f"priya.castellano@iass.example.com> wrote:\n\n{quote(request)}"
        )
    if style == "apple":
        return (
            f"{answer}\n\nSent from my iPhone\n\n> On 3 Nov 2025, at 10:02, Priya Castellano "
            f"<priya.castellano@iass.example.com> wrote:\n>\n{quote(request)}"
        )
    if style == "android":
        return (
            f"{answer}\n\n\nSent from my Galaxy\n\n\n-------- Original message --------\n"
            "From: Priya Castellano <priya.castellano@iass.example.com>\nDate: 03/11/2025 10:02\n"
            f"Subject: Your meeting\n\n{request}"
        )
    return f"{answer}\n\n{sender}\n\n{DISCLAIMER}\n\n-----Original Message-----\n{request}"


def html_reply(style: str, answer: str, request: str) -> str:
    answer_html = "".join(f"<div>{line or '<br>'}</div>" for line in answer.split("\n"))
    request_html = "".join(f"<p>{line}</p>" for line in request.split("\n\n"))
    if style == "gmail":
        return (
            f'<div dir="ltr">{answer_html}</div><br><div class="gmail_quote"><div dir="ltr" '
            'class="gmail_attr">On Mon, 3 Nov 2025 at 10:02, Priya Castellano wrote:<br></div>'
            f'<blockquote class="gmail_quote">{request_html}</blockquote></div>'
        )
    return (
        '<html><head><style type="text/css" style="display:none;"> P {margin-top:0;} </style>'
        f'</head><body dir="ltr"><div style="font-family: Aptos, sans-serif;">{answer_html}</div>'
        '<div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div '
        'id="divRplyFwdMsg" dir="ltr"><b>From:</b> Priya Castellano<br><b>Sent:</b> 03 November '
        f"2025 10:02</div><div>{request_html}</div></body></html>"
    )


def text_part(subtype: str, text: str, rng: random.Random) -> bytes:
    encoding = rng.choice(["quoted-printable", "base64", "8bit"])
    charset = "utf-8"
    data = text.encode("utf-8")
    if encoding == "8bit" and text.isascii() is False:
        encoding = "quoted-printable"
    if encoding == "8bit" and rng.random() < 0.5:
        charset = "windows-1252"
    if encoding == "base64":
        data = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        data = quopri.encodestring(data)
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode() + data.replace(b"\n", b"\r\n")


def authentication_results(rng: random.Random, domain: str) -> str:
    dmarc, compauth = rng.choices(
        [("pass", "pass"), ("fail", "fail"), ("none", "fail"), ("bestguesspass", "pass")],
        weights=[85, 5, 5, 5],
    )[0]
    ip = f"203.0.{rng.randrange(256)}.{rng.randrange(256)}"
    return (
        f"Authentication-Results: spf=pass (sender IP is {ip})\r\n smtp.mailfrom={domain}; "
        f"dkim=pass (signature was verified)\r\n header.d={domain};dmarc={dmarc} action=none\r\n"
        f" header.from={domain};compauth={compauth} reason=100\r\n"
    )


def one_reply(rng: random.Random, number: int) -> bytes:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(DOMAINS)
    address = f"{first}.{last}{rng.randrange(100)}@{domain}".lower()
    ref = reference(rng)
    request = REQUEST.format(first=first, ref=ref)
    answer = rng.choice(ANSWERS)
    subject = f"RE: Your meeting with Northshire SEND IASS: please reply [{ref}]"
    extra = ""
    if rng.random() < 0.05:
        subject = f"Automatic reply: {subject}"
        extra = "Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"
        answer = "I am out of the office until Monday with limited access to email."
    head = (
        f"Received: from EX1P123MB{number:04d}.GBRP123.PROD.OUTLOOK.COM with HTTPS\r\n"
        + authentication_results(rng, domain)
        + extra
        + f"From: {first} {last} <{address}>\r\nTo: consent@iass.example.com\r\n"
        f"Subject: {subject}\r\nDate: Mon, 03 Nov 2025 18:42:07 +0000\r\n"
        f"Message-ID: <{number}.{rng.getrandbits(48):x}@{domain}>\r\n"
        f"In-Reply-To: <{ref.lower()}@iass.example.com>\r\n"
        f"References: <{ref.lower()}@iass.example.com>\r\nMIME-Version: 1.0\r\n"
    ).encode()
    style = rng.choice(["outlook", "gmail", "apple", "android", "plain"])
    shape = rng.choices(["plain", "alternative", "html"], weights=[30, 55, 15])[0]
    plain = plain_reply(style, answer, request, f"{first} {last}")
    if shape == "plain":
        return head + text_part("plain", plain, rng)
    html = html_reply(rng.choice(["outlook", "gmail"]), answer, request)
    if shape == "html":
        return head + text_part("html", html, rng)
    boundary = f"_000_{number:06d}_"
    return (
        head
        + f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n'.encode()
        + f"--{boundary}\r\n".encode()
        + text_part("plain", plain, rng)
        + f"\r\n--{boundary}\r\n".encode()
        + text_part("html", html, rng)
        + f"\r\n--{boundary}--\r\n".encode()
    )


def timed(label: str, items: Sequence[Any], work: Callable[[Any], object]) -> float:
    start = time.perf_counter()
    for item in items:
        work(item)
    elapsed = time.perf_counter() - start
    print(f"  {label:<34} {elapsed / len(items) * 1e6:8.1f} µs per email")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="replies to generate")
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the corpus")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = [one_reply(rng, number) for number in range(args.count)]
    size = sum(map(len, corpus)) / len(corpus)
    print(f"corpus: {len(corpus)} replies, {size / 1024:.1f} KiB on average")

    classify_email(corpus[0])
    start = time.perf_counter()
    results = [classify_email(raw) for raw in corpus]
    elapsed = time.perf_counter() - start
    read = [result for result in results if isinstance(result, ConsentReply)]
    reviewed = sum(result.classification.needs_review for result in read)
    automatic = sum(result.auto_reply for result in read)
    print(
        f"classified {len(results)} in {elapsed:.2f} s: {len(read)} read, {automatic} automatic, "
        f"{reviewed} to review"
    )

    print("where the time goes (each stage run alone over the same corpus):")
    parsed = [parse_email(raw) for raw in corpus]
    timed("parse (compat32, decode parts)", corpus, parse_email)
    timed(
        "Authentication-Results verdict",
        parsed,
        lambda e: authentication_verdict(e.authentication_results),
    )
    words = [own_words(email.plain_text, email.html) for email in parsed]
    timed("own words (cut, reply parser, HTML)", parsed, lambda e: own_words(e.plain_text, e.html))
    timed("consent language rules", words, classify_text)

    per_second = len(corpus) / elapsed
    verdict = "meets" if per_second >= TARGET_PER_S else "MISSES"
    print(f"throughput: {per_second:,.0f} emails/s on one core ({verdict} {TARGET_PER_S:,}/s)")
    print(f"classify_per_s: {per_second:.0f}")


if __name__ == "__main__":
    main()
