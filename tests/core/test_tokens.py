"""Token responses (RFC 6749 §5.1) in the shapes servers really send."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from pydantic import SecretStr

from connauth import ProtocolError
from connauth import TokenSet
from connauth import UnsupportedTokenType
from connauth import parse_token_response

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_expires_in_as_string() -> None:
    tokens = parse_token_response(
        {"access_token": "AT", "expires_in": "3600", "token_type": "bearer"}, now=NOW
    )
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    assert tokens.token_type == "Bearer"


def test_missing_expires_in_uses_default() -> None:
    tokens = parse_token_response(
        {"access_token": "AT", "token_type": "Bearer"},
        now=NOW,
        default_lifetime=timedelta(minutes=20),
    )
    assert tokens.expires_at == NOW + timedelta(minutes=20)


def test_bad_expires_at_ignored() -> None:
    tokens = parse_token_response(
        {
            "access_token": "AT",
            "expires_in": 3600,
            "expires_at": "not-a-number",
            "token_type": "Bearer",
        },
        now=NOW,
    )
    assert tokens.expires_at == NOW + timedelta(seconds=3600)


def test_mac_token_type_rejected() -> None:
    with pytest.raises(UnsupportedTokenType) as caught:
        parse_token_response(
            {"access_token": "AT", "expires_in": 3600, "token_type": "mac"}, now=NOW
        )
    assert "'mac'" in str(caught.value)


def test_unparseable_expires_in_names_field() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_token_response(
            {"access_token": "AT", "expires_in": "abc", "token_type": "Bearer"}, now=NOW
        )
    assert "expires_in" in str(caught.value)
    assert "abc" not in str(caught.value)


def test_missing_access_token_rejected() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_token_response(
            {"token_type": "Bearer", "refresh_token": "RT-canary"}, now=NOW
        )
    assert "access_token" in str(caught.value)
    assert "RT-canary" not in str(caught.value)


def test_refresh_without_new_refresh_token_keeps_old() -> None:
    previous = TokenSet(
        access_token=SecretStr("AT1"), refresh_token=SecretStr("RT1"), scope=("a", "b")
    )
    tokens = parse_token_response(
        {"access_token": "AT2", "expires_in": 60}, now=NOW, previous=previous
    )
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "RT1"
    assert tokens.scope == ("a", "b")


def test_rotated_refresh_token_replaces_old() -> None:
    previous = TokenSet(access_token=SecretStr("AT1"), refresh_token=SecretStr("RT1"))
    tokens = parse_token_response(
        {
            "access_token": "AT2",
            "refresh_token": "RT2",
            "expires_in": 3600,
            "scope": "x y",
        },
        now=NOW,
        previous=previous,
    )
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "RT2"
    assert tokens.scope == ("x", "y")


def test_no_refresh_token_cannot_refresh() -> None:
    tokens = parse_token_response({"access_token": "AT", "expires_in": 3600}, now=NOW)
    assert tokens.can_refresh is False


def test_repr_masks_tokens() -> None:
    tokens = TokenSet(
        access_token=SecretStr("canary-a"),
        refresh_token=SecretStr("canary-r"),
        token_secret=SecretStr("canary-s"),
    )
    for text in (repr(tokens), str(tokens), tokens.model_dump_json()):
        assert "canary" not in text


def test_naive_expiry_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TokenSet(access_token=SecretStr("AT"), expires_at=datetime(2026, 1, 1))


def test_expires_within_margin() -> None:
    tokens = TokenSet(
        access_token=SecretStr("AT"), expires_at=NOW + timedelta(seconds=10)
    )
    assert tokens.expires_within(30, now=NOW)
    assert not tokens.expires_within(5, now=NOW)
