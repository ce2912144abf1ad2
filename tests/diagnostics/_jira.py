"""A connauth host and one connector of every method, wired to a loopback sandbox.

Each ``JiraWorld`` runs its own ``SandboxServer`` on 127.0.0.1 with a fresh
CA. Every URL a connector or the host uses points at that server, so nothing
leaves the machine. The host's redirect URL is a path on the sandbox's origin
that nothing serves: the tests act as the admin's browser and read the
redirect's Location instead of following it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connauth import CheckResult
from connauth import Connauth
from connauth import Connector
from connauth import CredentialRecord
from connauth import HostIdentity
from connauth import HttpSettings
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._check_options import CheckOptions
from connauth._diagnostics import run_checks
from connauth._network_checks import Resolver
from connauth_sandbox import CloudApp
from connauth_sandbox import CloudSite
from connauth_sandbox import DcClient
from connauth_sandbox import DcSite
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import User

CLOUD_SITE = "acme"
DC_SITE = "corp"
CLOUD_PROJECT = "DEMO"
DC_PROJECT = "OPS"
CONSUMER_KEY = "diagnostics-consumer-key"
CLOUD_SCOPES = ["read:jira-work", "read:jira-user", "write:jira-work"]

# The core warns on every login and client of a deprecated method (oauth1a).
OAUTH1A_DEPRECATED = (
    "ignore:authentication method 'oauth1a' is deprecated:DeprecationWarning"
)

METHODS = ("basic", "pat", "oauth2-cloud", "oauth2-dc", "oauth1a")
"""Connector kinds a world can build, each named after its method and deployment."""


@dataclass(frozen=True)
class RsaPair:
    private_pem: str = field(repr=False)
    public_pem: str


def generate_rsa_pair(bits: int = 2048) -> RsaPair:
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
    return RsaPair(private_pem, public_pem)


@dataclass
class JiraWorld:
    """A sandbox with one user, a Cloud and a DC site, and a client of each kind."""

    sandbox: Sandbox
    server: SandboxServer
    user: User
    cloud: CloudSite
    dc: DcSite
    cloud_app: CloudApp
    dc_client: DcClient
    key_pair: RsaPair
    api_token: str
    personal_access_token: str
    host: HostIdentity
    connauth: Connauth
    store: SqliteTokenStore

    @property
    def http(self) -> HttpSettings:
        return HttpSettings(verify=str(self.server.ca_path))

    def auth(self, kind: str) -> dict[str, Any]:
        """Return the ``auth`` fields of a working connector of ``kind``."""
        server = self.server
        if kind == "basic":
            return {
                "site_url": server.cloud_site_url(CLOUD_SITE),
                "email": self.user.email,
                "api_token": self.api_token,
            }
        if kind == "pat":
            return {
                "site_url": server.dc_site_url(DC_SITE),
                "token": self.personal_access_token,
            }
        if kind == "oauth2-cloud":
            return {
                "deployment": "cloud",
                "site_url": server.cloud_site_url(CLOUD_SITE),
                "client_id": self.cloud_app.client_id,
                "client_secret": self.cloud_app.client_secret,
                "authorize_url": server.authorize_url,
                "token_url": server.token_url,
                "accessible_resources_url": server.accessible_resources_url,
                "api_gateway_url": server.gateway_url,
            }
        if kind == "oauth2-dc":
            return {
                "deployment": "datacenter",
                "site_url": server.dc_site_url(DC_SITE),
                "client_id": self.dc_client.client_id,
                "client_secret": self.dc_client.client_secret,
            }
        if kind == "oauth1a":
            return {
                "site_url": server.dc_site_url(DC_SITE),
                "consumer_key": CONSUMER_KEY,
                "private_key": self.key_pair.private_pem,
            }
        raise ValueError(f"unknown connector kind {kind!r}; use one of {METHODS}")

    def connector(
        self,
        kind: str,
        *,
        connector_id: str | None = None,
        http: HttpSettings | None = None,
        **overrides: Any,
    ) -> Connector:
        """Build a connector of ``kind``, with ``overrides`` on its auth fields."""
        method = kind.split("-")[0]
        auth = {**self.auth(kind), **overrides}
        return self.connauth.connector(
            connector_id or kind, method, auth, http=http or self.http
        )

    def login(self, connector: Connector) -> CredentialRecord:
        """Log ``connector`` in, acting as the admin's browser when needed."""
        prompt = self.connauth.begin_login(connector)
        if prompt.url is None:
            return self.connauth.complete_login(connector, {"state": prompt.state})
        return self.connauth.complete_login(connector, self.approve(prompt.url))

    def approve(self, url: str) -> str:
        """Open ``url`` as the admin's browser; return the redirect's Location."""
        context = ssl.create_default_context(cafile=str(self.server.ca_path))
        with httpx.Client(verify=context, trust_env=False) as browser:
            response = browser.get(url)
        assert response.status_code in (302, 303), response.text
        return response.headers["Location"]

    def check(
        self,
        connector: Connector,
        *,
        options: CheckOptions | None = None,
        resolver: Resolver | None = None,
    ) -> dict[str, CheckResult]:
        """Run ``connauth check`` on ``connector``; return the results by id."""
        results = asyncio.run(
            run_checks(self.connauth, connector, options=options, resolver=resolver)
        )
        by_id = {result.id: result for result in results}
        assert len(by_id) == len(results), [result.id for result in results]
        return by_id


def installed_methods() -> set[str]:
    return {info.name for info in PluginRegistry.from_environment().methods()}


def require_method(kind: str) -> None:
    """Skip the calling test when ``kind``'s plugin is not installed."""
    method = kind.split("-")[0]
    if method not in installed_methods():
        pytest.skip(f"the {method} plugin is not installed")


def host_identity(base_url: str) -> HostIdentity:
    return HostIdentity(
        name="Diagnostics Host",
        redirect_url=f"{base_url}/host/callback",
        privacy_policy_url=f"{base_url}/host/privacy",
        public_base_url=f"{base_url}/host",
    )


@contextmanager
def jira_world(tmp_path: Path, key_pair: RsaPair) -> Iterator[JiraWorld]:
    """Run a sandbox with every kind of client registered for one host."""
    sandbox = Sandbox()
    user = sandbox.add_user(
        "ada@example.test", username="ada", display_name="Ada Lovelace"
    )
    cloud = sandbox.add_cloud_site(CLOUD_SITE)
    dc = sandbox.add_dc_site(DC_SITE)
    sandbox.add_project(cloud, CLOUD_PROJECT, "Demo")
    sandbox.add_project(dc, DC_PROJECT, "Operations")
    with SandboxServer(sandbox) as server:
        host = host_identity(server.base_url)
        cloud_app = sandbox.register_cloud_app(
            redirect_uris=[host.redirect_url], scopes=CLOUD_SCOPES, name="Diagnostics"
        )
        dc_client = sandbox.register_dc_oauth2_client(
            dc, host.redirect_url, ["READ", "WRITE"]
        )
        sandbox.register_application_link(
            dc, CONSUMER_KEY, key_pair.public_pem, "Diagnostics"
        )
        store = SqliteTokenStore(
            tmp_path / "tokens.sqlite3", keys=KeyRing([KeyRing.generate()])
        )
        connauth = Connauth(
            host, store=store, registry=PluginRegistry.from_environment()
        )
        world = JiraWorld(
            sandbox=sandbox,
            server=server,
            user=user,
            cloud=cloud,
            dc=dc,
            cloud_app=cloud_app,
            dc_client=dc_client,
            key_pair=key_pair,
            api_token=sandbox.issue_api_token(user),
            personal_access_token=sandbox.issue_personal_access_token(user, dc),
            host=host,
            connauth=connauth,
            store=store,
        )
        try:
            yield world
        finally:
            store.close()


def assert_result(
    results: dict[str, CheckResult],
    check_id: str,
    status: str,
    step: str | None = None,
) -> CheckResult:
    """Assert that check ``check_id`` has ``status`` and names ``step``."""
    assert check_id in results, sorted(results)
    result = results[check_id]
    assert result.status.value == status, result
    if step is not None:
        assert result.step == step, result
    return result
