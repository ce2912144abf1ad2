"""A sandbox Jira for migrations, and a store wrapper that injects faults.

``Jira`` is the admin's side: sites, registered clients and the browser that
approves a login. ``FaultyStore`` wraps a real ``SqliteTokenStore`` and raises
at a chosen write, to stand for a crash or a storage failure at any step of a
migration. It raises either before the write, which then never happens, or
after it, when the write is committed.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from connauth import Connauth
from connauth import Connector
from connauth import CredentialRecord
from connauth import HostIdentity
from connauth import KeyRing
from connauth import PendingAuthorization
from connauth import PluginRegistry
from connauth import SqliteTokenStore
from connauth._migrate import MigrationRunner
from connauth._migrate_bulk import BulkMigration
from connauth._migrate_bulk import BulkReport
from connauth_sandbox import CloudApp
from connauth_sandbox import CloudSite
from connauth_sandbox import DcClient
from connauth_sandbox import DcSite
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer
from connauth_sandbox import User

METHODS = ("basic", "oauth2")
"""Plugins the migration tests load: ``basic`` provides ``basic`` and ``pat``."""


@dataclass
class Jira:
    """A sandbox with a current Data Center site, an old one and a Cloud site."""

    sandbox: Sandbox
    server: SandboxServer
    host: HostIdentity
    user: User
    dc: DcSite
    old_dc: DcSite
    cloud: CloudSite
    dc_client: DcClient
    old_dc_client: DcClient
    cloud_app: CloudApp
    ca_context: ssl.SSLContext = field(repr=False)

    @property
    def http(self) -> dict[str, Any]:
        return {"verify": str(self.server.ca_path)}

    def site(self, site: DcSite | CloudSite) -> str:
        if isinstance(site, DcSite):
            return self.server.dc_site_url(site.name)
        return self.server.cloud_site_url(site.name)

    def pat_auth(self, site: DcSite | None = None) -> dict[str, Any]:
        site = site or self.dc
        token = self.sandbox.issue_personal_access_token(self.user, site)
        return {"site_url": self.site(site), "token": token}

    def basic_auth(self) -> dict[str, Any]:
        return {
            "site_url": self.site(self.cloud),
            "email": self.user.email,
            "api_token": self.sandbox.issue_api_token(self.user),
        }

    def dc_oauth2_auth(self, site: DcSite | None = None) -> dict[str, Any]:
        site = site or self.dc
        client = self.old_dc_client if site is self.old_dc else self.dc_client
        return {
            "site_url": self.site(site),
            "deployment": "datacenter",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        }

    def cloud_oauth2_auth(self) -> dict[str, Any]:
        server = self.server
        return {
            "site_url": self.site(self.cloud),
            "deployment": "cloud",
            "client_id": self.cloud_app.client_id,
            "client_secret": self.cloud_app.client_secret,
            "authorize_url": server.authorize_url,
            "token_url": server.token_url,
            "accessible_resources_url": server.accessible_resources_url,
            "api_gateway_url": server.gateway_url,
        }

    def approve(self, url: str | None) -> str:
        """Act as the admin's browser: open the consent page and return the
        callback URL that Jira redirects to."""
        assert url is not None
        with httpx.Client(verify=self.ca_context) as browser:
            response = browser.get(url)
        assert response.is_redirect, response.text
        location = response.headers["location"]
        assert location.startswith(self.host.redirect_url)
        return location


def build_jira() -> tuple[Sandbox, Callable[[SandboxServer], Jira]]:
    """Return a sandbox and a function that completes the world once it serves."""
    sandbox = Sandbox()
    user = sandbox.add_user(
        "ada@example.test", display_name="Ada", username="ada", password="pw"
    )
    dc = sandbox.add_dc_site("corp")
    old_dc = sandbox.add_dc_site("vintage", version="8.5.3")
    cloud = sandbox.add_cloud_site("acme")
    for site in (dc, old_dc, cloud):
        sandbox.grant_site_access(user, site)
        sandbox.add_project(site, "DEMO", "Demo")

    def finish(server: SandboxServer) -> Jira:
        base = server.base_url
        host = HostIdentity(
            name="Migration Tests",
            redirect_url=f"{base}/_host/callback",
            privacy_policy_url=f"{base}/_host/privacy",
            public_base_url=f"{base}/_host",
        )
        return Jira(
            sandbox=sandbox,
            server=server,
            host=host,
            user=user,
            dc=dc,
            old_dc=old_dc,
            cloud=cloud,
            dc_client=sandbox.register_dc_oauth2_client(
                dc, host.redirect_url, ["READ", "WRITE"]
            ),
            old_dc_client=sandbox.register_dc_oauth2_client(
                old_dc, host.redirect_url, ["READ", "WRITE"]
            ),
            cloud_app=sandbox.register_cloud_app(
                redirect_uris=[host.redirect_url],
                scopes=["read:jira-work", "read:jira-user", "write:jira-work"],
                name=host.name,
            ),
            ca_context=ssl.create_default_context(cafile=str(server.ca_path)),
        )

    return sandbox, finish


class SimulatedCrash(BaseException):
    """Stands for the process dying: no ``except Exception`` catches it."""


@dataclass
class Fault:
    """Raise ``error()`` at the write number ``at`` (counting from 0), or at
    every write whose name ``matches``; before the write or after it."""

    error: Callable[[], BaseException]
    at: int | None = None
    matches: Callable[[str], bool] | None = None
    after: bool = False
    once: bool = True

    def applies(self, index: int, name: str) -> bool:
        if self.at is not None:
            return index == self.at
        return self.matches is not None and self.matches(name)


class FaultyStore:
    """A ``SqliteTokenStore`` that records its writes and injects one fault.

    Writes are ``put``, ``delete``, ``put_pending`` and ``take_pending``;
    each is named ``"<operation> <id>"`` in :attr:`writes`.
    """

    def __init__(self, inner: SqliteTokenStore, fault: Fault | None = None) -> None:
        self.inner = inner
        self.fault = fault
        self.writes: list[str] = []
        self.before_write: Callable[[str], None] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        return self._write(
            f"put {record.connector_id}",
            lambda: self.inner.put(record, expected_version=expected_version),
        )

    def delete(self, connector_id: str) -> bool:
        return self._write(
            f"delete {connector_id}", lambda: self.inner.delete(connector_id)
        )

    def put_pending(self, state: str, pending: PendingAuthorization) -> None:
        self._write("put_pending", lambda: self.inner.put_pending(state, pending))

    def take_pending(self, state: str, *, now: datetime) -> PendingAuthorization | None:
        return self._write(
            "take_pending", lambda: self.inner.take_pending(state, now=now)
        )

    def _write(self, name: str, action: Callable[[], Any]) -> Any:
        index = len(self.writes)
        self.writes.append(name)
        if self.before_write is not None:
            self.before_write(name)
        fault = self.fault
        hit = fault is not None and fault.applies(index, name)
        if hit and fault is not None and not fault.after:
            self._spend()
            raise fault.error()
        result = action()
        if hit and fault is not None:
            self._spend()
            raise fault.error()
        return result

    def _spend(self) -> None:
        if self.fault is not None and self.fault.once:
            self.fault = None


def open_store(path: Path, key: bytes) -> SqliteTokenStore:
    """Open the store file at ``path``, as a new process would."""
    return SqliteTokenStore(path, keys=KeyRing([key]))


def make_connauth(jira: Jira, store: Any) -> Connauth:
    return Connauth(
        jira.host, store=store, registry=PluginRegistry.from_environment(allow=METHODS)
    )


def log_in_pat(connauth: Connauth, jira: Jira, connector_id: str) -> Connector:
    """Store a working ``pat`` connector on the current Data Center site."""
    connector = connauth.connector(connector_id, "pat", jira.pat_auth(), jira.http)
    connauth.login(connector)
    return connector


def dc_target(connauth: Connauth, jira: Jira, connector_id: str) -> Connector:
    return connauth.connector(connector_id, "oauth2", jira.dc_oauth2_auth(), jira.http)


def myself_status(connauth: Connauth, connector: Connector) -> int:
    with connauth.client(connector) as client:
        return client.get("rest/api/2/myself").status_code


def rerun(
    runner: MigrationRunner,
    jira: Jira,
    targets: Callable[[CredentialRecord], Connector],
    connector_ids: list[str] | None = None,
    *,
    source: str = "pat",
) -> BulkReport:
    """Run the migration again, with the sandbox approving each login."""
    bulk = BulkMigration(
        runner,
        source=source,
        target="oauth2",
        targets=targets,
        connector_ids=connector_ids,
    )
    return bulk.run(lambda prompt: jira.approve(prompt.url))


def write_host_config(folder: Path, jira: Jira, store_path: Path) -> Path:
    """Write the host configuration file of a CLI run; return its path."""
    host = jira.host
    path = folder / "connauth.toml"
    path.write_text(
        "[host]\n"
        f'name = "{host.name}"\n'
        f'redirect_url = "{host.redirect_url}"\n'
        f'privacy_policy_url = "{host.privacy_policy_url}"\n'
        f'public_base_url = "{host.public_base_url}"\n'
        "[store]\n"
        f'path = "{store_path}"\n',
        encoding="utf-8",
    )
    return path


def write_target_template(folder: Path, jira: Jira) -> Path:
    """Write an ``oauth2`` connector file for the Data Center site, with its
    secret as an environment reference (``DC_CLIENT_SECRET``)."""
    path = folder / "oauth2-template.toml"
    auth = jira.dc_oauth2_auth()
    path.write_text(
        'id = "template"\n'
        'method = "oauth2"\n'
        "[auth]\n"
        'deployment = "datacenter"\n'
        f'client_id = "{auth["client_id"]}"\n'
        'client_secret = { env = "DC_CLIENT_SECRET" }\n'
        "[http]\n"
        f'verify = "{jira.server.ca_path}"\n',
        encoding="utf-8",
    )
    return path


def cli_environment(jira: Jira, store_key: bytes) -> dict[str, str]:
    return {
        "CONNAUTH_STORE_KEY": store_key.decode(),
        "DC_CLIENT_SECRET": jira.dc_client.client_secret,
    }
