"""Small loopback servers for responses that the sandbox does not send."""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from connauth_sandbox._tls import write_tls_files


def closed_port() -> int:
    """Return a loopback port that nothing listens on (connecting is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"Service Unavailable"
        self.send_response(503)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@contextmanager
def failing_tls_server(folder: Path) -> Iterator[tuple[str, Path]]:
    """Serve 503 to every GET over TLS on loopback; yield the base URL and CA."""
    files = write_tls_files(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.certificate_path, files.private_key_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", files.ca_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
