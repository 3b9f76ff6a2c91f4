"""Field encryption: values round-trip, are bound to their row, and survive key rotation."""

from __future__ import annotations

import pytest

from consent_store.crypto import BlindIndex, FieldCipher, UnreadableField
from consent_store.keys import new_key, parse_key_ring


def ring(keys: str, active: str) -> FieldCipher:
    return FieldCipher(
        parse_key_ring(
            encryption_keys=keys,
            active_key_id=active,
            blind_index_key=new_key(),
            audit_key=new_key(),
        )
    )


def test_round_trip_and_the_ciphertext_hides_the_value() -> None:
    cipher = ring(f"a:{new_key()}", "a")
    blob = cipher.encrypt("Rhiannon Okafor-Bell", context="attendees.name:1")
    assert b"Rhiannon" not in blob
    assert cipher.decrypt(blob, context="attendees.name:1") == "Rhiannon Okafor-Bell"


def test_a_value_moved_to_another_row_does_not_decrypt() -> None:
    cipher = ring(f"a:{new_key()}", "a")
    blob = cipher.encrypt("someone@example.org", context="attendees.email:1")
    with pytest.raises(UnreadableField):
        cipher.decrypt(blob, context="attendees.email:2")


def test_tampered_bytes_are_refused() -> None:
    cipher = ring(f"a:{new_key()}", "a")
    blob = bytearray(cipher.encrypt("x", context="c"))
    blob[-1] ^= 1
    with pytest.raises(UnreadableField):
        cipher.decrypt(bytes(blob), context="c")


def test_old_keys_still_read_after_rotation() -> None:
    old, new = new_key(), new_key()
    before = ring(f"old:{old}", "old").encrypt("kept", context="c")
    after = ring(f"old:{old},new:{new}", "new")
    assert after.decrypt(before, context="c") == "kept"
    assert FieldCipher.key_id_of(after.encrypt("fresh", context="c")) == "new"


def test_a_retired_key_leaves_its_values_unreadable() -> None:
    blob = ring(f"old:{new_key()}", "old").encrypt("gone", context="c")
    with pytest.raises(UnreadableField, match="no key 'old'"):
        ring(f"new:{new_key()}", "new").decrypt(blob, context="c")


def test_blind_index_ignores_case_and_spacing_but_depends_on_the_key() -> None:
    key = new_key()
    assert BlindIndex(key.encode()[:32]).of_email(" A@Example.org ") == BlindIndex(
        key.encode()[:32]
    ).of_email("a@example.org")
    assert BlindIndex(b"k" * 32).of_email("a@example.org") != BlindIndex(b"j" * 32).of_email(
        "a@example.org"
    )


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ("", "", "IASS_ENCRYPTION_KEYS is not set"),
        ("nokey", "", "id:base64key"),
        ("a:not-base64!", "", "not valid base64"),
        ("a:c2hvcnQ=", "", "32 bytes"),
        (f"a:{new_key()}", "b", "'b' is not among"),
    ],
)
def test_bad_key_settings_are_named(keys: str, active: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_key_ring(
            encryption_keys=keys,
            active_key_id=active,
            blind_index_key=new_key(),
            audit_key=new_key(),
        )
