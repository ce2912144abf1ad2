"""The ASGI application that serves every emulated host on one origin."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from connauth_sandbox._cloud_oauth2 import CloudOAuth2Endpoints
from connauth_sandbox._consent import ConsentDesk
from connauth_sandbox._control import ControlEndpoints
from connauth_sandbox._dc_oauth2 import DcOAuth2Endpoints
from connauth_sandbox._fault_control import FaultControlEndpoints
from connauth_sandbox._http import HostDateMiddleware
from connauth_sandbox._oauth1 import OAuth1Endpoints
from connauth_sandbox._rest import RestEndpoints
from connauth_sandbox._state import Sandbox


def create_app(sandbox: Sandbox) -> Starlette:
    """Build the Starlette app for sandbox.

    The app serves HTTP and HTTPS alike. Serve it with SandboxServer for TLS on a
    loopback port, or call it in-process through ``httpx.ASGITransport``.
    """
    desk = ConsentDesk(sandbox)
    routes = [
        *CloudOAuth2Endpoints(sandbox, desk).routes(),
        *DcOAuth2Endpoints(sandbox, desk).routes(),
        *OAuth1Endpoints(sandbox, desk).routes(),
        *RestEndpoints(sandbox).routes(),
        *ControlEndpoints(sandbox).routes(),
        *FaultControlEndpoints(sandbox).routes(),
    ]
    middleware = [Middleware(HostDateMiddleware, sandbox=sandbox)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.sandbox = sandbox
    return app
