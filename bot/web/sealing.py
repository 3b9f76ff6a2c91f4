"""Sealed cookie values: JSON encrypted and authenticated (Fernet) under a key derived from the
session key, one key per purpose, and stamped with the time they were sealed so they lapse."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Sealer:
    """Seals and opens JSON objects for one purpose; a value sealed for another purpose, or
    with another key, does not open."""

    def __init__(self, secret: bytes, purpose: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"iass-web {purpose}".encode()
        ).derive(secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, value: dict[str, Any], now: datetime) -> str:
        data = json.dumps(value, separators=(",", ":")).encode()
        return self._fernet.encrypt_at_time(data, int(now.timestamp())).decode("ascii")

    def open(self, token: str, max_age: timedelta, now: datetime) -> dict[str, Any] | None:
        """The sealed object, or None if the token is forged, damaged or older than `max_age`."""
        if not token.isascii():
            return None
        try:
            data = self._fernet.decrypt_at_time(
                token, int(max_age.total_seconds()), int(now.timestamp())
            )
        except InvalidToken:
            return None
        value = json.loads(data)
        return value if isinstance(value, dict) else None
