"""Fixtures of the diagnostics tests: an RSA key pair and a sandboxed Jira world."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._jira import JiraWorld
from ._jira import RsaPair
from ._jira import generate_rsa_pair
from ._jira import jira_world


@pytest.fixture(scope="session")
def key_pair() -> RsaPair:
    return generate_rsa_pair()


@pytest.fixture
def jira(tmp_path: Path, key_pair: RsaPair) -> Iterator[JiraWorld]:
    with jira_world(tmp_path, key_pair) as world:
        yield world
