"""Helpers of the connauth-basic tests: a test CA and scripted loopback servers.

The scripted servers send fixed replies and record the requests they receive.
They stand in for the other origin of a redirect and for replies that the
sandbox does not produce, such as a CAPTCHA lock-out. Every Jira flow runs
against the sandbox itself.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connauth import Connauth
from connauth import HostIdentity
from connauth import HttpSettings
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth_sandbox import CloudSite
from connauth_sandbox import DcSite
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import User

LOOPBACK = "127.0.0.1"
DATA = Path(__file__).parent / "data"


def host_identity(base_url: str) -> HostIdentity:
    """A host identity whose URLs all point at ``base_url`` on loopback."""
    return HostIdentity(
        name="Example Host",
        redirect_url=f"{base_url}/host/callback",
        privacy_policy_url=f"{base_url}/host/privacy",
        public_base_url=f"{base_url}/host",
    )


def make_connauth(base_url: str, store_path: Path) -> Connauth:
    """A Connauth with only this plugin registered and a fresh encrypted store."""
    import connauth_basic

    registry = PluginRegistry()
    assert registry.register(connauth_basic, "basic")
    store = SqliteTokenStore(store_path, keys=KeyRing([KeyRing.generate()]))
    return Connauth(host_identity(base_url), store=store, registry=registry)


@dataclass(frozen=True)
class JiraWorld:
    """A running sandbox with one user, one Cloud site and one DC site."""

    sandbox: Sandbox
    server: SandboxServer
    user: User
    cloud: CloudSite
    dc: DcSite
    api_token: str
    personal_access_token: str

    @property
    def cloud_url(self) -> str:
        return self.server.cloud_site_url(self.cloud.name)

    @property
    def dc_url(self) -> str:
        return self.server.dc_site_url(self.dc.name)

    @property
    def http(self) -> HttpSettings:
        return HttpSettings(verify=str(self.server.ca_path))


@dataclass(frozen=True)
class LoopbackAuthority:
    """A CA and one loopback server certificate signed by it, as PEM files."""

    ca_path: Path
    certificate_path: Path
    key_path: Path

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this CA only."""
        return ssl.create_default_context(cafile=str(self.ca_path))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate_path, self.key_path)
        return context


def _validity(
    builder: x509.CertificateBuilder, now: datetime.datetime
) -> x509.CertificateBuilder:
    return builder.not_valid_before(
        now - datetime.timedelta(minutes=5)
    ).not_valid_after(now + datetime.timedelta(days=1))


def _create_ca(
    now: datetime.datetime,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "basic tests CA")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
            critical=False,
        )
    )
    return key, _validity(builder, now).sign(key, hashes.SHA256())


def _create_server_certificate(
    now: datetime.datetime,
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    names = x509.SubjectAlternativeName(
        [x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(names, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    return key, _validity(builder, now).sign(ca_key, hashes.SHA256())


def create_loopback_authority(folder: Path) -> LoopbackAuthority:
    """Write a CA and a certificate for 127.0.0.1 and localhost into ``folder``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, ca = _create_ca(now)
    key, certificate = _create_server_certificate(now, ca_key, ca)

    authority = LoopbackAuthority(
        ca_path=folder / "ca.pem",
        certificate_path=folder / "server.pem",
        key_path=folder / "server.key",
    )
    authority.ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    authority.certificate_path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
    )
    authority.key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return authority


@dataclass(frozen=True)
class Reply:
    """A scripted HTTP reply."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as a scripted server received it."""

    method: str
    path: str
    headers: httpx.Headers


Script = Callable[[ReceivedRequest], Reply]


class ScriptedServer:
    """The state of a running scripted server: its URL and what it received."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()

    def record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)


@contextmanager
def scripted_server(
    script: Script,
    *,
    authority: LoopbackAuthority | None,
    host_name: str = LOOPBACK,
) -> Iterator[ScriptedServer]:
    """Serve ``script`` on 127.0.0.1, over TLS when ``authority`` is given.

    ``host_name`` is the name put in ``base_url``; it must resolve to
    127.0.0.1.
    """
    state: ScriptedServer | None = None

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            received = ReceivedRequest(
                method=self.command,
                path=self.path,
                headers=httpx.Headers(list(self.headers.items())),
            )
            assert state is not None
            state.record(received)
            reply = script(received)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = _reply
        do_POST = _reply

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if authority is not None:
        server.socket = authority.server_context().wrap_socket(
            server.socket, server_side=True
        )
        scheme = "https"
    port = server.server_address[1]
    state = ScriptedServer(f"{scheme}://{host_name}:{port}")
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
