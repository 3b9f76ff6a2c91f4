"""People as Teams shows them to a bot: a pairwise `29:` id (different for each bot), with
the Entra object id for accounts of the tenant (staff and guests). Outside people who join a
meeting without an account are anonymous: a `29:` id and a display name, nothing more."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from sandbox.directory import Directory, TenantUser
from sandbox.ids import new_guid

UserRole = Literal["user", "guest", "anonymous"]


@dataclass(frozen=True, slots=True)
class TeamsAccount:
    id: str
    name: str
    user_role: UserRole
    aad_object_id: str | None = None
    user_principal_name: str | None = None
    email: str | None = None
    tenant_id: str | None = None

    def sender(self) -> dict[str, Any]:
        """The `from` of an activity this person sends."""
        sender: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.aad_object_id is not None:
            sender["aadObjectId"] = self.aad_object_id
        return sender

    def channel_account(self) -> dict[str, Any]:
        """The TeamsChannelAccount Teams gives for a member (roster, participant look-up)."""
        account = {**self.sender(), "userRole": self.user_role}
        if self.aad_object_id is None:
            return account
        given_name, _, surname = self.name.partition(" ")
        return account | {
            "givenName": given_name,
            "surname": surname,
            "email": self.email,
            "userPrincipalName": self.user_principal_name,
            "tenantId": self.tenant_id,
        }

    def names(self, key: str) -> bool:
        """Whether `key` is this person's `29:` id, object id, UPN or mail address."""
        wanted = key.lower()
        known = (self.id, self.aad_object_id, self.user_principal_name, self.email)
        return any(value is not None and value.lower() == wanted for value in known)


def _pairwise_id(bot_app_id: str, key: str) -> str:
    digest = hashlib.sha512(f"{bot_app_id.lower()}|{key}".encode()).digest()
    return "29:1" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")[:84]


class TeamsAccounts:
    """Every account handed out so far, findable by its `29:` id."""

    def __init__(self, tenant_id: str, directory: Directory, bot_app_id: str) -> None:
        self._tenant_id = tenant_id
        self._directory = directory
        self._bot_app_id = bot_app_id
        self._by_id: dict[str, TeamsAccount] = {}

    def for_user(self, user: TenantUser) -> TeamsAccount:
        return self._kept(
            TeamsAccount(
                id=_pairwise_id(self._bot_app_id, user.object_id.lower()),
                name=user.display_name,
                user_role="guest" if user.kind == "guest" else "user",
                aad_object_id=user.object_id,
                user_principal_name=user.user_principal_name,
                email=user.mail,
                tenant_id=self._tenant_id,
            )
        )

    def for_outsider(self, address: str) -> TeamsAccount:
        """Someone known only by address (an invited parent, a SENCO) joining anonymously:
        the same `29:` id each time, no object id, no address shown."""
        person = self._directory.external_person(address)
        name = person.display_name if person is not None else address.split("@")[0]
        return self._kept(
            TeamsAccount(
                id=_pairwise_id(self._bot_app_id, f"outsider|{address.lower()}"),
                name=name,
                user_role="anonymous",
            )
        )

    def anonymous(self, name: str) -> TeamsAccount:
        """A stranger joining with nothing but a display name."""
        return self._kept(
            TeamsAccount(
                id=_pairwise_id(self._bot_app_id, f"anonymous|{new_guid()}"),
                name=name,
                user_role="anonymous",
            )
        )

    def resolve(self, key: str) -> TeamsAccount:
        """The account for a `29:` id, a tenant account's object id, UPN or mail address, or
        an outside person's address. Raises `LookupError` for an unknown `29:` id or a key
        that is none of those."""
        if key.startswith("29:"):
            known = self._by_id.get(key)
            if known is None:
                raise LookupError(key)
            return known
        user = self._directory.user(key) or self._directory.user_with_mail(key)
        if user is not None:
            return self.for_user(user)
        if "@" in key:
            return self.for_outsider(key)
        raise LookupError(key)

    def by_id(self, teams_id: str) -> TeamsAccount | None:
        return self._by_id.get(teams_id)

    def _kept(self, account: TeamsAccount) -> TeamsAccount:
        return self._by_id.setdefault(account.id, account)
