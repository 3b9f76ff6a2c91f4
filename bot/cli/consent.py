"""`iass-bot consent ...`: work with consent emails by hand.

`iass-bot consent classify FILE.eml ...` reads saved reply emails and prints one JSON object per
file per line: the meeting reference, the sender, the decision on each topic (or null), whether
a person must read it, the sender's authentication verdict and the phrases that decided it.
A file that cannot be read gives a line with an `error` and the run goes on; the exit status is
1 if any file failed, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.intake import MAX_EMAIL_BYTES, ConsentReply, classify_email
from domain.terms import AuthVerdict, Topic

_AUTHENTICATED = {AuthVerdict.PASS: True, AuthVerdict.FAIL: False, AuthVerdict.NONE: None}


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "consent",
        help="work with consent reply emails",
        description="Commands for the consent emails attendees send back.",
    )
    actions = parser.add_subparsers(title="consent commands", metavar="ACTION", required=True)
    classify = actions.add_parser(
        "classify",
        help="read saved reply emails (.eml) and print what each one decides, as JSON lines",
        description=(
            "Classify saved consent replies. Prints one JSON object per file per line with the "
            "keys file, reference, sender, recording, documents, contribution (given, refused, "
            "withdrawn or null), needs_review, authenticated (true, false or null), evidence "
            "(topic: the sender's phrase that decided it), review_reasons and auto_reply. A file "
            "that cannot be read gives {file, error}. Exit status 1 if any file failed."
        ),
    )
    classify.add_argument("files", nargs="+", metavar="FILE.eml", help="a saved email (RFC 5322)")
    classify.set_defaults(handler=run_classify)


def run_classify(args: argparse.Namespace) -> int:
    failed = False
    for name in args.files:
        line = _classify_file(name)
        failed |= "error" in line
        sys.stdout.write(json.dumps(line) + "\n")
    return 1 if failed else 0


def _classify_file(name: str) -> dict[str, Any]:
    try:
        with Path(name).open("rb") as file:
            raw = file.read(MAX_EMAIL_BYTES + 1)
    except OSError as error:
        return {"file": name, "error": f"cannot read file: {error.strerror or error}"}
    result = classify_email(raw)
    if not isinstance(result, ConsentReply):
        return {"file": name, "error": result.reason}
    return _as_json(name, result)


def _as_json(name: str, reply: ConsentReply) -> dict[str, Any]:
    findings = reply.classification.findings
    line: dict[str, Any] = {"file": name, "reference": reply.reference, "sender": reply.sender}
    for topic in Topic:
        finding = findings.get(topic)
        line[topic.value] = finding.decision.value if finding else None
    line["needs_review"] = reply.classification.needs_review
    line["authenticated"] = _AUTHENTICATED[reply.authenticated]
    line["evidence"] = {topic.value: finding.evidence for topic, finding in findings.items()}
    line["review_reasons"] = list(reply.classification.review_reasons)
    line["auto_reply"] = reply.auto_reply
    return line
