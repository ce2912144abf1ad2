"""Jira's oauth_problem replies become typed errors."""

from __future__ import annotations

import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connauth import OAuthProblem
from connauth import ReauthorizationRequired
from connauth_oauth1a import ConsumerKeyUnknown
from connauth_oauth1a import NonceUsed
from connauth_oauth1a import OAuth1aProblem
from connauth_oauth1a import OAuth1Signer
from connauth_oauth1a import PermissionDenied
from connauth_oauth1a import SignatureInvalid
from connauth_oauth1a import SignatureMethodRejected
from connauth_oauth1a import TimestampRefused
from connauth_oauth1a import TokenExpired
from connauth_oauth1a import TokenRejected
from connauth_oauth1a import oauth_problem_error
from connauth_oauth1a import parse_oauth_problem
from connauth_oauth1a import raise_for_oauth_problem

FORM = "application/x-www-form-urlencoded;charset=UTF-8"

SERVER_BODY = (
    "oauth_problem=signature_invalid&oauth_signature_base_string=GET%26https%253A%252F"
    "%252Fjira.example.test%252Frest%252Fapi%252F2%252Fmyself%26oauth_consumer_key%253D"
    "jira-consumer%2526oauth_nonce%253Dn0nce%2526oauth_signature_method%253DRSA-SHA1"
    "%2526oauth_timestamp%253D1700000000%2526oauth_token%253DACCESS_TOKEN%2526"
    "oauth_version%253D1.0&oauth_signature_method=RSA-SHA1"
)
SERVER_BASE_STRING = (
    "GET&https%3A%2F%2Fjira.example.test%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key"
    "%3Djira-consumer%26oauth_nonce%3Dn0nce%26oauth_signature_method%3DRSA-SHA1%26"
    "oauth_timestamp%3D1700000000%26oauth_token%3DACCESS_TOKEN%26oauth_version%3D1.0"
)
CLIENT_BASE_STRING = SERVER_BASE_STRING.replace(
    "https%3A%2F%2Fjira.example.test", "http%3A%2F%2Fjira.internal%3A8080"
)


def _reply(
    status: int,
    body: str = "",
    *,
    headers: list[tuple[str, str]] | None = None,
    request: httpx.Request | None = None,
) -> httpx.Response:
    all_headers = [("Content-Type", FORM), *(headers or [])]
    return httpx.Response(
        status,
        content=body.encode(),
        headers=all_headers,
        request=request or httpx.Request("POST", "https://jira.example.test/x"),
    )


def test_consumer_key_unknown_from_body() -> None:
    response = _reply(401, "oauth_problem=consumer_key_unknown")

    error = oauth_problem_error(response)

    assert isinstance(error, ConsumerKeyUnknown)
    assert error.problem == "consumer_key_unknown"
    assert error.status_code == 401
    assert "application link" in error.message
    assert error.step == "incoming-authentication"


def test_signature_invalid_behind_proxy(rsa_key: object) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    signer = OAuth1Signer("jira-consumer", rsa_key, allow_insecure_http=True)
    request = httpx.Request("GET", "http://jira.internal:8080/rest/api/2/myself")
    signer.sign_request(
        request, token="ACCESS_TOKEN", nonce="n0nce", timestamp=1700000000
    )

    error = oauth_problem_error(_reply(401, SERVER_BODY, request=request))

    assert isinstance(error, SignatureInvalid)
    assert error.server_base_string == SERVER_BASE_STRING
    assert error.client_base_string == CLIENT_BASE_STRING
    assert "scheme, host or port differ" in error.message
    assert "https://jira.example.test" in error.message
    assert "http://jira.internal:8080" in error.message
    assert "site_url" in error.message
    assert error.step == "jira-base-url"
    assert "ACCESS_TOKEN" not in error.message


def test_signature_invalid_same_base_string_blames_key(signer: OAuth1Signer) -> None:
    request = httpx.Request("GET", "https://jira.example.test/rest/api/2/myself")
    signer.sign_request(
        request, token="ACCESS_TOKEN", nonce="n0nce", timestamp=1700000000
    )

    error = oauth_problem_error(_reply(401, SERVER_BODY, request=request))

    assert isinstance(error, SignatureInvalid)
    assert error.client_base_string == error.server_base_string
    assert "public key" in error.message
    assert error.step == "incoming-authentication"


def test_signature_invalid_parameter_difference(signer: OAuth1Signer) -> None:
    request = httpx.Request("GET", "https://jira.example.test/rest/api/2/myself?x=1")
    signer.sign_request(
        request, token="ACCESS_TOKEN", nonce="n0nce", timestamp=1700000000
    )

    error = oauth_problem_error(_reply(401, SERVER_BODY, request=request))

    assert isinstance(error, SignatureInvalid)
    assert "only connauth signed x" in error.message


def test_signature_invalid_without_base_string() -> None:
    error = oauth_problem_error(_reply(401, "oauth_problem=signature_invalid"))

    assert isinstance(error, SignatureInvalid)
    assert error.server_base_string is None
    assert error.client_base_string is None
    assert "site_url" in error.message


def test_token_rejected_from_body() -> None:
    error = oauth_problem_error(_reply(401, "oauth_problem=token_rejected"))

    assert isinstance(error, TokenRejected)
    assert isinstance(error, ReauthorizationRequired)
    assert isinstance(error, OAuthProblem)
    assert error.reason == "token_rejected"
    assert "Log in again" in error.message


def test_token_rejected_from_header() -> None:
    response = _reply(
        401,
        "",
        headers=[
            (
                "WWW-Authenticate",
                'OAuth realm="https%3A%2F%2Fjira.example.test", '
                'oauth_problem="token_rejected"',
            )
        ],
    )

    assert isinstance(oauth_problem_error(response), TokenRejected)


def test_two_joined_headers() -> None:
    joined = (
        'OAuth realm="https%3A%2F%2Fjira.example.test", OAuth '
        'realm="https%3A%2F%2Fjira.example.test", oauth_problem="consumer_key_unknown"'
    )
    response = _reply(401, "", headers=[("WWW-Authenticate", joined)])

    parameters = parse_oauth_problem(response)

    assert parameters == {"oauth_problem": "consumer_key_unknown"}
    assert isinstance(oauth_problem_error(response), ConsumerKeyUnknown)


def test_two_separate_headers() -> None:
    response = _reply(
        401,
        "",
        headers=[
            ("WWW-Authenticate", 'OAuth realm="https%3A%2F%2Fjira.example.test"'),
            (
                "WWW-Authenticate",
                'OAuth realm="https%3A%2F%2Fjira.example.test", '
                'oauth_problem="token_expired"',
            ),
        ],
    )

    assert isinstance(oauth_problem_error(response), TokenExpired)


def test_signature_method_rejected_400() -> None:
    response = _reply(
        400,
        "oauth_problem=signature_method_rejected"
        "&oauth_acceptable_signature_methods=RSA-SHA1",
    )

    error = oauth_problem_error(response)

    assert isinstance(error, SignatureMethodRejected)
    assert error.status_code == 400
    assert "RSA-SHA1" in error.message


@pytest.mark.parametrize(
    ("problem", "error_class"),
    [
        ("consumer_key_unknown", ConsumerKeyUnknown),
        ("signature_invalid", SignatureInvalid),
        ("signature_method_rejected", SignatureMethodRejected),
        ("timestamp_refused", TimestampRefused),
        ("nonce_used", NonceUsed),
        ("token_rejected", TokenRejected),
        ("token_revoked", TokenRejected),
        ("token_used", TokenRejected),
        ("token_expired", TokenExpired),
        ("permission_denied", PermissionDenied),
        ("permission_unknown", PermissionDenied),
        ("consumer_key_refused", OAuth1aProblem),
        ("parameter_absent", OAuth1aProblem),
    ],
)
def test_problem_classes(problem: str, error_class: type[OAuth1aProblem]) -> None:
    error = oauth_problem_error(_reply(401, f"oauth_problem={problem}"))

    assert type(error) is error_class
    assert error.problem == problem


def test_timestamp_refused_reports_skew() -> None:
    now = int(time.time())
    window = f"{now - 300 - 3600}-{now + 300 - 3600}"
    response = _reply(
        400, f"oauth_problem=timestamp_refused&oauth_acceptable_timestamps={window}"
    )

    error = oauth_problem_error(response)

    assert isinstance(error, TimestampRefused)
    assert error.skew_seconds is not None
    assert 3590 <= error.skew_seconds <= 3610
    assert "clock" in error.message


def test_advice_is_appended() -> None:
    response = _reply(
        400,
        "oauth_problem=parameter_rejected&oauth_problem_advice=Bad%20callback",
    )

    error = oauth_problem_error(response)

    assert error is not None
    assert error.advice == "Bad callback"
    assert "Bad callback" in error.message


def test_no_problem_returns_none() -> None:
    json_reply = httpx.Response(
        401,
        json={"errorMessages": ["You are not authenticated."]},
        request=httpx.Request("GET", "https://jira.example.test/x"),
    )

    assert oauth_problem_error(json_reply) is None
    raise_for_oauth_problem(json_reply)
    assert oauth_problem_error(_reply(200, "oauth_token=a")) is None


def test_raise_for_oauth_problem_raises() -> None:
    with pytest.raises(TokenRejected):
        raise_for_oauth_problem(_reply(401, "oauth_problem=token_rejected"))


_FRAGMENTS = st.sampled_from(
    [
        "oauth_problem=",
        'oauth_problem="',
        "signature_invalid",
        "timestamp_refused",
        "oauth_acceptable_timestamps=",
        "oauth_signature_base_string=",
        "OAuth realm=",
        "&",
        "=",
        '"',
        "%",
        "%2",
        "-",
        ",",
        "\\",
    ]
)
_MESSY = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=5)), max_size=12).map("".join)


@given(body=_MESSY, header=_MESSY)
def test_parser_never_raises(body: str, header: str) -> None:
    header_bytes = header.encode("latin-1", "replace")
    response = httpx.Response(
        401,
        content=body.encode(),
        headers=[
            (
                b"WWW-Authenticate",
                header_bytes.replace(b"\n", b" ").replace(b"\r", b" "),
            )
        ],
        request=httpx.Request("GET", "https://jira.example.test/x"),
    )

    error = oauth_problem_error(response)

    assert error is None or isinstance(error, OAuth1aProblem)
