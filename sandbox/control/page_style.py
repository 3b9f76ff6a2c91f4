"""How every human-facing sandbox page looks: one HTML layout with a readable, narrow-screen
friendly style sheet, and the short notice a form's redirect carries back (`?notice=`).
Every value written into the HTML is escaped by the caller or here."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiohttp import web

NOTICE_PARAMETER = "notice"
_FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
    "%3Crect width='32' height='32' rx='6' fill='%23a66a00'/%3E%3Cpath d='M8 9h16v11H14l-5 "
    "4v-4H8z' fill='%23fff'/%3E%3C/svg%3E"
)
_REFRESH = (
    "<script>setInterval(function(){var busy=document.activeElement&&"
    "document.activeElement.matches('input,textarea,select');var typed=Array.prototype.some"
    ".call(document.querySelectorAll('textarea,input[type=text]'),function(f){return f.value});"
    "if(!busy&&!typed&&!document.querySelector('details[open]')){location.reload();}},5000);"
    "</script>"
)
UK = ZoneInfo("Europe/London")

_STYLE = (
    "*{box-sizing:border-box}"
    "body{font-family:'Segoe UI',system-ui,sans-serif;line-height:1.5;max-width:60rem;"
    "margin:1rem auto;padding:0 1rem;color:#1b1b1b;overflow-wrap:anywhere}"
    "h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}"
    "a{color:#0b57a4}code{background:#f2f2f2;padding:0 .2rem}"
    "pre{white-space:pre-wrap;margin:.5rem 0;font-family:inherit}"
    "ul.cards{list-style:none;padding:0}"
    ".card{border:1px solid #ccc;border-radius:.4rem;padding:.75rem;margin:.75rem 0}"
    ".meta{color:#444;font-size:.9rem;margin:0}"
    ".notice{border-left:.3rem solid #0b57a4;background:#eef4fb;padding:.5rem .75rem}"
    ".note{border-left:.3rem solid #a66a00;background:#fdf6e7;padding:.5rem .75rem}"
    "form{margin:.5rem 0}label{display:block;margin:.4rem 0}"
    "label.inline{display:inline-block;margin-right:1rem}"
    "input[type=text],textarea,select{display:block;width:100%;max-width:36rem;"
    "font:inherit;padding:.3rem}"
    "textarea{min-height:4rem}"
    "button{font:inherit;padding:.35rem .9rem;margin:.25rem 0;cursor:pointer}"
    "details{margin:.5rem 0}summary{cursor:pointer;color:#0b57a4}"
    "audio{display:block;max-width:100%}"
)


def page(
    title: str, content: str, request: web.Request | None = None, *, refresh: bool = False
) -> web.Response:
    """A complete page; with `request`, the notice its query string carries is shown on top
    (as a status message screen readers announce). With `refresh`, the page reloads itself
    every five seconds while nothing is being typed or opened on it (new mail shows up)."""
    notice = request.query.get(NOTICE_PARAMETER, "") if request is not None else ""
    shown = f"<p class='notice' role='status'>{escape(notice)}</p>" if notice else ""
    return web.Response(
        text=(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{escape(title)}</title><link rel='icon' href=\"{_FAVICON}\">"
            f"<style>{_STYLE}</style></head><body><main>"
            f"<h1>{escape(title)}</h1>{shown}{content}</main>"
            f"{_REFRESH if refresh else ''}</body></html>"
        ),
        content_type="text/html",
    )


def local_time(value: datetime) -> str:
    """A time as people read it, in UK time: `Mon 7 Dec 2026, 14:30`."""
    local = value.astimezone(UK)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def see_other(request: web.Request, route_name: str, notice: str, **parts: str) -> web.HTTPSeeOther:
    """POST-redirect-GET: the redirect (303) back to the named page, telling what happened."""
    url = request.app.router[route_name].url_for(**parts)
    return web.HTTPSeeOther(location=url.with_query({NOTICE_PARAMETER: notice}))
