"""Key rotation: after re-encryption the old key can go and everything still reads."""

from __future__ import annotations

from dataclasses import replace

from consent_store.audit import verify_chain
from consent_store.crypto import FieldCipher
from consent_store.keys import KeyRing, new_key
from consent_store.rekey import reencrypt
from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store
from tests.builders import PARENT, reply, schedule
from tests.conftest import FakeClock


async def test_rotation_moves_every_value_to_the_new_key(
    store: Store, key_ring: KeyRing, database_url: str, clock: FakeClock
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    await reply(store, meeting, parent, PARENT.email)

    both = replace(
        key_ring,
        encryption_keys={**key_ring.encryption_keys, "k2": new_key().encode()[:32]},
        active_key_id="k2",
    )
    rotating = Store.open(database_url, both, clock)
    try:
        rewritten = await reencrypt(rotating, "test")
        assert rewritten["attendees"] == 3 * 2 + 1
        assert rewritten["consent_decisions"] == 2
        assert sum((await reencrypt(rotating, "test")).values()) == 0
    finally:
        await rotating.close()

    only_new = replace(both, encryption_keys={"k2": both.encryption_keys["k2"]})
    after = Store.open(database_url, only_new, clock)
    try:
        async with after.unit_of_work() as uow:
            report = await subject_access_report(uow, PARENT.email)
            row = (await uow.meetings.attendees(meeting))[0]
            assert (await verify_chain(uow.session, after.audit_key)).intact
        assert report.invitations[0].name == PARENT.name
        assert report.decisions[0].sender == PARENT.email
        assert row.name_enc is not None
        assert FieldCipher.key_id_of(row.name_enc) == "k2"
    finally:
        await after.close()
