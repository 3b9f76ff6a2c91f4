"""`python -m sandbox`: serve the seeded sandbox tenant and print where to point the bot."""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import web

from sandbox.app import create_sandbox_app
from sandbox.botframework.metadata import CALLING_PREFIX, CHANNEL_PREFIX
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, seeded_tenant

STOP_SECONDS = 2.0
"""How long Ctrl+C waits for a request still being answered (aiohttp's default is 60 s, so a
connection caught mid-request kept the sandbox running for a minute after Ctrl+C)."""


async def _serve(host: str, port: int, public_origin: str | None, bot_endpoint: str | None) -> None:
    tenant = seeded_tenant()
    tenant.bot_endpoint = bot_endpoint
    runner = web.AppRunner(
        create_sandbox_app(tenant, public_origin=public_origin),
        shutdown_timeout=STOP_SECONDS,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
        origin = public_origin or f"http://{shown_host}:{bound_port}"
        tenant.sandbox_url = origin
        print(f"Sandbox tenant '{tenant.display_name}' is running.")
        print(f"  Pages:           {origin}/sandbox/")
        print(f"  Graph base URL:  {origin}/v1.0")
        print(f"  Authority:       https://{tenant.authority_host}/{tenant.tenant_id}")
        print(f"    (send its requests to {origin})")
        print(f"  Tenant id:       {tenant.tenant_id}")
        print(f"  Client id:       {BOT_CLIENT_ID}")
        print(f"  Client secret:   {BOT_CLIENT_SECRET}")
        print(f"  Consent mailbox: {tenant.consent_mailbox.mail}")
        print(f"  Bot endpoint:    {tenant.bot_endpoint or '(none; PUT /sandbox/api/bot)'}")
        print(f"  Service URL:     {tenant.connector_url}")
        print(f"  Channel JWKS:    {origin}{CHANNEL_PREFIX}/keys")
        print(f"  Calling JWKS:    {origin}{CALLING_PREFIX}/keys")
        print("Press Ctrl+C to stop.", flush=True)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Serve the local Microsoft 365 sandbox tenant."
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on (default: a free one)"
    )
    parser.add_argument(
        "--public-origin", help="origin to publish in URLs, if not the one requests arrive on"
    )
    parser.add_argument(
        "--bot-endpoint",
        help="the bot's messaging endpoint, e.g. http://localhost:3978/api/messages",
    )
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args.host, args.port, args.public_origin, args.bot_endpoint))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
