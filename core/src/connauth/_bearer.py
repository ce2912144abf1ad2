"""``httpx.Auth`` for Bearer tokens that refreshes through a token session."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from collections.abc import Generator
from collections.abc import Iterable

import httpx

from connauth._session import TokenSession
from connauth._tokens import TokenSet

__all__ = ["BearerAuth", "OriginBoundAuth"]

logger = logging.getLogger(__name__)


class BearerAuth(httpx.Auth):
    """Send ``Authorization: Bearer``, refreshing ahead of expiry and once on rejection.

    - Ahead of expiry: a token that expires within the session's margin is
      refreshed before the request is sent.
    - On rejection: after a 401, or after a 403 or 404 while the stored expiry
      shows the token is stale (Atlassian's gateway answers some expired tokens
      that way), the token is refreshed once and the request replayed once, but
      only when its body is in memory; a streamed upload is never replayed. A
      second rejection is returned to the caller as it is.

    httpx keeps ``Authorization`` on same-origin redirects and drops it on
    cross-origin ones, so the token never follows a redirect to another host.
    """

    def __init__(self, session: TokenSession) -> None:
        self._session = session

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        tokens = self._session.tokens()
        if self._session.is_due(tokens):
            tokens = self._session.refresh(tokens)
        response = yield _authorize(request, tokens)
        if self._should_replay(request, response, tokens):
            tokens = self._session.refresh(tokens)
            yield _authorize(request, tokens)

    def _should_replay(
        self, request: httpx.Request, response: httpx.Response, tokens: TokenSet
    ) -> bool:
        rejected = response.status_code == 401 or (
            response.status_code in (403, 404) and self._session.is_stale(tokens)
        )
        replayable = isinstance(request.stream, httpx.ByteStream)
        return rejected and replayable and tokens.can_refresh

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tokens = self._session.tokens()
        if self._session.is_due(tokens):
            tokens = await self._session.refresh_async(tokens)
        response = yield _authorize(request, tokens)
        if self._should_replay(request, response, tokens):
            tokens = await self._session.refresh_async(tokens)
            yield _authorize(request, tokens)


def _authorize(request: httpx.Request, tokens: TokenSet) -> httpx.Request:
    request.headers["Authorization"] = (
        f"Bearer {tokens.access_token.get_secret_value()}"
    )
    return request


class OriginBoundAuth(httpx.Auth):
    """Apply ``inner`` only to requests for one of ``origins``.

    A client built for one connector may still be handed an absolute URL, for
    example a link taken from a Jira response. A request to another scheme,
    host or port is then sent without credentials, as httpx does for a
    cross-origin redirect.
    """

    def __init__(self, inner: httpx.Auth, origins: Iterable[str]) -> None:
        self._inner = inner
        self._origins = frozenset(_origin(httpx.URL(url)) for url in origins)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) not in self._origins:
            logger.info(
                "sent without credentials: %s is another origin", request.url.host
            )
            yield request
            return
        yield from self._inner.sync_auth_flow(request)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if _origin(request.url) not in self._origins:
            logger.info(
                "sent without credentials: %s is another origin", request.url.host
            )
            yield request
            return
        flow = self._inner.async_auth_flow(request)
        outgoing = await flow.__anext__()
        while True:
            response = yield outgoing
            try:
                outgoing = await flow.asend(response)
            except StopAsyncIteration:
                return


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"https": 443, "http": 80}.get(url.scheme)
    return url.scheme, url.host, url.port or default
