"""Registration with the core and the hooks' contract."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from pydantic import SecretStr

import connauth_oauth2
from connauth import BearerAuth
from connauth import Deployment
from connauth import HostIdentity
from connauth import Lifecycle
from connauth import MethodConfig
from connauth import PluginRegistry
from connauth import TokenSet
from connauth_oauth2 import connauth_authenticate
from connauth_oauth2 import connauth_connectivity_checks
from connauth_oauth2 import connauth_describe_methods
from connauth_oauth2 import connauth_refresh

from ._support import cloud_config
from ._support import dc_config

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_registers_without_failures() -> None:
    registry = PluginRegistry()
    assert registry.register(connauth_oauth2, "oauth2")
    assert registry.failures == []
    info = registry.method("oauth2")
    assert info.lifecycle is Lifecycle.RECOMMENDED
    assert info.deployments == {Deployment.CLOUD, Deployment.DATA_CENTER}
    assert info.interactive is True


def test_entry_point_loads() -> None:
    registry = PluginRegistry.from_environment(allow=["oauth2"])
    assert [info.name for info in registry.methods()] == ["oauth2"]
    assert registry.failures == []


def test_one_method_with_one_form() -> None:
    infos = connauth_describe_methods()
    assert len(infos) == 1
    schema = infos[0].config_schema()
    assert schema["required"] == [
        "site_url",
        "deployment",
        "client_id",
        "client_secret",
    ]
    assert schema["properties"]["client_secret"]["writeOnly"] is True
    assert "default" not in schema["properties"]["client_secret"]


def test_all_sorted() -> None:
    names = connauth_oauth2.__all__
    assert names == sorted(
        names, key=lambda n: (not n.isupper(), not n[0].isupper(), n)
    )
    assert all(hasattr(connauth_oauth2, name) for name in names)
    assert connauth_oauth2.CONNAUTH_HOOK_API == "1.0"


def test_other_methods_get_none(host: HostIdentity) -> None:
    tokens = TokenSet(access_token=SecretStr("a"))
    assert connauth_authenticate("basic", cloud_config(), host) is None
    assert connauth_connectivity_checks("basic", cloud_config()) is None
    assert connauth_refresh("basic", cloud_config(), tokens, NOW) is None


def test_foreign_config_rejected(host: HostIdentity) -> None:
    with pytest.raises(TypeError, match="OAuth2Config"):
        connauth_authenticate("oauth2", MethodConfig(site_url="https://a.test"), host)


def test_refresh_off_has_no_refresh() -> None:
    tokens = TokenSet(access_token=SecretStr("a"), refresh_token=SecretStr("r"))
    cloud = cloud_config(refresh=False, scopes=["read:jira-work"])
    assert connauth_refresh("oauth2", cloud, tokens, NOW) is None
    assert connauth_refresh("oauth2", dc_config(refresh=False), tokens, NOW) is None
    assert connauth_refresh("oauth2", dc_config(), tokens, NOW) is not None


def test_http_auth_is_bearer() -> None:
    registry = PluginRegistry()
    registry.register(connauth_oauth2, "oauth2")
    auth = registry.call(
        "connauth_http_auth", "oauth2", config=cloud_config(), session=object()
    )
    assert isinstance(auth, BearerAuth)


def test_check_ids() -> None:
    checks = connauth_connectivity_checks("oauth2", dc_config())
    assert checks is not None
    assert [check.id for check in checks] == [
        "oauth2-accessible-resources",
        "oauth2-granted-scopes",
        "oauth2-client-credentials",
        "myself",
    ]
    assert checks[1].step == "dc-scopes"
