"""Configuration errors name the step of the deployment the admin chose."""

from __future__ import annotations

from pathlib import Path

import pytest

import connauth_oauth2
from connauth import ConfigError
from connauth import Connauth
from connauth import HostIdentity
from connauth import KeyRing
from connauth import PluginRegistry
from connauth import SqliteTokenStore

HOST = HostIdentity(
    name="Example Host",
    redirect_url="https://127.0.0.1:8443/callback",
    privacy_policy_url="https://127.0.0.1:8443/privacy",
    public_base_url="https://127.0.0.1:8443",
)


def connauth_with_oauth2(tmp_path: Path) -> Connauth:
    registry = PluginRegistry()
    registry.register(connauth_oauth2, "oauth2")
    store = SqliteTokenStore(tmp_path / "t.db", keys=KeyRing([KeyRing.generate()]))
    return Connauth(HOST, store=store, registry=registry)


@pytest.mark.parametrize(
    ("deployment", "prefix"), [("datacenter", "dc-"), ("cloud", "cloud-")]
)
def test_invalid_site_url_points_at_deployment_step(
    tmp_path: Path, deployment: str, prefix: str
) -> None:
    connauth = connauth_with_oauth2(tmp_path)
    auth = {
        "deployment": deployment,
        "site_url": "http://jira.example.test",
        "client_id": "client-1",
        "client_secret": "canary-secret",
    }
    with pytest.raises(ConfigError) as caught:
        connauth.connector("c1", "oauth2", auth)
    steps = {field: step for field, _, step in caught.value.problems}
    assert steps["site_url"] is not None
    assert steps["site_url"].startswith(prefix)
    assert "canary-secret" not in str(caught.value)
