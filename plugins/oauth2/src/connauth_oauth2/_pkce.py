"""Proof Key for Code Exchange with S256 (RFC 7636), as the Data Center flow uses it."""

from __future__ import annotations

import re
import secrets

from authlib.oauth2.rfc7636 import create_s256_code_challenge

__all__ = ["S256", "create_code_challenge", "create_code_verifier"]

S256 = "S256"
"""The ``code_challenge_method`` sent with every Data Center login."""

# RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT /
# "-" / "." / "_" / "~".
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")

# 48 random octets encode to 64 base64url characters: inside RFC 7636's 43 to
# 128, and inside the 43 to 127 that Atlassian's Data Center guide states.
_VERIFIER_OCTETS = 48


def create_code_verifier() -> str:
    """Return a new code verifier of 64 characters from ``secrets`` (RFC 7636 §4.1)."""
    return secrets.token_urlsafe(_VERIFIER_OCTETS)


def create_code_challenge(verifier: str) -> str:
    """Return the S256 code challenge of ``verifier`` (RFC 7636 §4.2).

    Raises ``ValueError`` when ``verifier`` is not 43 to 128 unreserved
    characters; the message does not repeat the verifier.
    """
    if _VERIFIER.fullmatch(verifier) is None:
        raise ValueError(
            "a PKCE code verifier must be 43 to 128 characters from "
            "A-Z, a-z, 0-9, '-', '.', '_' and '~' (RFC 7636 section 4.1)"
        )
    challenge: str = create_s256_code_challenge(verifier)
    return challenge
