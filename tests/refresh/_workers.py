"""Work done in spawned processes: API calls, and workers that die mid-refresh.

Each function here runs in a fresh interpreter (the ``spawn`` start method),
builds its own host from a :class:`~._world.WorkerSpec`, and reports through a
queue. A worker that dies on purpose ends with :data:`KILLED_EXIT` (it called
``os._exit``) or with SIGKILL (the test killed it), never through Python's
normal shutdown, so nothing it held is released politely.
"""

from __future__ import annotations

import enum
import multiprocessing.synchronize
import os
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.queues import Queue
from typing import Any

import httpx

from connauth import HOOK_API_VERSION
from connauth import CredentialRecord
from connauth import TokenStore
from connauth import hookimpl

from ._world import MYSELF
from ._world import WorkerSpec

KILLED_EXIT = 17
"""Exit status of a worker that ended itself with ``os._exit`` at its step."""

DEAD_WORKER_LEASE_TTL = 0.5
"""Lease lifetime, in seconds, of the workers that die on purpose. The real
default is 30 s; the next worker would wait that long for the dead one's lease
to lapse, which proves nothing more."""


class Step(enum.StrEnum):
    """Where in a refresh a worker dies."""

    LEASE_TAKEN = "lease-taken"
    """The lease is held and the store re-read; no refresh request sent."""
    SERVER_ROTATED = "server-rotated"
    """The server rotated the refresh token; its response has not arrived."""
    BEFORE_WRITE = "before-write"
    """The response with the new tokens was read; nothing stored yet."""
    AFTER_WRITE = "after-write"
    """The new tokens are stored; the lease is still held."""
    RANDOM = "random"
    """SIGKILL at a random moment after the refresh request reached the server."""


def call_myself(
    spec: WorkerSpec,
    start: multiprocessing.synchronize.Barrier | None,
    results: Queue[tuple[int, str]],
) -> None:
    """Build a host, wait at ``start`` for the other workers, call ``myself``
    once, and report the status and the ``Authorization`` header sent."""
    app, connector = spec.build()
    sent: list[str] = []

    def record(request: httpx.Request) -> None:
        sent.append(request.headers.get("Authorization", ""))

    if start is not None:
        start.wait(timeout=60)
    with app.client(connector, event_hooks={"request": [record]}) as client:
        status = client.get(MYSELF).status_code
    app.store.close()
    results.put((status, sent[-1] if sent else ""))


def refresh_and_die(spec: WorkerSpec, step: Step) -> None:
    """Call ``myself`` with an expired token and die at ``step``.

    For :attr:`Step.SERVER_ROTATED` and :attr:`Step.RANDOM` the test sends
    SIGKILL; this worker only shortens its lease.
    """
    store = CrashingStore(spec.open_store(), step)
    plugins: dict[str, object] = {}
    if step is Step.AFTER_WRITE:
        plugins["exit-after-refresh"] = ExitAfterRefresh()
    app, connector = spec.build(store=store, plugins=plugins)
    with app.client(connector) as client:
        client.get(MYSELF)


class CrashingStore:
    """A store that delegates to another one and ends the process at one step.

    - :attr:`Step.LEASE_TAKEN`: the first ``get`` inside the lease (the
      session's re-read before it decides to send) returns, then the process
      exits;
    - :attr:`Step.BEFORE_WRITE`: ``put`` exits instead of writing.

    Its leases last :data:`DEAD_WORKER_LEASE_TTL` seconds.
    """

    def __init__(self, inner: TokenStore, step: Step) -> None:
        self._inner = inner
        self._step = step
        self._leased = False

    def get(self, connector_id: str) -> CredentialRecord | None:
        record = self._inner.get(connector_id)
        if self._step is Step.LEASE_TAKEN and self._leased:
            os._exit(KILLED_EXIT)
        return record

    def put(
        self, record: CredentialRecord, *, expected_version: int
    ) -> CredentialRecord:
        if self._step is Step.BEFORE_WRITE:
            os._exit(KILLED_EXIT)
        return self._inner.put(record, expected_version=expected_version)

    @contextmanager
    def lease(
        self, connector_id: str, *, ttl: float = 30.0, wait: float = 60.0
    ) -> Iterator[None]:
        with self._inner.lease(connector_id, ttl=DEAD_WORKER_LEASE_TTL, wait=wait):
            self._leased = True
            try:
                yield
            finally:
                self._leased = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ExitAfterRefresh:
    """A plugin whose ``connauth_tokens_refreshed`` ends the process.

    The session calls the hook after the new tokens are stored and before it
    releases the lease and returns them to the request.
    """

    CONNAUTH_HOOK_API = HOOK_API_VERSION

    @hookimpl
    def connauth_tokens_refreshed(self, connector_id: str, method: str) -> None:
        os._exit(KILLED_EXIT)
