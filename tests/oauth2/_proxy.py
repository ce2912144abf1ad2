"""A minimal HTTP CONNECT proxy on 127.0.0.1 that records the tunnels it opens.

It tunnels only to 127.0.0.1, so a test that routes traffic through it can
never reach another host.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_HEADER_LIMIT = 16 * 1024


class _TunnelHandler(socketserver.BaseRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        client: socket.socket = self.request
        head = _read_head(client)
        method, _, rest = head.partition(" ")
        target = rest.split(" ", 1)[0]
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or host != "127.0.0.1" or not port.isdigit():
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.record(target)
        with socket.create_connection((host, int(port)), timeout=10) as upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(client, upstream)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TunnelHandler)
        self.tunnels: list[str] = []
        self._lock = threading.Lock()

    def record(self, target: str) -> None:
        with self._lock:
            self.tunnels.append(target)


@contextmanager
def connect_proxy() -> Iterator[_ProxyServer]:
    """Run the proxy in a thread; its URL is ``http://127.0.0.1:{server_address[1]}``."""
    server = _ProxyServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _read_head(client: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < _HEADER_LIMIT:
        chunk = client.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def _pipe(left: socket.socket, right: socket.socket) -> None:
    sockets = [left, right]
    while True:
        readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (right if source is left else left).sendall(data)
