"""Identifiers shaped like the ones Microsoft 365 hands out (opaque to the product)."""

from __future__ import annotations

import base64
import secrets
import string
import uuid

_UPPER_ALNUM = string.ascii_uppercase + string.digits


def _digits(count: int) -> str:
    return str(secrets.randbelow(9 * 10 ** (count - 1)) + 10 ** (count - 1))


def new_guid() -> str:
    return str(uuid.uuid4())


def urlsafe_token(nbytes: int) -> str:
    """Unpadded base64url of `nbytes` random bytes."""
    return base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).rstrip(b"=").decode("ascii")


def random_upper(length: int) -> str:
    return "".join(secrets.choice(_UPPER_ALNUM) for _ in range(length))


def exchange_item_id(prefix: str) -> str:
    """An Exchange item or folder id such as `AAMkAGI2...AAA=`."""
    return prefix + urlsafe_token(96) + "="


def meeting_thread_id() -> str:
    """The meeting chat's thread id, `19:meeting_<base64 of a GUID>@thread.v2`."""
    encoded = base64.b64encode(new_guid().encode("ascii")).rstrip(b"=").decode("ascii")
    return f"19:meeting_{encoded}@thread.v2"


def online_meeting_id(organizer_id: str, thread_id: str) -> str:
    """Graph's onlineMeeting id: base64 of `1*<organiser oid>*0**<thread id>`."""
    return base64.b64encode(f"1*{organizer_id}*0**{thread_id}".encode()).decode("ascii")


def exchange_message_id() -> str:
    """An RFC 5322 Message-ID as Exchange Online writes it."""
    server = f"LO{secrets.randbelow(10)}P{_digits(3)}MB{_digits(4)}"
    return f"<{server}{random_upper(16)}@{server}.GBRP{_digits(3)}.PROD.OUTLOOK.COM>"


def external_message_id(domain: str) -> str:
    """An RFC 5322 Message-ID as an outside mail provider might write it."""
    return f"<{urlsafe_token(24)}@mail.{domain}>"


def drive_item_id() -> str:
    """A OneDrive for Business item id: `01` and 32 upper-case letters and digits."""
    return "01" + random_upper(32)


def teams_meeting_id(thread_id: str) -> str:
    """The meeting id Teams gives bots: base64 of `0#<thread id>#0`."""
    return base64.b64encode(f"0#{thread_id}#0".encode()).decode("ascii")


def call_id_variant(call_id: str, turn: int) -> str:
    """The call id as Teams sometimes writes it: upper case, without hyphens, or both."""
    variants = (
        call_id.upper().replace("-", ""),
        call_id.upper(),
        call_id.replace("-", ""),
    )
    return variants[turn % len(variants)]
