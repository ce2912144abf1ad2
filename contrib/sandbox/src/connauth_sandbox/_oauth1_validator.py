"""oauthlib's OAuth 1.0a validator, wired to a Data Center site's application links.

oauthlib verifies the requests. Jira names each failure with an ``oauth_problem``
(the net.oauth vocabulary), which oauthlib does not, so the validator records the
problem behind every check that fails. See _oauth1_problems for how the
reported problem is chosen.
"""

from __future__ import annotations

import functools
import urllib.parse
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth1 import RequestValidator
from oauthlib.oauth1.rfc5849 import SIGNATURE_RSA_SHA1
from oauthlib.oauth1.rfc5849.errors import OAuth1Error

from connauth_sandbox._credentials import OAUTH1_VERIFIER_LENGTH
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import OAuth1RequestToken
from connauth_sandbox._models import RequestTokenStatus
from connauth_sandbox._models import TokenKind
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._state import Sandbox

DUMMY_CONSUMER_KEY = "connauth-sandbox-unknown-consumer"


@functools.cache
def _dummy_public_key_pem() -> str:
    """Return a public key that matches no consumer, for oauthlib's dummy client."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


class ApplicationLinkValidator(RequestValidator):  # type: ignore[misc]
    """Answers oauthlib's questions from one site's application links and tokens."""

    def __init__(self, sandbox: Sandbox, site: DcSite) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.site = site
        self.problems: dict[str, list[tuple[str, str]]] = {}
        self.error: OAuth1Error | None = None
        self.oauth_request: OAuthlibRequest | None = None
        self.consenting_account_id: str | None = None

    def record(self, problem: str, *params: tuple[str, str]) -> None:
        self.problems.setdefault(problem, list(params))

    # Policy: RSA-SHA1 only, Jira's 5-minute timestamp window, no TLS requirement.

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return (SIGNATURE_RSA_SHA1,)

    @property
    def enforce_ssl(self) -> bool:
        return False

    @property
    def timestamp_lifetime(self) -> int:
        return self.sandbox.settings.oauth1_timestamp_window

    @property
    def verifier_length(self) -> tuple[int, int]:
        return (OAUTH1_VERIFIER_LENGTH, OAUTH1_VERIFIER_LENGTH)

    def check_client_key(self, client_key: str) -> bool:
        # Jira accepts any consumer key an administrator typed in.
        return 0 < len(client_key) <= 255

    def check_nonce(self, nonce: str) -> bool:
        # net.oauth puts no rule on the nonce's format.
        return 0 < len(nonce) <= 255 and nonce.isprintable()

    @property
    def dummy_client(self) -> str:
        return DUMMY_CONSUMER_KEY

    @property
    def dummy_request_token(self) -> str:
        return "dummy-request-token"

    @property
    def dummy_access_token(self) -> str:
        return "dummy-access-token"

    def get_default_realms(
        self, client_key: str, request: OAuthlibRequest
    ) -> list[str]:
        return []

    def get_realms(self, token: str, request: OAuthlibRequest) -> list[str]:
        return []

    def validate_requested_realms(
        self, client_key: str, realms: list[str], request: OAuthlibRequest
    ) -> bool:
        return True

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True

    # Consumers and nonces.

    def get_rsa_key(self, client_key: str, request: OAuthlibRequest) -> str:
        link = self.site.application_links.get(client_key)
        return link.public_key_pem if link is not None else _dummy_public_key_pem()

    def validate_client_key(self, client_key: str, request: OAuthlibRequest) -> bool:
        if client_key in self.site.application_links:
            return True
        self.record("consumer_key_unknown")
        return False

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: OAuthlibRequest,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        self.oauth_request = request
        key = (client_key, timestamp, nonce)
        if key in self.sandbox.used_nonces:
            self.record("nonce_used")
            return False
        self.sandbox.used_nonces.add(key)
        return True

    # Request tokens.

    def validate_redirect_uri(
        self, client_key: str, redirect_uri: str, request: OAuthlibRequest
    ) -> bool:
        # Jira wants an absolute http(s) URI or "oob" (RFC 5849 section 2.1).
        parts = urllib.parse.urlsplit(redirect_uri)
        if redirect_uri == "oob" or (
            parts.scheme in ("http", "https") and parts.netloc
        ):
            return True
        self.record(
            "parameter_rejected", ("oauth_parameters_rejected", "oauth_callback")
        )
        return False

    def save_request_token(
        self, token: dict[str, str], request: OAuthlibRequest
    ) -> None:
        lifetime = self.sandbox.settings.oauth1_request_token_lifetime
        record = OAuth1RequestToken(
            token=token["oauth_token"],
            secret=token["oauth_token_secret"],
            consumer_key=request.client_key,
            site_name=self.site.name,
            callback=request.redirect_uri,
            expires_at=self.sandbox.now() + lifetime,
        )
        self.sandbox.request_tokens[record.token] = record

    def _request_token(self, token: str) -> OAuth1RequestToken | None:
        record = self.sandbox.request_tokens.get(token)
        if record is None or record.site_name != self.site.name:
            return None
        return record

    def get_request_token_secret(
        self, client_key: str, token: str, request: OAuthlibRequest
    ) -> str:
        record = self._request_token(token)
        return "dummy" if record is None else record.secret

    def verify_request_token(self, token: str, request: OAuthlibRequest) -> bool:
        record = self._request_token(token)
        if record is None or record.expires_at <= self.sandbox.now():
            return False
        return record.status is RequestTokenStatus.PENDING

    def get_redirect_uri(self, token: str, request: OAuthlibRequest) -> str:
        record = self._request_token(token)
        return "oob" if record is None else record.callback

    def save_verifier(
        self, token: str, verifier: dict[str, str], request: OAuthlibRequest
    ) -> None:
        record = self._request_token(token)
        if record is not None:
            record.verifier = verifier["oauth_verifier"]
            record.status = RequestTokenStatus.AUTHORIZED
            record.account_id = self.consenting_account_id

    def validate_request_token(
        self, client_key: str, token: str, request: OAuthlibRequest
    ) -> bool:
        record = self._request_token(token)
        if record is None or record.consumer_key != client_key:
            self.record("token_rejected")
            return False
        if record.expires_at <= self.sandbox.now():
            self.record("token_expired")
            return False
        return True

    def validate_verifier(
        self, client_key: str, token: str, verifier: str, request: OAuthlibRequest
    ) -> bool:
        record = self._request_token(token)
        if record is None:
            return False
        if record.status is RequestTokenStatus.PENDING:
            self.record("permission_unknown")
            return False
        if record.status is RequestTokenStatus.DENIED:
            self.record("permission_denied")
            return False
        if record.verifier != verifier:
            self.record("token_rejected")
            return False
        request.sandbox_account_id = record.account_id
        return True

    def invalidate_request_token(
        self, client_key: str, request_token: str, request: OAuthlibRequest
    ) -> None:
        self.sandbox.request_tokens.pop(request_token, None)

    # Access tokens.

    def save_access_token(
        self, token: dict[str, str], request: OAuthlibRequest
    ) -> None:
        settings = self.sandbox.settings
        now = self.sandbox.now()
        record = TokenRecord(
            value=token["oauth_token"],
            kind=TokenKind.OAUTH1_ACCESS_TOKEN,
            surface=None,
            account_id=request.sandbox_account_id,
            client_id=request.client_key,
            site_names=(self.site.name,),
            issued_at=now,
            expires_at=now + settings.oauth1_access_token_lifetime,
            secret=token["oauth_token_secret"],
        )
        self.sandbox.add_token(record)

    def _access_token(self, token: str) -> TokenRecord | None:
        record = self.sandbox.find_token(token, TokenKind.OAUTH1_ACCESS_TOKEN)
        if record is None or self.site.name not in record.site_names:
            return None
        return record

    def get_access_token_secret(
        self, client_key: str, token: str, request: OAuthlibRequest
    ) -> str:
        record = self._access_token(token)
        return "dummy" if record is None or record.secret is None else record.secret

    def validate_access_token(
        self, client_key: str, token: str, request: OAuthlibRequest
    ) -> bool:
        record = self._access_token(token)
        if record is None or record.client_id != client_key:
            self.record("token_rejected")
            return False
        if record.revoked_at is not None:
            self.record("token_rejected")
            return False
        if not record.is_live(self.sandbox.now()):
            self.record("token_expired")
            return False
        request.sandbox_token = record
        return True
