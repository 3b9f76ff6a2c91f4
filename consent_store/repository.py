"""What the parts of the meeting repository share, and what other repositories use of it.

The meeting repository (`uow.meetings`, `consent_store.meeting_repository`) is assembled by
concept from parts that each take the same session, seal, blind index and clock
(`RepositoryPart`). Personal fields are encrypted on the way in (`Seal`), bound to their table,
column and row. Row ids come from `new_id`; a meeting asked for by an id or reference that no
meeting has raises `MeetingNotFound`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.crypto import BlindIndex

Seal = Callable[[str | None, str, str, str], bytes | None]
"""Encrypts a personal value (None stays None) for a table, column and row id:
`UnitOfWork.seal`."""


def new_id() -> str:
    return uuid.uuid4().hex


class MeetingNotFound(LookupError):
    """No meeting has that id or reference."""


class RepositoryPart:
    """The session, seal, blind index and clock a part of the meeting repository works with."""

    def __init__(
        self,
        session: AsyncSession,
        seal: Seal,
        blind_index: BlindIndex,
        clock: Callable[[], datetime],
    ):
        self._session = session
        self._seal = seal
        self._blind_index = blind_index
        self._clock = clock
