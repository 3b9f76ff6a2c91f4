"""Managed identities assigned to the app's host (App Service), and the secret header its
identity endpoint expects (`IDENTITY_HEADER`); served by `sandbox/entra/managed_identity.py`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ManagedIdentity:
    """A user-assigned managed identity: its client id and its object (principal) id."""

    client_id: str
    object_id: str


class ManagedIdentityHost:
    """The App Service host's identities and the secret header its endpoint expects."""

    def __init__(self) -> None:
        self.identity_header = secrets.token_urlsafe(24)
        self._identities: dict[str, ManagedIdentity] = {}

    def assign(self, identity: ManagedIdentity) -> None:
        self._identities[identity.client_id] = identity

    def find(self, client_id: str | None, object_id: str | None) -> ManagedIdentity | None:
        if client_id:
            return self._identities.get(client_id)
        if object_id:
            return next((i for i in self._identities.values() if i.object_id == object_id), None)
        identities = list(self._identities.values())
        return identities[0] if len(identities) == 1 else None
