"""Graph `GET /appCatalogs/teamsApps`: the organisation's Teams app catalog, as
"List teamsApp" documents it (https://learn.microsoft.com/graph/api/appcatalogs-list-teamsapps):
`$filter` on `id`, `externalId` or `distributionMethod` (joined with `and`), each app with its
server-made `id`, the manifest's id as `externalId`, its `displayName` and
`distributionMethod` "organization" (the sandbox holds no store apps)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.graph.errors import bad_request
from sandbox.graph.protection import Denial, GraphRouter
from sandbox.registration import CatalogApp

READ_ROLES = frozenset(
    {
        "AppCatalog.Read.All",
        "AppCatalog.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    }
)
DENIAL = Denial(
    403, "Forbidden", "Missing role permissions on the request. API requires one of '{roles}'."
)
CONDITION = re.compile(
    r"^(?P<field>id|externalId|distributionMethod)\s+eq\s+'(?P<value>[^']*)'$", re.IGNORECASE
)


def _resource(app: CatalogApp) -> dict[str, Any]:
    return {
        "id": app.id,
        "externalId": app.external_id,
        "displayName": app.display_name,
        "distributionMethod": "organization",
    }


def _conditions(text: str | None) -> list[tuple[str, str]]:
    if text is None or not text.strip():
        return []
    conditions = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        match = CONDITION.match(part.strip())
        if match is None:
            raise bad_request(
                "The sandbox supports $filter on id, externalId and distributionMethod with eq."
            )
        conditions.append((match["field"].lower(), match["value"]))
    return conditions


async def list_teams_apps(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    conditions = _conditions(request.query.get("$filter"))
    chosen = [
        _resource(app)
        for app in tenant.catalog_apps
        if all(_resource(app)[_FIELDS[field]] == value for field, value in conditions)
    ]
    return web.json_response(
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#appCatalogs/teamsApps",
            "value": chosen,
        }
    )


_FIELDS = {"id": "id", "externalid": "externalId", "distributionmethod": "distributionMethod"}


def add_app_catalog_routes(graph: GraphRouter) -> None:
    graph.add("GET", "/appCatalogs/teamsApps", list_teams_apps, roles=READ_ROLES, denial=DENIAL)
