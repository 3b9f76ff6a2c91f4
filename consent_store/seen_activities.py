"""The activities Teams sent the bot in the last day (`seen_activities`), by a keyed hash of
each one's channel, conversation and id, so a copy Teams sends again is not handled again.

A copy claims its key in one atomic upsert: it wins when the key is new, when the copy that
claimed it before is more than a day old (forgotten), or when that copy was never answered and
was claimed too long ago to be still in hand (its instance stopped). Otherwise the claim reads
what the first copy was answered with, or that it is still being handled.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.tables import SeenActivityRow


@dataclass(frozen=True, slots=True)
class Sighting:
    """What a claim on an activity's key found: `first` when this copy is the one to handle;
    otherwise `status` is what the first copy was answered with, None while it is handled."""

    first: bool
    status: int | None = None


class SeenActivities:
    """The remembered activities of one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self,
        keys: Sequence[str],
        now: datetime,
        *,
        forgotten_before: datetime,
        abandoned_before: datetime,
    ) -> dict[str, Sighting]:
        """Claim each key (distinct) for a copy arriving `now`; one statement for all of them,
        and one more to read the answers of those claimed before."""
        dialect = self._session.get_bind().dialect.name
        upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            upsert(SeenActivityRow)
            .values([{"key": key, "received_at": now, "status": None} for key in keys])
            .on_conflict_do_update(
                index_elements=["key"],
                set_={"received_at": now, "status": None},
                where=or_(
                    SeenActivityRow.received_at < forgotten_before,
                    and_(
                        SeenActivityRow.status.is_(None),
                        SeenActivityRow.received_at < abandoned_before,
                    ),
                ),
            )
            .returning(SeenActivityRow.key)
        )
        won = set(await self._session.scalars(statement))
        earlier = [key for key in keys if key not in won]
        answers: dict[str, int | None] = {}
        if earlier:
            rows = await self._session.execute(
                select(SeenActivityRow.key, SeenActivityRow.status).where(
                    SeenActivityRow.key.in_(earlier)
                )
            )
            answers = {key: status for key, status in rows}
        return {
            key: Sighting(True) if key in won else Sighting(False, answers.get(key)) for key in keys
        }

    async def answered(self, statuses: Mapping[str, int]) -> None:
        """Note what each key's copy was answered with."""
        await self._session.execute(
            update(SeenActivityRow),
            [{"key": key, "status": status} for key, status in statuses.items()],
        )

    async def forget(self, keys: Collection[str]) -> None:
        """Forget keys whose copy could not be handled, so the next copy is."""
        await self._session.execute(delete(SeenActivityRow).where(SeenActivityRow.key.in_(keys)))

    async def purge(self, before: datetime) -> None:
        """Remove what was claimed before `before`."""
        await self._session.execute(
            delete(SeenActivityRow).where(SeenActivityRow.received_at < before)
        )
