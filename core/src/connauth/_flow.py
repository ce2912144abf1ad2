"""The contract between the core and a method's authorization flow.

The core owns the parts every method shares: it creates the single-use
``state``, stores what the flow needs between its two halves (encrypted, with
a time limit), checks ``state`` on the callback before any token request, and
persists the result. The method owns the protocol: which URL the admin opens
and how the callback becomes credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

from pydantic import SecretStr

from connauth._exchange import Exchange
from connauth._tokens import TokenSet

__all__ = ["Authorization", "AuthorizationPrompt", "LoginResult"]


@dataclass(frozen=True)
class AuthorizationPrompt:
    """The first half of a login.

    Attributes:
        url: the page the admin opens to approve access, or ``None`` when the
            method needs no browser step (Basic).
        pending: values the second half needs (a PKCE verifier, an OAuth 1.0a
            request token and its secret). The core stores them encrypted and
            hands them to :meth:`Authorization.complete`.
    """

    url: str | None
    pending: Mapping[str, SecretStr] = field(default_factory=dict)


@dataclass(frozen=True)
class LoginResult:
    """What a completed login yields.

    Attributes:
        tokens: credentials to store, or ``None`` for methods whose
            credentials are the configuration itself (Basic).
        api_base_url: the URL that REST paths such as ``rest/api/3/myself``
            are joined to: the site itself, or Atlassian's API gateway with the
            site's cloud id.
        data: facts learned during login that are not secret (cloud id,
            account id, deployment).
    """

    tokens: TokenSet | None
    api_base_url: str
    data: Mapping[str, str] = field(default_factory=dict)


class Authorization(Protocol):
    """One method's login flow, returned by the ``connauth_authenticate`` hook."""

    def begin(self, *, state: str, callback_url: str) -> Exchange[AuthorizationPrompt]:
        """Start a login.

        ``state`` is the core's single-use value; the method must make the
        callback carry it back (as the OAuth 2.0 ``state`` parameter, or in the
        OAuth 1.0a callback URL's query). ``callback_url`` is the host's
        redirect URL.
        """
        ...

    def complete(
        self, *, pending: Mapping[str, SecretStr], callback: Mapping[str, str]
    ) -> Exchange[LoginResult]:
        """Finish a login from the callback's query parameters.

        Called only after the core matched ``state``. Raises
        :class:`~connauth.AuthorizationDenied` when the admin declined.
        """
        ...
