"""RSA private keys in the forms people paste into configurations.

The forms: PKCS#1 and PKCS#8 PEM, CRLF line ends, indented lines, a UTF-8 BOM,
literal ``\\n`` escapes, encrypted keys with a missing, right or wrong
passphrase, OpenSSH, a public key, a certificate, an EC key and a 1024-bit
key. Each form states whether connauth accepts it and, if not, the words the
error must contain. ``secret_marker`` is a piece of the key's base64 body, which no
message may repeat.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASSPHRASE = "key-passphrase-for-tests"


@dataclass(frozen=True)
class KeyForm:
    name: str
    text: str = field(repr=False)
    accepted: bool
    secret_marker: str = field(repr=False)
    passphrase: str | None = None
    warning: str | None = None
    error: str | None = None


def _pem(key: rsa.RSAPrivateKey, private_format: serialization.PrivateFormat) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    ).decode("ascii")


def _certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "diagnostics")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _marker(pem: str) -> str:
    """Return a line from the middle of a PEM body."""
    lines = [line for line in pem.splitlines() if line and "-----" not in line]
    return lines[len(lines) // 2].strip()


def _key_forms() -> list[KeyForm]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pkcs8 = _pem(key, serialization.PrivateFormat.PKCS8)
    marker = _marker(pkcs8)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    ).decode("ascii")
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Existing application links may hold 1024-bit keys: connauth warns.
    small_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    small = _pem(small_key, serialization.PrivateFormat.PKCS8)
    indented = "\n" + "\n".join(f"    {line}" for line in pkcs8.splitlines()) + "\n \n"

    def accepted(name: str, text: str, **extra: str) -> KeyForm:
        return KeyForm(name, text, True, marker, **extra)

    def rejected(name: str, text: str, error: str, **extra: str) -> KeyForm:
        return KeyForm(name, text, False, _marker(text), error=error, **extra)

    return [
        accepted("pkcs1", _pem(key, serialization.PrivateFormat.TraditionalOpenSSL)),
        accepted("pkcs8", pkcs8),
        accepted("crlf", pkcs8.replace("\n", "\r\n")),
        accepted("indented", indented),
        accepted("bom", "\ufeff" + pkcs8),
        accepted("escaped-newlines", pkcs8.replace("\n", "\\n")),
        rejected("encrypted-no-passphrase", encrypted, "set private_key_passphrase"),
        accepted("encrypted-with-passphrase", encrypted, passphrase=PASSPHRASE),
        rejected(
            "encrypted-wrong-passphrase",
            encrypted,
            "does not decrypt",
            passphrase="wrong-passphrase",
        ),
        accepted("openssh", _pem(key, serialization.PrivateFormat.OpenSSH)),
        rejected("public-key", public, "contains a public key"),
        rejected("certificate", _certificate(key), "contains a certificate"),
        rejected("ec-key", ec_key.decode("ascii"), "need an RSA key"),
        accepted("rsa-1024", small, warning="1024 bits"),
    ]


KEY_FORMS = _key_forms()
