"""Graph `/chats/{id}/installedApps`: install a Teams app from the org catalog into a chat
(for a meeting chat, into the meeting) and list what is installed.

As in Graph: the Self permissions install only the calling app itself, and an app that
declares application resource-specific (RSC) permissions needs one of the AndConsent
permissions with a `consentedPermissionSet` matching its manifest."""

from __future__ import annotations

import base64
import re
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.chats import AppInstallation, Chat
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.odata import json_object
from sandbox.graph.protection import Denial, GraphRouter, caller_of
from sandbox.registration import CatalogApp, RscPermission
from sandbox.tenant import Tenant

INSTALL_ANY = frozenset(
    {
        "TeamsAppInstallation.ReadWriteForChat.All",
        "TeamsAppInstallation.ReadWriteAndConsentForChat.All",
    }
)
INSTALL_SELF = frozenset(
    {
        "TeamsAppInstallation.ReadWriteSelfForChat.All",
        "TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All",
    }
)
CONSENT = frozenset(
    {
        "TeamsAppInstallation.ReadWriteAndConsentForChat.All",
        "TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All",
    }
)
READ = (
    INSTALL_ANY
    | INSTALL_SELF
    | {"TeamsAppInstallation.ReadForChat.All", "TeamsAppInstallation.ReadSelfForChat.All"}
)
DENIAL = Denial(
    403, "Forbidden", "Missing role permissions on the request. API requires one of '{roles}'."
)
CATALOG_BIND = re.compile(r"/appCatalogs/teamsApps/(?P<id>[^/?]+)$", re.IGNORECASE)
FILTER = re.compile(r"^teamsApp/(?P<field>id|externalId)\s+eq\s+'(?P<value>[^']*)'$", re.IGNORECASE)


def _chat(request: web.Request) -> Chat:
    chat = request.config_dict[TENANT].chats.get(request.match_info["chat"])
    if chat is None:
        raise GraphError(404, "NotFound", "The chat was not found.")
    return chat


def _consented(body: dict[str, Any]) -> frozenset[RscPermission]:
    permission_set = body.get("consentedPermissionSet") or {}
    permissions = (
        permission_set.get("resourceSpecificPermissions")
        if isinstance(permission_set, dict)
        else None
    )
    if not isinstance(permissions, list):
        return frozenset()
    consented = set()
    for permission in permissions:
        if not isinstance(permission, dict):
            raise bad_request("Invalid resourceSpecificPermissions.")
        kind = str(permission.get("permissionType", "")).capitalize()
        if kind not in {"Application", "Delegated"}:
            raise bad_request("permissionType must be Application or Delegated.")
        consented.add(
            RscPermission(
                str(permission.get("permissionValue", "")),
                "Application" if kind == "Application" else "Delegated",
            )
        )
    return frozenset(consented)


def _catalog_app(tenant: Tenant, body: dict[str, Any]) -> CatalogApp:
    bind = body.get("teamsApp@odata.bind")
    match = CATALOG_BIND.search(bind) if isinstance(bind, str) else None
    if match is None:
        raise bad_request("teamsApp@odata.bind must name /appCatalogs/teamsApps/{id}.")
    app = tenant.catalog_app(match["id"])
    if app is None:
        raise GraphError(404, "NotFound", "The Teams app was not found in the app catalog.")
    return app


async def install_app(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    caller = caller_of(request)
    chat = _chat(request)
    body = await json_object(request)
    app = _catalog_app(tenant, body)
    if not caller.roles & INSTALL_ANY and app.azure_ad_app_id != caller.app.client_id:
        raise GraphError(
            403, "Forbidden", "The Self permissions allow installing only the calling app."
        )
    consented = _consented(body)
    if app.application_rsc_permissions:
        if not caller.roles & CONSENT:
            raise GraphError(
                403,
                "Forbidden",
                "The app requires consent to resource-specific permissions; install it with a "
                "TeamsAppInstallation.ReadWriteAndConsent*ForChat.All permission.",
            )
        if consented != frozenset(app.rsc_permissions):
            raise bad_request(
                "The consented permissions must match the resource-specific permissions in the "
                "app's teamsAppDefinition."
            )
    if chat.installation_of(app.id) is not None:
        raise GraphError(409, "Conflict", "The app is already installed in this chat.")
    installation_id = base64.b64encode(f"{chat.id}##{app.id}".encode()).decode("ascii")
    chat.installed_apps.append(AppInstallation(installation_id, app.id, consented))
    return web.Response(status=201)


def _installation_resource(
    tenant: Tenant, installation: AppInstallation, expand: set[str]
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "id": installation.id,
        "consentedPermissionSet": {
            "resourceSpecificPermissions": [
                {"permissionValue": p.value, "permissionType": p.permission_type.lower()}
                for p in sorted(installation.consented_permissions, key=lambda p: p.value)
            ]
        },
    }
    app = tenant.catalog_app(installation.catalog_app_id)
    if app is None:
        return resource
    if "teamsapp" in expand:
        resource["teamsApp"] = {
            "id": app.id,
            "externalId": app.external_id,
            "displayName": app.display_name,
            "distributionMethod": "organization",
        }
    if "teamsappdefinition" in expand:
        resource["teamsAppDefinition"] = {
            "id": app.definition_id,
            "teamsAppId": app.id,
            "displayName": app.display_name,
            "version": app.version,
        }
    return resource


def _matches_filter(tenant: Tenant, installation: AppInstallation, text: str | None) -> bool:
    if text is None:
        return True
    match = FILTER.match(text.strip())
    if match is None:
        raise bad_request(
            "The sandbox supports $filter=teamsApp/id eq '...' or teamsApp/externalId eq '...'."
        )
    app = tenant.catalog_app(installation.catalog_app_id)
    if app is None:
        return False
    value = app.id if match["field"].lower() == "id" else app.external_id
    return value == match["value"]


async def list_installed_apps(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    chat = _chat(request)
    expand = {
        part.strip().lower() for part in request.query.get("$expand", "").split(",") if part.strip()
    }
    unknown = expand - {"teamsapp", "teamsappdefinition"}
    if unknown:
        raise bad_request(f"Cannot expand {sorted(unknown)} on teamsAppInstallation.")
    chosen = [
        i for i in chat.installed_apps if _matches_filter(tenant, i, request.query.get("$filter"))
    ]
    return web.json_response({"value": [_installation_resource(tenant, i, expand) for i in chosen]})


def add_installed_app_routes(graph: GraphRouter) -> None:
    graph.add(
        "POST",
        "/chats/{chat}/installedApps",
        install_app,
        roles=INSTALL_ANY | INSTALL_SELF,
        denial=DENIAL,
    )
    graph.add("GET", "/chats/{chat}/installedApps", list_installed_apps, roles=READ, denial=DENIAL)
