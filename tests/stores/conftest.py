"""Fixtures: one isolated location per backend and test, and a store opened
there with a fresh key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connauth import KeyRing
from connauth import TokenStore

from ._support import BACKENDS
from ._support import Backend
from ._support import make_backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn, in a location of its own that is removed after."""
    chosen = make_backend(request.param, tmp_path)
    yield chosen
    chosen.cleanup()


@pytest.fixture
def key() -> bytes:
    """A fresh store key."""
    return KeyRing.generate()


@pytest.fixture
def store(backend: Backend, key: bytes) -> Iterator[TokenStore]:
    """The backend's store, opened by URL with ``key``."""
    opened = backend.open(KeyRing([key]))
    yield opened
    opened.close()
