"""Staff in the tenant's directory through Graph: the mail address and name of an account
known by its Entra object id (a meeting's organiser).

Application permission User.Read.All (User.ReadBasic.All is enough for these two properties).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

CONTACT_FIELDS = ["mail", "displayName"]


@dataclass(frozen=True)
class StaffContact:
    address: str
    display_name: str


class StaffDirectory:
    def __init__(self, graph: GraphServiceClient) -> None:
        self._graph = graph

    async def contact(self, user_id: str) -> StaffContact | None:
        """Where to email the user; None when the account has no mail address."""
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
