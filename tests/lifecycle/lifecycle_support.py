"""A clock the tests set, and a method plugin whose login sends nothing.

The plugin is a complete method plugin, loaded through the real registry: its
login needs no browser and no server, so the lifecycle tests exercise the
core's enforcement without a network.
"""

from __future__ import annotations

import types
from collections.abc import Generator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import httpx
from pydantic import SecretStr

from connauth import HOOK_API_VERSION
from connauth import AuthorizationPrompt
from connauth import CheckResult
from connauth import Deployment
from connauth import Exchange
from connauth import HostIdentity
from connauth import Lifecycle
from connauth import LoginResult
from connauth import MethodConfig
from connauth import MethodInfo
from connauth import hookimpl

HOST = HostIdentity(
    name="Lifecycle Tests",
    redirect_url="https://host.example.test/callback",
    privacy_policy_url="https://host.example.test/privacy",
    public_base_url="https://host.example.test",
)
SITE = "https://jira.example.test"


@dataclass
class SetClock:
    """Returns ``now`` until a test moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set_day(self, day: date) -> None:
        self.now = datetime.combine(day, time(12, 0), tzinfo=UTC)

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class TokenConfig(MethodConfig):
    token: SecretStr


class _HeaderAuth(httpx.Auth):
    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer test-token"
        yield request


class _ImmediateFlow:
    def begin(self, *, state: str, callback_url: str) -> Exchange[AuthorizationPrompt]:
        yield from ()
        return AuthorizationPrompt(url=None)

    def complete(
        self, *, pending: Mapping[str, SecretStr], callback: Mapping[str, str]
    ) -> Exchange[LoginResult]:
        yield from ()
        return LoginResult(tokens=None, api_base_url=SITE)


def method_plugin(
    name: str, *, lifecycle: Lifecycle, replacement: str | None = None
) -> types.ModuleType:
    """Return a plugin module providing method ``name``."""
    module = types.ModuleType(f"lifecycle_plugin_{name}")
    module.CONNAUTH_HOOK_API = HOOK_API_VERSION  # type: ignore[attr-defined]
    info = MethodInfo(
        name=name,
        title=f"{name.title()} token",
        summary="A test method.",
        config_model=TokenConfig,
        deployments=frozenset({Deployment.DATA_CENTER}),
        lifecycle=lifecycle,
        replacement=replacement,
        interactive=False,
    )

    def describe() -> Sequence[MethodInfo]:
        return [info]

    def validate(
        method: str, config: MethodConfig, host: HostIdentity
    ) -> Sequence[CheckResult] | None:
        return [] if method == name else None

    def authenticate(
        method: str, config: MethodConfig, host: HostIdentity
    ) -> _ImmediateFlow | None:
        return _ImmediateFlow() if method == name else None

    def http_auth(
        method: str, config: MethodConfig, session: object
    ) -> httpx.Auth | None:
        return _HeaderAuth() if method == name else None

    module.connauth_describe_methods = hookimpl(describe)  # type: ignore[attr-defined]
    module.connauth_validate_prerequisites = hookimpl(validate)  # type: ignore[attr-defined]
    module.connauth_authenticate = hookimpl(authenticate)  # type: ignore[attr-defined]
    module.connauth_http_auth = hookimpl(http_auth)  # type: ignore[attr-defined]
    return module
