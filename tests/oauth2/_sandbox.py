"""A connauth host wired to a loopback sandbox, for the full-flow tests.

Each ``World`` runs its own ``SandboxServer`` on 127.0.0.1 with a fresh CA.
The host's redirect URL is a path on the sandbox's own origin that nothing
serves: the tests act as the browser and never follow the final redirect.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

import connauth_oauth2
from connauth import Connauth
from connauth import Connector
from connauth import CredentialRecord
from connauth import HostIdentity
from connauth import HttpSettings
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth import TokenStore
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import SandboxSettings
from connauth_sandbox import Surface

CLOUD_SCOPES = ["read:jira-work", "read:jira-user", "write:jira-work"]
CONNECTOR_ID = "jira"
PROJECT_KEY = "DEMO"


@dataclass
class World:
    """One sandbox, one host and one connector of the ``oauth2`` method."""

    sandbox: Sandbox
    server: SandboxServer
    host: HostIdentity
    connauth: Connauth
    connector: Connector
    surface: Surface
    store_path: Path
    keys: KeyRing
    opened: list[TokenStore]

    @property
    def tls(self) -> ssl.SSLContext:
        """A client TLS context that trusts the sandbox's CA."""
        return ssl.create_default_context(cafile=self.ca)

    @property
    def ca(self) -> str:
        return str(self.server.ca_path)

    def authorize(self, url: str | None) -> str:
        """Open ``url`` as the admin's browser and return the redirect's Location."""
        assert url is not None
        with httpx.Client(verify=self.tls, trust_env=False) as browser:
            response = browser.get(url, follow_redirects=False)
        assert response.status_code in (302, 303), response.text
        return response.headers["Location"]

    def login(self) -> CredentialRecord:
        prompt = self.connauth.begin_login(self.connector)
        return self.connauth.complete_login(self.connector, self.authorize(prompt.url))

    def refresh_calls(self) -> int:
        return self.sandbox.token_requests(self.surface, "refresh_token")

    def code_calls(self) -> int:
        return self.sandbox.token_requests(self.surface, "authorization_code")

    def stored(self) -> CredentialRecord:
        record = self.connauth.store.get(CONNECTOR_ID)
        assert record is not None
        return record

    def expire_stored_access_token(self) -> None:
        """Rewrite the stored tokens as expired ten seconds ago, as a process
        would find them after a pause."""
        record = self.stored()
        assert record.tokens is not None
        past = datetime.now(UTC) - timedelta(seconds=10)
        tokens = record.tokens.model_copy(update={"expires_at": past})
        self.connauth.store.put(
            replace(record, tokens=tokens), expected_version=record.version
        )

    def open_store(self) -> SqliteTokenStore:
        """Open the world's database again; it is closed when the world ends."""
        store = SqliteTokenStore(self.store_path, keys=self.keys)
        self.opened.append(store)
        return store

    def reopen(self, store: TokenStore | None = None) -> Connauth:
        """Return a new Connauth on the same database, as after a restart."""
        return Connauth(
            self.host,
            store=store or self.open_store(),
            registry=registry(),
        )

    def close(self) -> None:
        for store in self.opened:
            store.close()

    def api_version(self) -> str:
        return "3" if self.surface is Surface.CLOUD else "2"

    def create_issue(self, client: httpx.Client, summary: str) -> httpx.Response:
        return client.post(f"rest/api/{self.api_version()}/issue", json=issue(summary))


def issue(summary: str) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": PROJECT_KEY},
            "summary": summary,
            "issuetype": {"name": "Task"},
        }
    }


def registry() -> PluginRegistry:
    plugins = PluginRegistry()
    assert plugins.register(connauth_oauth2, "oauth2")
    return plugins


@contextmanager
def cloud_world(
    tmp_path: Path,
    *,
    settings: SandboxSettings | None = None,
    auth: Mapping[str, Any] | None = None,
    http: Mapping[str, Any] | None = None,
    redirect_path: str = "/host/callback",
) -> Iterator[World]:
    """Run a sandbox with one Cloud site and a 3LO app registered for the host."""
    sandbox = Sandbox(settings)
    sandbox.add_user("ada@example.test", display_name="Ada")
    site = sandbox.add_cloud_site("acme")
    sandbox.add_project(site, PROJECT_KEY, "Demo")
    with SandboxServer(sandbox) as server:
        host = _host(server, redirect_path)
        sandbox.register_cloud_app(
            client_id="CID",
            client_secret="SECRET",
            redirect_uris=[host.redirect_url],
            scopes=CLOUD_SCOPES,
        )
        fields = {
            "deployment": "cloud",
            "site_url": server.cloud_site_url("acme"),
            "client_id": "CID",
            "client_secret": "SECRET",
            "authorize_url": server.authorize_url,
            "token_url": server.token_url,
            "accessible_resources_url": server.accessible_resources_url,
            "api_gateway_url": server.gateway_url,
            **(auth or {}),
        }
        world = _world(tmp_path, sandbox, server, host, fields, http, Surface.CLOUD)
        try:
            yield world
        finally:
            world.close()


@contextmanager
def dc_world(
    tmp_path: Path,
    *,
    settings: SandboxSettings | None = None,
    http: Mapping[str, Any] | None = None,
) -> Iterator[World]:
    """Run a sandbox with one Data Center site and an incoming OAuth 2.0 link."""
    sandbox = Sandbox(settings)
    sandbox.add_user("ada@example.test", display_name="Ada")
    site = sandbox.add_dc_site("corp")
    sandbox.add_project(site, PROJECT_KEY, "Demo")
    with SandboxServer(sandbox) as server:
        host = _host(server, "/host/callback")
        client = sandbox.register_dc_oauth2_client(site, host.redirect_url, ["WRITE"])
        fields = {
            "deployment": "datacenter",
            "site_url": server.dc_site_url("corp"),
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        }
        world = _world(tmp_path, sandbox, server, host, fields, http, Surface.DC)
        try:
            yield world
        finally:
            world.close()


def _host(server: SandboxServer, redirect_path: str) -> HostIdentity:
    return HostIdentity(
        name="Test Host",
        redirect_url=f"{server.base_url}{redirect_path}",
        privacy_policy_url=f"{server.base_url}/host/privacy",
        public_base_url=f"{server.base_url}/host",
    )


def _world(
    tmp_path: Path,
    sandbox: Sandbox,
    server: SandboxServer,
    host: HostIdentity,
    fields: Mapping[str, Any],
    http: Mapping[str, Any] | None,
    surface: Surface,
) -> World:
    keys = KeyRing([KeyRing.generate()])
    store_path = tmp_path / "t.db"
    store = SqliteTokenStore(store_path, keys=keys)
    connauth = Connauth(host, store=store, registry=registry())
    settings = HttpSettings(**{"verify": str(server.ca_path), **(http or {})})
    connector = connauth.connector(CONNECTOR_ID, "oauth2", fields, http=settings)
    return World(
        sandbox=sandbox,
        server=server,
        host=host,
        connauth=connauth,
        connector=connector,
        surface=surface,
        store_path=store_path,
        keys=keys,
        opened=[store],
    )
