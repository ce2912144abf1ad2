"""Picking the configured Cloud site from the accessible-resources list."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connauth import ConfigError
from connauth import HostIdentity
from connauth import LoginResult
from connauth import ProtocolError
from connauth_oauth2 import CloudResource
from connauth_oauth2 import OAuth2Authorization
from connauth_oauth2 import SiteNotGranted
from connauth_oauth2 import select_site

from ._support import NOW
from ._support import cloud_config
from ._support import drive
from ._support import reply

JIRA = ("read:jira-work", "write:jira-work")
CONFLUENCE = ("read:confluence-content.all",)


def resource(
    name: str, url: str, scopes: tuple[str, ...] = JIRA, cloud_id: str = "id-1"
) -> CloudResource:
    return CloudResource(cloud_id=cloud_id, name=name, url=url, scopes=scopes)


@pytest.mark.parametrize(
    "configured",
    [
        "https://acme.atlassian.net",
        "https://acme.atlassian.net/",
        "HTTPS://ACME.Atlassian.NET",
        "https://acme.atlassian.net:443",
    ],
)
def test_site_matches_ignoring_case_slash_port(configured: str) -> None:
    resources = [
        resource("other", "https://other.atlassian.net", cloud_id="id-0"),
        resource("acme", "https://acme.atlassian.net"),
    ]
    assert select_site(resources, configured).cloud_id == "id-1"


def test_path_distinguishes_sites() -> None:
    resources = [
        resource("a", "https://127.0.0.1:8443/cloud/a", cloud_id="id-a"),
        resource("b", "https://127.0.0.1:8443/cloud/b", cloud_id="id-b"),
    ]
    assert select_site(resources, "https://127.0.0.1:8443/cloud/b/").cloud_id == "id-b"


def test_jira_entry_preferred_over_same_url() -> None:
    resources = [
        resource("acme", "https://acme.atlassian.net", CONFLUENCE, cloud_id="conf"),
        resource("acme", "https://acme.atlassian.net", JIRA, cloud_id="jira"),
    ]
    assert select_site(resources, "https://acme.atlassian.net").cloud_id == "jira"


def test_granular_jira_scopes_count_as_jira() -> None:
    resources = [
        resource("acme", "https://acme.atlassian.net", CONFLUENCE, cloud_id="conf"),
        resource(
            "acme", "https://acme.atlassian.net", ("read:issue:jira",), cloud_id="j"
        ),
    ]
    assert select_site(resources, "https://acme.atlassian.net").cloud_id == "j"


def test_no_match_lists_granted_sites() -> None:
    resources = [
        resource("beta", "https://beta.atlassian.net"),
        resource("beta", "https://beta.atlassian.net", CONFLUENCE),
        resource("gamma", "https://gamma.atlassian.net"),
    ]
    with pytest.raises(SiteNotGranted) as caught:
        select_site(resources, "https://acme.atlassian.net")
    error = caught.value
    assert isinstance(error, ConfigError)
    assert error.granted == (
        ("beta", "https://beta.atlassian.net"),
        ("gamma", "https://gamma.atlassian.net"),
    )
    assert "beta (https://beta.atlassian.net)" in error.message
    assert "consent screen" in error.message
    assert error.step == "cloud-site"
    assert error.problems[0][0] == "site_url"


def test_no_site_at_all() -> None:
    with pytest.raises(SiteNotGranted, match="covers no site"):
        select_site([], "https://acme.atlassian.net")


def login_with_resources(
    host: HostIdentity, status: int, body: Any
) -> tuple[LoginResult, list[httpx.Request]]:
    flow = OAuth2Authorization(cloud_config(), host, clock=lambda: NOW)
    prompt, _ = drive(flow.begin(state="S", callback_url=host.redirect_url))
    exchange = flow.complete(pending=prompt.pending, callback={"code": "C"})
    token = {"access_token": "AT", "refresh_token": "RT", "expires_in": 60}
    result, sent = drive(exchange, reply(200, token), reply(status, body))
    return result, sent


def test_resources_request_carries_new_token(host: HostIdentity) -> None:
    body = [{"id": "abc-1", "name": "acme", "url": "https://acme.atlassian.net"}]
    _, sent = login_with_resources(host, 200, body)
    request: httpx.Request = sent[1]
    assert request.method == "GET"
    assert (
        str(request.url) == "https://api.example.test/oauth/token/accessible-resources"
    )
    assert request.headers["Authorization"] == "Bearer AT"
    assert request.headers["Accept"] == "application/json"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"code": 401, "message": "Unauthorized"}),
        (200, {"id": "x"}),
        (200, ["not an object"]),
        (200, [{"id": 5, "name": "acme", "url": "https://acme.atlassian.net"}]),
        (
            200,
            [{"id": "../admin", "name": "acme", "url": "https://acme.atlassian.net"}],
        ),
    ],
)
def test_unusable_resources_are_protocol_errors(
    host: HostIdentity, status: int, body: Any
) -> None:
    with pytest.raises(ProtocolError):
        login_with_resources(host, status, body)


@given(
    host=st.from_regex(r"[a-z][a-z0-9-]{0,15}\.atlassian\.net", fullmatch=True),
    upper=st.booleans(),
    slash=st.booleans(),
)
def test_site_matching_property(host: str, upper: bool, slash: bool) -> None:
    stored = f"https://{host}"
    configured = f"https://{host.upper() if upper else host}{'/' if slash else ''}"
    resources = [
        resource("x", "https://zz-other.atlassian.net", cloud_id="o"),
        resource("s", stored),
    ]
    assert select_site(resources, configured).url == stored
