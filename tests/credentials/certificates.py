"""Self-signed certificates for the app registration, as a council would make with
`openssl req -x509` or export from Key Vault: PEM (key and certificate in one file) and
PKCS#12 with a password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class AppCertificate:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    def key_pem(self, password: str = "") -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def write_pem(self, path: Path, password: str = "") -> Path:
        path.write_bytes(
            self.key_pem(password) + self.certificate.public_bytes(serialization.Encoding.PEM)
        )
        return path

    def write_pfx(self, path: Path, password: str) -> Path:
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"iass-bot",
                self.key,
                self.certificate,
                None,
                serialization.BestAvailableEncryption(password.encode()),
            )
        )
        return path


def new_app_certificate(common_name: str = "iass-bot") -> AppCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return AppCertificate(certificate, key)
