"""HTTP with timeouts and retries: network errors, 408, 429 (honouring Retry-After) and 5xx,
with capped exponential backoff and jitter (tenacity); never other 4xx, never a TLS certificate
that failed verification, never a request that ran past its deadline.

Every request has an overall deadline (`Timing.deadline`), however slowly a server drips its
answer: each socket read and write may wait only for what is left of it. The sleep and clock are
injectable (`TIMING`) so that tests never wait.
"""

from __future__ import annotations

import contextvars
import email.utils
import math
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from incplan.delivery.base import DeliveryFailed, PreparedRequest, Secrets

TIMEOUT = 10.0  # seconds, every network operation
DEADLINE = 10.0  # seconds, a whole request: connect, send, headers and body
SMTP_DEADLINE = 30.0  # seconds, a whole SMTP conversation (greeting, STARTTLS, AUTH, DATA)
ATTEMPTS = 5
MIN_WAIT = 1.0  # seconds between attempts, whatever Retry-After says ...
MAX_WAIT = 30.0  # ... and at most this
RETRY_STATUS = frozenset({408, 429})


@dataclass
class Timing:
    """How delivery waits; tests replace `TIMING`'s fields so that nothing sleeps for real."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # for pacing
    wall: Callable[[], float] = time.time  # for Retry-After dates
    deadline: float = DEADLINE
    smtp_deadline: float = SMTP_DEADLINE
    slept: list[float] = field(default_factory=list)  # every wait, in order (what tests read)

    def wait(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.sleep(seconds)


TIMING = Timing()


class RetryableStatus(Exception):
    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class DeadlineExceeded(Exception):
    """The server took longer than the request's deadline (not retried: it may have acted)."""


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After value (seconds or an HTTP date), kept between
    `MIN_WAIT` and `MAX_WAIT`; None when the value means nothing (`soon`, `nan`, garbage)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if parsed is None:
            return None
        try:
            seconds = parsed.timestamp() - TIMING.wall()
        except (OverflowError, OSError, ValueError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, MIN_WAIT), MAX_WAIT)


def _wait(state: Any) -> float:
    from tenacity import wait_exponential_jitter

    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, RetryableStatus):
        hinted = retry_after(exc.response.headers.get("retry-after"))
        if hinted is not None:
            return hinted
    return min(max(float(wait_exponential_jitter(max=8.0, jitter=0.5)(state)), MIN_WAIT), MAX_WAIT)


def tls_refused(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate-verification failure behind `exc`, if that is what it is."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _retryable(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, RetryableStatus):
        return True
    return isinstance(exc, httpx.TransportError) and tls_refused(exc) is None


def send(
    client: Any,
    request: PreparedRequest,
    secrets: Secrets,
    *,
    before_retry: Any = None,
    retry_status: frozenset[int] = RETRY_STATUS,
    pace: Callable[[], None] | None = None,
) -> Any:
    """The response to `request` (2xx), retried as the module says. `before_retry(attempt)` may
    return a response instead of sending again (e.g. a create that did land); `pace()` runs
    before every request (an API's rate limit)."""
    import httpx
    from tenacity import Retrying, retry_if_exception, stop_after_attempt

    attempts = 0

    def once() -> Any:
        nonlocal attempts
        attempts += 1
        if attempts > 1 and before_retry is not None:
            found = before_retry(attempts)
            if found is not None:
                return found
        if pace is not None:
            pace()
        response = request_within_deadline(
            client, request.method, request.url, headers=request.headers, content=request.body.encode("utf-8")
        )
        if response.status_code in retry_status or response.status_code >= 500:
            raise RetryableStatus(response)
        return response

    try:
        for attempt in Retrying(
            retry=retry_if_exception(_retryable),
            wait=_wait,
            sleep=TIMING.wait,
            stop=stop_after_attempt(ATTEMPTS),
            reraise=True,
        ):
            with attempt:
                response = once()
    except RetryableStatus as exc:
        raise DeliveryFailed(
            secrets.mask(f"HTTP {exc.response.status_code} after {attempts} attempts{_said(exc.response)}")
        ) from None
    except DeadlineExceeded:
        raise DeliveryFailed(
            f"no complete answer within {TIMING.deadline:g} s; not retried (the server may have acted on it)"
        ) from None
    except httpx.TransportError as exc:
        refused = tls_refused(exc)
        if refused is not None:
            reason = refused.verify_message or refused.reason or "verification failed"
            raise DeliveryFailed(secrets.mask(f"TLS certificate not trusted ({reason}); not retried")) from None
        raise DeliveryFailed(
            secrets.mask(f"network error after {attempts} attempts: {type(exc).__name__}: {exc}")
        ) from None
    except httpx.InvalidURL:
        raise DeliveryFailed("the URL is not valid; it must look like https://host/path") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(secrets.mask(f"HTTP {response.status_code}{_said(response)}"))
    return response


def _said(response: Any) -> str:
    text = (response.text or "").strip().replace("\n", " ")
    return f": {text[:200]}" if text else ""


# ---------------------------------------------------------------- deadline

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("incplan_deadline", default=None)


def request_within_deadline(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    """`client.request(...)`, body read included, within `TIMING.deadline` seconds."""
    import httpx

    ends = time.monotonic() + TIMING.deadline
    token = _DEADLINE.set(ends)
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        if time.monotonic() >= ends - 0.001:
            raise DeadlineExceeded from None
        raise
    finally:
        _DEADLINE.reset(token)


def _limit(timeout: float | None) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's deadline."""
    ends = _DEADLINE.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded
    return left if timeout is None else min(timeout, left)


def _deadline_backend() -> Any:
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, stream: Any) -> None:
            self._stream = stream

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            data: bytes = self._stream.read(max_bytes, _limit(timeout))
            return data

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._stream.write(buffer, _limit(timeout))

        def close(self) -> None:
            self._stream.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
            return Stream(self._stream.start_tls(ssl_context, server_hostname, _limit(timeout)))

        def get_extra_info(self, info: str) -> Any:
            return self._stream.get_extra_info(info)

    class Backend(httpcore.SyncBackend):
        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> Any:
            return Stream(super().connect_tcp(host, port, _limit(timeout), local_address, socket_options))

    return Backend()


def client() -> Any:
    import httpx

    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        # httpx has no total timeout: every socket operation waits only for what is left of the deadline
        pool._network_backend = _deadline_backend()
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": _agent()}, transport=transport)


def _agent() -> str:
    from incplan import __version__

    return f"incplan/{__version__}"
