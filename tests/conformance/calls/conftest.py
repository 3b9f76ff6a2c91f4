"""A fresh sandbox tenant per test (its calling service signs the notification tokens), for
the served `/api/calls` conformance tests here."""

from tests.tenant_flows.conftest import tenant_sandbox

__all__ = ["tenant_sandbox"]
