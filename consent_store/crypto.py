"""Field encryption (AES-256-GCM) and the keyed blind index used to look up email addresses.

A ciphertext names the key it was made with, so keys can be rotated: old keys stay in the key
ring for reading while the active key encrypts. Each ciphertext is bound to the table, column
and row it belongs to (associated data), so a value copied into another row will not decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from consent_store.keys import KeyRing

_FORMAT_VERSION = 1
_NONCE_BYTES = 12


class UnreadableField(Exception):
    """A stored value could not be decrypted: unknown key, wrong row, or tampered bytes."""


class FieldCipher:
    """Encrypts and decrypts text fields under the key ring's keys."""

    def __init__(self, key_ring: KeyRing) -> None:
        self._ciphers = {kid: AESGCM(key) for kid, key in key_ring.encryption_keys.items()}
        self._active = key_ring.active_key_id

    @property
    def active_key_id(self) -> str:
        return self._active

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt `plaintext` under the active key, bound to `context` (table.column:row)."""
        kid = self._active.encode()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self._active].encrypt(nonce, plaintext.encode(), context.encode())
        return bytes([_FORMAT_VERSION, len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, *, context: str) -> str:
        """Decrypt a value made by `encrypt` with the same `context`."""
        if len(blob) < 2 or blob[0] != _FORMAT_VERSION:
            raise UnreadableField("unknown ciphertext format")
        kid_end = 2 + blob[1]
        kid = blob[2:kid_end].decode(errors="replace")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise UnreadableField(f"no key {kid!r} in the key ring")
        nonce, sealed = blob[kid_end : kid_end + _NONCE_BYTES], blob[kid_end + _NONCE_BYTES :]
        try:
            return cipher.decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag:
            raise UnreadableField("ciphertext does not authenticate") from None

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        """The id of the key a ciphertext was made with."""
        return blob[2 : 2 + blob[1]].decode(errors="replace")


class BlindIndex:
    """A keyed hash of an email address, so rows can be found by address without storing it."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def of_email(self, address: str) -> str:
        normalised = address.strip().lower()
        return hmac.new(self._key, b"email:" + normalised.encode(), hashlib.sha256).hexdigest()

    def of_participant(self, key: str) -> str:
        """A keyed hash of how someone in a meeting is known (an object id, a `29:` id or a
        call participant id), so presence is kept without storing Teams ids."""
        return hmac.new(self._key, b"participant:" + key.encode(), hashlib.sha256).hexdigest()

    def of_activity(self, channel_id: str, conversation_id: str, activity_id: str) -> str:
        """A keyed hash naming one activity: its id within its conversation within its
        channel (a personal chat's conversation id stands for a person, so none is stored)."""
        named = json.dumps([channel_id, conversation_id, activity_id]).encode()
        return hmac.new(self._key, b"activity:" + named, hashlib.sha256).hexdigest()
