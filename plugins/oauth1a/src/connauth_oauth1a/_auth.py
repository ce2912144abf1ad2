"""``httpx.Auth`` that signs every API request with RSA-SHA1."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Generator

import httpx
from pydantic import SecretStr

from connauth import TokenSession
from connauth_oauth1a._signature import is_form_content_type
from connauth_oauth1a._signer import OAuth1Signer

__all__ = ["OAuth1Auth"]


class OAuth1Auth(httpx.Auth):
    """Sign each request with a fresh nonce and timestamp.

    Works with ``httpx.Client`` and ``httpx.AsyncClient``. A form-encoded body
    is read into memory, because RFC 5849 signs its parameters. Other bodies,
    such as JSON and multipart uploads, are neither read, changed nor signed.

    Redirects: httpx follows them (when the client is told to) outside the
    auth flow, and drops ``Authorization`` when the redirect leaves the origin.
    A same-origin redirect therefore reaches Jira with the signature of the
    first URL, which Jira rejects with 401. The redirected request is then
    signed for its own URL and sent once more, provided its body can be
    replayed. A cross-origin redirect is never signed.

    Other 401 replies are returned as they are: see
    :func:`~connauth_oauth1a.raise_for_oauth_problem` to turn one into a typed
    error.

    Args:
        signer: signs for the connector's consumer key and private key.
        session: the connector's token session; its access token is read for
            each request. An expired token raises
            :class:`~connauth.ReauthorizationRequired` before anything is sent.
        token: a fixed access token, in place of ``session``.
    """

    def __init__(
        self,
        signer: OAuth1Signer,
        *,
        session: TokenSession | None = None,
        token: str | SecretStr | None = None,
    ) -> None:
        if (session is None) == (token is None):
            raise TypeError("give exactly one of session and token")
        self._signer = signer
        self._session = session
        self._token = SecretStr(token) if isinstance(token, str) else token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current_token()
        if _has_form_body(request):
            request.read()
        response = yield self._sign(request, token)

        replay = _same_origin_redirect(request, response)
        if replay is not None:
            if _has_form_body(replay):
                replay.read()
            yield self._sign(replay, token)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._current_token_async()
        if _has_form_body(request):
            await request.aread()
        response = yield self._sign(request, token)

        replay = _same_origin_redirect(request, response)
        if replay is not None:
            if _has_form_body(replay):
                await replay.aread()
            yield self._sign(replay, token)

    def _sign(self, request: httpx.Request, token: str) -> httpx.Request:
        self._signer.sign_request(request, token=token)
        return request

    def _current_token(self) -> str:
        if self._session is None:
            return self._fixed_token()
        tokens = self._session.tokens()
        if self._session.is_due(tokens):
            # OAuth 1.0a tokens carry no refresh token, so for an expired token
            # this flags the connector and raises ReauthorizationRequired.
            tokens = self._session.refresh(tokens)
        return tokens.access_token.get_secret_value()

    async def _current_token_async(self) -> str:
        if self._session is None:
            return self._fixed_token()
        tokens = self._session.tokens()
        if self._session.is_due(tokens):
            tokens = await self._session.refresh_async(tokens)
        return tokens.access_token.get_secret_value()

    def _fixed_token(self) -> str:
        if self._token is None:
            raise RuntimeError("OAuth1Auth has neither a session nor a token")
        return self._token.get_secret_value()


def _has_form_body(request: httpx.Request) -> bool:
    return is_form_content_type(request.headers.get("Content-Type"))


def _same_origin_redirect(
    original: httpx.Request, response: httpx.Response
) -> httpx.Request | None:
    """Return the redirected request to sign again, or ``None``."""
    if response.status_code != 401 or not response.history:
        return None
    redirected = response.request
    if _origin(redirected.url) != _origin(original.url):
        return None
    if not isinstance(redirected.stream, httpx.ByteStream):
        return None
    return httpx.Request(
        redirected.method,
        redirected.url,
        headers=redirected.headers,
        stream=redirected.stream,
        extensions=redirected.extensions,
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port
