"""Fixtures shared by the oauth2 plugin's tests."""

from __future__ import annotations

import pytest

from connauth import HostIdentity

from ._support import REDIRECT_URL


@pytest.fixture
def host() -> HostIdentity:
    return HostIdentity(
        name="Example Host",
        redirect_url=REDIRECT_URL,
        privacy_policy_url="https://host.example.test/privacy",
        public_base_url="https://host.example.test",
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
