"""A throwaway certificate authority and the loopback server certificates it signs.

The CA's key stays in memory and is never written, so nothing else can be
signed with it. Besides the certificate made at start, the CA issues
certificates with other expiry dates on request, which is how the sandbox
serves an expired or soon-expiring certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

# Long enough that connauth check's expiry warning (14 days by default) stays
# quiet for a healthy sandbox.
_VALIDITY = datetime.timedelta(days=90)
# Backdate certificates so that a client clock slightly behind ours accepts them.
_CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class TlsFiles:
    """PEM files written by write_tls_files()."""

    ca_path: Path
    certificate_path: Path
    private_key_path: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "connauth sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


class CertificateAuthority:
    """A CA for 127.0.0.1 and localhost whose key lives only in this object."""

    def __init__(self, now: datetime.datetime | None = None) -> None:
        now = now or datetime.datetime.now(datetime.UTC)
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = _name("connauth sandbox CA")
        public_key = self._key.public_key()
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            # The CA outlives every server certificate it issues, expired
            # ones included, so that a client's error names the server's.
            .not_valid_before(now - _VALIDITY)
            .not_valid_after(now + 2 * _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )

    def issue(
        self, not_before: datetime.datetime, not_after: datetime.datetime
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        """Issue a server certificate for 127.0.0.1 and localhost."""
        key = ec.generate_private_key(ec.SECP256R1())
        public_key = key.public_key()
        alternative_names = x509.SubjectAlternativeName(
            [
                x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
                x509.DNSName("localhost"),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("127.0.0.1"))
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(alternative_names, critical=False)
            .add_extension(
                x509.BasicConstraints(ca=False, path_length=None), critical=True
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self._key.public_key()
                ),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        return key, certificate

    def issue_expiring_in(
        self, seconds: float
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        """Issue a server certificate that expires ``seconds`` from now (negative:
        already expired). It became valid well before its expiry."""
        now = datetime.datetime.now(datetime.UTC)
        not_after = now + datetime.timedelta(seconds=seconds)
        not_before = min(now, not_after) - datetime.timedelta(days=30)
        return self.issue(not_before, not_after)


def _write_pair(
    directory: Path,
    name: str,
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
) -> tuple[Path, Path]:
    certificate_path = directory / f"{name}.pem"
    key_path = directory / f"{name}-key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return certificate_path, key_path


def write_tls_files(
    directory: Path, authority: CertificateAuthority | None = None
) -> TlsFiles:
    """Generate a CA (unless given) and a server certificate for 127.0.0.1.

    Writes ``ca.pem``, ``server.pem`` and ``server-key.pem`` into directory.
    """
    authority = authority or CertificateAuthority()
    now = datetime.datetime.now(datetime.UTC)
    key, certificate = authority.issue(now - _CLOCK_SKEW, now + _VALIDITY)
    ca_path = directory / "ca.pem"
    ca_path.write_bytes(authority.certificate.public_bytes(serialization.Encoding.PEM))
    certificate_path, key_path = _write_pair(directory, "server", key, certificate)
    return TlsFiles(
        ca_path=ca_path, certificate_path=certificate_path, private_key_path=key_path
    )


class ServerContexts:
    """The server's TLS contexts: the one made at start and one per other expiry.

    The server's SNI callback calls :meth:`context_for` on every handshake and
    switches the connection to the context it returns. Python calls the
    callback even when the client sends no server name, as clients of
    127.0.0.1 do.
    """

    def __init__(
        self, authority: CertificateAuthority, default: ssl.SSLContext
    ) -> None:
        self._authority = authority
        self._default = default
        self._by_expiry: dict[float, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def context_for(self, expires_in: float | None) -> ssl.SSLContext:
        """Return the context whose certificate expires ``expires_in`` seconds
        after it was first asked for; ``None`` gives the start context."""
        if expires_in is None:
            return self._default
        with self._lock:
            context = self._by_expiry.get(expires_in)
            if context is None:
                context = self._issue_context(expires_in)
                self._by_expiry[expires_in] = context
            return context

    def _issue_context(self, expires_in: float) -> ssl.SSLContext:
        key, certificate = self._authority.issue_expiring_in(expires_in)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory(prefix="connauth-sandbox-cert-") as folder:
            certificate_path, key_path = _write_pair(
                Path(folder), "server", key, certificate
            )
            context.load_cert_chain(certificate_path, key_path)
        return context
