"""The HTTP client of delivery, with a deadline per request that httpx lacks: its network
backend cuts every socket read and write to what is left of the request's deadline, so a server
dripping its answer a byte at a time cannot hold a delivery. Imported only by HTTP delivery."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpcore
import httpx

if TYPE_CHECKING:
    import ssl

    from httpcore._backends.base import SOCKET_OPTION

TIMEOUT = 10.0  # seconds, every socket operation (the deadline may cut it shorter)


class DeadlineExceeded(Exception):
    """The server took longer than the request's deadline (not retried: it may have acted)."""


_ENDS: contextvars.ContextVar[float | None] = contextvars.ContextVar("incplan_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Every socket operation inside waits at most until `seconds` from now (real time: sockets
    wait for real, whatever clock tests inject); yields when that is."""
    ends = time.monotonic() + seconds
    token = _ENDS.set(ends)
    try:
        yield ends
    finally:
        _ENDS.reset(token)


def limit(timeout: float | None) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's deadline."""
    ends = _ENDS.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, limit(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, limit(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, limit(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return DeadlineStream(super().connect_tcp(host, port, limit(timeout), local_address, socket_options))


def client() -> httpx.Client:
    transport = httpx.HTTPTransport()
    pool: object = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = DeadlineBackend()
    # Answers are read up to a cap (http.MAX_ANSWER); uncompressed, the cap is what they take.
    headers = {"User-Agent": _agent(), "Accept-Encoding": "identity"}
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers=headers, transport=transport)


def _agent() -> str:
    from incplan import __version__

    return f"incplan/{__version__}"
