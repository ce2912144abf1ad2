"""Formats of generated secrets: API tokens, personal access tokens, OAuth tokens."""

from __future__ import annotations

import base64
import secrets
import string
import uuid
import zlib

API_TOKEN_PREFIX = "ATATT3"
# Observed Atlassian API tokens are 192 characters: the prefix, 178 characters of
# [A-Za-z0-9_=-], then 8 characters of checksum. Atlassian warns that the length
# varies, so is_api_token_format() accepts any length.
_API_TOKEN_BODY_LENGTH = 178
_API_TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-="
_CHECKSUM_LENGTH = 8

_VERIFIER_ALPHABET = string.ascii_letters + string.digits
OAUTH1_VERIFIER_LENGTH = 6


def api_token_checksum(text: str) -> str:
    """Return the CRC-32 of text as 8 uppercase hex digits."""
    return format(zlib.crc32(text.encode("ascii")) & 0xFFFFFFFF, "08X")


def generate_api_token() -> str:
    """Generate an ATATT-style Cloud API token with a valid trailing checksum."""
    body = "".join(
        secrets.choice(_API_TOKEN_ALPHABET) for _ in range(_API_TOKEN_BODY_LENGTH)
    )
    head = API_TOKEN_PREFIX + body
    return head + api_token_checksum(head)


def is_api_token_format(candidate: str) -> bool:
    """Check the prefix and the CRC-32 suffix of an ATATT-style API token."""
    if not candidate.startswith(API_TOKEN_PREFIX):
        return False
    if len(candidate) <= len(API_TOKEN_PREFIX) + _CHECKSUM_LENGTH:
        return False
    if not candidate.isascii():
        return False
    head = candidate[:-_CHECKSUM_LENGTH]
    return candidate[-_CHECKSUM_LENGTH:] == api_token_checksum(head)


def generate_personal_access_token() -> str:
    """Generate a Data Center personal access token.

    Jira Data Center PATs carry no prefix. They look like base64 of an id and a
    secret, which is what this returns.
    """
    token_id = secrets.randbelow(10**12)
    raw = f"{token_id:012d}:".encode() + secrets.token_bytes(24)
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def generate_opaque_token(length: int = 40) -> str:
    """Generate a URL-safe random token for OAuth access and refresh tokens."""
    return secrets.token_urlsafe(length)[:length]


def generate_oauth1_verifier() -> str:
    """Generate a 6-character alphanumeric OAuth 1.0a verifier, as Jira does."""
    return "".join(
        secrets.choice(_VERIFIER_ALPHABET) for _ in range(OAUTH1_VERIFIER_LENGTH)
    )


def generate_cloud_id() -> str:
    return str(uuid.uuid4())


def generate_account_id() -> str:
    """Generate an Atlassian-style account id (``557058:`` and a UUID)."""
    return f"557058:{uuid.uuid4()}"


def generate_client_id() -> str:
    return secrets.token_urlsafe(24)[:32]


def generate_client_secret() -> str:
    return secrets.token_urlsafe(48)[:64]
