"""Authorisation codes and refresh tokens the sign-in flow has handed out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class AuthorizationRequest:
    """What the client asked for at the authorize endpoint."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    response_mode: str

    def verifier_matches(self, code_verifier: str | None) -> bool:
        """PKCE (RFC 7636): no challenge means nothing to check."""
        if self.code_challenge is None:
            return True
        if code_verifier is None:
            return False
        if (self.code_challenge_method or "plain") == "S256":
            digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        else:
            expected = code_verifier
        return hmac.compare_digest(expected, self.code_challenge)


@dataclass
class IssuedCode:
    request: AuthorizationRequest
    user_id: str
    expires_at: datetime
    redeemed: bool = False


@dataclass(frozen=True)
class RefreshGrant:
    client_id: str
    user_id: str
    scopes: tuple[str, ...]


class GrantStore:
    def __init__(self) -> None:
        self._codes: dict[str, IssuedCode] = {}
        self._refresh_tokens: dict[str, RefreshGrant] = {}

    def issue_code(self, request: AuthorizationRequest, user_id: str, now: datetime) -> str:
        code = "1.A" + secrets.token_urlsafe(96)
        self._codes[code] = IssuedCode(request, user_id, now + CODE_LIFETIME)
        return code

    def code(self, code: str) -> IssuedCode | None:
        return self._codes.get(code)

    def issue_refresh_token(self, grant: RefreshGrant) -> str:
        token = "1.A" + secrets.token_urlsafe(160)
        self._refresh_tokens[token] = grant
        return token

    def redeem_refresh_token(self, token: str) -> RefreshGrant | None:
        """The grant behind a refresh token, which is used up (Entra rotates them)."""
        return self._refresh_tokens.pop(token, None)
