"""Graph change-notification subscriptions: on mailbox messages, and on the tenant's meeting
recordings or transcripts (`artefact_kind`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sandbox.mail.mailboxes import Arrival


@dataclass
class Subscription:
    id: str
    application_id: str
    creator_id: str
    resource: str
    change_types: frozenset[str]
    notification_url: str
    lifecycle_notification_url: str | None
    client_state: str | None
    expiration: datetime
    latest_supported_tls_version: str
    mailbox_owner_id: str
    folder: str | None
    artefact_kind: str | None = None

    def wants(self, arrival: Arrival, now: datetime) -> bool:
        """Whether a new message in a mailbox is a change this subscription reports."""
        return (
            now < self.expiration
            and self.artefact_kind is None
            and "created" in self.change_types
            and arrival.mailbox.owner.object_id == self.mailbox_owner_id
            and (self.folder is None or self.folder == arrival.message.folder)
        )

    def wants_artefact(self, kind: str, now: datetime) -> bool:
        """Whether a new recording or transcript (`kind`) is a change this subscription
        reports."""
        return (
            now < self.expiration and "created" in self.change_types and self.artefact_kind == kind
        )


class SubscriptionStore:
    def __init__(self) -> None:
        self._subscriptions: dict[str, Subscription] = {}

    def add(self, subscription: Subscription) -> None:
        self._subscriptions[subscription.id] = subscription

    def remove(self, subscription_id: str) -> None:
        self._subscriptions.pop(subscription_id, None)

    def remove_all(self) -> list[Subscription]:
        """Remove every subscription (as Graph removing them, or a restart forgetting them);
        the ones removed."""
        removed = list(self._subscriptions.values())
        self._subscriptions.clear()
        return removed

    def live(self, subscription_id: str, now: datetime) -> Subscription | None:
        subscription = self._subscriptions.get(subscription_id)
        return subscription if subscription and now < subscription.expiration else None

    def live_for_app(self, application_id: str, now: datetime) -> list[Subscription]:
        return [
            s
            for s in self._subscriptions.values()
            if s.application_id == application_id and now < s.expiration
        ]

    def live_all(self, now: datetime) -> list[Subscription]:
        return [s for s in self._subscriptions.values() if now < s.expiration]

    def wanting(self, arrival: Arrival, now: datetime) -> list[Subscription]:
        return [s for s in self._subscriptions.values() if s.wants(arrival, now)]

    def wanting_artefact(self, kind: str, now: datetime) -> list[Subscription]:
        return [s for s in self._subscriptions.values() if s.wants_artefact(kind, now)]
