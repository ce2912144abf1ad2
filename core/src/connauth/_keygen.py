"""Key generation for connectors and the token store."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

__all__ = ["RsaKeyPair", "generate_rsa_key_pair"]

MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class RsaKeyPair:
    """An RSA key pair in PEM: the private key stays with the host, the public
    key goes into Jira (for example into an OAuth 1.0a application link)."""

    private_pem: SecretStr
    public_pem: str
    bits: int


def generate_rsa_key_pair(bits: int = 2048) -> RsaKeyPair:
    """Generate an RSA key pair (public exponent 65537, PKCS#8 private key)."""
    if bits < MIN_RSA_BITS:
        raise ValueError(f"bits must be at least {MIN_RSA_BITS}, got {bits}")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )
    return RsaKeyPair(
        private_pem=SecretStr(private_pem), public_pem=public_pem, bits=bits
    )
