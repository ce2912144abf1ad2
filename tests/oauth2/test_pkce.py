"""PKCE (RFC 7636): the Appendix B vector and the verifier's shape."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connauth_oauth2 import create_code_challenge
from connauth_oauth2 import create_code_verifier

from ._support import load_data

UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]+")


def test_appendix_b_vector() -> None:
    vector = load_data("rfc7636_appendix_b.json")
    octets = bytes(vector["code_verifier_octets"])
    encoded = base64.urlsafe_b64encode(octets).rstrip(b"=").decode()
    assert encoded == vector["code_verifier"]
    assert create_code_challenge(vector["code_verifier"]) == vector["code_challenge"]


def test_verifier_shape() -> None:
    verifier = create_code_verifier()
    assert 43 <= len(verifier) <= 127
    assert UNRESERVED.fullmatch(verifier)


def test_verifiers_differ() -> None:
    verifiers = {create_code_verifier() for _ in range(50)}
    assert len(verifiers) == 50


@pytest.mark.parametrize(
    "verifier",
    ["", "a" * 42, "a" * 129, "a" * 42 + " ", "a" * 42 + "+", "ü" * 43],
)
def test_challenge_rejects_invalid_verifier(verifier: str) -> None:
    with pytest.raises(ValueError, match="43 to 128") as caught:
        create_code_challenge(verifier)
    if verifier:
        assert verifier not in str(caught.value)


@given(st.from_regex(r"[A-Za-z0-9\-._~]{43,128}", fullmatch=True))
def test_challenge_is_base64url_sha256(verifier: str) -> None:
    challenge = create_code_challenge(verifier)
    assert len(challenge) == 43
    assert "=" not in challenge
    assert re.fullmatch(r"[A-Za-z0-9\-_]+", challenge)
