"""The tenant's directory: where to write to a member of staff known by their Entra object id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StaffContact:
    address: str
    display_name: str


class Directory(Protocol):
    async def contact(self, user_id: str) -> StaffContact | None:
        """Where to email the user; None when the account has no mail address."""
