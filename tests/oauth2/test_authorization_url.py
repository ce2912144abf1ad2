"""The authorization URL of Cloud 3LO and of the Data Center provider."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

from connauth import AuthorizationPrompt
from connauth import HostIdentity
from connauth_oauth2 import OAuth2Authorization
from connauth_oauth2 import create_code_challenge

from ._support import cloud_config
from ._support import dc_config
from ._support import drive

STATE = "state-value-123"
# A redirect URL a naive client would rewrite: trailing slash, query, escapes.
TRICKY_REDIRECT = "https://host.example.test/cb/?next=%2Fhome&x=a+b"


def begin(flow: OAuth2Authorization, callback_url: str) -> AuthorizationPrompt:
    prompt, sent = drive(flow.begin(state=STATE, callback_url=callback_url))
    assert sent == []
    return prompt


def query(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_cloud_url_parameters(host: HostIdentity) -> None:
    prompt = begin(OAuth2Authorization(cloud_config(), host), host.redirect_url)
    assert prompt.url is not None
    assert prompt.url.startswith("https://auth.example.test/authorize?")
    params = query(prompt.url)
    assert params["audience"] == ["api.atlassian.com"]
    assert params["client_id"] == ["CID"]
    assert params["response_type"] == ["code"]
    assert params["prompt"] == ["consent"]
    assert params["state"] == [STATE]
    assert params["redirect_uri"] == [host.redirect_url]
    assert params["scope"] == [
        "read:jira-work read:jira-user write:jira-work offline_access"
    ]
    assert "code_challenge" not in params


def test_cloud_pinned_scopes_sent_as_given(host: HostIdentity) -> None:
    config = cloud_config(refresh=False, scopes=["read:jira-work", "read:jira-user"])
    prompt = begin(OAuth2Authorization(config, host), host.redirect_url)
    assert query(prompt.url)["scope"] == ["read:jira-work read:jira-user"]


def test_redirect_uri_byte_identical(host: HostIdentity) -> None:
    flow = OAuth2Authorization(cloud_config(), host)
    prompt = begin(flow, TRICKY_REDIRECT)
    assert query(prompt.url)["redirect_uri"] == [TRICKY_REDIRECT]
    assert prompt.pending["redirect_uri"].get_secret_value() == TRICKY_REDIRECT


def test_cloud_pending_has_no_verifier(host: HostIdentity) -> None:
    prompt = begin(OAuth2Authorization(cloud_config(), host), host.redirect_url)
    assert set(prompt.pending) == {"redirect_uri"}


def test_dc_url_uses_pkce_s256(host: HostIdentity) -> None:
    prompt = begin(OAuth2Authorization(dc_config(), host), host.redirect_url)
    assert prompt.url is not None
    assert prompt.url.startswith(
        "https://jira.corp.test/jira/rest/oauth2/latest/authorize?"
    )
    params = query(prompt.url)
    verifier = prompt.pending["code_verifier"].get_secret_value()
    assert params["code_challenge_method"] == ["S256"]
    assert params["code_challenge"] == [create_code_challenge(verifier)]
    assert params["scope"] == ["WRITE"]
    assert params["client_id"] == ["dc-client"]
    assert params["response_type"] == ["code"]
    assert params["state"] == [STATE]
    assert "audience" not in params
    assert "prompt" not in params
    assert verifier not in prompt.url


def test_dc_verifier_fresh_per_login(host: HostIdentity) -> None:
    flow = OAuth2Authorization(dc_config(), host)
    first = begin(flow, host.redirect_url).pending["code_verifier"]
    second = begin(flow, host.redirect_url).pending["code_verifier"]
    assert first.get_secret_value() != second.get_secret_value()


def test_pending_values_masked(host: HostIdentity) -> None:
    prompt = begin(OAuth2Authorization(dc_config(), host), host.redirect_url)
    verifier = prompt.pending["code_verifier"].get_secret_value()
    assert verifier not in repr(prompt)


def test_authorize_url_keeps_existing_query(host: HostIdentity) -> None:
    config = cloud_config(authorize_url="https://auth.example.test/authorize?tenant=a")
    prompt = begin(OAuth2Authorization(config, host), host.redirect_url)
    params = query(prompt.url)
    assert params["tenant"] == ["a"]
    assert params["client_id"] == ["CID"]
