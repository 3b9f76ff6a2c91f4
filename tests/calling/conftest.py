"""A fresh sandbox tenant per test (its calling service signs notification tokens and
publishes the keys), shared with the tenant flows."""

from tests.tenant_flows.conftest import tenant_sandbox

__all__ = ["tenant_sandbox"]
