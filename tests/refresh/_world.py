"""A loopback sandbox with one logged-in Cloud ``oauth2`` connector, for the
refresh tests and the workers they spawn.

The store is addressed by URL and opened with a raw key, so that a spawned
process can open the same store from a picklable :class:`WorkerSpec`. The
host's redirect URL is a path on the sandbox's origin that nothing serves: the
test acts as the admin's browser and never follows the final redirect.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
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
from connauth import RefreshPolicy
from connauth import TokenStore
from connauth import open_store
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import SandboxSettings
from connauth_sandbox import Surface
from connauth_sandbox import TokenKind
from connauth_sandbox import TokenRecord

CONNECTOR_ID = "jira"
MYSELF = "rest/api/3/myself"
CLIENT_SECRET = "SECRET"
SCOPES = ["read:jira-work", "read:jira-user", "write:jira-work"]


class Clock:
    """Real time plus an offset that a test moves forward, for connauth and the
    sandbox at once, so that both sides agree on when the reuse window ends."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime:
        """Return the shifted time as an aware UTC datetime (connauth's clock)."""
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def time(self) -> float:
        """Return the shifted time in seconds since the epoch (the sandbox's)."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its own host on the shared store.

    Every field pickles, so a spawned process receives it as an argument.
    """

    store_url: str
    key: bytes
    host: Mapping[str, str]
    auth: Mapping[str, Any]
    http: Mapping[str, Any]

    def open_store(self) -> TokenStore:
        """Open the shared store by its URL, as a host would."""
        return open_store(self.store_url, keys=KeyRing([self.key]))

    def build(
        self,
        *,
        store: TokenStore | None = None,
        plugins: Mapping[str, object] | None = None,
        clock: Callable[[], datetime] | None = None,
        policy: RefreshPolicy | None = None,
        http: Mapping[str, Any] | None = None,
        auth: Mapping[str, Any] | None = None,
    ) -> tuple[Connauth, Connector]:
        """Return a new host on the shared store and its connector, as a worker
        process or a restarted host would build them. ``http`` and ``auth``
        override fields of the connector's settings."""
        registry = PluginRegistry()
        assert registry.register(connauth_oauth2, "oauth2")
        for name, plugin in (plugins or {}).items():
            assert registry.register(plugin, name), registry.failures
        options: dict[str, Any] = {}
        if clock is not None:
            options["clock"] = clock
        app = Connauth(
            HostIdentity(**self.host),
            store=store or self.open_store(),
            registry=registry,
            refresh_policy=policy,
            **options,
        )
        settings = HttpSettings(**{**self.http, **(http or {})})
        fields = {**self.auth, **(auth or {})}
        connector = app.connector(CONNECTOR_ID, "oauth2", fields, http=settings)
        return app, connector


@dataclass
class RefreshWorld:
    """A running sandbox, the spec of its connector, and the hosts opened on it."""

    sandbox: Sandbox
    server: SandboxServer
    spec: WorkerSpec
    clock: Clock
    opened: list[Connauth] = field(default_factory=list)

    def host(self, **options: Any) -> tuple[Connauth, Connector]:
        """Return a new host on the store, as after a restart; see
        :meth:`WorkerSpec.build` for ``options``."""
        options.setdefault("clock", self.clock.now)
        app, connector = self.spec.build(**options)
        self.opened.append(app)
        return app, connector

    def login(self) -> CredentialRecord:
        """Log the connector in through the sandbox's consent screen."""
        app, connector = self.host()
        prompt = app.begin_login(connector)
        assert prompt.url is not None
        context = ssl.create_default_context(cafile=str(self.server.ca_path))
        with httpx.Client(verify=context, trust_env=False) as browser:
            response = browser.get(prompt.url, follow_redirects=False)
        assert response.status_code in (302, 303), response.text
        return app.complete_login(connector, response.headers["Location"])

    def stored(self) -> CredentialRecord:
        record = self.opened[0].store.get(CONNECTOR_ID)
        assert record is not None
        return record

    def stored_refresh_token(self) -> str:
        tokens = self.stored().tokens
        assert tokens is not None
        assert tokens.refresh_token is not None
        return tokens.refresh_token.get_secret_value()

    def stored_access_token(self) -> str:
        tokens = self.stored().tokens
        assert tokens is not None
        return tokens.access_token.get_secret_value()

    def set_stored_expiry(self, seconds_from_now: float) -> None:
        """Rewrite the stored access token's expiry, as a worker would find it
        after a pause; negative values mean already expired."""
        record = self.stored()
        assert record.tokens is not None
        moment = self.clock.now() + timedelta(seconds=seconds_from_now)
        tokens = record.tokens.model_copy(update={"expires_at": moment})
        self.opened[0].store.put(
            replace(record, tokens=tokens), expected_version=record.version
        )

    def expire_stored_access_token(self) -> None:
        self.set_stored_expiry(-10)

    def refresh_calls(self) -> int:
        return self.sandbox.token_requests(Surface.CLOUD, "refresh_token")

    def refresh_tokens_issued(self) -> list[TokenRecord]:
        return self.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)

    def newest_refresh_token(self) -> str:
        return self.refresh_tokens_issued()[-1].value

    def revoked(self) -> list[TokenRecord]:
        """Return the tokens the sandbox revoked; a breach revokes them all."""
        return self.sandbox.revoked_tokens()

    def secrets(self) -> list[str]:
        """Return every secret a log line or error must never contain."""
        values = [record.value for record in self.sandbox.issued_tokens()]
        return [*values, CLIENT_SECRET]

    def close(self) -> None:
        for app in self.opened:
            app.store.close()


@contextmanager
def refresh_world(
    tmp_path: Path,
    *,
    settings: SandboxSettings | None = None,
    store_url: str | None = None,
    http: Mapping[str, Any] | None = None,
) -> Iterator[RefreshWorld]:
    """Run a sandbox with one Cloud site and a 3LO app registered for the host.

    The connector is not logged in yet; call :meth:`RefreshWorld.login`.
    """
    clock = Clock()
    sandbox = Sandbox(settings, clock=clock.time)
    sandbox.add_user("ada@example.test", display_name="Ada")
    site = sandbox.add_cloud_site("acme")
    sandbox.add_project(site, "DEMO", "Demo")
    with SandboxServer(sandbox) as server:
        base = server.base_url
        host = {
            "name": "Refresh Test Host",
            "redirect_url": f"{base}/host/callback",
            "privacy_policy_url": f"{base}/host/privacy",
            "public_base_url": f"{base}/host",
        }
        sandbox.register_cloud_app(
            client_id="CID",
            client_secret=CLIENT_SECRET,
            redirect_uris=[host["redirect_url"]],
            scopes=SCOPES,
        )
        auth = {
            "deployment": "cloud",
            "site_url": server.cloud_site_url("acme"),
            "client_id": "CID",
            "client_secret": CLIENT_SECRET,
            "authorize_url": server.authorize_url,
            "token_url": server.token_url,
            "accessible_resources_url": server.accessible_resources_url,
            "api_gateway_url": server.gateway_url,
        }
        spec = WorkerSpec(
            store_url=store_url or f"sqlite://{tmp_path / 'tokens.sqlite3'}",
            key=KeyRing.generate(),
            host=host,
            auth=auth,
            http={"verify": str(server.ca_path), **(http or {})},
        )
        world = RefreshWorld(sandbox=sandbox, server=server, spec=spec, clock=clock)
        try:
            yield world
        finally:
            world.close()
