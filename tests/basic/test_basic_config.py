"""The ``basic`` and ``pat`` configuration models and their API base URLs."""

from __future__ import annotations

import json

import pytest
from basic_support import DATA
from pydantic import ValidationError

from connauth_basic import BasicConfig
from connauth_basic import PatConfig
from connauth_basic._config import api_base_url

CASES = json.loads((DATA / "cases.json").read_text())
CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421"


def _basic(**changes: object) -> BasicConfig:
    values: dict[str, object] = {
        "site_url": "https://acme.atlassian.net",
        "email": "user@example.test",
        "api_token": "api-token-placeholder",
    }
    values.update(changes)
    return BasicConfig.model_validate(values)


def test_basic_config_masks_token() -> None:
    config = _basic()

    assert "api-token-placeholder" not in repr(config)
    assert "api-token-placeholder" not in config.model_dump_json()
    assert config.api_token.get_secret_value() == "api-token-placeholder"


def test_basic_config_strips_whitespace() -> None:
    config = _basic(email=" user@example.test\n", api_token="api-token-placeholder\n")

    assert config.email == "user@example.test"
    assert config.api_token.get_secret_value() == "api-token-placeholder"


def test_basic_api_base_is_site() -> None:
    config = _basic(site_url="https://acme.atlassian.net/")

    assert api_base_url(config) == "https://acme.atlassian.net"


def test_scoped_token_goes_to_gateway() -> None:
    config = _basic(cloud_id=CLOUD_ID)

    assert api_base_url(config) == f"https://api.atlassian.com/ex/jira/{CLOUD_ID}"


def test_scoped_token_gateway_is_configurable() -> None:
    config = _basic(cloud_id=CLOUD_ID, api_gateway_url="https://127.0.0.1:9/gateway/")

    assert api_base_url(config) == f"https://127.0.0.1:9/gateway/ex/jira/{CLOUD_ID}"


def test_cloud_id_must_be_uuid() -> None:
    with pytest.raises(ValidationError, match="not a cloud id"):
        _basic(cloud_id="acme")


def test_gateway_url_as_site_url_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        _basic(site_url=f"https://api.atlassian.com/ex/jira/{CLOUD_ID}")

    message = str(caught.value)
    assert "API gateway URL" in message
    assert CLOUD_ID in message


@pytest.mark.parametrize(
    "site_url",
    ["http://acme.atlassian.net", "https://user:secret@acme.atlassian.net"],
)
def test_basic_site_url_must_be_https_without_userinfo(site_url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _basic(site_url=site_url)

    messages = [error["msg"] for error in caught.value.errors()]
    assert messages
    assert not any("secret" in message for message in messages)


def test_pat_config_for_data_center() -> None:
    config = PatConfig(site_url=CASES["dc_pat"]["site_url"], token="pat-value\n")

    assert config.token.get_secret_value() == "pat-value"
    assert api_base_url(config) == "https://jira.corp.test"
    assert "pat-value" not in repr(config)


@pytest.mark.parametrize(
    "site_url",
    [
        CASES["cloud_pat"]["site_url"],
        "https://ACME.atlassian.net./",
        f"https://api.atlassian.com/ex/jira/{CLOUD_ID}",
    ],
)
def test_pat_on_cloud_is_config_error(site_url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PatConfig(site_url=site_url, token="pat-value")

    message = str(caught.value)
    assert "does not accept personal access tokens" in message
    assert "'basic'" in message
