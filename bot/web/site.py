"""The staff site's parts, built once from the tenant settings and shared by the staff
sub-applications: the store, the session and sign-in cookies, msal sign-in and the tenant's
signing keys, and what ID tokens and Teams SSO tokens must say."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from aiohttp import web

from bot.config import TEAMS_WEB_URL, TenantSettings
from bot.graph.authority_session import authority_session
from bot.web.entra_sign_in import EntraSignIn
from bot.web.id_token import Expected
from bot.web.pending_sign_in import PendingSignIns
from bot.web.session import SessionLimits, Sessions
from bot.web.signing_keys import SigningKeys
from bot.web.teams_sso_token import SsoExpected
from consent_store.unit_of_work import Clock, Store

logger = logging.getLogger(__name__)

MIN_SESSION_KEY_LENGTH = 32
CALLBACK_PATH = "/auth/callback"


def teams_link(url: str | None, web_url: str) -> str | None:
    """A Teams link (a meeting's join URL) for staff to open. A link on Teams' web origin
    opens on `web_url` (`IASS_TEAMS_WEB_URL`: Teams itself unless the tenant is a stand-in);
    any other link is given as Teams gave it."""
    if url is None or not url.startswith(TEAMS_WEB_URL + "/"):
        return url
    return web_url.rstrip("/") + url.removeprefix(TEAMS_WEB_URL)


@dataclass(frozen=True)
class StaffSite:
    store: Store
    sessions: Sessions
    pending: PendingSignIns
    sign_in: EntraSignIn
    signing_keys: SigningKeys
    audience: str
    sso_resource: str
    tenant_id: str
    staff_role: str
    clock: Clock
    http: requests.Session
    teams_web_url: str = TEAMS_WEB_URL
    manager_role: str = ""

    def expected(self, nonce: str) -> Expected:
        return Expected(
            audience=self.audience,
            tenant_id=self.tenant_id,
            staff_role=self.staff_role,
            nonce=nonce,
            manager_role=self.manager_role,
        )

    def sso_expected(self) -> SsoExpected:
        """Teams SSO tokens are for this app: its client id (v2.0 tokens) or the Application ID
        URI the Teams manifest declares (`api://{public host}/{client id}`)."""
        return SsoExpected(
            audiences=(self.audience, self.sso_resource),
            tenant_id=self.tenant_id,
            staff_role=self.staff_role,
            manager_role=self.manager_role,
        )


STAFF_SITE = web.AppKey("staff_site", StaffSite)


def session_secret(tenant: TenantSettings) -> bytes:
    """IASS_SESSION_KEY, or a random key for this process only (said in the log)."""
    configured = tenant.session_key.get_secret_value()
    if not configured:
        logger.warning(
            "IASS_SESSION_KEY is not set: using a random key, so staff sessions end when the "
            "bot restarts and are not shared between bot instances"
        )
        return secrets.token_bytes(32)
    if len(configured) < MIN_SESSION_KEY_LENGTH:
        raise ValueError(
            f"IASS_SESSION_KEY is shorter than {MIN_SESSION_KEY_LENGTH} characters; "
            "make one with `iass-bot keys generate`"
        )
    return configured.encode()


def build_staff_site(tenant: TenantSettings, store: Store, clock: Clock) -> StaffSite:
    """The staff site for `tenant`; `ValueError` names a missing or unusable setting."""
    graph = tenant.graph_config()
    secret = session_secret(tenant)
    public_url = tenant.public_url.rstrip("/")
    secure = urlsplit(public_url).scheme == "https"
    http = (
        authority_session(graph.authority_host, graph.authority_rewrite_to)
        if graph.authority_rewrite_to
        else requests.Session()
    )
    return StaffSite(
        store=store,
        sessions=Sessions(
            store,
            secret,
            secure=secure,
            clock=clock,
            limits=SessionLimits(max_age=timedelta(hours=tenant.session_max_hours)),
        ),
        pending=PendingSignIns(secret, secure=secure, clock=clock),
        sign_in=EntraSignIn(graph, http, redirect_uri=public_url + CALLBACK_PATH),
        signing_keys=SigningKeys(graph, http, clock),
        audience=graph.client_id,
        sso_resource=f"api://{urlsplit(public_url).hostname}/{graph.client_id}",
        tenant_id=graph.tenant_id,
        staff_role=tenant.staff_role,
        manager_role=tenant.manager_role,
        clock=clock,
        http=http,
        teams_web_url=tenant.teams_web_url,
    )
