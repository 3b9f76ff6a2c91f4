"""A fresh sandbox tenant per test (its calling service signs notification tokens and
publishes the keys), shared with the tenant flows, and the bot's consent mailbox client on it
(whose Graph client joins calls)."""

from tests.tenant_flows.conftest import mailbox, tenant_sandbox

__all__ = ["mailbox", "tenant_sandbox"]
