"""Fixtures of the connauth-basic tests: the sandbox, its users and credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from basic_support import JiraWorld
from basic_support import LoopbackAuthority
from basic_support import create_loopback_authority
from basic_support import make_connauth

from connauth import Connauth
from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer


@pytest.fixture
def world() -> Iterator[JiraWorld]:
    sandbox = Sandbox()
    user = sandbox.add_user(
        "ada@example.test",
        display_name="Ada Lovelace",
        username="ada",
        password="analytical engine",
    )
    cloud = sandbox.add_cloud_site("acme")
    dc = sandbox.add_dc_site("corp")
    sandbox.add_project(cloud, "DEMO", "Demo")
    sandbox.add_project(dc, "OPS", "Operations")
    api_token = sandbox.issue_api_token(user)
    personal_access_token = sandbox.issue_personal_access_token(user, dc)
    with SandboxServer(sandbox) as server:
        yield JiraWorld(
            sandbox, server, user, cloud, dc, api_token, personal_access_token
        )


@pytest.fixture
def connauth(world: JiraWorld, tmp_path: Path) -> Connauth:
    return make_connauth(world.server.base_url, tmp_path / "tokens.sqlite3")


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> LoopbackAuthority:
    return create_loopback_authority(tmp_path_factory.mktemp("loopback-ca"))
