"""SandboxServer: uvicorn with TLS on a loopback port, in a background thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn

from connauth_sandbox._app import create_app
from connauth_sandbox._state import Sandbox
from connauth_sandbox._tls import CertificateAuthority
from connauth_sandbox._tls import ServerContexts
from connauth_sandbox._tls import write_tls_files

logger = logging.getLogger("connauth_sandbox")

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 10.0
# How long open connections may keep the server alive once stop() was called.
SHUTDOWN_GRACE = 2
_TICK = 0.01


class _LoopbackServer(uvicorn.Server):
    """uvicorn that stops quickly and leaves no transport open."""

    async def main_loop(self) -> None:
        # uvicorn checks should_exit every 100 ms. Tests start and stop a server
        # each, so check every 10 ms. on_tick() still refreshes the Date header
        # every tenth tick.
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(_TICK)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        # A client that keeps an idle TLS connection open does not reply to the
        # server's close_notify, and asyncio waits up to 30 s for that reply.
        # Abort such connections so that no transport outlives the event loop.
        for connection in list(self.server_state.connections):
            connection.transport.abort()


class SandboxServer:
    """Serve a sandbox over HTTPS on 127.0.0.1 until the context exits.

    A fresh CA and server certificate are generated on start. Clients verify TLS
    against ``ca_path``. The port is chosen by the OS unless one is given.
    """

    def __init__(self, sandbox: Sandbox, *, port: int = 0) -> None:
        self.sandbox = sandbox
        self._requested_port = port
        self._port: int | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._ca_path: Path | None = None
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Generate certificates, bind the port and wait until uvicorn serves."""
        if self._thread is not None:
            raise RuntimeError("the sandbox server is already running")
        self._tempdir = tempfile.TemporaryDirectory(prefix="connauth-sandbox-")
        authority = CertificateAuthority()
        files = write_tls_files(Path(self._tempdir.name), authority)
        self._ca_path = files.ca_path

        # Pass IPPROTO_TCP explicitly, because asyncio sets TCP_NODELAY on accepted
        # connections only when the socket's protocol is IPPROTO_TCP. Without it,
        # Nagle's algorithm and delayed ACKs add tens of ms to every response.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self._requested_port))
        self._socket = listener
        self._port = listener.getsockname()[1]

        config = uvicorn.Config(
            create_app(self.sandbox),
            host=HOST,
            port=self._port,
            ssl_certfile=str(files.certificate_path),
            ssl_keyfile=str(files.private_key_path),
            ssl_context_factory=self._context_factory(authority),
            # HostDateMiddleware sets Date from the sandbox's clock instead.
            date_header=False,
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=SHUTDOWN_GRACE,
        )
        self._server = _LoopbackServer(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [listener]},
            name=f"connauth-sandbox-{self._port}",
            daemon=True,
        )
        self._thread.start()
        self._wait_until_started()
        logger.info("sandbox serving on %s", self.base_url)

    def _context_factory(
        self, authority: CertificateAuthority
    ) -> Callable[[uvicorn.Config, Callable[[], ssl.SSLContext]], ssl.SSLContext]:
        """Return uvicorn's TLS context factory, which serves the certificate
        that ``server_certificate_expires_in`` selects at each handshake."""
        settings = self.sandbox.settings

        def factory(
            config: uvicorn.Config, default: Callable[[], ssl.SSLContext]
        ) -> ssl.SSLContext:
            context = default()
            contexts = ServerContexts(authority, context)

            def select(
                connection: ssl.SSLObject,
                server_name: str | None,
                current: ssl.SSLContext,
            ) -> None:
                wanted = contexts.context_for(settings.server_certificate_expires_in)
                if wanted is not current:
                    connection.context = wanted

            context.sni_callback = select
            return context

        return factory

    def _wait_until_started(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        server, thread = self._server, self._thread
        if server is None or thread is None:
            raise RuntimeError("the sandbox server is not running; call start()")
        while not server.started:
            if not thread.is_alive():
                self.stop()
                raise RuntimeError("the sandbox server failed to start; see the log")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the sandbox server did not start within {STARTUP_TIMEOUT} s"
                )
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop uvicorn, join its thread and delete the certificate files."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=SHUTDOWN_GRACE + STARTUP_TIMEOUT)
            if self._thread.is_alive():
                logger.error("sandbox server thread %s did not stop", self._thread.name)
        if self._socket is not None:
            self._socket.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
        if self._port is not None:
            logger.info("sandbox on port %s stopped", self._port)
        self._server = self._thread = self._socket = self._tempdir = None
        self._port = self._ca_path = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox server is not running; call start()")
        return self._port

    @property
    def ca_path(self) -> Path:
        """PEM file of the CA that signed the server certificate."""
        if self._ca_path is None:
            raise RuntimeError("the sandbox server is not running; call start()")
        return self._ca_path

    @property
    def base_url(self) -> str:
        return f"https://{HOST}:{self.port}"

    @property
    def authorize_url(self) -> str:
        """Stand-in for https://auth.atlassian.com/authorize."""
        return f"{self.base_url}/auth/authorize"

    @property
    def token_url(self) -> str:
        """Stand-in for https://auth.atlassian.com/oauth/token."""
        return f"{self.base_url}/auth/oauth/token"

    @property
    def gateway_url(self) -> str:
        """Stand-in for https://api.atlassian.com."""
        return f"{self.base_url}/gateway"

    @property
    def accessible_resources_url(self) -> str:
        return f"{self.gateway_url}/oauth/token/accessible-resources"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_sandbox"

    def cloud_site_url(self, name: str) -> str:
        """Stand-in for https://{name}.atlassian.net."""
        return f"{self.base_url}/cloud/{name}"

    def dc_site_url(self, name: str) -> str:
        return f"{self.base_url}/dc/{name}"
