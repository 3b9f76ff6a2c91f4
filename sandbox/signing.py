"""The tenant's token-signing key: an RSA key with a self-signed certificate, published as
a JWKS entry whose `kid` (and `x5t`) every issued JWT names in its header."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """A private key and the certificate that carries its public half."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def generate(cls, common_name: str, now: datetime) -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .sign(private_key, hashes.SHA256())
        )
        return cls(private_key=private_key, certificate=certificate)

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def kid(self) -> str:
        """The SHA-1 thumbprint in base64url, which Entra ID uses as both `kid` and `x5t`."""
        return _b64url(hashlib.sha1(self.certificate_der, usedforsecurity=False).digest())

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWKS entry, with its certificate."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
            "x5c": [base64.b64encode(self.certificate_der).decode("ascii")],
        }

    def jwk(self, issuer: str) -> dict[str, Any]:
        """The JWKS entry as Entra ID publishes it, naming the issuer."""
        return {**self.public_jwk(), "issuer": issuer, "cloud_instance_name": "microsoftonline.com"}

    def sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(
            dict(claims),
            self.private_key,
            algorithm="RS256",
            headers={"typ": "JWT", "kid": self.kid, "x5t": self.kid},
        )

    def verify(
        self, token: str, *, audiences: Collection[str], issuer: str, leeway_seconds: int
    ) -> dict[str, Any]:
        """The token's claims; raises `jwt.InvalidTokenError` (or a subclass) when the
        signature, audience, issuer or lifetime is wrong, or the `kid` is not this key's."""
        header = jwt.get_unverified_header(token)
        if header.get("kid") != self.kid:
            raise jwt.InvalidSignatureError("Signing key not found (kid does not match).")
        claims: dict[str, Any] = jwt.decode(
            token,
            self.private_key.public_key(),
            algorithms=["RS256"],
            audience=list(audiences),
            issuer=issuer,
            leeway=leeway_seconds,
            options={"require": ["exp", "nbf", "iat", "aud", "iss"]},
        )
        return claims
