"""``connauth demo``: the newcomer's first command works end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_exits_zero_with_every_step() -> None:
    executable = Path(sys.executable).with_name("connauth")
    result = subprocess.run(
        [str(executable), "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            "COLUMNS": "200",
            "PATH": str(executable.parent),
            "HOME": str(Path.home()),
        },
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "FAILED" not in result.stdout
    for step in (
        "checklist",
        "broken config rejected",
        "login",
        "myself",
        "create issue",
    ):
        assert step in result.stdout
    assert "expiry forces one refresh" in result.stdout
    try:
        import connauth_oauth1a  # noqa: F401
    except ImportError:
        assert "migration" not in result.stdout
    else:
        assert "migrated connector works" in result.stdout
