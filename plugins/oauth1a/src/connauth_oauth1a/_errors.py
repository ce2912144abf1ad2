"""Typed errors for Jira's OAuth 1.0a ``oauth_problem`` replies.

::

    connauth.OAuthProblem
    └── OAuth1aProblem              any oauth_problem without a class of its own
        ├── ConsumerKeyUnknown      consumer_key_unknown
        ├── SignatureInvalid        signature_invalid (with both base strings)
        ├── SignatureMethodRejected signature_method_rejected
        ├── TimestampRefused        timestamp_refused (clock skew)
        ├── NonceUsed               nonce_used
        ├── TokenRejected           token_rejected, token_revoked, token_used
        ├── TokenExpired            token_expired
        └── PermissionDenied        permission_denied, permission_unknown

``TokenRejected``, ``TokenExpired`` and ``PermissionDenied`` are also
:class:`~connauth.ReauthorizationRequired`: an admin must authorize again. No
request that failed with one of these errors is retried.
"""

from __future__ import annotations

from connauth import OAuthProblem
from connauth import ReauthorizationRequired

__all__ = [
    "ConsumerKeyUnknown",
    "NonceUsed",
    "OAuth1aProblem",
    "PermissionDenied",
    "SignatureInvalid",
    "SignatureMethodRejected",
    "TimestampRefused",
    "TokenExpired",
    "TokenRejected",
]


class OAuth1aProblem(OAuthProblem):
    """A Jira OAuth 1.0a reply carrying ``oauth_problem``.

    Raised as is for problem codes without a subclass. ``problem`` is the code
    and ``advice`` the server's ``oauth_problem_advice``.
    """


class ConsumerKeyUnknown(OAuth1aProblem):
    """Jira has no application link with this consumer key."""


class SignatureInvalid(OAuth1aProblem):
    """Jira computed a different signature.

    Attributes:
        server_base_string: the base string Jira computed, when it sent
            ``oauth_signature_base_string``.
        client_base_string: the base string connauth signed, when known.

    Both base strings contain ``oauth_token``. Without the private key it
    cannot sign anything, but keep it out of logs anyway.
    """

    def __init__(
        self,
        message: str,
        *,
        problem: str,
        server_base_string: str | None = None,
        client_base_string: str | None = None,
        advice: str | None = None,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message,
            problem=problem,
            advice=advice,
            status_code=status_code,
            connector_id=connector_id,
            step=step,
        )
        self.server_base_string = server_base_string
        self.client_base_string = client_base_string


class SignatureMethodRejected(OAuth1aProblem):
    """Jira rejected the signature method; application links accept RSA-SHA1."""


class TimestampRefused(OAuth1aProblem):
    """Jira rejected ``oauth_timestamp``: the clocks differ by more than Jira's
    window (5 minutes by default).

    Attributes:
        skew_seconds: estimated local clock minus Jira's clock, in seconds,
            when Jira sent ``oauth_acceptable_timestamps``.
    """

    def __init__(
        self,
        message: str,
        *,
        problem: str,
        skew_seconds: int | None = None,
        advice: str | None = None,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message,
            problem=problem,
            advice=advice,
            status_code=status_code,
            connector_id=connector_id,
            step=step,
        )
        self.skew_seconds = skew_seconds


class NonceUsed(OAuth1aProblem):
    """Jira has seen this nonce with this timestamp before."""


class _ReauthorizationProblem(OAuth1aProblem, ReauthorizationRequired):
    """An OAuth 1.0a problem that only a new authorization fixes."""

    def __init__(
        self,
        message: str,
        *,
        problem: str,
        advice: str | None = None,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message,
            problem=problem,
            advice=advice,
            status_code=status_code,
            connector_id=connector_id,
            step=step,
        )
        # ReauthorizationRequired's reason, which the core logs and passes to
        # the connauth_reauthorization_required hook.
        self.reason = problem


class TokenRejected(_ReauthorizationProblem):
    """Jira does not accept the token: unknown, revoked, already used, or
    issued to another consumer. Authorize again."""


class TokenExpired(_ReauthorizationProblem):
    """The token expired. Authorize again."""


class PermissionDenied(_ReauthorizationProblem):
    """The user denied access, has not approved it yet, or the session ended."""
