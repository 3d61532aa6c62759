"""A minimal SOCKS5 proxy on 127.0.0.1 (RFC 1928: no authentication, CONNECT only) that
forwards each connection to where the client asks, and notes where that was."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from types import TracebackType


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        version, methods = _read(client, 2)
        _read(client, methods)
        if version != 5:
            return
        client.sendall(b"\x05\x00")  # version 5, no authentication
        version, command, _, kind = _read(client, 4)
        if kind == 1:
            host = socket.inet_ntoa(bytes(_read(client, 4)))
        elif kind == 3:
            host = bytes(_read(client, _read(client, 1)[0])).decode("ascii")
        else:
            host = socket.inet_ntop(socket.AF_INET6, bytes(_read(client, 16)))
        (port,) = struct.unpack("!H", bytes(_read(client, 2)))
        if command != 1:  # only CONNECT
            client.sendall(b"\x05\x07\x00\x01" + bytes(6))
            return
        try:
            upstream = socket.create_connection((host, port), timeout=10)
        except OSError:
            client.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return
        self.server.owner.connections.append(f"{host}:{port}")
        client.sendall(b"\x05\x00\x00\x01" + bytes(6))
        with upstream:
            relay = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
            relay.start()
            _pump(client, upstream)
            relay.join(timeout=10)


def _read(sock: socket.socket, count: int) -> bytearray:
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the client hung up")
        data += chunk
    return data


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SocksProxy


class SocksProxy:
    """`with SocksProxy() as proxy:` ... `proxy.url` is socks5://127.0.0.1:PORT."""

    def __init__(self) -> None:
        self.connections: list[str] = []  # host:port of each connection made through it
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> SocksProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
