"""The installed methods, as the CLI reports them from entry points.

``make test`` runs the suite in two environments, with and without
connauth-oauth1a, and sets ``CONNAUTH_EXPECTED_METHODS`` to what each must
list. Removing a method is uninstalling its distribution: nothing else changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("connauth")
    return subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_methods_lists_installed_plugins() -> None:
    result = run_cli("methods", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["plugin_failures"] == []
    names = [method["name"] for method in report["methods"]]
    assert names == sorted(names)
    expected = os.environ.get("CONNAUTH_EXPECTED_METHODS")
    if expected is None:
        pytest.skip("CONNAUTH_EXPECTED_METHODS is set by 'make test'")
    assert names == expected.split(",")


def test_blocked_plugin_is_not_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNAUTH_BLOCK_PLUGINS", "oauth2")
    result = run_cli("methods", "--json")
    assert result.returncode == 0, result.stderr
    names = [method["name"] for method in json.loads(result.stdout)["methods"]]
    assert "oauth2" not in names
