"""The Authorization headers of ``basic`` and ``pat``, byte for byte."""

from __future__ import annotations

import base64
import json
import string

import httpx
import pytest
from basic_support import DATA
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from connauth import ConfigError
from connauth import InsecureTransportError
from connauth_basic import JiraBasicAuth
from connauth_basic import PersonalAccessTokenAuth
from connauth_basic import basic_authorization
from connauth_basic import bearer_authorization

CASES = json.loads((DATA / "cases.json").read_text())

printable = st.text(alphabet=string.printable.strip(), min_size=1)


def _authorize(auth: httpx.Auth, url: str) -> httpx.Request:
    flow = auth.sync_auth_flow(httpx.Request("GET", url))
    request = next(flow)
    flow.close()
    return request


def test_basic_header_matches_known_value() -> None:
    case = CASES["basic_header"]

    header = basic_authorization(case["email"], case["api_token"])

    assert header == case["authorization"]


def test_basic_auth_sets_exact_header() -> None:
    case = CASES["basic_header"]
    auth = JiraBasicAuth(case["email"], SecretStr(case["api_token"]))

    request = _authorize(auth, "https://acme.atlassian.net/rest/api/3/myself")

    assert request.headers["Authorization"] == case["authorization"]
    assert request.headers.get_list("Authorization") == [case["authorization"]]


@given(
    email=printable.filter(lambda value: ":" not in value),
    token=printable,
)
def test_basic_header_round_trip(email: str, token: str) -> None:
    header = basic_authorization(email, token)

    scheme, _, encoded = header.partition(" ")
    decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    name, separator, secret = decoded.partition(":")
    assert scheme == "Basic"
    assert separator == ":"
    assert name == email
    assert secret == token


@given(
    email=st.text(min_size=1).filter(lambda value: ":" not in value),
    token=st.text(min_size=1),
)
def test_basic_header_round_trip_unicode(email: str, token: str) -> None:
    control = [c for c in email + token if ord(c) < 0x20 or ord(c) == 0x7F]
    if control:
        with pytest.raises(ConfigError):
            basic_authorization(email, token)
        return

    encoded = basic_authorization(email, token).removeprefix("Basic ")

    assert base64.b64decode(encoded).decode("utf-8") == f"{email}:{token}"


def test_basic_rejects_colon_in_email() -> None:
    with pytest.raises(ConfigError, match="must not contain ':'"):
        basic_authorization("user:name@example.test", "api-token-placeholder")


def test_bearer_header_for_pat() -> None:
    auth = PersonalAccessTokenAuth(SecretStr("MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"))

    request = _authorize(auth, "https://jira.corp.test/rest/api/2/myself")

    assert request.headers["Authorization"] == "Bearer MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"
    assert not any(
        value.startswith("Basic") for value in request.headers.get_list("Authorization")
    )


@given(token=st.text(alphabet=string.ascii_letters + string.digits + "+/=", min_size=1))
def test_bearer_header_round_trip(token: str) -> None:
    assert bearer_authorization(token) == f"Bearer {token}"


@pytest.mark.parametrize("token", ["", "has space", "tab\there", "caf\u00e9"])
def test_bearer_rejects_invalid_characters(token: str) -> None:
    with pytest.raises(ConfigError, match="token contains spaces"):
        bearer_authorization(token)


@pytest.mark.parametrize(
    "auth",
    [
        JiraBasicAuth("user@example.test", SecretStr("api-token-placeholder")),
        PersonalAccessTokenAuth(SecretStr("MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI")),
    ],
    ids=["basic", "pat"],
)
def test_auth_rejects_plain_http(auth: httpx.Auth) -> None:
    flow = auth.sync_auth_flow(httpx.Request("GET", "http://jira.corp.test/rest"))

    with pytest.raises(InsecureTransportError, match="only over HTTPS"):
        next(flow)


def test_pat_auth_rejects_cloud_host() -> None:
    auth = PersonalAccessTokenAuth(SecretStr("MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"))
    flow = auth.sync_auth_flow(
        httpx.Request("GET", "https://acme.atlassian.net/rest/api/3/myself")
    )

    with pytest.raises(ConfigError, match="does not accept personal access tokens"):
        next(flow)


def test_auth_repr_masks_secrets() -> None:
    basic = JiraBasicAuth("user@example.test", SecretStr("api-token-placeholder"))
    pat = PersonalAccessTokenAuth(SecretStr("MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI"))

    assert "api-token-placeholder" not in repr(basic)
    assert "user@example.test" in repr(basic)
    assert "MTIzNDU2Nzg5MDEyOkFCQ0RFRkdI" not in repr(pat)
    assert "dXNlckBleGFtcGxl" not in repr(basic)
