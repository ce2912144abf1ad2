"""Fixtures of the OAuth 1.0a plugin tests: keys, signers and a running sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import connauth_oauth1a
from connauth import Connauth
from connauth import Connector
from connauth import HostIdentity
from connauth import HttpSettings
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth_oauth1a import OAuth1Signer
from connauth_oauth1a import generate_key_pair
from connauth_sandbox import DcSite
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import User

DATA = Path(__file__).parent / "data"
CONSUMER_KEY = "connauth-test-consumer-key"
SITE_NAME = "main"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def base_strings() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "base_strings.json").read_text())
    return loaded


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def private_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode("ascii")


@pytest.fixture(scope="session")
def signer(rsa_key: rsa.RSAPrivateKey) -> OAuth1Signer:
    """A signer with the consumer key of the fixed parameter set P0."""
    return OAuth1Signer("jira-consumer", rsa_key)


@dataclass
class SandboxWorld:
    """A running sandbox with one Data Center site and its application link."""

    sandbox: Sandbox
    server: SandboxServer
    site: DcSite
    user: User
    private_pem: str
    public_pem: str

    @property
    def site_url(self) -> str:
        return self.server.dc_site_url(SITE_NAME)

    @property
    def http(self) -> HttpSettings:
        return HttpSettings(verify=str(self.server.ca_path))

    def host(self) -> HostIdentity:
        # Loopback URLs on the sandbox's own origin, so nothing points elsewhere.
        base = self.server.base_url
        return HostIdentity(
            name="Connauth Test Host",
            redirect_url=f"{base}/host/oauth/callback",
            privacy_policy_url=f"{base}/host/privacy",
            public_base_url=f"{base}/host",
        )

    def auth(self, **overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "site_url": self.site_url,
            "consumer_key": CONSUMER_KEY,
            "private_key": self.private_pem,
        }
        values.update(overrides)
        return values


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    sandbox = Sandbox()
    user = sandbox.add_user("ada@example.test", username="ada", display_name="Ada")
    site = sandbox.add_dc_site(SITE_NAME)
    sandbox.add_project(site, "DEMO", "Demo project")
    pair = generate_key_pair()
    sandbox.register_application_link(site, CONSUMER_KEY, pair.public_pem, "Test host")
    with SandboxServer(sandbox) as server:
        yield SandboxWorld(
            sandbox=sandbox,
            server=server,
            site=site,
            user=user,
            private_pem=pair.private_pem,
            public_pem=pair.public_pem,
        )


@pytest.fixture
def connauth(world: SandboxWorld, tmp_path: Path) -> Iterator[Connauth]:
    registry = PluginRegistry()
    assert registry.register(connauth_oauth1a, "oauth1a")
    store = SqliteTokenStore(tmp_path / "t.db", keys=KeyRing([KeyRing.generate()]))
    yield Connauth(world.host(), store=store, registry=registry)
    store.close()


@pytest.fixture
def connector(connauth: Connauth, world: SandboxWorld) -> Connector:
    return connauth.connector("dc-main", "oauth1a", world.auth(), http=world.http)
