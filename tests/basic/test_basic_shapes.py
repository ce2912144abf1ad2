"""Shape checks of API tokens and emails."""

from __future__ import annotations

import string
import zlib

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import strategies as st

from connauth_basic import TokenShape
from connauth_basic import api_token_shape
from connauth_basic import email_problem

TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-="

token_bodies = st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=300)


def _with_checksum(head: str) -> str:
    return head + format(zlib.crc32(head.encode()), "08X")


@given(body=token_bodies)
def test_atatt_token_with_checksum_passes(body: str) -> None:
    token = _with_checksum("ATATT3" + body)

    assert api_token_shape(token) is TokenShape.API_TOKEN


@given(body=token_bodies, position=st.integers(min_value=1, max_value=8))
def test_atatt_token_with_changed_checksum_fails(body: str, position: int) -> None:
    token = _with_checksum("ATATT3" + body)
    index = len(token) - position
    replacement = "0" if token[index] != "0" else "1"
    changed = token[:index] + replacement + token[index + 1 :]

    assert api_token_shape(changed) is TokenShape.CHECKSUM_MISMATCH


@given(body=token_bodies, cut=st.integers(min_value=1, max_value=20))
def test_truncated_atatt_token_fails(body: str, cut: int) -> None:
    truncated = _with_checksum("ATATT3" + body)[:-cut]
    assume(len(truncated) > len("ATATT3") + 8)

    assert api_token_shape(truncated) is TokenShape.CHECKSUM_MISMATCH


def test_atatt_token_length_is_not_fixed() -> None:
    short = _with_checksum("ATATT3" + "a" * 10)
    long = _with_checksum("ATATT3" + "b" * 500)

    assert api_token_shape(short) is TokenShape.API_TOKEN
    assert api_token_shape(long) is TokenShape.API_TOKEN


def test_lowercase_checksum_fails() -> None:
    head = "ATATT3" + "x" * 40
    checksum = format(zlib.crc32(head.encode()), "08X")
    assert checksum != checksum.lower()

    assert api_token_shape(head + checksum.lower()) is TokenShape.CHECKSUM_MISMATCH


@pytest.mark.parametrize(
    "value",
    [
        "hunter2",
        "correct horse battery staple",
        "Summer2024!",
        "pässwörd-long-enough-1234",
    ],
)
def test_password_like_values(value: str) -> None:
    assert api_token_shape(value) is TokenShape.PASSWORD


@given(value=st.text(min_size=1).filter(lambda v: any(c.isspace() for c in v)))
def test_value_with_whitespace_is_password(value: str) -> None:
    assume(not value.startswith("ATATT"))

    assert api_token_shape(value) is TokenShape.PASSWORD


def test_other_long_token_is_unknown() -> None:
    assert api_token_shape("abcdefghijklmnopqrst1a2b") is TokenShape.UNKNOWN


@given(value=st.text())
def test_token_shape_never_raises(value: str) -> None:
    assert isinstance(api_token_shape(value), TokenShape)


local_parts = st.text(alphabet=string.ascii_letters + string.digits + "+_-", min_size=1)
labels = st.text(
    alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=20
)


@given(local=local_parts, domain=st.lists(labels, min_size=2, max_size=4))
def test_plain_emails_pass(local: str, domain: list[str]) -> None:
    email = f"{local}@{'.'.join(domain)}"
    assume(len(email) <= 254)

    assert email_problem(email) is None


@given(value=st.text().filter(lambda v: "@" not in v))
def test_email_without_at_fails(value: str) -> None:
    assert email_problem(value) is not None


@given(value=st.text())
def test_email_check_never_raises(value: str) -> None:
    problem = email_problem(value)

    assert problem is None or problem.strip()


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        ("user name@example.test", "spaces"),
        ("user:x@example.test", "':'"),
        ("user@localhost", "must contain a dot"),
        ("@example.test", "exactly one '@'"),
        ("a@b@example.test", "exactly one '@'"),
        ("user@example..test", "empty part"),
        (".user@example.test", "empty part between dots before"),
        ("user@-example.test", "starts or ends with '-'"),
        ("user@exa_mple.test", "characters other than"),
        ("u" * 250 + "@example.test", "longer than 254"),
    ],
)
def test_email_problems_named(value: str, fragment: str) -> None:
    problem = email_problem(value)

    assert problem is not None
    assert fragment in problem
