"""Graph change-notification subscriptions, whatever they watch: create one (Graph validates
its URLs at once), renew it (which also reauthorizes it), delete it
(https://learn.microsoft.com/graph/api/resources/subscription). Used for the consent
mailbox's messages and for meeting recordings and transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kiota_abstractions.api_error import APIError

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

NOT_FOUND = 404


@dataclass(frozen=True)
class NotificationUrls:
    """Where Graph sends the subscription's change notifications and lifecycle
    notifications."""

    changes: str
    lifecycle: str


@dataclass(frozen=True)
class Renewal:
    """A renewed subscription's expiry, and the URLs it notifies when Graph says."""

    expires_at: datetime
    urls: NotificationUrls | None


class SubscriptionGoneError(LookupError):
    """Graph no longer has the subscription (404): it expired, was deleted, or Graph removed
    it."""


class GraphSubscriptions:
    def __init__(self, graph: GraphServiceClient) -> None:
        self._graph = graph

    async def create(
        self, resource: str, urls: NotificationUrls, client_state: str, expires_at: datetime
    ) -> tuple[str, datetime]:
        """Ask Graph to notify `urls.changes` of new items of `resource` and `urls.lifecycle`
        of the subscription's lifecycle events (basic notifications, no resource data);
        (id, expiry)."""
        from msgraph.generated.models.subscription import Subscription

        created = await self._graph.subscriptions.post(
            Subscription(
                change_type="created",
                notification_url=urls.changes,
                lifecycle_notification_url=urls.lifecycle,
                resource=resource,
                expiration_date_time=expires_at,
                client_state=client_state,
            )
        )
        if created is None or not created.id or not created.expiration_date_time:
            raise RuntimeError("Graph accepted the subscription but returned no id")
        return created.id, created.expiration_date_time

    async def renew(self, subscription_id: str, expires_at: datetime) -> Renewal:
        """Extend the subscription (which also reauthorizes it); `SubscriptionGoneError` when
        Graph no longer has it."""
        from msgraph.generated.models.subscription import Subscription

        try:
            renewed = await self._graph.subscriptions.by_subscription_id(subscription_id).patch(
                Subscription(expiration_date_time=expires_at)
            )
        except APIError as error:
            if error.response_status_code == NOT_FOUND:
                raise SubscriptionGoneError(subscription_id) from error
            raise
        if renewed is None:
            return Renewal(expires_at, None)
        return Renewal(
            renewed.expiration_date_time or expires_at,
            NotificationUrls(
                renewed.notification_url or "", renewed.lifecycle_notification_url or ""
            ),
        )

    async def delete(self, subscription_id: str) -> None:
        """Delete the subscription; one Graph no longer has counts as deleted."""
        try:
            await self._graph.subscriptions.by_subscription_id(subscription_id).delete()
        except APIError as error:
            if error.response_status_code != NOT_FOUND:
                raise
