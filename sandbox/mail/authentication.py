"""The headers Exchange Online Protection stamps on mail arriving in the tenant.

Microsoft 365 writes `Authentication-Results` without the RFC 8601 authserv-id, e.g.
`spf=pass (sender IP is 203.0.113.25) smtp.mailfrom=example.org; dkim=pass (signature was
verified) header.d=example.org;dmarc=pass action=none header.from=example.org;compauth=pass
reason=100`. The header a sender wrote itself stays below the tenant's own.
"""

from __future__ import annotations

from typing import Literal

Verdict = Literal["pass", "fail"]
Header = tuple[str, str]

SENDER_IP = {"pass": "203.0.113.25", "fail": "198.51.100.66"}


def inbound_headers(sender_domain: str, verdict: Verdict) -> list[Header]:
    """What the tenant stamps on mail from outside: passing or failing SPF, DKIM and DMARC."""
    ip = SENDER_IP[verdict]
    if verdict == "pass":
        results = (
            f"spf=pass (sender IP is {ip}) smtp.mailfrom={sender_domain}; dkim=pass (signature "
            f"was verified) header.d={sender_domain};dmarc=pass action=none "
            f"header.from={sender_domain};compauth=pass reason=100"
        )
        spf = (
            f"Pass (protection.outlook.com: domain of {sender_domain} designates {ip} as "
            f"permitted sender) receiver=protection.outlook.com; client-ip={ip}; "
            f"helo=mail.{sender_domain}; pr=C"
        )
    else:
        results = (
            f"spf=fail (sender IP is {ip}) smtp.mailfrom={sender_domain}; dkim=fail (signature "
            f"did not verify) header.d={sender_domain};dmarc=fail action=quarantine "
            f"header.from={sender_domain};compauth=fail reason=000"
        )
        spf = (
            f"Fail (protection.outlook.com: domain of {sender_domain} does not designate {ip} "
            f"as permitted sender) receiver=protection.outlook.com; client-ip={ip}; "
            f"helo=mail.{sender_domain};"
        )
    return [("Authentication-Results", results), ("Received-SPF", spf)]


def internal_headers(tenant_domain: str) -> list[Header]:
    """What the tenant stamps on mail between its own mailboxes."""
    return [
        (
            "Authentication-Results",
            f"dkim=none (message not signed) header.d=none;dmarc=none action=none "
            f"header.from={tenant_domain};",
        )
    ]
