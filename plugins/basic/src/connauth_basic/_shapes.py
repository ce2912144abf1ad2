"""Shape checks of emails and tokens, made before anything is sent.

Atlassian's current API tokens start with ``ATATT`` and end with 8 uppercase
hex digits, the CRC-32 (zlib) of everything before them. Atlassian states that
their length varies, so no length is checked. This format is observed, not
documented by Atlassian (it is the rule of the gitleaks secret scanner), so a
mismatch is only ever a warning. Data Center personal access tokens have no
documented format.
"""

from __future__ import annotations

import enum
import zlib

__all__ = [
    "API_TOKEN_PREFIX",
    "TokenShape",
    "api_token_checksum",
    "api_token_shape",
    "email_problem",
]

API_TOKEN_PREFIX = "ATATT"
_CHECKSUM_LENGTH = 8
# Older API tokens have 24 characters, the shortest format that gitleaks
# recognizes. A shorter value is most likely an account password.
_MIN_TOKEN_LENGTH = 24
_MAX_EMAIL_LENGTH = 254


class TokenShape(enum.StrEnum):
    """The form of a value given as an API token."""

    API_TOKEN = "api_token"
    """``ATATT`` prefix with a matching CRC-32 suffix."""
    CHECKSUM_MISMATCH = "checksum_mismatch"
    """``ATATT`` prefix, but the suffix does not match: truncated or mistyped."""
    PASSWORD = "password"
    """Short, or contains whitespace or characters outside printable ASCII."""
    UNKNOWN = "unknown"
    """Neither of the above, such as a token of an older format."""


def api_token_checksum(head: str) -> str:
    """Return the CRC-32 of ``head`` as 8 uppercase hex digits."""
    return format(zlib.crc32(head.encode("utf-8")), "08X")


def api_token_shape(value: str) -> TokenShape:
    """Classify ``value`` by its form only."""
    if value.startswith(API_TOKEN_PREFIX):
        head = value[:-_CHECKSUM_LENGTH]
        tail = value[-_CHECKSUM_LENGTH:]
        if len(head) > len(API_TOKEN_PREFIX) and tail == api_token_checksum(head):
            return TokenShape.API_TOKEN
        return TokenShape.CHECKSUM_MISMATCH
    printable = all("!" <= character <= "~" for character in value)
    if len(value) < _MIN_TOKEN_LENGTH or not printable:
        return TokenShape.PASSWORD
    return TokenShape.UNKNOWN


def email_problem(value: str) -> str | None:
    """Return why ``value`` is not a usable email address, or ``None``.

    The check is deliberately simple (one ``@``, a dotted domain, no spaces),
    plus the colon that Basic authentication cannot carry in a user name.
    """
    if not value:
        return "email is empty"
    if len(value) > _MAX_EMAIL_LENGTH:
        return f"email is longer than {_MAX_EMAIL_LENGTH} characters"
    if any(character.isspace() or not character.isprintable() for character in value):
        return "email contains spaces or control characters"
    if ":" in value:
        return "email contains ':', which Basic authentication cannot carry"
    local, separator, domain = value.rpartition("@")
    if not separator or not local or "@" in local:
        return "email must contain exactly one '@' with a name before it"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "email has an empty part between dots before the '@'"
    return _domain_problem(domain)


def _domain_problem(domain: str) -> str | None:
    labels = domain.split(".")
    if len(labels) < 2:
        return "the email's domain must contain a dot, as in example.com"
    for label in labels:
        if not label:
            return "the email's domain has an empty part between dots"
        if label.startswith("-") or label.endswith("-"):
            return "a part of the email's domain starts or ends with '-'"
        if not all(character.isalnum() or character == "-" for character in label):
            return (
                "the email's domain contains characters other than letters, "
                "digits, '-' and '.'"
            )
    return None
