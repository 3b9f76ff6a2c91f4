"""Graph `GET /appCatalogs/teamsApps` in the sandbox: the org catalog's apps by `$filter`, and
the documented 403 for an app without a catalog permission."""

from __future__ import annotations

import aiohttp

from sandbox.seed import BOT_CATALOG_APP_ID, BOT_CLIENT_ID
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.test_sandbox_faults import app_token


async def list_apps(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, token: str, query: str
) -> tuple[int, dict[str, object]]:
    async with http.get(
        sandbox.url(f"/v1.0/appCatalogs/teamsApps?$filter={query}"),
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        return response.status, await response.json()


async def test_the_bots_app_is_found_by_id_and_by_its_manifest_id(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    token = app_token(sandbox)

    by_id = await list_apps(http, sandbox, token, f"id eq '{BOT_CATALOG_APP_ID}'")
    by_external = await list_apps(
        http,
        sandbox,
        token,
        f"externalId eq '{BOT_CLIENT_ID}' and distributionMethod eq 'organization'",
    )
    unknown = await list_apps(http, sandbox, token, "id eq 'not-an-app'")

    expected = {
        "id": BOT_CATALOG_APP_ID,
        "externalId": BOT_CLIENT_ID,
        "displayName": "IASS meeting companion",
        "distributionMethod": "organization",
    }
    assert by_id[0] == 200
    assert by_id[1]["value"] == [expected]
    assert by_external[1]["value"] == [expected]
    assert unknown == (200, {**unknown[1], "value": []})


async def test_an_app_without_a_catalog_permission_is_refused(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    token = app_token(sandbox, application_permissions=frozenset({"Mail.Send"}))

    status, body = await list_apps(http, sandbox, token, f"id eq '{BOT_CATALOG_APP_ID}'")

    assert status == 403
    assert "AppCatalog.Read.All" in str(body)
