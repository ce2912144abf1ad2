"""Signature base strings and RSA-SHA1 signatures (RFC 5849 §3.4)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from connauth import ProtocolError
from connauth_oauth1a import OAuth1Signer
from connauth_oauth1a import load_private_key
from connauth_oauth1a import public_key_pem
from connauth_oauth1a._signature import collect_parameters
from connauth_oauth1a._signature import normalize_parameters
from connauth_oauth1a._signature import parse_authorization_header
from connauth_oauth1a._signature import parse_target
from connauth_oauth1a._signature import percent_encode
from connauth_oauth1a._signature import signature_base_string

P0 = {"token": "ACCESS_TOKEN", "nonce": "n0nce", "timestamp": 1700000000}


def _verify(public_key: rsa.RSAPublicKey, signature: str, base_string: str) -> None:
    public_key.verify(
        base64.b64decode(signature),
        base_string.encode("ascii"),
        padding.PKCS1v15(),
        hashes.SHA1(),  # noqa: S303 - RSA-SHA1 is the method under test
    )


def _base_string_from_header(case: dict[str, Any]) -> str:
    """Compute a base string the way a server does, from the sent request."""
    target = parse_target(case["url"])
    protocol = parse_authorization_header(case["authorization"])
    assert protocol is not None
    parameters = collect_parameters(
        target.query,
        [(k, v) for k, v in protocol.items() if k != "oauth_signature"],
        content_type=case["headers"].get("Content-Type"),
        body=case["body"].encode(),
    )
    return signature_base_string(case["method"], target.base_string_uri, parameters)


def test_rfc_example_base_string(base_strings: dict[str, Any]) -> None:
    case = base_strings["rfc"][0]

    assert _base_string_from_header(case) == case["base_string"]


def test_rfc_example_excludes_realm_only_from_header(
    base_strings: dict[str, Any],
) -> None:
    case = dict(base_strings["rfc"][0])
    case["url"] = "http://example.com/request?realm=query"

    base_string = _base_string_from_header(case)

    assert "realm%3Dquery" in base_string
    assert "Example" not in base_string


def test_rsa_test_case_signature(base_strings: dict[str, Any], data_dir: Path) -> None:
    case = base_strings["rfc"][1]
    key = load_private_key((data_dir / "rfc5849_test_private_key.pem").read_text())
    signer = OAuth1Signer("dpf43f3p2l4k3l03", key, allow_insecure_http=True)

    signed = signer.sign(
        case["method"], case["url"], nonce="13917289812797014437", timestamp=1196666512
    )

    assert signed.base_string == case["base_string"]
    assert signed.signature == case["signature"]
    assert _base_string_from_header(case) == case["base_string"]


def test_rsa_test_case_published_key_pair(
    base_strings: dict[str, Any], data_dir: Path
) -> None:
    case = base_strings["rfc"][1]
    published = (data_dir / "rfc5849_test_public_key.pem").read_text()
    key = load_private_key((data_dir / "rfc5849_test_private_key.pem").read_bytes())
    public = serialization.load_pem_public_key(published.encode())
    assert isinstance(public, rsa.RSAPublicKey)

    assert public_key_pem(key) == published
    _verify(public, case["signature"], case["base_string"])


@pytest.mark.parametrize(
    "name",
    [
        "prefix-names-and-numeric-suffixes",
        "jql-percent-encoded",
        "jql-plus-for-space",
        "non-default-port-kept",
        "raw-space-in-path",
        "encoded-space-in-path",
        "json-body-not-signed",
        "form-body-signed",
        "form-body-with-charset",
    ],
)
def test_p0_base_strings(
    name: str, base_strings: dict[str, Any], signer: OAuth1Signer, rsa_key: Any
) -> None:
    case = next(c for c in base_strings["p0"] if c["name"] == name)

    signed = signer.sign(
        case["method"],
        case["url"],
        headers=case["headers"],
        body=case["body"] or None,
        **P0,
    )

    assert signed.base_string == case["base_string"]
    _verify(rsa_key.public_key(), signed.signature, signed.base_string)


def test_httpx_params_signed_once(signer: OAuth1Signer) -> None:
    request = httpx.Request(
        "GET", "https://jira.example.test/rest/api/2/x", params={"platform": "linux"}
    )

    signed = signer.sign_request(request, **P0)

    assert signed.base_string.count("platform%3Dlinux") == 1


def test_httpx_params_jql_matches_vector(
    signer: OAuth1Signer, base_strings: dict[str, Any]
) -> None:
    expected = next(c for c in base_strings["p0"] if c["name"] == "jql-plus-for-space")
    request = httpx.Request(
        "GET",
        "https://JIRA.Example.test:443/rest/api/2/search",
        params=[
            ("jql", 'project = DEMO AND summary ~ "C++ café"'),
            ("fields", "summary"),
            ("fields", "status"),
            ("maxResults", "50"),
        ],
    )

    signed = signer.sign_request(request, **P0)

    assert signed.base_string == expected["base_string"]
    assert request.headers["Authorization"] == signed.authorization


def test_authorization_header_shape(signer: OAuth1Signer) -> None:
    signed = signer.sign("GET", "https://jira.example.test/x", **P0)
    header = signed.authorization

    assert header.startswith("OAuth ")
    assert 'oauth_signature_method="RSA-SHA1"' in header
    assert 'oauth_consumer_key="jira-consumer"' in header
    assert 'oauth_token="ACCESS_TOKEN"' in header
    assert f'oauth_signature="{quote(signed.signature, safe="")}"' in header
    assert "realm" not in header


def test_authorization_header_round_trip(signer: OAuth1Signer) -> None:
    callback = "https://host.example.test/cb?state=a%2Fb&x=1"

    signed = signer.sign(
        "POST",
        "https://jira.example.test/plugins/servlet/oauth/request-token",
        extra={"oauth_callback": callback},
        nonce="n0nce",
        timestamp=1700000000,
    )
    parsed = parse_authorization_header(signed.authorization)

    assert parsed is not None
    assert parsed["oauth_callback"] == callback
    assert parsed["oauth_signature"] == signed.signature
    assert "oauth_token" not in parsed


def test_callback_with_percent_not_decoded_twice(signer: OAuth1Signer) -> None:
    callback = "https://host.example.test/cb?state=a%2Fb"

    signed = signer.sign(
        "POST",
        "https://jira.example.test/request-token",
        extra={"oauth_callback": callback},
        **P0,
    )

    assert quote(quote(callback, safe="~"), safe="~") in signed.base_string


def test_duplicate_protocol_parameter_rejected(signer: OAuth1Signer) -> None:
    with pytest.raises(ProtocolError, match="oauth_token"):
        signer.sign("GET", "https://jira.example.test/x?oauth_token=other", **P0)


def test_query_signature_parameter_ignored(signer: OAuth1Signer) -> None:
    signed = signer.sign("GET", "https://jira.example.test/x?oauth_signature=zz", **P0)

    assert "zz" not in signed.base_string


def test_host_header_overrides_authority(signer: OAuth1Signer) -> None:
    signed = signer.sign(
        "GET",
        "https://10.0.0.5/rest/api/2/myself",
        headers={"Host": "Jira.Example.test"},
        **P0,
    )

    assert signed.base_string.startswith(
        "GET&https%3A%2F%2Fjira.example.test%2Frest%2Fapi%2F2%2Fmyself&"
    )


def test_multipart_body_not_signed(signer: OAuth1Signer) -> None:
    request = httpx.Request(
        "POST",
        "https://jira.example.test/rest/api/2/issue/DEMO-1/attachments",
        headers={"X-Atlassian-Token": "no-check"},
        files={"file": ("a.txt", b"a=1&b=2", "text/plain")},
    )
    body = request.read()

    signed = signer.sign_request(request, **P0)

    assert request.content == body
    assert "a%3D1" not in signed.base_string
    assert signed.base_string.endswith("oauth_version%3D1.0")


# -- properties -----------------------------------------------------------------

_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=8,
).filter(lambda name: not name.startswith("oauth_"))
_values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    max_size=12,
)
_pairs = st.lists(st.tuples(_names, _values), max_size=8)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=_pairs, data=st.data())
def test_base_string_independent_of_order(
    pairs: list[tuple[str, str]], data: st.DataObject, signer: OAuth1Signer
) -> None:
    shuffled = data.draw(st.permutations(pairs))
    first = f"https://jira.example.test/rest/api/2/x?{urlencode(pairs)}"
    second = f"https://jira.example.test/rest/api/2/x?{urlencode(shuffled)}"

    one = signer.sign("GET", first, **P0)
    other = signer.sign("GET", second, **P0)

    assert one.base_string == other.base_string
    assert one.signature == other.signature


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=_pairs, form=_pairs, method=st.sampled_from(["GET", "POST", "PUT"]))
def test_signatures_verify_with_public_key(
    query: list[tuple[str, str]],
    form: list[tuple[str, str]],
    method: str,
    signer: OAuth1Signer,
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    request = httpx.Request(
        method,
        "https://jira.example.test/rest/api/2/x",
        params=query,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=urlencode(form).encode(),
    )

    signed = signer.sign_request(request, token="ACCESS_TOKEN")

    _verify(rsa_key.public_key(), signed.signature, signed.base_string)
    with pytest.raises(InvalidSignature):
        _verify(rsa_key.public_key(), signed.signature, signed.base_string + "x")


_urls = st.builds(
    lambda scheme, host, port, path, query: f"{scheme}://{host}{port}{path}{query}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["jira.example.test", "JIRA.Example.Test", "127.0.0.1", "[::1]"]),
    st.sampled_from(["", ":80", ":443", ":8443"]),
    st.lists(
        st.lists(
            st.sampled_from([*"aZ09-._~!$&'()*+,;=:@% \"<>", "%2F", "%zz", "é", ".."]),
            max_size=4,
        ).map("".join),
        max_size=4,
    ).map(lambda segments: "/" + "/".join(segments) if segments else ""),
    st.sampled_from(["", "?", "?a=1&a=2", "?jql=a+b%20c", "?x=%zz&y", "?q=caf%C3%A9"]),
)


@given(url=_urls)
def test_target_matches_httpx(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return
    path = parsed.raw_path.split(b"?", 1)[0].decode()
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    default = {"http": 80, "https": 443}[parsed.scheme]
    port = "" if parsed.port in (None, default) else f":{parsed.port}"
    expected_uri = f"{parsed.scheme}://{host}{port}{path}"

    target = parse_target(url)

    assert target.scheme == parsed.scheme
    assert target.base_string_uri == expected_uri
    assert parse_qsl_pairs(target.query) == parse_qsl_pairs(parsed.query.decode())


def parse_qsl_pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=True)


@given(pairs=_pairs)
def test_normalization_matches_authlib(pairs: list[tuple[str, str]]) -> None:
    from authlib.oauth1.rfc5849.signature import normalize_parameters as reference
    from authlib.oauth1.rfc5849.util import escape

    assert normalize_parameters(pairs) == reference(pairs)
    for name, value in pairs:
        assert percent_encode(name) == escape(name)
        assert percent_encode(value) == escape(value)
