"""Fixtures for the sandbox tests: a sandbox, a TLS server on loopback, keys."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator

import httpx
import pytest
from sandbox_support import CALLBACK
from sandbox_support import CLOUD_SCOPES
from sandbox_support import DATA
from sandbox_support import CloudFlow
from sandbox_support import FakeClock
from sandbox_support import RsaKeyPair
from sandbox_support import World
from sandbox_support import generate_key_pair

from connauth_sandbox import Sandbox
from connauth_sandbox import SandboxServer


@pytest.fixture(scope="session")
def consumer_key_pair() -> RsaKeyPair:
    return generate_key_pair()


@pytest.fixture(scope="session")
def other_key_pair() -> RsaKeyPair:
    return generate_key_pair()


@pytest.fixture(scope="session")
def pkce_vector() -> dict[str, str]:
    vector: dict[str, str] = json.loads((DATA / "rfc7636_appendix_b.json").read_text())
    return vector


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(clock: FakeClock) -> World:
    sandbox = Sandbox(clock=clock)
    user = sandbox.add_user(
        "ada@example.com", display_name="Ada Lovelace", password="analytical-engine"
    )
    cloud = sandbox.add_cloud_site("acme")
    dc = sandbox.add_dc_site("corp")
    sandbox.add_project(cloud, "DEMO", "Demo")
    sandbox.add_project(dc, "OPS", "Operations")
    app = sandbox.register_cloud_app(
        redirect_uris=[CALLBACK], scopes=CLOUD_SCOPES, name="Demo app"
    )
    return World(sandbox, user, cloud, dc, app)


@pytest.fixture
def server(world: World) -> Iterator[SandboxServer]:
    with SandboxServer(world.sandbox) as running:
        yield running


@pytest.fixture
def client(server: SandboxServer) -> Iterator[httpx.Client]:
    """An httpx client that verifies TLS against the sandbox CA only."""
    context = ssl.create_default_context(cafile=str(server.ca_path))
    with httpx.Client(base_url=server.base_url, verify=context) as http:
        yield http


@pytest.fixture
def requests_trusts_session_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``Session.verify`` take effect in requests-based peer clients.

    requests prefers REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE over a session's
    ``verify`` when a request passes none, so the sandbox CA would be ignored.
    """
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture
def cloud_flow(client: httpx.Client, server: SandboxServer, world: World) -> CloudFlow:
    return CloudFlow(client, server, world.app)
