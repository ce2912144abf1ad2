"""The exception tree of connauth.

Every error raised on purpose by connauth or a method plugin derives from
:class:`ConnauthError`. Each carries the connector id (when one is known), the
checklist step or check that fixes it, and a message that says what to do next.
No message, ``repr`` or attribute of these errors contains a secret.

::

    ConnauthError
    ├── ConfigError                     bad input, found before anything is sent
    │   ├── InsecureTransportError      a URL that must be HTTPS is not
    │   ├── KeyFormatError              key material in an unusable form
    │   │   └── KeyPassphraseRequired   an encrypted key without its passphrase
    │   ├── KeyTypeError                a key of the wrong algorithm or size
    │   ├── CryptoPolicyError           this runtime cannot sign with RSA-SHA1
    │   └── ClientCredentialsInvalid    the server rejected the client id/secret
    ├── PluginError                     a plugin could not be used
    │   ├── PluginLoadError             import, version or registration failure
    │   └── MethodNotInstalled          no plugin provides the method
    ├── AuthorizationFlowError          the interactive authorization failed
    │   ├── StateMismatch               unknown, reused or expired ``state``
    │   └── AuthorizationDenied         the admin declined consent
    ├── AuthError                       the server rejected the credentials
    │   ├── ReauthorizationRequired     the grant is dead; the admin must log in
    │   ├── AuthenticationFailed        credentials rejected (no retry)
    │   │   ├── CloudPasswordRejected   a Cloud account password, not a token
    │   │   └── CaptchaRequired         Jira locked the account behind a CAPTCHA
    │   ├── ScopeMismatch               the token lacks a scope the call needs
    │   └── OAuthProblem                an OAuth 1.0a ``oauth_problem`` reply
    ├── TransientAuthError              429, 5xx, timeouts: retry later
    ├── ProtocolError                   the server's answer could not be used
    │   └── UnsupportedTokenType        a token type other than Bearer
    └── StoreError                      the token store failed
        ├── StoreKeyError               no key, or a key that opens nothing
        ├── RecordTampered              a record failed authentication
        └── StoreConflict               a compare-and-swap write lost a race
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "AuthenticationFailed",
    "AuthorizationDenied",
    "AuthorizationFlowError",
    "CaptchaRequired",
    "ClientCredentialsInvalid",
    "CloudPasswordRejected",
    "ConfigError",
    "ConnauthError",
    "CryptoPolicyError",
    "InsecureTransportError",
    "KeyFormatError",
    "KeyPassphraseRequired",
    "KeyTypeError",
    "MethodNotInstalled",
    "OAuthProblem",
    "PluginError",
    "PluginLoadError",
    "ProtocolError",
    "ReauthorizationRequired",
    "RecordTampered",
    "ScopeMismatch",
    "StateMismatch",
    "StoreConflict",
    "StoreError",
    "StoreKeyError",
    "TransientAuthError",
    "UnsupportedTokenType",
]


class ConnauthError(Exception):
    """Base class of every error connauth raises on purpose.

    Args:
        message: what failed and what to do next. Never include a secret.
        connector_id: the connector concerned, when known.
        step: the id of the setup-checklist step that fixes the problem.
        check: the id of the check that found the problem.
    """

    def __init__(
        self,
        message: str,
        *,
        connector_id: str | None = None,
        step: str | None = None,
        check: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.connector_id = connector_id
        self.step = step
        self.check = check

    def __str__(self) -> str:
        parts = [self.message]
        if self.connector_id is not None:
            parts.append(f"(connector {self.connector_id!r})")
        if self.step is not None and self.step not in self.message:
            parts.append(f"[checklist step: {self.step}]")
        return " ".join(parts)


class ConfigError(ConnauthError, ValueError):
    """Invalid configuration, found before any request is sent.

    ``problems`` lists every finding as ``(field, message, step)`` so that a
    caller can show all of them at once rather than the first only.
    """

    def __init__(
        self,
        message: str,
        *,
        problems: tuple[tuple[str, str, str | None], ...] = (),
        connector_id: str | None = None,
        step: str | None = None,
        check: str | None = None,
    ) -> None:
        super().__init__(message, connector_id=connector_id, step=step, check=check)
        self.problems = problems


class InsecureTransportError(ConfigError):
    """A URL that must use HTTPS does not."""


class KeyFormatError(ConfigError):
    """Key material that cannot be loaded in the form given."""


class KeyPassphraseRequired(KeyFormatError):
    """An encrypted private key was given without its passphrase."""


class KeyTypeError(ConfigError):
    """A key of the wrong algorithm or too small for the method."""


class CryptoPolicyError(ConfigError):
    """This runtime refuses a signature algorithm the method needs.

    Some OS crypto policies (RHEL 9 ``DEFAULT``, for example) disable SHA-1
    signatures, which OAuth 1.0a application links require.
    """


class ClientCredentialsInvalid(ConfigError):
    """The authorization server rejected the client id or client secret."""


class PluginError(ConnauthError):
    """A plugin could not be used."""

    def __init__(
        self, message: str, *, plugin: str, connector_id: str | None = None
    ) -> None:
        super().__init__(message, connector_id=connector_id)
        self.plugin = plugin


class PluginLoadError(PluginError):
    """A plugin failed to import, declared an incompatible hook API, or failed
    registration. The other plugins keep working."""


class MethodNotInstalled(PluginError):
    """No installed plugin provides the authentication method named."""

    def __init__(self, method: str, *, connector_id: str | None = None) -> None:
        super().__init__(
            f"authentication method {method!r} is not installed: install its "
            f"plugin, or move the connector to an installed method with "
            f"'connauth migrate --from {method} --to METHOD'",
            plugin=method,
            connector_id=connector_id,
        )
        self.method = method


class AuthorizationFlowError(ConnauthError):
    """The interactive authorization did not complete."""


class StateMismatch(AuthorizationFlowError):
    """The callback's ``state`` is unknown, already used or expired.

    No token request is sent when this is raised.
    """


class AuthorizationDenied(AuthorizationFlowError):
    """The Jira admin declined the consent screen."""


class AuthError(ConnauthError):
    """The server rejected the credentials; each subclass is one kind of rejection."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
        check: str | None = None,
    ) -> None:
        super().__init__(message, connector_id=connector_id, step=step, check=check)
        self.status_code = status_code


class ReauthorizationRequired(AuthError):
    """The grant is dead (revoked, expired, or its refresh token was reused).

    The connector is flagged and no retry is made: an admin must authorize
    again. ``reason`` is the server's ``error`` code when it gave one.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, connector_id=connector_id, step=step
        )
        self.reason = reason


class AuthenticationFailed(AuthError):
    """The server rejected the credentials. Never retried automatically,
    because each retry counts as another failed login."""


class CloudPasswordRejected(AuthenticationFailed):
    """Jira Cloud rejected an account password given where an API token belongs."""


class CaptchaRequired(AuthenticationFailed):
    """Jira replied with a CAPTCHA challenge after repeated failed logins.

    The account must log in once through the browser at ``login_url``.
    """

    def __init__(
        self,
        message: str,
        *,
        login_url: str | None,
        status_code: int | None = None,
        connector_id: str | None = None,
        step: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, connector_id=connector_id, step=step
        )
        self.login_url = login_url


class ScopeMismatch(AuthError):
    """The access token does not carry a scope the request needs."""


class OAuthProblem(AuthError):
    """An OAuth 1.0a reply with an ``oauth_problem`` code.

    ``problem`` is the code (``consumer_key_unknown``, ``signature_invalid``,
    ...); ``advice`` is the server's ``oauth_problem_advice`` when present.
    Method plugins raise subclasses named after the problem.
    """

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
            message, status_code=status_code, connector_id=connector_id, step=step
        )
        self.problem = problem
        self.advice = advice


class TransientAuthError(ConnauthError):
    """A failure that may pass: 429, 5xx, a timeout or a dropped connection.

    Stored credentials are kept. ``retry_after`` is the minimum wait in
    seconds when the server sent ``Retry-After``. ``maybe_processed`` is true
    when the request may have reached the server before the failure (a read
    timeout, a dropped response): a refresh token sent that way may already
    have been rotated.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        connector_id: str | None = None,
        maybe_processed: bool = False,
    ) -> None:
        super().__init__(message, connector_id=connector_id)
        self.retry_after = retry_after
        self.status_code = status_code
        self.maybe_processed = maybe_processed


class ProtocolError(ConnauthError):
    """A server response that does not follow the protocol closely enough to use."""


class UnsupportedTokenType(ProtocolError):
    """A token response whose ``token_type`` is not Bearer."""


class StoreError(ConnauthError):
    """The token store failed. Nothing was half-written."""


class StoreKeyError(StoreError):
    """The store has no encryption key, or none of its keys opens a record."""


class RecordTampered(StoreError):
    """A stored record failed authentication: it was altered or moved."""


class StoreConflict(StoreError):
    """A write lost a compare-and-swap race: another writer changed the record."""
