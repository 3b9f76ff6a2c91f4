"""The store's secret keys: field encryption keys by id, the blind-index key, the audit key.

Keys are configuration, never stored in the database. Encryption keys are given as
`id:base64key` pairs separated by commas so old keys stay readable while a new one is active.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

KEY_BYTES = 32
_KEY_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class KeyRing:
    """Every key the store needs. `active_key_id` names the key new data is encrypted under."""

    encryption_keys: dict[str, bytes]
    active_key_id: str
    blind_index_key: bytes
    audit_key: bytes


def _decode(name: str, value: str) -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"{name} must be {KEY_BYTES} bytes (base64 of 32 random bytes)")
    return key


def parse_key_ring(
    *, encryption_keys: str, active_key_id: str, blind_index_key: str, audit_key: str
) -> KeyRing:
    """Parse keys from their setting values; `ValueError` names the setting that is wrong."""
    if not encryption_keys.strip():
        raise ValueError("IASS_ENCRYPTION_KEYS is not set (run `iass-bot keys init`)")
    keys: dict[str, bytes] = {}
    for entry in encryption_keys.split(","):
        key_id, sep, value = entry.strip().partition(":")
        if not sep or not key_id or not set(key_id) <= _KEY_ID_CHARS or len(key_id) > 32:
            raise ValueError("IASS_ENCRYPTION_KEYS entries must look like id:base64key")
        keys[key_id] = _decode(f"IASS_ENCRYPTION_KEYS key {key_id!r}", value)
    active = active_key_id or next(iter(keys))
    if active not in keys:
        raise ValueError(f"IASS_ENCRYPTION_KEY_ID {active!r} is not among IASS_ENCRYPTION_KEYS")
    if not blind_index_key.strip():
        raise ValueError("IASS_BLIND_INDEX_KEY is not set (run `iass-bot keys init`)")
    if not audit_key.strip():
        raise ValueError("IASS_AUDIT_KEY is not set (run `iass-bot keys init`)")
    return KeyRing(
        encryption_keys=keys,
        active_key_id=active,
        blind_index_key=_decode("IASS_BLIND_INDEX_KEY", blind_index_key),
        audit_key=_decode("IASS_AUDIT_KEY", audit_key),
    )


def new_key() -> str:
    """A fresh random key, base64-encoded for a setting."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
