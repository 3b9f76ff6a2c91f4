"""The bot's messaging endpoint, `/api/messages`, on an aiohttp sub-application of its own
carrying the Agents SDK's JWT middleware (issuer checking on), the service URL guard and the
channel guard (the signing key endorsed for the activity's channel, our tenant), so the staff
pages on other sub-applications never see them. Each activity is handled once
(`repeats`): a copy sent again is answered as the first was.

`attach_bot_endpoint` is what the composition root calls: it mounts the endpoint at `/api` and
gives back the `MeetingChat` the in-meeting use cases speak through."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ApplicationOptions,
    ConnectionManager,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.http import HttpResponse
from microsoft_agents.hosting.msteams import TeamsAgentExtension

from bot.agent.channel_endorsements import ChannelEndorsements, channel_guard
from bot.agent.channel_endpoints import rerouted_token_providers, use_channel_keys
from bot.agent.handlers import TeamsHandlers
from bot.agent.meeting_chat import TeamsMeetingChat
from bot.agent.repeats import RepeatedActivities
from bot.agent.sdk_internals import remember_product_info
from bot.agent.service_url_guard import ACTIVITY_BODY, quiet_sdk_validation, service_url_guard
from bot.agent.service_urls import ServiceUrls
from bot.agent.token_provider import TokenProviderFactory, token_providers
from bot.config import ServiceProfile, TenantSettings
from bot.services.live_meeting import (
    ChatWordsEvents,
    DocumentEvents,
    MeetingChat,
    MeetingEvents,
)
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

API_PREFIX = "/api"
MESSAGES_PATH = "/messages"
SERVICE_CONNECTION = "SERVICE_CONNECTION"
AGENT_CONFIGURATION = "agent_configuration"
"""The key the SDK's JWT middleware reads its configuration from, on its own application."""
STAFF_PAGES_PATH = "/tab"


def channel_auth_configuration(tenant: TenantSettings) -> AgentAuthConfiguration:
    """The bot's connection: its app id and tenant, with issuer checking on (its credential,
    whichever IASS_CREDENTIAL chooses, goes to msal through the token providers).
    `ValueError` names a missing setting."""
    credential = tenant.graph_config()
    return AgentAuthConfiguration(
        client_id=tenant.bot_app_id,
        tenant_id=tenant.tenant_id,
        client_secret=credential.client_secret,
        connection_name=SERVICE_CONNECTION,
        validate_issuer=True,
        anonymous_allowed=False,
    )


def _token_providers(tenant: TenantSettings) -> TokenProviderFactory:
    credential = tenant.graph_config()
    use_channel_keys(tenant.bot_framework_keys_url)
    if tenant.authority_endpoint:
        return rerouted_token_providers(
            tenant.authority_host, tenant.authority_endpoint, credential
        )
    return token_providers(credential)


class _CheckedRequest:
    """The request as the SDK's `HttpRequestProtocol` reads it, with the body the service URL
    guard checked (less any unreadable field it left out) as its JSON."""

    def __init__(self, request: web.Request) -> None:
        self._request = request

    @property
    def method(self) -> str:
        return self._request.method

    @property
    def headers(self) -> Any:
        return self._request.headers

    async def json(self) -> Any:
        return self._request[ACTIVITY_BODY]

    def get_claims_identity(self) -> Any:
        return self._request.get("claims_identity")

    def get_path_param(self, name: str) -> str:
        return self._request.match_info[name]


def _aiohttp_response(answer: HttpResponse) -> web.Response:
    if answer.body is not None:
        return web.json_response(answer.body, status=answer.status_code, headers=answer.headers)
    return web.Response(
        status=answer.status_code, headers=answer.headers, content_type=answer.content_type
    )


async def _log_turn_error(_context: TurnContext, error: Exception) -> None:
    """Log the failure's type only (its message may carry what a person wrote) and let the
    request fail, rather than the SDK's default of posting the error into the chat."""
    log.error("a Teams activity could not be handled: %s", type(error).__name__)
    raise error


@dataclass(frozen=True)
class BotEndpoint:
    """The `/api` sub-application and the SDK objects behind it."""

    app: web.Application
    adapter: CloudAdapter
    agent: AgentApplication[TurnState]
    chat: TeamsMeetingChat
    repeats: RepeatedActivities


def build_bot_endpoint(
    store: Store,
    tenant: TenantSettings,
    service: ServiceProfile,
    *,
    meeting_events: MeetingEvents,
    document_events: DocumentEvents,
    chat_words: ChatWordsEvents,
) -> BotEndpoint:
    """The endpoint for `tenant`'s bot; `ValueError` names a missing setting."""
    configuration = channel_auth_configuration(tenant)
    connections = ConnectionManager(
        _token_providers(tenant), connections_configurations={SERVICE_CONNECTION: configuration}
    )
    remember_product_info()
    adapter = CloudAdapter(connection_manager=connections)
    adapter.on_turn_error = _log_turn_error
    agent: AgentApplication[TurnState] = AgentApplication(
        ApplicationOptions(
            bot_app_id=tenant.bot_app_id,
            storage=MemoryStorage(),
            start_typing_timer=False,
            remove_recipient_mention=True,
        ),
        connection_manager=connections,
    )
    service_urls = ServiceUrls(store, tenant.teams_service_url)
    handlers = TeamsHandlers(
        store,
        tenant.tenant_id,
        service,
        service_urls,
        meeting_events=meeting_events,
        document_events=document_events,
        chat_words=chat_words,
    )
    handlers.register(agent, TeamsAgentExtension(agent))

    repeats = RepeatedActivities(store)

    async def messages(request: web.Request) -> web.StreamResponse:
        async def handle() -> web.StreamResponse:
            return _aiohttp_response(await adapter.process_request(_CheckedRequest(request), agent))

        return await repeats.answer(request, handle)

    quiet_sdk_validation()
    api = web.Application(
        middlewares=[
            jwt_authorization_middleware,
            service_url_guard,
            channel_guard(ChannelEndorsements(), tenant.tenant_id),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        api[AGENT_CONFIGURATION] = configuration
    api.router.add_post(MESSAGES_PATH, messages)
    chat = TeamsMeetingChat(
        adapter,
        connections,
        service_urls,
        bot_app_id=tenant.bot_app_id,
        tenant_id=tenant.tenant_id,
        page_url=tenant.public_url.rstrip("/") + STAFF_PAGES_PATH,
    )
    return BotEndpoint(api, adapter, agent, chat, repeats)


def attach_bot_endpoint(
    app: web.Application,
    store: Store,
    tenant: TenantSettings,
    service: ServiceProfile,
    *,
    meeting_events: MeetingEvents,
    document_events: DocumentEvents,
    chat_words: ChatWordsEvents,
) -> MeetingChat:
    """Mount `/api/messages` on `app` and return the chat the in-meeting use cases post
    through. `ValueError` names a missing setting."""
    endpoint = build_bot_endpoint(
        store,
        tenant,
        service,
        meeting_events=meeting_events,
        document_events=document_events,
        chat_words=chat_words,
    )
    app.add_subapp(API_PREFIX, endpoint.app)

    async def close_chat(_app: web.Application) -> None:
        await endpoint.repeats.close()
        await endpoint.chat.close()

    app.on_cleanup.append(close_chat)
    return endpoint.chat
