"""Token methods of the OAuth 2.0 validator: refresh rotation and access tokens.

Cloud refresh tokens rotate with a reuse window: a rotated token may be exchanged
again within ``cloud_refresh_reuse_window``, and reuse after it revokes the whole
token family (breach detection). Data Center revokes the previous access and
refresh token on every refresh.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from oauthlib.common import Request as OAuthlibRequest

from connauth_sandbox._models import AuthorizationCode
from connauth_sandbox._models import CloudApp
from connauth_sandbox._models import DcClient
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import TokenKind
from connauth_sandbox._models import TokenRecord
from connauth_sandbox._settings import Surface
from connauth_sandbox._state import Sandbox

logger = logging.getLogger("connauth_sandbox")

# NOTE: this assumes Jira Data Center scopes nest, so that a token with WRITE may
# also read. Atlassian's scope pages list the scopes but do not state the order.
_DC_SCOPE_RANK = {"READ": 1, "WRITE": 2, "ADMIN": 3, "SYSTEM_ADMIN": 4}

Client = CloudApp | DcClient


class TokenMethods:
    """The refresh- and access-token half of SandboxRequestValidator."""

    sandbox: Sandbox
    site: DcSite | None
    surface: Surface

    # Refresh tokens.

    def validate_refresh_token(
        self,
        refresh_token: str,
        client: Client,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        record = self.sandbox.find_token(refresh_token, TokenKind.REFRESH_TOKEN)
        if record is None or record.surface is not self.surface:
            return False
        if record.client_id != client.client_id:
            return False
        now = self.sandbox.now()
        if not record.is_live(now):
            return False
        window = self.sandbox.settings.cloud_refresh_reuse_window
        rotated = record.rotated_at
        if self.site is None and rotated is not None and now - rotated > window:
            # Breach detection: reuse after the window revokes the whole family.
            logger.warning(
                "refresh token reused after the reuse window; "
                "revoking token family %s of client %s",
                record.grant_id,
                record.client_id,
            )
            if record.grant_id is not None:
                self.sandbox.revoke_grant(record.grant_id)
            return False
        request.user = record.account_id
        request.sandbox_refresh = record
        return True

    def get_original_scopes(
        self, refresh_token: str, request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> list[str]:
        record: TokenRecord = request.sandbox_refresh
        return list(record.scopes)

    def rotate_refresh_token(self, request: OAuthlibRequest) -> bool:
        return not self.sandbox.settings.drop_refresh_token_on_refresh

    # Access tokens.

    def save_bearer_token(
        self,
        token: dict[str, Any],
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        now = self.sandbox.now()
        new_refresh = token.get("refresh_token")
        if request.grant_type == "refresh_token":
            previous: TokenRecord = request.sandbox_refresh
            template = previous
            grant_id = previous.grant_id
            if new_refresh is not None and new_refresh != previous.value:
                self._retire_refresh_token(previous, now)
        else:
            code: AuthorizationCode = request.sandbox_code
            template = _template_from_code(code)
            grant_id = str(uuid.uuid4())

        access = _derive(template, token["access_token"], TokenKind.ACCESS_TOKEN)
        access.grant_id, access.issued_at = grant_id, now
        access.expires_at = now + float(token["expires_in"])
        self.sandbox.add_token(access)

        if new_refresh is not None and new_refresh not in self.sandbox.tokens:
            refresh = _derive(template, new_refresh, TokenKind.REFRESH_TOKEN)
            refresh.grant_id, refresh.issued_at = grant_id, now
            refresh.expires_at = now + self._refresh_lifetime()
            self.sandbox.add_token(refresh)
        logger.info(
            "%s tokens issued to client %s (grant %s, family %s)",
            self.surface,
            request.client_id,
            request.grant_type,
            grant_id,
        )

    def _retire_refresh_token(self, previous: TokenRecord, now: float) -> None:
        if previous.rotated_at is None:
            previous.rotated_at = now
        if self.site is None:
            return
        # Data Center invalidates the previous access and refresh token at once.
        for record in self.sandbox.tokens.values():
            if record.grant_id == previous.grant_id and record.revoked_at is None:
                record.revoked_at = now

    def _refresh_lifetime(self) -> float:
        settings = self.sandbox.settings
        if self.site is None:
            return settings.cloud_refresh_token_lifetime
        return settings.dc_refresh_token_lifetime

    def validate_bearer_token(
        self, token: str | None, scopes: list[str] | None, request: OAuthlibRequest
    ) -> bool:
        record = self.sandbox.find_token(token or "", TokenKind.ACCESS_TOKEN)
        if record is None or record.surface is not self.surface:
            return False
        if not record.is_live(self.sandbox.now()):
            return False
        if self.site is not None and self.site.name not in record.site_names:
            return False
        request.sandbox_token = record
        request.user = record.account_id
        if scopes and not all(self._grants_scope(record, s) for s in scopes):
            request.sandbox_missing_scope = True
            return False
        return True

    def _grants_scope(self, record: TokenRecord, scope: str) -> bool:
        if self.site is None:
            return scope in record.scopes
        granted = max((_DC_SCOPE_RANK.get(s, 0) for s in record.scopes), default=0)
        return granted >= _DC_SCOPE_RANK.get(scope, len(_DC_SCOPE_RANK) + 1)

    def revoke_token(
        self,
        token: str,
        token_type_hint: str | None,
        request: OAuthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        kinds = (TokenKind.ACCESS_TOKEN, TokenKind.REFRESH_TOKEN)
        record = self.sandbox.find_token(token, *kinds)
        if record is None or record.surface is not self.surface:
            return
        if record.client_id != request.client.client_id:
            return
        # RFC 7009 section 2.1: revoking a refresh token also revokes the access
        # tokens of the same grant.
        if record.kind is TokenKind.REFRESH_TOKEN and record.grant_id is not None:
            self.sandbox.revoke_grant(record.grant_id)
        else:
            self.sandbox.revoke_token(token)


def _template_from_code(code: AuthorizationCode) -> TokenRecord:
    return TokenRecord(
        value="",
        kind=TokenKind.ACCESS_TOKEN,
        surface=code.surface,
        account_id=code.account_id,
        client_id=code.client_id,
        scopes=code.scopes,
        site_names=code.site_names,
    )


def _derive(template: TokenRecord, value: str, kind: TokenKind) -> TokenRecord:
    return TokenRecord(
        value=value,
        kind=kind,
        surface=template.surface,
        account_id=template.account_id,
        client_id=template.client_id,
        scopes=template.scopes,
        site_names=template.site_names,
    )
