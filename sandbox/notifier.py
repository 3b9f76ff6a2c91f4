"""Graph change notifications leaving the sandbox: the validation handshake with a new
subscription's endpoints, a notification for each new message, recording or transcript a
subscription covers, and lifecycle notifications (`subscriptionRemoved`, `missed`,
`reauthorizationRequired`) to a subscription's lifecycleNotificationUrl when the control API
asks for them.

Notifications go out through a `NotificationQueue`, so the fault knobs can drop, duplicate or
hold back (reorder) a notification deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiohttp
from yarl import URL

from sandbox.delivery_queue import NotificationQueue
from sandbox.graph_time import graph_datetime
from sandbox.ids import new_guid
from sandbox.mail.mailboxes import Arrival
from sandbox.recordings import ODATA_TYPE, MeetingArtefact
from sandbox.subscriptions import Subscription
from sandbox.tenant import Tenant


class HandshakeFailedError(Exception):
    """The notification endpoint did not echo the validation token in time."""


@dataclass(frozen=True)
class DeliveryRecord:
    subscription_id: str
    resource: str
    outcome: str
    at: datetime


LifecycleEvent = Literal["subscriptionRemoved", "missed", "reauthorizationRequired"]


@dataclass(frozen=True)
class _Pending:
    subscription: Subscription
    url: str
    resource: str
    payload: dict[str, Any]


def change_notification(
    tenant: Tenant, subscription: Subscription, arrival: Arrival
) -> dict[str, Any]:
    """The body Graph POSTs for a new message (a basic notification, no resource data)."""
    owner_id = arrival.mailbox.owner.object_id
    resource = f"Users/{owner_id}/Messages/{arrival.message.id}"
    notification: dict[str, Any] = {
        "id": new_guid(),
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": graph_datetime(subscription.expiration),
        "changeType": "created",
        "resource": resource,
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Message",
            "@odata.id": resource,
            "@odata.etag": f'W/"{arrival.message.change_key}"',
            "id": arrival.message.id,
        },
        "tenantId": tenant.tenant_id,
    }
    if subscription.client_state is not None:
        notification["clientState"] = subscription.client_state
    return {"value": [notification]}


def artefact_notification(
    tenant: Tenant, subscription: Subscription, artefact: MeetingArtefact
) -> dict[str, Any]:
    """The basic notification (no resource data) Graph POSTs for a new recording or
    transcript, as Microsoft's page on them shows it (within a `value` collection)."""
    notification: dict[str, Any] = {
        "subscriptionId": subscription.id,
        "changeType": "created",
        "tenantId": tenant.tenant_id,
        "subscriptionExpirationDateTime": graph_datetime(subscription.expiration),
        "resource": artefact.resource,
        "resourceData": {
            "id": artefact.id,
            "@odata.type": ODATA_TYPE[artefact.kind],
            "@odata.id": artefact.resource,
        },
    }
    if subscription.client_state is not None:
        notification["clientState"] = subscription.client_state
    return {"value": [notification]}


def lifecycle_notification(
    tenant: Tenant, subscription: Subscription, event: LifecycleEvent
) -> dict[str, Any]:
    """The body Graph POSTs to a lifecycleNotificationUrl: no resource, the event's name."""
    notification: dict[str, Any] = {
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": graph_datetime(subscription.expiration),
        "tenantId": tenant.tenant_id,
        "lifecycleEvent": event,
    }
    if subscription.client_state is not None:
        notification["clientState"] = subscription.client_state
    return {"value": [notification]}


class ChangeNotifier:
    def __init__(self, tenant: Tenant, retry_delays_seconds: tuple[float, ...] = (1.0, 5.0)):
        self._tenant = tenant
        self._session: aiohttp.ClientSession | None = None
        self._queue = NotificationQueue(
            tenant.faults, self._attempt, self._record, retry_delays_seconds
        )
        self.deliveries: list[DeliveryRecord] = []

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._queue.start()
        self._tenant.mail.add_listener(self._on_arrival)
        self._tenant.recordings.add_listener(self._on_artefact)

    async def stop(self) -> None:
        self._tenant.mail.remove_listener(self._on_arrival)
        self._tenant.recordings.remove_listener(self._on_artefact)
        await self._queue.stop()
        if self._session is not None:
            await self._session.close()

    async def idle(self) -> None:
        """Wait until every queued notification has been delivered or given up on."""
        await self._queue.idle()

    def release_held(self) -> None:
        """Send notifications held back by a `reorder` fault now, without waiting for the
        next one."""
        self._queue.release_held()

    async def validate(self, notification_url: str) -> None:
        """The subscription handshake: POST `?validationToken=...` and expect a 200
        text/plain echo of the token within the tenant's timeout."""
        token = (
            "Validation: Testing client application reachability for subscription "
            f"Request-Id: {new_guid()}"
        )
        url = URL(notification_url).update_query(validationToken=token)
        timeout = aiohttp.ClientTimeout(total=self._tenant.subscription_validation_timeout_seconds)
        try:
            async with self._client().post(
                url,
                data=b"",
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=timeout,
            ) as response:
                body = await response.text()
                content_type = response.content_type
        except (aiohttp.ClientError, TimeoutError) as error:
            raise HandshakeFailedError(type(error).__name__) from error
        if response.status != 200 or content_type != "text/plain" or body != token:
            raise HandshakeFailedError(f"HTTP {response.status} {content_type}")

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the notifier has not been started")
        return self._session

    def lifecycle(self, subscription: Subscription, event: LifecycleEvent) -> None:
        """Send `event` to the subscription's lifecycleNotificationUrl, if it has one."""
        url = subscription.lifecycle_notification_url
        if url is not None:
            payload = lifecycle_notification(self._tenant, subscription, event)
            self._queue.dispatch(_Pending(subscription, url, event, payload))

    def _on_arrival(self, arrival: Arrival) -> None:
        now = self._tenant.now()
        for subscription in self._tenant.subscriptions.wanting(arrival, now):
            payload = change_notification(self._tenant, subscription, arrival)
            resource = payload["value"][0]["resource"]
            self._queue.dispatch(
                _Pending(subscription, subscription.notification_url, resource, payload)
            )

    def _on_artefact(self, artefact: MeetingArtefact) -> None:
        now = self._tenant.now()
        for subscription in self._tenant.subscriptions.wanting_artefact(artefact.kind, now):
            payload = artefact_notification(self._tenant, subscription, artefact)
            self._queue.dispatch(
                _Pending(subscription, subscription.notification_url, artefact.resource, payload)
            )

    async def _attempt(self, pending: _Pending) -> int:
        async with self._client().post(
            pending.url,
            json=pending.payload,
            timeout=aiohttp.ClientTimeout(total=10),
        ) as response:
            return response.status

    def _record(self, pending: _Pending, outcome: str) -> None:
        self.deliveries.append(
            DeliveryRecord(pending.subscription.id, pending.resource, outcome, self._tenant.now())
        )
