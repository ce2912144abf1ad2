"""Sans-I/O exchanges: protocol steps written once, run by sync or async clients.

A method plugin writes each multi-request protocol step (a code exchange, a
refresh, an OAuth 1.0a request-token call) as a generator that yields
``httpx.Request`` objects and receives the matching ``httpx.Response``. The
core runs the generator with whichever client the caller uses, with the
connector's proxy, CA bundle and timeout. This is the pattern of
``httpx.Auth.auth_flow``, applied to whole protocol steps.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeAlias
from typing import TypeVar

import httpx

from connauth._errors import TransientAuthError

__all__ = ["Exchange", "run_exchange", "run_exchange_async"]

T = TypeVar("T")

Exchange: TypeAlias = Generator[httpx.Request, httpx.Response, T]


def run_exchange(client: httpx.Client, exchange: Exchange[T]) -> T:
    """Run ``exchange`` to completion with a synchronous client.

    Raises :class:`TransientAuthError` for timeouts and connection failures,
    naming the URL (which never carries a secret in connauth's protocols).
    """
    try:
        request = next(exchange)
        while True:
            response = _send(client, request)
            request = exchange.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


async def run_exchange_async(client: httpx.AsyncClient, exchange: Exchange[T]) -> T:
    """Run ``exchange`` to completion with an asynchronous client."""
    try:
        request = next(exchange)
        while True:
            try:
                response = await client.send(request)
                await response.aread()
            except httpx.TransportError as error:
                raise _transient(request, error) from error
            request = exchange.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


def _send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    try:
        response = client.send(request)
        response.read()
    except httpx.TransportError as error:
        raise _transient(request, error) from error
    return response


def _transient(
    request: httpx.Request, error: httpx.TransportError
) -> TransientAuthError:
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    url = request.url.copy_with(query=None)
    # Connecting failed: the server never saw the request. Anything later
    # (a read timeout, a dropped connection) may come after the server acted.
    not_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
    return TransientAuthError(
        f"{request.method} {url} {kind} ({type(error).__name__}); retry later",
        maybe_processed=not not_sent,
    )
