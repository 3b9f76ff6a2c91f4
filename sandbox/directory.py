"""Who exists: the tenant's accounts (staff, guest accounts of outside people, shared
mailboxes) and the outside people (parent carers, young people, professionals) who mail them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

AccountKind = Literal["staff", "guest", "shared_mailbox"]


@dataclass(frozen=True, slots=True)
class TenantUser:
    """An Entra ID user object. Staff and shared mailboxes have an Exchange mailbox here;
    a guest (userType Guest, an outside person invited into the tenant) is known by the
    address of their own mail system (`external_mail`) and has no mailbox here."""

    object_id: str
    display_name: str
    user_principal_name: str
    kind: AccountKind
    job_title: str = ""
    external_mail: str = ""

    @property
    def mail(self) -> str:
        return self.external_mail or self.user_principal_name

    @property
    def user_type(self) -> str:
        return "Guest" if self.kind == "guest" else "Member"

    @property
    def can_sign_in(self) -> bool:
        return self.kind in {"staff", "guest"}


@dataclass(frozen=True, slots=True)
class ExternalPerson:
    """Someone outside the tenant, known only by an email address."""

    address: str
    display_name: str
    role: str


class Directory:
    """Look-ups over the tenant's users and the known outside people."""

    def __init__(self, users: Iterable[TenantUser], external_people: Iterable[ExternalPerson]):
        self._users = tuple(users)
        self._external_people = tuple(external_people)
        self._by_object_id = {user.object_id.lower(): user for user in self._users}
        self._by_upn = {user.user_principal_name.lower(): user for user in self._users}
        self._by_mail = {user.mail.lower(): user for user in self._users}
        self._external_by_address = {
            person.address.lower(): person for person in self._external_people
        }

    @property
    def external_people(self) -> tuple[ExternalPerson, ...]:
        return self._external_people

    def staff(self) -> list[TenantUser]:
        return [user for user in self._users if user.kind == "staff"]

    def guests(self) -> list[TenantUser]:
        return [user for user in self._users if user.kind == "guest"]

    def sign_in_accounts(self) -> list[TenantUser]:
        return [user for user in self._users if user.can_sign_in]

    def user_by_object_id(self, object_id: str) -> TenantUser | None:
        return self._by_object_id.get(object_id.lower())

    def user_by_address(self, address: str) -> TenantUser | None:
        """The user whose mailbox in this tenant has the address (guests have none)."""
        user = self._by_upn.get(address.lower())
        return user if user is not None and user.kind != "guest" else None

    def user_with_mail(self, address: str) -> TenantUser | None:
        """The account whose mail address this is, guests' outside addresses included."""
        return self._by_mail.get(address.lower())

    def user(self, id_or_upn: str) -> TenantUser | None:
        """The user a Graph `/users/{id | userPrincipalName}` segment names."""
        return self.user_by_object_id(id_or_upn) or self._by_upn.get(id_or_upn.lower())

    def external_person(self, address: str) -> ExternalPerson | None:
        return self._external_by_address.get(address.lower())

    def display_name_for(self, address: str) -> str:
        """The name to show beside an address, or an empty string for strangers."""
        user = self.user_by_address(address)
        if user is not None:
            return user.display_name
        person = self.external_person(address)
        return person.display_name if person is not None else ""
