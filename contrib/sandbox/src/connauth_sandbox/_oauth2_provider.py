"""oauthlib's OAuth 2.0 provider, wired to the sandbox state.

One validator class serves both emulated authorization servers. The Cloud one
(``site`` is None) looks up the 3LO apps and rotates refresh tokens with a reuse
window. The Data Center one belongs to one instance, looks up that instance's
incoming links, verifies PKCE and invalidates the previous token pair on refresh.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from typing import Any

from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2 import WebApplicationServer

from connauth_sandbox._credentials import generate_opaque_token
from connauth_sandbox._models import AuthorizationCode
from connauth_sandbox._models import DcSite
from connauth_sandbox._oauth2_tokens import Client
from connauth_sandbox._oauth2_tokens import TokenMethods
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

OFFLINE_ACCESS = "offline_access"


class SandboxRequestValidator(TokenMethods, RequestValidator):  # type: ignore[misc]
    """Looks clients, codes and tokens up in the sandbox for oauthlib."""

    def __init__(self, sandbox: Sandbox, site: DcSite | None) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.site = site
        self.surface = Surface.CLOUD if site is None else Surface.DC

    # Clients.

    def find_client(self, client_id: str | None) -> Client | None:
        if not client_id:
            return None
        if self.site is None:
            return self.sandbox.cloud_apps.get(client_id)
        return self.site.oauth2_clients.get(client_id)

    def client_authentication_required(
        self, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> bool:
        return True

    def authenticate_client(
        self, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> bool:
        client_id, secret = request.client_id, request.client_secret
        if self.site is not None and not client_id:
            client_id, secret = _basic_credentials(request.headers)
        client = self.find_client(client_id)
        if client is None or not secret:
            return False
        if not hmac.compare_digest(secret.encode(), client.client_secret.encode()):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(
        self, client_id: str, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> bool:
        # Both servers issue a secret to every client, so there are no public ones.
        return False

    def validate_client_id(
        self, client_id: str, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> bool:
        client = self.find_client(client_id)
        request.client = client
        return client is not None

    def validate_redirect_uri(
        self,
        client_id: str,
        redirect_uri: str,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        # Compared as registered, byte for byte: a trailing slash or a port differs.
        client = self.find_client(client_id)
        return client is not None and redirect_uri in client.redirect_uris

    def get_default_redirect_uri(
        self, client_id: str, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> str | None:
        return None

    def validate_response_type(
        self,
        client_id: str,
        response_type: str,
        client: Client,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return bool(response_type == "code")

    def get_default_scopes(
        self, client_id: str, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> list[str]:
        # Data Center grants the link's scopes when the request names none.
        client = self.find_client(client_id)
        if self.site is None or client is None:
            return []
        return list(client.scopes)

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Client,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        found = self.find_client(client_id)
        if found is None or not scopes:
            return False
        allowed = set(found.scopes)
        if self.site is None:
            allowed.add(OFFLINE_ACCESS)
        return all(scope in allowed for scope in scopes)

    def validate_grant_type(
        self,
        client_id: str,
        grant_type: str,
        client: Client,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return grant_type in ("authorization_code", "refresh_token")

    def is_pkce_required(self, client_id: str, request: OAuthlibRequest) -> bool:
        return False

    # Authorization codes.

    def save_authorization_code(
        self,
        client_id: str,
        code: dict[str, str],
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        account_id: str = request.sandbox_account_id
        lifetime = (
            self.sandbox.settings.cloud_authorization_code_lifetime
            if self.site is None
            else self.sandbox.settings.dc_authorization_code_lifetime
        )
        record = AuthorizationCode(
            code=code["code"],
            surface=self.surface,
            client_id=client_id,
            redirect_uri=request.redirect_uri,
            # The withheld_scopes switch grants fewer scopes than were consented.
            scopes=tuple(
                scope
                for scope in request.scopes
                if scope not in self.sandbox.settings.withheld_scopes
            ),
            account_id=account_id,
            site_names=self._grant_site_names(account_id),
            expires_at=self.sandbox.now() + lifetime,
        )
        # Atlassian Cloud documents no PKCE, so only Data Center keeps a challenge.
        if self.site is not None and request.code_challenge is not None:
            record.code_challenge = request.code_challenge
            record.code_challenge_method = request.code_challenge_method
        self.sandbox.authorization_codes[record.code] = record

    def _grant_site_names(self, account_id: str) -> tuple[str, ...]:
        if self.site is not None:
            return (self.site.name,)
        sites = self.sandbox.cloud_sites.values()
        return tuple(s.name for s in sites if account_id in s.member_account_ids)

    def _find_code(self, client_id: str, code: str) -> AuthorizationCode | None:
        record = self.sandbox.authorization_codes.get(code)
        if record is None or record.surface is not self.surface:
            return None
        if record.client_id != client_id:
            return None
        return record

    def validate_code(
        self,
        client_id: str,
        code: str,
        client: Client,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        record = self._find_code(client_id, code)
        if record is None or record.used or record.expires_at <= self.sandbox.now():
            return False
        request.user = record.account_id
        request.scopes = list(record.scopes)
        request.sandbox_code = record
        return True

    def get_code_challenge(self, code: str, request: OAuthlibRequest) -> str | None:
        record = self._find_code(request.client_id, code)
        return None if record is None else record.code_challenge

    def get_code_challenge_method(
        self, code: str, request: OAuthlibRequest
    ) -> str | None:
        record = self._find_code(request.client_id, code)
        return None if record is None else record.code_challenge_method

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Client,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        record = self._find_code(client_id, code)
        return record is not None and record.redirect_uri == redirect_uri

    def invalidate_authorization_code(
        self,
        client_id: str,
        code: str,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        record = self._find_code(client_id, code)
        if record is not None:
            record.used = True


def _basic_credentials(headers: Any) -> tuple[str | None, str | None]:
    """Return the client id and secret of an ``Authorization: Basic`` header."""
    scheme, _, encoded = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        return None, None
    return client_id, secret


def build_provider(sandbox: Sandbox, site: DcSite | None) -> WebApplicationServer:
    """Build an oauthlib server for Cloud (site is None) or one Data Center site."""
    validator = SandboxRequestValidator(sandbox, site)
    settings = sandbox.settings

    def expires_in(request: OAuthlibRequest) -> int:
        if site is None:
            return int(settings.cloud_access_token_lifetime)
        return int(settings.dc_access_token_lifetime)

    def generate(request: OAuthlibRequest) -> str:
        return generate_opaque_token()

    def shape_token(
        token: dict[str, Any], token_handler: object, request: OAuthlibRequest
    ) -> dict[str, Any]:
        # Cloud only issues a refresh token when offline_access was granted.
        if site is None and OFFLINE_ACCESS not in (request.scopes or ()):
            token.pop("refresh_token", None)
        if request.grant_type == "refresh_token" and (
            settings.drop_refresh_token_on_refresh
        ):
            token.pop("refresh_token", None)
        # Jira Data Center spells the type "bearer", as in Atlassian's examples.
        token["token_type"] = "Bearer" if site is None else "bearer"
        return token

    server = WebApplicationServer(
        validator,
        token_generator=generate,
        token_expires_in=expires_in,
        refresh_token_generator=generate,
    )
    server.auth_grant.register_token_modifier(shape_token)
    server.refresh_grant.register_token_modifier(shape_token)
    return server
