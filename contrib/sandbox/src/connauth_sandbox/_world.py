"""A ready-made sandbox world for the demo and the ``sandbox`` command.

One user, one Jira Cloud site and one Data Center instance with a project each,
and everything an admin would set up in Jira for every method: a 3LO app, an
incoming OAuth 2.0 link, an OAuth 1.0a application link with a freshly
generated RSA key, an API token and a personal access token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connauth import HostIdentity
from connauth import generate_rsa_key_pair
from connauth_sandbox._server import SandboxServer
from connauth_sandbox._state import Sandbox

__all__ = [
    "CLOUD_SITE",
    "DC_SITE",
    "PROJECT_KEY",
    "World",
    "build_world",
    "sandbox_host",
]

CLOUD_SITE = "acme"
DC_SITE = "corp"
PROJECT_KEY = "DEMO"
CONSUMER_KEY = "connauth-demo-consumer"


def sandbox_host(server: SandboxServer) -> HostIdentity:
    """Return a host identity whose URLs all point at the sandbox's own origin."""
    base = server.base_url
    return HostIdentity(
        name="Sandbox Host",
        redirect_url=f"{base}/_host/callback",
        privacy_policy_url=f"{base}/_host/privacy",
        public_base_url=f"{base}/_host",
    )


@dataclass(frozen=True)
class World:
    """The values an admin would copy back from Jira, per method."""

    server: SandboxServer
    host: HostIdentity
    email: str
    api_token: str
    personal_access_token: str
    cloud_client_id: str
    cloud_client_secret: str
    dc_client_id: str
    dc_client_secret: str
    private_key_pem: str

    def auth(self, method: str) -> dict[str, Any]:
        """Return a correct ``[auth]`` table for ``method``, or raise ``KeyError``."""
        server = self.server
        cloud = server.cloud_site_url(CLOUD_SITE)
        dc = server.dc_site_url(DC_SITE)
        tables: dict[str, dict[str, Any]] = {
            "oauth2": {
                "site_url": cloud,
                "deployment": "cloud",
                "client_id": self.cloud_client_id,
                "client_secret": self.cloud_client_secret,
                "authorize_url": server.authorize_url,
                "token_url": server.token_url,
                "accessible_resources_url": server.accessible_resources_url,
                "api_gateway_url": server.gateway_url,
            },
            "oauth2-datacenter": {
                "site_url": dc,
                "deployment": "datacenter",
                "client_id": self.dc_client_id,
                "client_secret": self.dc_client_secret,
            },
            "oauth1a": {
                "site_url": dc,
                "consumer_key": CONSUMER_KEY,
                "private_key": self.private_key_pem,
            },
            "basic": {
                "site_url": cloud,
                "email": self.email,
                "api_token": self.api_token,
            },
            "pat": {"site_url": dc, "token": self.personal_access_token},
        }
        return dict(tables[method])


def build_world(sandbox: Sandbox, server: SandboxServer) -> World:
    """Set up the sandbox as a Jira admin would, and return what they copied."""
    host = sandbox_host(server)
    user = sandbox.add_user(
        "ada@example.test",
        display_name="Ada Lovelace",
        username="ada",
        password="ada-pw",
    )
    cloud = sandbox.add_cloud_site(CLOUD_SITE)
    dc = sandbox.add_dc_site(DC_SITE)
    for site in (cloud, dc):
        sandbox.grant_site_access(user, site)
        sandbox.add_project(site, PROJECT_KEY, "Demo project")

    app = sandbox.register_cloud_app(
        redirect_uris=[host.redirect_url],
        scopes=["read:jira-work", "read:jira-user", "write:jira-work"],
        name=host.name,
    )
    dc_client = sandbox.register_dc_oauth2_client(
        dc, host.redirect_url, ["READ", "WRITE"]
    )
    pair = generate_rsa_key_pair()
    sandbox.register_application_link(dc, CONSUMER_KEY, pair.public_pem, host.name)

    return World(
        server=server,
        host=host,
        email=user.email,
        api_token=sandbox.issue_api_token(user),
        personal_access_token=sandbox.issue_personal_access_token(user, dc),
        cloud_client_id=app.client_id,
        cloud_client_secret=app.client_secret,
        dc_client_id=dc_client.client_id,
        dc_client_secret=dc_client.client_secret,
        private_key_pem=pair.private_pem.get_secret_value(),
    )
