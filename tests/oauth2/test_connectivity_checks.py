"""Connectivity checks, run by Connauth.check against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from connauth import CheckResult
from connauth import CheckStatus
from connauth_sandbox import TokenKind

from ._sandbox import World
from ._sandbox import cloud_world
from ._sandbox import dc_world

pytestmark = pytest.mark.anyio

OWN_CHECKS = ("oauth2-accessible-resources", "oauth2-granted-scopes", "myself")


async def run_checks(world: World) -> dict[str, CheckResult]:
    results = await world.connauth.check(world.connector)
    return {result.id: result for result in results}


async def test_checks_skip_before_login(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        results = await run_checks(world)
        for check_id in OWN_CHECKS:
            assert results[check_id].status is CheckStatus.SKIP
        assert results["server-info"].status is CheckStatus.PASS


async def test_cloud_checks_pass_after_login(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        world.login()
        results = await run_checks(world)
        for check_id in OWN_CHECKS:
            assert results[check_id].status is CheckStatus.PASS, results[check_id]
        cloud_id = world.sandbox.cloud_sites["acme"].cloud_id
        assert results["oauth2-accessible-resources"].details["cloud_id"] == cloud_id
        user = next(iter(world.sandbox.users.values()))
        assert results["myself"].details["account"] == user.account_id


async def test_dc_checks_after_login(tmp_path: Path) -> None:
    with dc_world(tmp_path) as world:
        world.login()
        results = await run_checks(world)
        assert results["oauth2-accessible-resources"].status is CheckStatus.SKIP
        assert results["oauth2-granted-scopes"].status is CheckStatus.PASS
        assert results["myself"].status is CheckStatus.PASS
        assert results["myself"].details["account"] == "ada"


async def test_check_refresh_persisted_once(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        record = world.login()
        assert record.tokens is not None
        world.sandbox.expire_access_token(record.tokens.access_token.get_secret_value())
        issued = len(world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN))

        results = await run_checks(world)

        assert results["myself"].status is CheckStatus.PASS
        assert results["oauth2-accessible-resources"].status is CheckStatus.PASS
        # One real refresh rotated the token; the client check's probe uses a
        # made-up refresh token, which the sandbox rejects without issuing one.
        assert len(world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)) == issued + 1
        stored = world.stored().tokens
        assert stored is not None
        assert stored.refresh_token is not None
        latest = world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)[-1].value
        assert stored.refresh_token.get_secret_value() == latest


async def test_missing_scope_found(tmp_path: Path) -> None:
    # myself needs read:jira-user, which this connector does not request.
    auth = {"scopes": ["read:jira-work", "write:jira-work", "offline_access"]}
    with cloud_world(tmp_path, auth=auth) as world:
        world.login()
        results = await run_checks(world)
        myself = results["myself"]
        assert myself.status is CheckStatus.FAIL
        assert myself.step == "cloud-permissions"
        assert "scope" in myself.message
        assert results["oauth2-granted-scopes"].status is CheckStatus.PASS


async def test_site_outside_grant_found(tmp_path: Path) -> None:
    with cloud_world(tmp_path) as world:
        world.login()
        # A site created after consent is not part of the grant.
        world.sandbox.add_cloud_site("beta")
        fields = {
            **world.connector.config.model_dump(exclude_none=True),
            "client_secret": "SECRET",
            "site_url": world.server.cloud_site_url("beta"),
        }
        world.connector = world.connauth.connector(
            world.connector.id, "oauth2", fields, http=world.connector.http
        )
        results = await run_checks(world)
        found = results["oauth2-accessible-resources"]
        assert found.status is CheckStatus.FAIL
        assert found.step == "cloud-site"
        assert "acme" in found.message


@pytest.mark.parametrize("make_world", [cloud_world, dc_world], ids=["cloud", "dc"])
async def test_client_check_finds_wrong_secret(
    tmp_path: Path, make_world: object
) -> None:
    with make_world(tmp_path) as world:  # type: ignore[operator]
        world.login()
        issued = len(world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN))
        good = await run_checks(world)
        assert good["oauth2-client-credentials"].status is CheckStatus.PASS

        fields = {
            **world.connector.config.model_dump(exclude_none=True),
            "client_secret": "canary-rotated-away",
        }
        world.connector = world.connauth.connector(
            world.connector.id, "oauth2", fields, http=world.connector.http
        )
        bad = (await run_checks(world))["oauth2-client-credentials"]
        assert bad.status is CheckStatus.FAIL
        assert bad.step is not None
        assert bad.step.endswith("copy-credentials") or "credentials" in bad.step
        assert "canary-rotated-away" not in bad.message
        assert len(world.sandbox.issued_tokens(TokenKind.REFRESH_TOKEN)) == issued
