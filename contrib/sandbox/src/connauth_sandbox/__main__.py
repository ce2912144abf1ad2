"""Run a sandbox with one user, one Cloud site and one Data Center site.

Usage: ``python -m connauth_sandbox [--port PORT]``. Stop it with Ctrl-C. The
credentials printed are throwaway values that only this process accepts.
"""

from __future__ import annotations

import argparse
import logging
import threading

from connauth_sandbox._server import SandboxServer
from connauth_sandbox._state import Sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m connauth_sandbox")
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: any free)"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    sandbox = Sandbox()
    user = sandbox.add_user("ada@example.com", display_name="Ada Lovelace")
    cloud = sandbox.add_cloud_site("acme")
    dc = sandbox.add_dc_site("corp")
    sandbox.add_project(cloud, "DEMO", "Demo")
    sandbox.add_project(dc, "DEMO", "Demo")
    api_token = sandbox.issue_api_token(user)
    pat = sandbox.issue_personal_access_token(user, dc)

    with SandboxServer(sandbox, port=arguments.port) as server:
        print(f"base URL          {server.base_url}")
        print(f"CA certificate    {server.ca_path}")
        print(f"3LO authorize     {server.authorize_url}")
        print(f"3LO token         {server.token_url}")
        print(f"API gateway       {server.gateway_url}")
        print(f"Cloud site        {server.cloud_site_url(cloud.name)}")
        print(f"Data Center site  {server.dc_site_url(dc.name)}")
        print(f"control           {server.control_url}/state")
        print(f"user              {user.email} / {user.username}:{user.password}")
        print(f"Cloud API token   {api_token}")
        print(f"DC PAT            {pat}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
