"""The CLI on a shared store named by ``[store] url`` in the host file."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from connauth import KeyRing

from .conftest import CliWorld

POSTGRES_URL = os.environ.get(
    "CONNAUTH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CONNAUTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.mark.parametrize(
    "url",
    [
        f"{POSTGRES_URL}?schema=cli_{uuid.uuid4().hex[:8]}",
        f"{REDIS_URL}?prefix=cli-{uuid.uuid4().hex[:8]}:",
    ],
    ids=["postgresql", "redis"],
)
def test_login_lands_in_shared_store(cli_world: CliWorld, url: str) -> None:
    config = cli_world.workdir / "connauth.toml"
    original = config.read_text()
    config.write_text(
        original.replace(
            '[store]\npath = "tokens.sqlite3"', f"[store]\nurl = {json.dumps(url)}"
        )
    )
    env = {**cli_world.env, "CONNAUTH_STORE_KEY": KeyRing.generate().decode()}
    saved = cli_world.env
    cli_world.env = env
    try:
        login = cli_world.run("login", "acme-basic")
        assert login.returncode == 0, login.stderr
        listed = cli_world.run("connectors", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [row["id"] for row in json.loads(listed.stdout)] == ["acme-basic"]

        without_key = {k: v for k, v in env.items() if k != "CONNAUTH_STORE_KEY"}
        cli_world.env = without_key
        refused = cli_world.run("connectors")
        assert refused.returncode != 0
        assert "CONNAUTH_STORE_KEY" in refused.stderr
    finally:
        cli_world.env = saved
        config.write_text(original)
