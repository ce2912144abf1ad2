"""Files that let the ``connauth`` CLI talk to a running sandbox.

The connector files hold no secrets: each secret is an ``{ env = ... }``
reference, and the values go into ``secrets.env`` (mode 0600) for the user to
``source``.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from connauth_sandbox._world import World

__all__ = ["write_workdir"]

_CONNECTORS = {
    "acme-oauth2": "oauth2",
    "corp-oauth2": "oauth2-datacenter",
    "corp-oauth1a": "oauth1a",
    "acme-basic": "basic",
    "corp-pat": "pat",
}
_SECRET_FIELDS = ("client_secret", "private_key", "api_token", "token")


def write_workdir(workdir: Path, world: World) -> dict[str, Path]:
    """Write the host config, connector files and secrets; return their paths."""
    workdir.mkdir(parents=True, exist_ok=True)
    connectors = workdir / "connectors"
    connectors.mkdir(exist_ok=True)
    host = world.host
    config = workdir / "connauth.toml"
    config.write_text(
        "[host]\n"
        f"name = {_toml(host.name)}\n"
        f"redirect_url = {_toml(host.redirect_url)}\n"
        f"privacy_policy_url = {_toml(host.privacy_policy_url)}\n"
        f"public_base_url = {_toml(host.public_base_url)}\n\n"
        "[store]\n"
        'path = "tokens.sqlite3"\n',
        encoding="utf-8",
    )

    secrets: dict[str, str] = {}
    for connector_id, scenario in _CONNECTORS.items():
        auth = world.auth(scenario)
        method = "oauth2" if scenario.startswith("oauth2") else scenario
        lines = [
            f"id = {_toml(connector_id)}",
            f"method = {_toml(method)}",
            "",
            "[auth]",
        ]
        for name, value in auth.items():
            if name in _SECRET_FIELDS:
                variable = f"{connector_id}_{name}".upper().replace("-", "_")
                secrets[variable] = str(value)
                lines.append(f"{name} = {{ env = {_toml(variable)} }}")
            else:
                lines.append(f"{name} = {_toml(value)}")
        lines += ["", "[http]", f"verify = {_toml(str(world.server.ca_path))}", ""]
        (connectors / f"{connector_id}.toml").write_text(
            "\n".join(lines), encoding="utf-8"
        )

    secrets_file = workdir / "secrets.env"
    descriptor = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        for variable, value in secrets.items():
            handle.write(f"export {variable}={shlex.quote(value)}\n")
    return {"host config": config, "connectors": connectors, "secrets": secrets_file}


def _toml(value: object) -> str:
    # JSON strings, numbers and booleans are valid TOML basic values.
    return json.dumps(value)
