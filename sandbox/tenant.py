"""The sandbox tenant: its identity, directory, registered apps, signing keys and all the
in-memory state (mail, calendar events, meetings, chats, files, subscriptions, sign-in grants,
faults, Teams conversations, live meetings, calls).

The Teams side needs two addresses the tenant cannot know by itself: `bot_endpoint`, the bot's
messaging endpoint (`.../api/messages`) Teams posts activities to, and `sandbox_url`, where the
sandbox is served (origin and mount prefix), from which the Bot Connector's `serviceUrl` is
made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sandbox.calls.calls import CallStore
from sandbox.chats import ChatStore
from sandbox.clock import Clock, utc_now
from sandbox.directory import Directory, TenantUser
from sandbox.entra.app_credentials import AppCredentialStore
from sandbox.entra.grants import GrantStore
from sandbox.entra.identities import ManagedIdentityHost
from sandbox.events import EventStore
from sandbox.faults import FaultPlan
from sandbox.files import FileStore
from sandbox.mail.correspondents import Correspondents
from sandbox.mail.mailboxes import MailSystem
from sandbox.meetings import MeetingStore
from sandbox.recordings import ArtefactStore
from sandbox.registration import AppRegistration, CatalogApp
from sandbox.signing import SigningKey
from sandbox.subscriptions import SubscriptionStore
from sandbox.teams.accounts import TeamsAccounts
from sandbox.teams.conversations import ConversationStore
from sandbox.teams.live_meetings import LiveMeetingStore

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"
CALLING_TOKEN_ISSUERS = ("https://api.botframework.com", "https://graph.microsoft.com")
"""The issuers Microsoft's calling samples accept on comms notifications; the first is the one
"Incoming call notifications" documents, and the tenant's default."""


class Tenant:
    """One Microsoft 365 tenant. `clock` may be replaced to move time in tests;
    `prompt_time_scale` multiplies how long a played prompt takes (0: at once);
    `calling_token_issuer` (one of `CALLING_TOKEN_ISSUERS`, set through the control API) is the
    `iss` of the tokens on its comms notifications."""

    def __init__(
        self,
        *,
        tenant_id: str,
        display_name: str,
        domain: str,
        directory: Directory,
        apps: Iterable[AppRegistration],
        catalog_apps: Iterable[CatalogApp],
        consent_mailbox_id: str,
        bot_client_id: str,
        sharepoint_host: str,
        authority_host: str = "login.microsoftonline.com",
        clock: Clock = utc_now,
        subscription_validation_timeout_seconds: float = 10.0,
    ) -> None:
        self.tenant_id = tenant_id
        self.display_name = display_name
        self.domain = domain
        self.directory = directory
        self.authority_host = authority_host
        self.clock = clock
        self.subscription_validation_timeout_seconds = subscription_validation_timeout_seconds
        self._apps = {app.client_id: app for app in apps}
        self._catalog_apps = {app.id: app for app in catalog_apps}
        consent_mailbox = directory.user_by_object_id(consent_mailbox_id)
        if consent_mailbox is None:
            raise ValueError("the consent mailbox must be a user in the directory")
        self.consent_mailbox: TenantUser = consent_mailbox
        bot = self._apps.get(bot_client_id)
        if bot is None:
            raise ValueError("the bot must be one of the registered apps")
        self.bot: AppRegistration = bot
        self.bot_endpoint: str | None = None
        self.sandbox_url: str | None = None
        self.prompt_time_scale = 1.0
        self.calling_token_issuer = CALLING_TOKEN_ISSUERS[0]
        self.signing_key = SigningKey.generate(f"{domain} token signing", self.now())
        self.bot_framework_key = SigningKey.generate("Bot Framework token signing", self.now())
        self.calling_key = SigningKey.generate("Teams calling token signing", self.now())
        self.mail = MailSystem(directory, self.now, domain)
        self.correspondents = Correspondents(self.mail, directory, self.now)
        self.meetings = MeetingStore()
        self.events = EventStore()
        self.chats = ChatStore()
        self.files = FileStore(sharepoint_host)
        self.subscriptions = SubscriptionStore()
        self.recordings = ArtefactStore()
        self.grants = GrantStore()
        self.app_credentials = AppCredentialStore()
        self.managed_identities = ManagedIdentityHost()
        self.faults = FaultPlan()
        self.teams_accounts = TeamsAccounts(tenant_id, directory, bot.client_id)
        self.conversations = ConversationStore()
        self.live_meetings = LiveMeetingStore()
        self.calls = CallStore()

    def now(self) -> datetime:
        return self.clock()

    @property
    def apps(self) -> tuple[AppRegistration, ...]:
        return tuple(self._apps.values())

    def app(self, client_id: str) -> AppRegistration | None:
        return self._apps.get(client_id)

    def catalog_app(self, catalog_app_id: str) -> CatalogApp | None:
        return self._catalog_apps.get(catalog_app_id)

    @property
    def catalog_apps(self) -> tuple[CatalogApp, ...]:
        return tuple(self._catalog_apps.values())

    def reregister_app(self, app: AppRegistration) -> None:
        """An administrator changes a registered app (its permissions, application access
        policy or mailbox scope); tokens issued from now on carry the change."""
        if app.client_id not in self._apps:
            raise ValueError("only a registered app can be changed")
        self._apps[app.client_id] = app
        if app.client_id == self.bot.client_id:
            self.bot = app

    def remove_catalog_app(self, catalog_app_id: str) -> None:
        """An administrator removes an app from the organisation's Teams app catalog."""
        self._catalog_apps.pop(catalog_app_id, None)

    @property
    def bot_catalog_app(self) -> CatalogApp | None:
        """The Teams app in the catalog that carries the bot."""
        return next(
            (a for a in self._catalog_apps.values() if a.azure_ad_app_id == self.bot.client_id),
            None,
        )

    def served_url(self, path: str) -> str:
        """The absolute URL of one of the sandbox's own paths (`path` starts with `/`).
        Raises `RuntimeError` while `sandbox_url` is unknown."""
        if self.sandbox_url is None:
            raise RuntimeError("tenant.sandbox_url must be set before Teams can reach the bot")
        return f"{self.sandbox_url.rstrip('/')}{path}"

    @property
    def connector_url(self) -> str:
        """The Bot Connector's base URL, the `serviceUrl` of every activity (ends with `/`)."""
        return self.served_url("/connector/")

    @property
    def v1_issuer(self) -> str:
        """`iss` of v1.0 access tokens (Graph and Bot Framework tokens are v1.0)."""
        return f"https://sts.windows.net/{self.tenant_id}/"

    @property
    def v2_issuer(self) -> str:
        """`iss` of v2.0 tokens (ID tokens), also the OpenID configuration's issuer."""
        return f"https://{self.authority_host}/{self.tenant_id}/v2.0"

    def is_named_by(self, segment: str) -> bool:
        """Whether an authority path segment (tenant id or verified domain) names us."""
        return segment.lower() in {self.tenant_id.lower(), self.domain.lower()}
