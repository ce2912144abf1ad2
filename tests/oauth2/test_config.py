"""The OAuth2Config model: defaults, scopes, endpoints and URL shapes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from pydantic import ValidationError

from connauth import Deployment
from connauth_oauth2 import ATLASSIAN_ACCESSIBLE_RESOURCES_URL
from connauth_oauth2 import ATLASSIAN_API_GATEWAY_URL
from connauth_oauth2 import ATLASSIAN_AUTHORIZE_URL
from connauth_oauth2 import ATLASSIAN_TOKEN_URL
from connauth_oauth2 import OAuth2Config

from ._support import CLOUD_SITE
from ._support import DC_SITE
from ._support import cloud_config
from ._support import dc_config


def error_fields(error: ValidationError) -> list[str]:
    return [str(item["loc"][0]) for item in error.errors() if item["loc"]]


def test_cloud_defaults_are_atlassian_endpoints() -> None:
    config = OAuth2Config(
        deployment=Deployment.CLOUD,
        site_url=CLOUD_SITE,
        client_id="CID",
        client_secret=SecretStr("SECRET"),
    )
    endpoints = config.cloud_endpoints()
    assert endpoints.authorize_url == ATLASSIAN_AUTHORIZE_URL
    assert endpoints.token_url == ATLASSIAN_TOKEN_URL
    assert endpoints.accessible_resources_url == ATLASSIAN_ACCESSIBLE_RESOURCES_URL
    assert endpoints.api_gateway_url == ATLASSIAN_API_GATEWAY_URL
    assert ATLASSIAN_AUTHORIZE_URL == "https://auth.atlassian.com/authorize"
    assert ATLASSIAN_TOKEN_URL == "https://auth.atlassian.com/oauth/token"


def test_cloud_default_scopes_add_offline_access() -> None:
    config = cloud_config()
    assert config.requested_scopes() == (
        "read:jira-work",
        "read:jira-user",
        "write:jira-work",
        "offline_access",
    )


def test_cloud_default_scopes_without_refresh() -> None:
    config = cloud_config(refresh=False)
    assert "offline_access" not in config.requested_scopes()


def test_pinned_scopes_without_offline_access_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        cloud_config(scopes=["read:jira-work", "read:jira-user"])
    assert error_fields(caught.value) == ["scopes"]
    assert "offline_access" in str(caught.value)


def test_pinned_scopes_are_never_extended() -> None:
    config = cloud_config(scopes="read:jira-work offline_access")
    assert config.requested_scopes() == ("read:jira-work", "offline_access")


def test_pinned_scopes_without_refresh_accepted() -> None:
    config = cloud_config(refresh=False, scopes=["read:jira-work"])
    assert config.requested_scopes() == ("read:jira-work",)


def test_scope_string_is_split_on_whitespace() -> None:
    config = cloud_config(scopes=" read:jira-work\toffline_access \n")
    assert config.scopes == ("read:jira-work", "offline_access")


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        ([], "must not be empty"),
        (["read:jira-work", 'bad"quote', "offline_access"], "invalid scope names"),
        (["offline_access", "offline_access"], "more than once"),
        (["WRITE", "offline_access"], "Data Center scopes"),
    ],
)
def test_invalid_cloud_scopes(scopes: list[str], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        cloud_config(scopes=scopes)


def test_dc_defaults() -> None:
    config = dc_config()
    endpoints = config.dc_endpoints()
    assert config.requested_scopes() == ("WRITE",)
    assert endpoints.authorize_url == f"{DC_SITE}/rest/oauth2/latest/authorize"
    assert endpoints.token_url == f"{DC_SITE}/rest/oauth2/latest/token"
    assert endpoints.api_base_url == DC_SITE
    assert config.token_endpoint() == endpoints.token_url


def test_dc_endpoints_ignore_trailing_slash() -> None:
    config = dc_config(site_url=DC_SITE + "/")
    assert config.dc_endpoints().token_url == f"{DC_SITE}/rest/oauth2/latest/token"


@pytest.mark.parametrize(
    "scopes",
    [["read:jira-work"], ["WRITE", "offline_access"]],
    ids=["cloud", "offline"],
)
def test_dc_rejects_cloud_scopes(scopes: list[str]) -> None:
    with pytest.raises(ValidationError, match="Atlassian Cloud scopes"):
        dc_config(scopes=scopes)


@pytest.mark.parametrize("field", ["accessible_resources_url", "api_gateway_url"])
def test_dc_rejects_cloud_only_fields(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        dc_config(**{field: "https://api.example.test"})
    assert error_fields(caught.value) == [field]
    assert "cloud' only" in str(caught.value)


@pytest.mark.parametrize("client_id", ["", "CID with space", "CID\n", "\tCID"])
def test_client_id_shape(client_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cloud_config(client_id=client_id)
    assert error_fields(caught.value) == ["client_id"]


@pytest.mark.parametrize("secret", ["", " SECRET", "SECRET\n"])
def test_client_secret_shape_hides_value(secret: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cloud_config(client_secret=secret)
    assert error_fields(caught.value) == ["client_secret"]
    if secret.strip():
        assert "SECRET" not in str(caught.value)


def test_secret_masked_in_repr() -> None:
    config = cloud_config(client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(config)
    assert "s3cr3t-value" not in config.model_dump_json()


def test_deployment_required() -> None:
    with pytest.raises(ValidationError) as caught:
        OAuth2Config.model_validate(
            {"site_url": CLOUD_SITE, "client_id": "CID", "client_secret": "S"}
        )
    assert error_fields(caught.value) == ["deployment"]


def test_unknown_field_rejected() -> None:
    with pytest.raises(ValidationError):
        cloud_config(audience="api.atlassian.com")


ENDPOINT_FIELDS = ["site_url", "authorize_url", "token_url", "accessible_resources_url"]

hostnames = st.from_regex(
    r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True
)
paths = st.from_regex(r"(/[A-Za-z0-9._~-]{1,12}){0,4}/?", fullmatch=True)


@given(
    field=st.sampled_from(ENDPOINT_FIELDS),
    scheme=st.sampled_from(["http", "ftp", "ws", "javascript", ""]),
    host=hostnames,
    path=paths,
)
def test_non_https_urls_rejected(field: str, scheme: str, host: str, path: str) -> None:
    url = f"{scheme}://{host}{path}" if scheme else f"{host}{path}"
    with pytest.raises(ValidationError) as caught:
        cloud_config(**{field: url})
    assert field in error_fields(caught.value)


@given(field=st.sampled_from(ENDPOINT_FIELDS), host=hostnames, path=paths)
def test_https_urls_kept_byte_for_byte(field: str, host: str, path: str) -> None:
    url = f"https://{host}{path}"
    config = cloud_config(**{field: url})
    assert getattr(config, field) == url


@given(
    field=st.sampled_from(ENDPOINT_FIELDS),
    host=hostnames,
    extra=st.sampled_from(["#frag", "#", "user:pw@"]),
)
def test_fragments_and_credentials_rejected(field: str, host: str, extra: str) -> None:
    url = (
        f"https://{extra}{host}/" if extra.endswith("@") else f"https://{host}/{extra}"
    )
    with pytest.raises(ValidationError):
        cloud_config(**{field: url})


scope_tokens = st.text(
    alphabet=st.characters(
        min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"\\'
    ),
    min_size=1,
    max_size=30,
)


@given(st.lists(scope_tokens, min_size=1, max_size=8, unique=True))
def test_valid_scope_lists_round_trip(scopes: list[str]) -> None:
    fields: dict[str, Any] = {"refresh": False, "scopes": scopes}
    dc_scopes = {
        "READ",
        "WRITE",
        "ADMIN",
        "SYSTEM_ADMIN",
        "READ_ALL",
        "MANAGE_SUBSCRIPTIONS",
    }
    if dc_scopes & set(scopes):
        with pytest.raises(ValidationError):
            cloud_config(**fields)
        return
    config = cloud_config(**fields)
    assert config.requested_scopes() == tuple(scopes)
    assert cloud_config(**{**fields, "scopes": " ".join(scopes)}).scopes == tuple(
        scopes
    )


@given(
    st.lists(scope_tokens, min_size=1, max_size=8, unique=True).filter(
        lambda scopes: "offline_access" not in scopes
    )
)
def test_pinned_scopes_need_offline_access(scopes: list[str]) -> None:
    with pytest.raises(ValidationError):
        cloud_config(scopes=scopes)


@given(
    st.lists(
        st.text(alphabet=' \t"\\\x00\x7fé', min_size=1, max_size=5),
        min_size=1,
        max_size=3,
    ).filter(lambda scopes: any(s.strip() for s in scopes))
)
def test_invalid_scope_characters_rejected(scopes: list[str]) -> None:
    with pytest.raises(ValidationError):
        cloud_config(refresh=False, scopes=scopes)
