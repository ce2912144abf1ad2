"""Token sets and the parsing of OAuth 2.0 token responses (RFC 6749 §5.1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import field_validator

from connauth._errors import ProtocolError
from connauth._errors import UnsupportedTokenType

__all__ = ["DEFAULT_TOKEN_LIFETIME", "TokenSet", "parse_token_response"]

DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)
"""Lifetime assumed when a token response has no ``expires_in``: Atlassian
documents one hour for Cloud access tokens."""


class TokenSet(BaseModel):
    """Credentials obtained from an authorization server.

    ``expires_at`` is absolute (aware, UTC) so that a stored token set keeps its
    meaning across restarts. ``None`` means the server gave no lifetime.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_token: SecretStr
    token_type: str = "Bearer"
    refresh_token: SecretStr | None = None
    token_secret: SecretStr | None = Field(
        default=None, description="OAuth 1.0a token secret, unused with RSA-SHA1."
    )
    expires_at: datetime | None = None
    scope: tuple[str, ...] = ()

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        return value

    @property
    def can_refresh(self) -> bool:
        """Whether a refresh token is available."""
        return self.refresh_token is not None

    def expires_within(self, seconds: float, *, now: datetime) -> bool:
        """Whether the access token expires less than ``seconds`` after ``now``."""
        if self.expires_at is None:
            return False
        return self.expires_at - now < timedelta(seconds=seconds)


class _TokenResponse(BaseModel):
    """The fields of RFC 6749 §5.1 that connauth reads; others are ignored."""

    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    token_type: str = "Bearer"
    expires_in: int | None = Field(default=None, ge=0)
    refresh_token: str | None = None
    scope: str | None = None


def parse_token_response(
    body: Mapping[str, Any],
    *,
    now: datetime,
    previous: TokenSet | None = None,
    default_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> TokenSet:
    """Build a :class:`TokenSet` from a token endpoint's JSON body.

    - ``expires_in`` may be a number or a numeric string (some servers quote it);
      when it is missing, ``default_lifetime`` applies. Any ``expires_at`` in the
      body is ignored, because ``expires_in`` is what RFC 6749 defines.
    - ``token_type`` is compared case-insensitively (RFC 6749 §5.1) and stored
      as ``Bearer``; any other type raises :class:`UnsupportedTokenType`.
    - A refresh response without ``refresh_token`` keeps ``previous``'s one, and
      one without ``scope`` keeps ``previous``'s scopes (RFC 6749 §5.1, §6).
    """
    try:
        parsed = _TokenResponse.model_validate(dict(body))
    except ValidationError as error:
        fields = ", ".join(
            str(item["loc"][0]) for item in error.errors() if item["loc"]
        )
        raise ProtocolError(
            f"the token response has invalid or missing fields: {fields}"
        ) from None

    if parsed.token_type.lower() != "bearer":
        raise UnsupportedTokenType(
            f"the token response has token_type {parsed.token_type!r}; "
            "only Bearer tokens are supported"
        )

    lifetime = (
        timedelta(seconds=parsed.expires_in)
        if parsed.expires_in is not None
        else default_lifetime
    )
    refresh = parsed.refresh_token
    if refresh is None and previous is not None and previous.refresh_token is not None:
        refresh = previous.refresh_token.get_secret_value()
    if parsed.scope is not None:
        scope = tuple(parsed.scope.split())
    else:
        scope = previous.scope if previous is not None else ()

    return TokenSet(
        access_token=SecretStr(parsed.access_token),
        token_type="Bearer",
        refresh_token=SecretStr(refresh) if refresh else None,
        expires_at=now.astimezone(UTC) + lifetime,
        scope=scope,
    )
