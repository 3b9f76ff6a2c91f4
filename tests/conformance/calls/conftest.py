"""A fresh sandbox tenant per test (its calling service signs the notification tokens), for
the sandbox's side of the calls conformance tests here (`test_sandbox_rings.py`)."""

from tests.tenant_flows.conftest import tenant_sandbox

__all__ = ["tenant_sandbox"]
