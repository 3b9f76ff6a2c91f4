"""Which mailbox a Graph `/users/{id | userPrincipalName}` path opens, and whether the
calling app's Exchange RBAC for Applications scope covers it."""

from __future__ import annotations

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.directory import TenantUser
from sandbox.graph.errors import GraphError
from sandbox.graph.protection import Denial, caller_of

MAIL_DENIAL = Denial(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def scoped_mailbox_owner(request: web.Request, user_segment: str) -> TenantUser:
    user = request.config_dict[TENANT].directory.user(user_segment)
    if user is None:
        raise GraphError(
            404, "ErrorInvalidUser", f"The requested user '{user_segment}' is invalid."
        )
    if user.object_id not in caller_of(request).app.mailbox_scope_user_ids:
        raise GraphError(MAIL_DENIAL.status, MAIL_DENIAL.code, MAIL_DENIAL.message)
    return user
