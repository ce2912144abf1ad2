"""Fixtures shared by the refresh tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._stores import BACKENDS
from ._stores import store_location


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store of each backend in turn."""
    with store_location(request.param, tmp_path) as url:
        yield url
