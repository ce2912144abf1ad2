"""Fixtures of the lifecycle tests: a set clock and a registry of test methods."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from connauth import Lifecycle
from connauth import PluginRegistry

from .lifecycle_support import SetClock
from .lifecycle_support import method_plugin


@pytest.fixture
def clock() -> SetClock:
    return SetClock(datetime(2030, 1, 15, 12, 0, tzinfo=UTC))


@pytest.fixture
def registry() -> PluginRegistry:
    """``legacy`` (supported by default, replaced by ``modern``) and ``modern``."""
    registry = PluginRegistry()
    legacy = method_plugin(
        "legacy", lifecycle=Lifecycle.SUPPORTED, replacement="modern"
    )
    modern = method_plugin("modern", lifecycle=Lifecycle.RECOMMENDED)
    assert registry.register(legacy, "legacy")
    assert registry.register(modern, "modern")
    return registry
