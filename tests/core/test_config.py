"""Configuration models: secret storage, schemas, URL validation."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from pydantic import ValidationError

from connauth import ConfigError
from connauth import HostIdentity
from connauth import HttpSettings
from connauth import MethodConfig
from connauth import check_url
from connauth import dump_with_secrets
from connauth import load_with_secrets


class ExampleConfig(MethodConfig):
    client_id: str
    client_secret: SecretStr
    passphrase: SecretStr | None = None


def example() -> ExampleConfig:
    return ExampleConfig(
        site_url="https://acme.example.test",
        client_id="client-1",
        client_secret=SecretStr("canary-secret"),
        passphrase=SecretStr("canary-pass"),
    )


def test_model_dump_json_masks_secrets() -> None:
    assert "canary" not in example().model_dump_json()
    assert "canary" not in repr(example())


def test_dump_with_secrets_round_trip() -> None:
    data = dump_with_secrets(example())
    assert data["client_secret"] == "canary-secret"
    assert data["passphrase"] == "canary-pass"
    restored = load_with_secrets(ExampleConfig, json.loads(json.dumps(data)))
    assert restored == example()
    assert restored.client_secret.get_secret_value() == "canary-secret"


def test_dump_with_secrets_keeps_none() -> None:
    config = ExampleConfig(
        site_url="https://acme.example.test",
        client_id="c",
        client_secret=SecretStr("s"),
    )
    assert dump_with_secrets(config)["passphrase"] is None


def test_schema_marks_secrets_without_values() -> None:
    schema = ExampleConfig.model_json_schema()
    assert schema["properties"]["client_secret"]["format"] == "password"
    assert schema["properties"]["client_secret"]["writeOnly"] is True
    assert "canary" not in json.dumps(schema)


def test_extra_fields_rejected() -> None:
    with pytest.raises(ValidationError):
        ExampleConfig(
            site_url="https://a.example.test",
            client_id="c",
            client_secret=SecretStr("s"),
            clientsecret="typo",  # type: ignore[call-arg]
        )


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://jira.example.test", "https://"),
        ("ftp://jira.example.test", "https://"),
        ("jira.example.test", "https://"),
        ("https://", "https://"),
        ("https://user:canary@jira.example.test/", "user name or password"),
        ("https://jira.example.test/#frag", "fragment"),
    ],
)
def test_check_url_rejects(url: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="site_url") as caught:
        check_url(url, field="site_url")
    assert fragment in str(caught.value)
    assert "canary" not in str(caught.value)


def test_check_url_keeps_value_exact() -> None:
    for url in (
        "https://host.example.test/cb/",
        "https://host.example.test/cb",
        "https://H.example.test:8443/x?y=1",
    ):
        assert check_url(url, field="redirect_url") == url


hosts = st.from_regex(r"[a-z][a-z0-9-]{0,20}\.example\.test", fullmatch=True)
paths = st.from_regex(r"(/[A-Za-z0-9._~-]{0,10}){0,3}", fullmatch=True)


@given(host=hosts, path=paths)
def test_https_urls_accepted(host: str, path: str) -> None:
    url = f"https://{host}{path}"
    assert check_url(url, field="u") == url


@given(
    host=hosts,
    path=paths,
    password=st.text(min_size=1, max_size=12, alphabet="abcXYZ123"),
)
def test_urls_with_password_never_echo_it(host: str, path: str, password: str) -> None:
    url = f"https://user:{password}zz@{host}{path}"
    with pytest.raises(ValueError, match="user name or password") as caught:
        check_url(url, field="u")
    assert f"{password}zz" not in str(caught.value)


def test_host_identity_validates_every_url() -> None:
    with pytest.raises(ValidationError) as caught:
        HostIdentity(
            name="Example Host",
            redirect_url="http://host.example.test/cb",
            privacy_policy_url="https://host.example.test/privacy#x",
            public_base_url="https://host.example.test",
        )
    fields = {error["loc"][0] for error in caught.value.errors()}
    assert fields == {"redirect_url", "privacy_policy_url"}


def test_http_settings_explicit_proxy_ignores_environment(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text(certifi_bundle())
    settings = HttpSettings(
        proxy="http://proxy.corp.test:3128", verify=str(bundle), timeout=10
    )
    options = settings.client_options()
    assert options["proxy"] == "http://proxy.corp.test:3128"
    assert options["trust_env"] is False
    assert options["timeout"] == 10.0
    assert isinstance(options["verify"], ssl.SSLContext)
    assert "trust_env" not in HttpSettings().client_options()


def test_http_settings_missing_bundle_names_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(ConfigError, match=r"nowhere\.pem"):
        HttpSettings(verify=str(missing)).client_options()


def certifi_bundle() -> str:
    import certifi

    return Path(certifi.where()).read_text()
