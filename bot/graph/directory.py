"""Staff in the tenant's directory through Graph: the mail address and name of an account
known by its Entra object id (a meeting's organiser).

Application permission User.Read.All (User.ReadBasic.All is enough for these two properties).
Answers are kept in memory for `CONTACT_LIFETIME` seconds (a meeting whose recording setting
flaps would otherwise look its organiser up on every change); nothing is written anywhere.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bot.ports.directory import StaffContact

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

CONTACT_FIELDS = ["mail", "displayName"]
CONTACT_LIFETIME = 600.0


class StaffDirectory:
    def __init__(self, graph: GraphServiceClient) -> None:
        self._graph = graph
        self._known: dict[str, tuple[float, StaffContact | None]] = {}

    async def contact(self, user_id: str) -> StaffContact | None:
        """Where to email the user; None when the account has no mail address."""
        known = self._known.get(user_id)
        if known is not None and time.monotonic() - known[0] < CONTACT_LIFETIME:
            return known[1]
        contact = await self._look_up(user_id)
        self._known[user_id] = (time.monotonic(), contact)
        return contact

    async def _look_up(self, user_id: str) -> StaffContact | None:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.user_item_request_builder import (
            UserItemRequestBuilder,
        )

        user = await self._graph.users.by_user_id(user_id).get(
            RequestConfiguration(
                query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
                    select=CONTACT_FIELDS
                )
            )
        )
        if user is None or not user.mail:
            return None
        return StaffContact(user.mail, user.display_name or "")
