"""The sandbox's sign-in pages: pick one of the tenant's accounts (no passwords), and
the self-submitting form that carries the response back for `response_mode=form_post`.
Every value written into the HTML is escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from aiohttp import web

from sandbox.directory import TenantUser

_STYLE = (
    "body{font-family:'Segoe UI',sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}"
    "label{display:block;padding:.6rem;border:1px solid #ccc;margin:.4rem 0;border-radius:4px;"
    "overflow-wrap:anywhere}"
    "button{margin-top:1rem;padding:.5rem 1.5rem}"
)


def _hidden_fields(fields: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )


def sign_in_page(
    *,
    tenant_name: str,
    app_name: str,
    action_url: str,
    request_fields: Mapping[str, str],
    accounts: Sequence[TenantUser],
    login_hint: str | None,
) -> web.Response:
    hinted = (login_hint or "").lower()
    choices = "".join(
        "<label>"
        f'<input type="radio" name="account" value="{escape(user.object_id)}"'
        f"{' checked' if hinted == user.user_principal_name.lower() else ''}"
        f" required> {escape(user.display_name)} &lt;{escape(user.user_principal_name)}&gt;"
        "</label>"
        for user in accounts
    )
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Sign in to {escape(tenant_name)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Sign in to {escape(tenant_name)}</h1>"
        f"<p>{escape(app_name)} wants to sign you in. This is the local sandbox: choose an "
        "account, no password is needed.</p>"
        f'<form method="post" action="{escape(action_url)}">'
        f"{_hidden_fields(request_fields)}{choices}"
        '<button type="submit" name="decision" value="accept">Sign in</button> '
        '<button type="submit" name="decision" value="cancel" formnovalidate>Cancel</button>'
        "</form></body></html>"
    )
    return web.Response(text=body, content_type="text/html")


def form_post_page(redirect_uri: str, fields: Mapping[str, str]) -> web.Response:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Working...</title>"
        "</head><body onload='document.forms[0].submit()'>"
        f'<form method="post" action="{escape(redirect_uri)}">{_hidden_fields(fields)}'
        "<noscript><button type='submit'>Continue</button></noscript></form></body></html>"
    )
    return web.Response(text=body, content_type="text/html")
