"""The authorization-code flow's state handling, end to end against the sandbox."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from connauth import AuthorizationDenied
from connauth import StateMismatch
from connauth_sandbox import ConsentPolicy

from ._sandbox import cloud_world
from ._sandbox import dc_world


def with_state(location: str, state: str) -> str:
    return str(httpx.URL(location).copy_merge_params({"state": state}))


def test_two_flows_completed_in_reverse_order(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        app, connector = world.connauth, world.connector
        first = world.authorize(app.begin_login(connector).url)
        second = world.authorize(app.begin_login(connector).url)

        app.complete_login(connector, second)
        record = app.complete_login(connector, first)

        assert world.code_calls() == 2
        assert record.version == 2
        assert record.data["site_name"] == "acme"


def test_reused_state_sends_no_token_request(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        app, connector = world.connauth, world.connector
        location = world.authorize(app.begin_login(connector).url)
        app.complete_login(connector, location)
        with pytest.raises(StateMismatch):
            app.complete_login(connector, location)
        assert world.code_calls() == 1


def test_forged_state_sends_no_token_request(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        app, connector = world.connauth, world.connector
        location = world.authorize(app.begin_login(connector).url)
        with pytest.raises(StateMismatch):
            app.complete_login(connector, with_state(location, "forged"))
        assert world.code_calls() == 0
        # The real callback still works: a forged one does not consume it.
        app.complete_login(connector, location)
        assert world.code_calls() == 1


def test_dc_forged_state_sends_no_token_request(tmp_path: Path) -> None:
    with dc_world(tmp_path) as world:
        app, connector = world.connauth, world.connector
        location = world.authorize(app.begin_login(connector).url)
        with pytest.raises(StateMismatch):
            app.complete_login(connector, with_state(location, "forged"))
        assert world.code_calls() == 0


def test_declined_consent(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        world.sandbox.settings.consent_policy = ConsentPolicy.DENY
        app, connector = world.connauth, world.connector
        location = world.authorize(app.begin_login(connector).url)
        with pytest.raises(AuthorizationDenied):
            app.complete_login(connector, location)
        assert world.code_calls() == 0
