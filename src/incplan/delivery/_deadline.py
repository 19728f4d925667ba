"""httpcore's network backend, with every socket operation cut to what is left of the request's
deadline (`http.limit`): a server dripping its answer a byte at a time cannot hold a delivery.
Imported only when the first HTTP client is made."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import httpcore

from incplan.delivery.http import limit

if TYPE_CHECKING:
    import ssl

    from httpcore._backends.base import SOCKET_OPTION


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
