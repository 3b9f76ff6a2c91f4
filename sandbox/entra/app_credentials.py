"""The credentials an app registration holds besides its client secret, and how Entra's token
endpoint checks a `client_assertion` made with them.

- **Certificate credentials** (https://learn.microsoft.com/entra/identity-platform/certificate-credentials,
  checked 2026-12-07): a JWT the app signs with the private key of a certificate uploaded to the
  registration. Both documented headers are accepted: `alg` PS256 with `x5t#S256` (the SHA-256
  thumbprint, what msal sends when it knows the certificate) and `alg` RS256 with `x5t` (the
  SHA-1 thumbprint, the older form). Claims: `aud` the token endpoint, `iss` and `sub` the
  client id, `jti` and `exp` required; `nbf` checked when present (the page lists it, msal does
  not send it, and Entra accepts msal's assertions).
- **Federated identity credentials**
  (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity,
  https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials): a token
  from another issuer whose `iss`, `sub` and `aud` match one of the registration's federated
  credentials. For a managed identity the issuer is the tenant's own v2.0 issuer, the subject the
  identity's object id and the audience `api://AzureADTokenExchange`; its signature is checked
  with the tenant's signing key.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from sandbox.entra.errors import EntraError

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"  # noqa: S105 (an audience)
CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True, slots=True)
class FederatedCredential:
    """A trust the registration places in tokens from another issuer."""

    issuer: str
    subject: str
    audiences: tuple[str, ...] = (TOKEN_EXCHANGE_AUDIENCE,)


@dataclass
class AppCredentials:
    """One registration's certificates and federated credentials."""

    certificates: list[x509.Certificate] = field(default_factory=list)
    federated: list[FederatedCredential] = field(default_factory=list)


def _thumbprint(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> str:
    digest = certificate.fingerprint(algorithm)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _unpadded(thumbprint: object) -> str | None:
    """A thumbprint header as base64url without padding (RFC 7515 omits it; msal sends it)."""
    return thumbprint.rstrip("=") if isinstance(thumbprint, str) else None


def _invalid(aadsts: int, description: str) -> EntraError:
    return EntraError(401, "invalid_client", aadsts, description)


class AppCredentialStore:
    """What the tenant's administrators uploaded or configured for each app."""

    def __init__(self) -> None:
        self._by_app: dict[str, AppCredentials] = {}

    def of(self, client_id: str) -> AppCredentials:
        return self._by_app.setdefault(client_id, AppCredentials())

    def add_certificate(self, client_id: str, certificate: x509.Certificate) -> None:
        self.of(client_id).certificates.append(certificate)

    def add_federated_credential(self, client_id: str, credential: FederatedCredential) -> None:
        self.of(client_id).federated.append(credential)


def _certificate_for(
    header: dict[str, Any], certificates: Iterable[x509.Certificate]
) -> x509.Certificate:
    sha256 = _unpadded(header.get("x5t#S256"))
    sha1 = _unpadded(header.get("x5t"))
    for certificate in certificates:
        if sha256 == _thumbprint(certificate, hashes.SHA256()):
            return certificate
        if sha1 == _thumbprint(certificate, hashes.SHA1()):  # noqa: S303 (documented)
            return certificate
    raise _invalid(
        700027,
        "Client assertion failed signature validation. The key was not found among the "
        "certificates registered for the application.",
    )


def verify_certificate_assertion(
    assertion: str,
    header: dict[str, Any],
    client_id: str,
    credentials: AppCredentials,
    token_endpoints: tuple[str, ...],
) -> None:
    """Raises `EntraError` unless `assertion` is a certificate assertion for `client_id`."""
    certificate = _certificate_for(header, credentials.certificates)
    if header.get("alg") not in {"PS256", "RS256"}:
        raise _invalid(700027, "The client assertion must be signed with PS256 or RS256.")
    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        raise _invalid(700027, "The registered certificate's key is not RSA.")
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key,
            algorithms=[str(header["alg"])],
            audience=list(token_endpoints),
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["aud", "exp", "iss", "sub", "jti"]},
        )
    except jwt.InvalidSignatureError as error:
        raise _invalid(700027, "Client assertion failed signature validation.") from error
    except jwt.ExpiredSignatureError as error:
        raise _invalid(700024, "Client assertion is not within its valid time range.") from error
    except jwt.InvalidAudienceError as error:
        raise _invalid(
            700212,
            "No matching federated identity record found for presented assertion "
            "audience; the audience must be the token endpoint.",
        ) from error
    except jwt.InvalidTokenError as error:
        raise _invalid(700023, f"Invalid client assertion: {type(error).__name__}.") from error
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise _invalid(
            700021, "Client assertion application identifier doesn't match 'client_id' parameter."
        )


def verify_federated_assertion(claims: dict[str, Any], credentials: AppCredentials) -> None:
    """Raises `EntraError` unless the (signature-checked) claims match a federated
    credential of the registration."""
    audiences = claims.get("aud")
    audience_list = audiences if isinstance(audiences, list) else [audiences]
    for credential in credentials.federated:
        if (
            claims.get("iss") == credential.issuer
            and claims.get("sub") == credential.subject
            and any(audience in credential.audiences for audience in audience_list)
        ):
            return
    raise _invalid(
        700213,
        "No matching federated identity record found for presented assertion subject, issuer "
        "and audience.",
    )
