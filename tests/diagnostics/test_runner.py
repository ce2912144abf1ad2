"""The check runner: concurrency, per-check timeouts, requirements, overrides."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator

import httpx
import pytest

from connauth import AuthenticationFailed
from connauth import CheckContext
from connauth import CheckResult
from connauth import CheckStatus
from connauth import ConnectivityCheck
from connauth import HttpSettings
from connauth import MethodConfig
from connauth._diagnostics import _run_graph
from connauth._diagnostics import plan_checks

from ._jira import JiraWorld
from ._jira import assert_result

Run = Callable[[CheckContext], Awaitable[CheckResult]]


def _check(
    check_id: str, run: Run, *, timeout: float = 5.0, requires: tuple[str, ...] = ()
) -> ConnectivityCheck:
    return ConnectivityCheck(
        id=check_id,
        title=check_id,
        description=check_id,
        run=run,
        step=f"step-{check_id}",
        timeout=timeout,
        requires=requires,
    )


def _returning(status: CheckStatus) -> Run:
    async def run(context: CheckContext) -> CheckResult:
        return CheckResult(id="ignored", status=status, message=status.value)

    return run


@pytest.fixture
def context() -> Iterator[CheckContext]:
    # No check in these tests sends a request; the client is never used.
    client = httpx.AsyncClient()
    yield CheckContext(
        connector_id="unit",
        method="unit",
        config=MethodConfig(site_url="https://127.0.0.1:9/"),
        http=HttpSettings(),
        record=None,
        client=None,
        anonymous=client,
    )
    asyncio.run(client.aclose())


def _run(
    checks: list[ConnectivityCheck], context: CheckContext
) -> dict[str, CheckResult]:
    results = asyncio.run(_run_graph(checks, context))
    return {check.id: result for check, result in zip(checks, results, strict=True)}


def test_checks_run_concurrently(context: CheckContext) -> None:
    # Each check waits for an event that only the other sets, so the pair
    # finishes only when both run at the same time.
    first, second = asyncio.Event(), asyncio.Event()

    def meet(mine: asyncio.Event, theirs: asyncio.Event) -> Run:
        async def run(context: CheckContext) -> CheckResult:
            mine.set()
            await theirs.wait()
            return CheckResult(id="meet", status=CheckStatus.PASS, message="met")

        return run

    async def main() -> list[CheckResult]:
        checks = [
            _check("a", meet(first, second), timeout=5),
            _check("b", meet(second, first), timeout=5),
        ]
        return await _run_graph(checks, context)

    results = asyncio.run(main())

    assert [result.status for result in results] == [CheckStatus.PASS] * 2


def test_each_check_has_own_timeout(context: CheckContext) -> None:
    async def slow(context: CheckContext) -> CheckResult:
        await asyncio.sleep(30)
        raise AssertionError("the timeout should have cancelled this check")

    results = _run(
        [
            _check("slow", slow, timeout=0.05),
            _check("quick", _returning(CheckStatus.PASS)),
        ],
        context,
    )

    assert results["slow"].status is CheckStatus.FAIL
    assert results["slow"].message == "timed out after 0.05 s"
    assert results["slow"].step == "step-slow"
    assert results["quick"].status is CheckStatus.PASS


def test_failure_skips_dependents_transitively(context: CheckContext) -> None:
    results = _run(
        [
            _check("root", _returning(CheckStatus.FAIL)),
            _check("child", _returning(CheckStatus.PASS), requires=("root",)),
            _check("grandchild", _returning(CheckStatus.PASS), requires=("child",)),
            _check("sibling", _returning(CheckStatus.PASS)),
        ],
        context,
    )

    assert results["child"].status is CheckStatus.SKIP
    assert results["child"].message == "skipped because the root check failed"
    assert results["grandchild"].status is CheckStatus.SKIP
    assert results["grandchild"].details["blocked_by"] == "root"
    assert results["sibling"].status is CheckStatus.PASS


def test_warn_and_skip_do_not_block(context: CheckContext) -> None:
    results = _run(
        [
            _check("warned", _returning(CheckStatus.WARN)),
            _check("skipped", _returning(CheckStatus.SKIP)),
            _check(
                "dependent",
                _returning(CheckStatus.PASS),
                requires=("warned", "skipped"),
            ),
        ],
        context,
    )

    assert results["dependent"].status is CheckStatus.PASS


def test_raising_checks_reported_without_text(context: CheckContext) -> None:
    async def rejected(context: CheckContext) -> CheckResult:
        raise AuthenticationFailed("Jira rejected the token; log in again", step="s")

    async def crashed(context: CheckContext) -> CheckResult:
        raise RuntimeError("secret-in-a-message")

    results = _run([_check("typed", rejected), _check("crash", crashed)], context)

    assert results["typed"].status is CheckStatus.FAIL
    assert results["typed"].message == "Jira rejected the token; log in again"
    assert results["typed"].step == "s"
    assert results["crash"].message == "the check raised RuntimeError"
    assert "secret" not in results["crash"].message


def test_later_requirement_ignored(
    context: CheckContext, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connauth._diagnostics"):
        results = _run(
            [
                _check("early", _returning(CheckStatus.PASS), requires=("late",)),
                _check("late", _returning(CheckStatus.FAIL)),
            ],
            context,
        )

    assert results["early"].status is CheckStatus.PASS
    assert "requires late, which is not an earlier check" in caplog.text


def test_method_check_replaces_core_check() -> None:
    core = [
        _check("http", _returning(CheckStatus.PASS)),
        _check("clock-skew", _returning(CheckStatus.PASS), requires=("http",)),
    ]
    strict = _check("clock-skew", _returning(CheckStatus.FAIL), requires=("http",))
    own = _check("own", _returning(CheckStatus.PASS))
    after = [_check("permissions", _returning(CheckStatus.PASS), requires=("own",))]

    planned = plan_checks(core, [strict, own], after)

    assert [check.id for check in planned] == [
        "http",
        "clock-skew",
        "own",
        "permissions",
    ]
    assert planned[1] is strict
    assert planned[2].requires == ("http",)


def test_failed_prerequisite_sends_nothing(jira: JiraWorld) -> None:
    connector = jira.connector("basic", email="not-an-email")

    results = jira.check(connector)

    assert_result(results, "email", "fail", "copy-credentials")
    assert "dns" not in results
    assert "credentials" not in results
    assert jira.sandbox.faults.login_attempts(jira.user) == 0
