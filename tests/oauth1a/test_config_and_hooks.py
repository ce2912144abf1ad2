"""The config model, its errors through the core, and the plugin's hooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from pydantic import ValidationError

import connauth_oauth1a
from connauth import CheckStatus
from connauth import ConfigError
from connauth import Deployment
from connauth import HostIdentity
from connauth import Lifecycle
from connauth import MigrationSource
from connauth import PluginRegistry
from connauth import dump_with_secrets
from connauth import load_with_secrets
from connauth_oauth1a import METHOD
from connauth_oauth1a import OAuth1aConfig
from connauth_oauth1a import public_key_pem
from connauth_oauth1a._checklist import NO_KEY_YET
from connauth_oauth1a._checklist import build_checklist
from connauth_oauth1a._hooks import BLOCKED_MIGRATION
from connauth_oauth1a._validation import validate_prerequisites

HOST = HostIdentity(
    name="Example Host",
    redirect_url="https://127.0.0.1:8443/host/oauth/callback",
    privacy_policy_url="https://127.0.0.1:8443/host/privacy",
    public_base_url="https://127.0.0.1:8443/host",
)


def _config(private_pem: str, **overrides: Any) -> OAuth1aConfig:
    values: dict[str, Any] = {
        "site_url": "https://jira.example.test",
        "consumer_key": "connauth-test-consumer",
        "private_key": private_pem,
    }
    values.update(overrides)
    return OAuth1aConfig.model_validate(values)


@pytest.fixture(scope="module")
def config(private_pem: str) -> OAuth1aConfig:
    return _config(private_pem)


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    registry = PluginRegistry()
    assert registry.register(connauth_oauth1a, "oauth1a")
    return registry


# -- config ---------------------------------------------------------------------


def test_config_parses_key_once(
    config: OAuth1aConfig, rsa_key: rsa.RSAPrivateKey
) -> None:
    first = config.rsa_private_key

    assert first is config.rsa_private_key
    assert first.private_numbers() == rsa_key.private_numbers()


def test_config_endpoint_urls(private_pem: str) -> None:
    config = _config(private_pem, site_url="https://jira.example.test/jira/")

    assert config.request_token_url == (
        "https://jira.example.test/jira/plugins/servlet/oauth/request-token"
    )
    assert config.authorize_url == (
        "https://jira.example.test/jira/plugins/servlet/oauth/authorize"
    )
    assert config.access_token_url == (
        "https://jira.example.test/jira/plugins/servlet/oauth/access-token"
    )


def test_config_repr_masks_secrets(config: OAuth1aConfig, private_pem: str) -> None:
    body_line = private_pem.splitlines()[1]

    assert body_line not in repr(config)
    assert body_line not in str(config)
    assert body_line not in config.model_dump_json()


def test_config_round_trip_with_secrets(config: OAuth1aConfig) -> None:
    loaded = load_with_secrets(OAuth1aConfig, dump_with_secrets(config))

    assert loaded == config
    assert loaded.rsa_private_key.private_numbers() == (
        config.rsa_private_key.private_numbers()
    )


def test_config_key_error_masks_input(private_pem: str) -> None:
    public = public_key_pem(
        serialization.load_pem_private_key(private_pem.encode(), None)  # type: ignore[arg-type]
    )

    with pytest.raises(ValidationError) as caught:
        _config(public)

    text = str(caught.value)
    errors = caught.value.errors()
    assert [error["loc"] for error in errors] == [("private_key",)]
    assert "public key" in errors[0]["msg"]
    assert public.splitlines()[1] not in text
    assert private_pem.splitlines()[1] not in text


def test_config_encrypted_key_names_passphrase(rsa_key: rsa.RSAPrivateKey) -> None:
    encrypted = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret phrase"),
    ).decode()

    with pytest.raises(ValidationError) as caught:
        _config(encrypted)
    loaded = _config(encrypted, private_key_passphrase="secret phrase")

    assert caught.value.errors()[0]["loc"] == ("private_key_passphrase",)
    assert loaded.rsa_private_key.key_size == 2048


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consumer_key": "short"}, "consumer_key"),
        ({"consumer_key": " connauth-test-consumer"}, "consumer_key"),
        ({"site_url": "ftp://jira.example.test"}, "site_url"),
        (
            {"authorize_path": "https://elsewhere.example.test/authorize"},
            "authorize_path",
        ),
        ({"request_token_path": "//elsewhere.example.test/x"}, "request_token_path"),
        ({"access_token_path": "/x?y=1"}, "access_token_path"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_config_rejects(
    private_pem: str, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _config(private_pem, **overrides)

    assert caught.value.errors()[0]["loc"] == (field,)


def test_core_maps_errors_to_steps(registry: PluginRegistry, private_pem: str) -> None:
    from connauth import Connauth

    connauth = Connauth(HOST, store=_NoStore(), registry=registry)

    with pytest.raises(ConfigError) as caught:
        connauth.connector(
            "c1",
            METHOD,
            {
                "site_url": "http://jira.example.test",
                "consumer_key": "short",
                "private_key": "/etc/keys/jira.pem",
            },
        )

    steps = {field: step for field, _, step in caught.value.problems}
    assert steps == {
        "consumer_key": "incoming-authentication",
        "site_url": "jira-base-url",
        "private_key": "generate-key",
    }
    assert "/etc/keys/jira.pem" not in str(caught.value)


# -- describe, checklist, migrate ----------------------------------------------------


def test_describe_methods(registry: PluginRegistry) -> None:
    info = registry.method(METHOD)

    assert info.config_model is OAuth1aConfig
    assert info.deployments == frozenset({Deployment.DATA_CENTER})
    assert info.lifecycle is Lifecycle.DEPRECATED
    assert info.replacement == "oauth2"
    assert info.interactive
    schema = info.config_schema()
    assert schema["properties"]["private_key"]["writeOnly"] is True


def test_checklist_copy_back_covers_every_field() -> None:
    checklist = build_checklist(HOST, None)

    copied = {field.field for step in checklist.steps for field in step.copy_back}
    assert copied == set(OAuth1aConfig.model_fields)
    secret = {f.field for s in checklist.steps for f in s.copy_back if f.secret}
    assert secret == {"private_key", "private_key_passphrase"}


def test_checklist_shows_host_values() -> None:
    checklist = build_checklist(HOST, None)
    shown = {
        (step.id, value.label): value.value
        for step in checklist.steps
        for value in step.show
    }

    assert shown[("create-application-link", "Application URL")] == HOST.public_base_url
    assert shown[("create-application-link", "Application name")] == HOST.name
    assert shown[("incoming-authentication", "Consumer name")] == HOST.name
    assert (
        shown[("incoming-authentication", "Consumer callback URL")] == HOST.redirect_url
    )
    assert shown[("jira-outbound-https", "Port")] == "8443"
    assert shown[("generate-key", "Public key")] == NO_KEY_YET


def test_checklist_derives_public_key(config: OAuth1aConfig) -> None:
    checklist = build_checklist(HOST, config)
    expected = public_key_pem(config.rsa_private_key)

    assert checklist.step("generate-key").show[0].value == expected
    assert checklist.step("incoming-authentication").show[1].value == expected
    assert "PRIVATE" not in checklist.model_dump_json()


def test_checklist_step_ids_stable() -> None:
    ids = [step.id for step in build_checklist(HOST, None).steps]

    assert ids == [
        "jira-base-url",
        "generate-key",
        "jira-outbound-https",
        "create-application-link",
        "incoming-authentication",
        "host-sha1-signatures",
    ]


def test_checklist_names_no_fixed_host() -> None:
    other = HOST.model_copy(update={"name": "Other Product"})

    text = build_checklist(other, None).model_dump_json()

    assert "Example Host" not in text
    assert "Other Product" in text


def test_migrate_to_oauth1a_blocked() -> None:
    source = MigrationSource(
        connector_id="c1", method="basic", site_url="https://jira.example.test"
    )

    plan = connauth_oauth1a.connauth_migrate(method=METHOD, source=source, config=None)
    other = connauth_oauth1a.connauth_migrate(
        method="oauth2", source=source, config=None
    )

    assert plan is not None
    assert plan.blocked == BLOCKED_MIGRATION
    assert "deprecated" in plan.blocked
    assert "oauth2" in plan.blocked
    assert plan.target == METHOD
    assert plan.source_method == "basic"
    assert other is None


def test_hooks_ignore_other_methods(config: OAuth1aConfig) -> None:
    assert (
        connauth_oauth1a.connauth_checklist(method="oauth2", host=HOST, config=None)
        is None
    )
    assert (
        connauth_oauth1a.connauth_validate_prerequisites(
            method="basic", config=config, host=HOST
        )
        is None
    )
    assert (
        connauth_oauth1a.connauth_connectivity_checks(method="basic", config=config)
        is None
    )
    assert (
        connauth_oauth1a.connauth_authenticate(method="basic", config=config, host=HOST)
        is None
    )


def test_connectivity_check_ids(config: OAuth1aConfig) -> None:
    checks = connauth_oauth1a.connauth_connectivity_checks(method=METHOD, config=config)

    assert checks is not None
    assert [check.id for check in checks] == [
        "clock-skew",
        "oauth1a-application-link",
        "oauth1a-callback",
        "myself",
    ]


# -- validate_prerequisites ----------------------------------------------------------


def test_validate_clean_config(config: OAuth1aConfig) -> None:
    assert validate_prerequisites(config, HOST) == []


def test_validate_warns_small_key(data_dir: Path) -> None:
    # The 1024-bit key of the RFC 5849 RSA-SHA1 test case.
    pem = (data_dir / "rfc5849_test_private_key.pem").read_text()

    findings = validate_prerequisites(_config(pem), HOST)

    assert [(f.id, f.status, f.step) for f in findings] == [
        ("private-key", CheckStatus.WARN, "generate-key")
    ]
    assert findings[0].details == {"bits": 1024}


def test_validate_warns_plain_http(private_pem: str) -> None:
    config = _config(
        private_pem, site_url="http://jira.intranet.test:8080", allow_insecure_http=True
    )

    findings = validate_prerequisites(config, HOST)

    assert [(f.id, f.status, f.step) for f in findings] == [
        ("site-url-https", CheckStatus.WARN, "jira-base-url")
    ]


def test_validate_unvalidated_config(private_pem: str) -> None:
    config = OAuth1aConfig.model_construct(
        site_url="http://jira.example.test",
        consumer_key="short",
        private_key=SecretStr("not a key"),
        private_key_passphrase=None,
        allow_insecure_http=False,
    )

    findings = validate_prerequisites(config, HOST)

    assert [(f.id, f.status, f.step) for f in findings] == [
        ("consumer-key", CheckStatus.FAIL, "incoming-authentication"),
        ("site-url-https", CheckStatus.FAIL, "jira-base-url"),
        ("private-key", CheckStatus.FAIL, "generate-key"),
    ]


class _NoStore:
    """A store the tests of configuration never reach."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the store was used: {name}")
