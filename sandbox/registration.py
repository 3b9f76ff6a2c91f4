"""What the tenant's administrators have registered and granted: the bot's Entra app
registration with its permissions and grants, and the Teams apps in the org catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import SplitResult, urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class AppRoleAssignment:
    """A user assigned one of the app's own app roles (its `appRoles` value)."""

    user_id: str
    role: str


@dataclass(frozen=True, slots=True)
class AppRegistration:
    """An Entra ID application with its service principal in this tenant.

    `online_meeting_policy_user_ids` stands for the Teams application access policy
    (`Grant-CsApplicationAccessPolicy`); `mailbox_scope_user_ids` for the Exchange Online
    RBAC for Applications scope that limits the Mail.* roles to some mailboxes, and
    `calendar_scope_user_ids` for the one that limits Calendars.* to others (the staff whose
    calendars hold the meetings);
    `app_role_assignments` for users assigned the app's own roles (which sign-in tokens
    for the app carry as `roles`).
    """

    client_id: str
    client_secret: str = field(repr=False)
    display_name: str = ""
    service_principal_id: str = ""
    application_permissions: frozenset[str] = frozenset()
    delegated_permissions: frozenset[str] = frozenset()
    redirect_uris: tuple[str, ...] = ()
    online_meeting_policy_user_ids: frozenset[str] = frozenset()
    mailbox_scope_user_ids: frozenset[str] = frozenset()
    calendar_scope_user_ids: frozenset[str] = frozenset()
    app_role_assignments: tuple[AppRoleAssignment, ...] = ()

    def roles_of(self, user_id: str) -> list[str]:
        """The app roles assigned to a user, sorted."""
        return sorted(
            {a.role for a in self.app_role_assignments if a.user_id.lower() == user_id.lower()}
        )

    def accepts_redirect_uri(self, uri: str) -> bool:
        """Exact match, except that a loopback redirect URI matches on any port, as in Entra."""
        if uri in self.redirect_uris:
            return True
        wanted = urlsplit(uri)
        if wanted.hostname not in LOOPBACK_HOSTS:
            return False
        return any(
            _without_port(urlsplit(registered)) == _without_port(wanted)
            for registered in self.redirect_uris
        )


def _without_port(parts: SplitResult) -> tuple[str, str | None, str, str]:
    return parts.scheme, parts.hostname, parts.path, parts.query


@dataclass(frozen=True, slots=True)
class RscPermission:
    """A resource-specific consent permission a Teams app declares in its manifest."""

    value: str
    permission_type: Literal["Application", "Delegated"]


@dataclass(frozen=True, slots=True)
class CatalogApp:
    """A Teams app published to the organisation's app catalog."""

    id: str
    external_id: str
    display_name: str
    version: str
    azure_ad_app_id: str
    definition_id: str
    rsc_permissions: tuple[RscPermission, ...] = ()

    @property
    def application_rsc_permissions(self) -> frozenset[RscPermission]:
        return frozenset(p for p in self.rsc_permissions if p.permission_type == "Application")
