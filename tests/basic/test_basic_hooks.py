"""The plugin's hooks as the core calls them: methods, checklists, findings."""

from __future__ import annotations

import inspect
import re
import zlib
from pathlib import Path

import httpx
import pytest
from basic_support import host_identity
from basic_support import make_connauth

import connauth_basic
from connauth import CheckStatus
from connauth import ConfigError
from connauth import Connauth
from connauth import Deployment
from connauth import Lifecycle
from connauth import MigrationSource
from connauth import PluginRegistry
from connauth_basic import BasicConfig
from connauth_basic import JiraBasicAuth
from connauth_basic import PatConfig
from connauth_basic import PersonalAccessTokenAuth

HOST_URL = "https://127.0.0.1:9"
TOKEN_HEAD = "ATATT3xFfGF0T4JNjuJc34ldcg9GNUi7b2dQ="
CLOUD = {
    "site_url": "https://acme.atlassian.net",
    "email": "user@example.test",
    "api_token": TOKEN_HEAD + format(zlib.crc32(TOKEN_HEAD.encode()), "08X"),
}
DC = {"site_url": "https://jira.corp.test", "token": "MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"}


@pytest.fixture
def connauth(tmp_path: Path) -> Connauth:
    return make_connauth(HOST_URL, tmp_path / "tokens.sqlite3")


def test_one_plugin_describes_both_methods(connauth: Connauth) -> None:
    methods = {info.name: info for info in connauth.methods()}

    assert sorted(methods) == ["basic", "pat"]
    assert methods["basic"].config_model is BasicConfig
    assert methods["pat"].config_model is PatConfig
    assert methods["basic"].deployments == frozenset({Deployment.CLOUD})
    assert methods["pat"].deployments == frozenset({Deployment.DATA_CENTER})
    assert methods["basic"].lifecycle is Lifecycle.SUPPORTED
    assert methods["pat"].lifecycle is Lifecycle.SUPPORTED
    assert not methods["basic"].interactive
    assert not methods["pat"].interactive
    assert "service account" in methods["basic"].summary


def test_installed_entry_point_provides_both() -> None:
    registry = PluginRegistry.from_environment(allow=["basic"])

    assert [info.name for info in registry.methods()] == ["basic", "pat"]
    assert registry.failures == []


def test_secret_fields_are_write_only(connauth: Connauth) -> None:
    schema = connauth.registry.method("basic").config_schema()

    assert schema["properties"]["api_token"]["writeOnly"] is True
    assert "default" not in schema["properties"]["api_token"]


@pytest.mark.parametrize("method", ["basic", "pat"])
def test_checklist_covers_every_typed_field(method: str, connauth: Connauth) -> None:
    checklist = connauth.checklist(method)
    model = connauth.registry.method(method).config_model

    copied = {field.field for step in checklist.steps for field in step.copy_back}
    typed = set(model.model_fields) - {"api_gateway_url"}
    assert copied == typed
    assert all(re.fullmatch(r"[a-z0-9-]+", step.id) for step in checklist.steps)
    assert len({step.id for step in checklist.steps}) == len(checklist.steps)
    secret = {f.field for step in checklist.steps for f in step.copy_back if f.secret}
    assert secret == {"basic": {"api_token"}, "pat": {"token"}}[method]


@pytest.mark.parametrize("method", ["basic", "pat"])
def test_checklist_uses_host_identity(method: str, connauth: Connauth) -> None:
    checklist = connauth.checklist(method)

    shown_values = [value.value for step in checklist.steps for value in step.show]
    assert "Example Host" in shown_values
    assert "Example Host" in checklist.title


def test_basic_checklist_steps(connauth: Connauth) -> None:
    checklist = connauth.checklist("basic")

    assert [step.id for step in checklist.steps] == [
        "service-account",
        "api-token",
        "copy-credentials",
    ]
    token_text = " ".join(checklist.step("api-token").instructions)
    assert "one year" in token_text
    assert "cloud id" in token_text


def test_pat_checklist_steps(connauth: Connauth) -> None:
    checklist = connauth.checklist("pat")

    assert [step.id for step in checklist.steps] == ["create-token", "copy-token"]
    assert "Personal Access Tokens" in " ".join(
        checklist.step("create-token").instructions
    )


def test_valid_configs_have_no_findings(connauth: Connauth) -> None:
    cloud = connauth.connector("acme", "basic", CLOUD)
    dc = connauth.connector("corp", "pat", DC)

    assert connauth.validate(cloud) == []
    assert connauth.validate(dc) == []


def test_basic_findings_name_steps(connauth: Connauth) -> None:
    auth = {
        **CLOUD,
        "site_url": "https://acme.atlassian.net/jira/your-work",
        "email": "user at example",
        "api_token": "hunter2",
    }
    connector = connauth.connector("acme", "basic", auth)

    findings = {result.id: result for result in connauth.validate(connector)}

    assert findings["email"].status is CheckStatus.FAIL
    assert findings["email"].step == "copy-credentials"
    assert findings["api-token-format"].status is CheckStatus.WARN
    assert findings["api-token-format"].step == "api-token"
    assert findings["site-url"].status is CheckStatus.FAIL
    assert "https://acme.atlassian.net" in findings["site-url"].message
    assert all("hunter2" not in result.message for result in findings.values())


def test_truncated_token_warns_to_copy_again(connauth: Connauth) -> None:
    connector = connauth.connector(
        "acme", "basic", {**CLOUD, "api_token": CLOUD["api_token"][:-1]}
    )

    [finding] = connauth.validate(connector)

    assert finding.status is CheckStatus.WARN
    assert finding.step == "copy-credentials"
    assert "copy it again" in finding.message


def test_basic_on_non_cloud_site_warns(connauth: Connauth) -> None:
    connector = connauth.connector(
        "corp", "basic", {**CLOUD, "site_url": "https://jira.corp.test"}
    )

    [finding] = connauth.validate(connector)

    assert finding.id == "site-url"
    assert finding.status is CheckStatus.WARN
    assert "method 'pat'" in finding.message


def test_failed_finding_blocks_login_before_sending(connauth: Connauth) -> None:
    connector = connauth.connector("acme", "basic", {**CLOUD, "email": "nobody"})

    with pytest.raises(ConfigError) as caught:
        connauth.login(connector)

    assert caught.value.step == "copy-credentials"


def test_pat_on_cloud_site_is_config_error(connauth: Connauth) -> None:
    with pytest.raises(ConfigError) as caught:
        connauth.connector("acme", "pat", {**DC, "site_url": CLOUD["site_url"]})

    assert caught.value.step == "copy-token"
    assert "does not accept personal access tokens" in caught.value.message
    assert DC["token"] not in str(caught.value)


def test_cloud_api_token_as_pat_fails(connauth: Connauth) -> None:
    connector = connauth.connector("corp", "pat", {**DC, "token": CLOUD["api_token"]})

    [finding] = connauth.validate(connector)

    assert finding.status is CheckStatus.FAIL
    assert finding.step == "create-token"
    assert "method 'basic'" in finding.message


def test_http_auth_comes_from_config() -> None:
    basic = connauth_basic.connauth_http_auth(
        method="basic", config=BasicConfig.model_validate(CLOUD), session=None
    )
    pat = connauth_basic.connauth_http_auth(
        method="pat", config=PatConfig.model_validate(DC), session=None
    )

    assert isinstance(basic, JiraBasicAuth)
    assert isinstance(pat, PersonalAccessTokenAuth)
    assert isinstance(basic, httpx.Auth)


def test_hooks_ignore_other_methods() -> None:
    host = host_identity(HOST_URL)
    config = BasicConfig.model_validate(CLOUD)
    source = MigrationSource("c", "oauth2", "https://acme.atlassian.net")

    assert (
        connauth_basic.connauth_checklist(method="oauth2", host=host, config=None)
        is None
    )
    assert (
        connauth_basic.connauth_validate_prerequisites(
            method="oauth2", config=config, host=host
        )
        is None
    )
    assert (
        connauth_basic.connauth_connectivity_checks(method="oauth2", config=config)
        is None
    )
    assert (
        connauth_basic.connauth_authenticate(method="oauth2", config=config, host=host)
        is None
    )
    assert (
        connauth_basic.connauth_http_auth(method="oauth2", config=config, session=None)
        is None
    )
    assert (
        connauth_basic.connauth_migrate(method="oauth2", source=source, config=None)
        is None
    )


def test_refresh_is_never_offered() -> None:
    config = BasicConfig.model_validate(CLOUD)

    result = connauth_basic.connauth_refresh(method="basic", config=config, tokens=None)

    assert result is None


@pytest.mark.parametrize(
    ("target", "needs"), [("basic", ("email", "api_token")), ("pat", ("token",))]
)
def test_migration_plan(target: str, needs: tuple[str, ...]) -> None:
    source = MigrationSource(
        "corp", "oauth1a", "https://jira.corp.test", {"deployment": "datacenter"}
    )

    plan = connauth_basic.connauth_migrate(method=target, source=source, config=None)

    assert plan is not None
    assert plan.source_method == "oauth1a"
    assert plan.target == target
    assert plan.carries_over == ("site_url",)
    assert plan.target_needs == needs
    assert plan.requires_reauthorization is False
    assert plan.blocked is None


def test_migration_to_pat_blocked_on_cloud() -> None:
    source = MigrationSource("acme", "oauth2", "https://acme.atlassian.net")

    plan = connauth_basic.connauth_migrate(method="pat", source=source, config=None)

    assert plan is not None
    assert plan.blocked is not None
    assert "personal access tokens" in plan.blocked


def test_public_names_sorted_and_complete() -> None:
    names = connauth_basic.__all__
    public = {
        name
        for name, value in vars(connauth_basic).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }

    assert names == sorted(names, key=lambda name: (not name.isupper(), name))
    assert public - {"annotations"} == set(names)
    assert connauth_basic.CONNAUTH_HOOK_API == "1.0"
