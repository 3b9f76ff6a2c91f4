"""The claim to send a legal request's extract (issue 17, migration 0017): a sender claims the
send on the request row for a while (a compare-and-set on its status), gives it up when the
send failed, and records the extract as sent while it holds the claim; no answer moves a request
while someone holds a live claim.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql.elements import ColumnElement

from consent_store.tables import LegalRequestRow
from consent_store.unit_of_work import UnitOfWork


class ExtractClaims:
    """The extract's claim on the request row, within one unit of work (the caller commits)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def _not_being_sent(self) -> ColumnElement[bool]:
        """No one holds a live claim to send the extract."""
        return or_(
            LegalRequestRow.extract_claimed_until.is_(None),
            LegalRequestRow.extract_claimed_until < self._uow.now(),
        )

    async def claim_extract(
        self, request_id: str, status: str, claimant: str, until: datetime
    ) -> bool:
        """Claim the sending of the extract for `claimant` until `until`, only if the request
        still stands at `status`, its extract was not sent, it was not disposed of and no one
        else holds a live claim; whether it was claimed (only one sender can win: the claim is
        one compare-and-set on the row, on both engines)."""
        result = await self._uow.session.execute(
            update(LegalRequestRow)
            .where(
                LegalRequestRow.id == request_id,
                LegalRequestRow.status == status,
                LegalRequestRow.extract_sent_at.is_(None),
                LegalRequestRow.disposed_at.is_(None),
                self._not_being_sent(),
            )
            .values(extract_claimed_by=claimant, extract_claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return bool(result.rowcount == 1)

    async def release_extract(self, request_id: str, claimant: str) -> None:
        """Give up `claimant`'s claim (the send failed): another sender may claim it at once."""
        await self._uow.session.execute(
            update(LegalRequestRow)
            .where(
                LegalRequestRow.id == request_id,
                LegalRequestRow.extract_claimed_by == claimant,
            )
            .values(extract_claimed_by=None, extract_claimed_until=None)
            .execution_options(synchronize_session=False)
        )

    async def record_extract_sent(
        self,
        request_id: str,
        to_status: str,
        sha256: str,
        message_id: str,
        *,
        claimant: str | None = None,
    ) -> bool:
        """The extract was sent: its SHA-256, when and its Message-ID, and the claim ended.
        With `claimant`, only while it holds the claim; whether it was recorded."""
        held = () if claimant is None else (LegalRequestRow.extract_claimed_by == claimant,)
        result = await self._uow.session.execute(
            update(LegalRequestRow)
            .where(LegalRequestRow.id == request_id, *held)
            .values(
                status=to_status,
                extract_sha256=sha256,
                extract_sent_at=self._uow.now(),
                extract_message_id=message_id,
                extract_claimed_by=None,
                extract_claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return bool(result.rowcount == 1)
