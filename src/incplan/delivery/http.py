"""HTTP for the adapters: one request sent under the retry policy (`retry.py`), within a
deadline however slowly a server drips its answer (`_client.py`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from incplan.delivery import retry
from incplan.delivery.base import DeliveryFailed, PreparedRequest, Secrets, Transport

if TYPE_CHECKING:  # httpx is imported on the first request: a dry run never loads it
    import httpx

INVALID_URL = "the URL is not valid; it must look like https://host/path"
MAX_ANSWER = 1024 * 1024  # bytes of an answer read, after decompression; a longer one fails the delivery
TOO_LONG = (
    f"the server's answer is over {MAX_ANSWER // 1024 // 1024} MiB; not read further, "
    "and not retried (the server may have acted on the request)"
)


def send(
    transport: Transport,
    request: PreparedRequest,
    secrets: Secrets,
    *,
    before_retry: Callable[[int], httpx.Response | None] | None = None,
    also_retry: frozenset[int] = frozenset(),
    pace: Callable[[], None] | None = None,
) -> httpx.Response:
    """The 2xx response to `request`, retried as the policy says (`also_retry`: statuses a
    vendor adds). `before_retry(attempt)` may return a response instead of sending again (a
    create that did land); `pace()` runs before every request (an API's rate limit)."""

    policy = transport.policy

    def once(attempt: int) -> httpx.Response:
        if attempt > 1 and before_retry is not None:
            found = before_retry(attempt)
            if found is not None:
                return found
        if pace is not None:
            pace()
        response = exchange(transport, request.method, request.url, request.headers, request.body.encode("utf-8"))
        if policy.retries_status(response.status_code, also_retry):
            raise retry_for(response, transport)
        return response

    try:
        response = retry.attempt(once, policy=policy, timing=transport.timing)
    except retry.GaveUp as exc:
        raise DeliveryFailed(secrets.mask(str(exc))) from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(secrets.mask(f"HTTP {response.status_code}{said(response)}"))
    return response


def exchange(
    transport: Transport, method: str, url: str, headers: dict[str, str], content: bytes = b""
) -> httpx.Response:
    """One request and its whole answer within the policy's deadline. A network error becomes a
    `retry.Retry`; anything that must not be retried becomes a `DeliveryFailed` at once."""
    import httpx

    from incplan.delivery._client import DeadlineExceeded, deadline

    seconds = retry.time_left(transport.policy.http_deadline)
    try:
        with deadline(seconds) as ends:
            try:
                with transport.http().stream(method, url, headers=headers, content=content) as streamed:
                    return _read(streamed)
            except httpx.TimeoutException:
                if time.monotonic() >= ends - 0.001:
                    raise DeadlineExceeded from None
                raise
    except DeadlineExceeded:
        raise DeliveryFailed(
            f"no complete answer within {seconds:g} s; not retried (the server may have acted on it)"
        ) from None
    except httpx.InvalidURL:
        raise DeliveryFailed(INVALID_URL) from None
    except httpx.TransportError as exc:
        refused = retry.tls_refused(exc)
        if refused is not None:
            reason = refused.verify_message or refused.reason or "verification failed"
            raise DeliveryFailed(f"TLS certificate not trusted ({reason}); not retried") from None
        if not retry.http_transient(exc):
            raise DeliveryFailed(f"{INVALID_URL} ({type(exc).__name__}: {exc})") from None
        raise retry.Retry("network error", f": {type(exc).__name__}: {exc}") from None


def _read(streamed: httpx.Response) -> httpx.Response:
    """The answer with its body read, at most `MAX_ANSWER` bytes of it (a server answering with
    gigabytes, or a small gzip bomb, stops there). We ask for no compression; gzip and deflate
    are decoded all the same, within the cap, and any other encoding is refused."""
    import zlib

    import httpx

    encoding = streamed.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "deflate"):
        raise DeliveryFailed(f"the server answered in an encoding incplan did not ask for (`{encoding[:40]}`)")
    # gzip, or zlib-wrapped deflate (the header tells them apart); raw deflate is refused as damaged
    inflate = zlib.decompressobj(wbits=47) if encoding in ("gzip", "deflate") else None
    body = bytearray()
    for chunk in streamed.iter_raw():
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, MAX_ANSWER + 1 - len(body))
            except zlib.error:
                raise DeliveryFailed(f"the server's {encoding} answer is damaged") from None
        body += chunk
        if len(body) > MAX_ANSWER:
            raise DeliveryFailed(TOO_LONG)
    headers = [
        (k, v) for k, v in streamed.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
    ]
    return httpx.Response(streamed.status_code, headers=headers, content=bytes(body), request=streamed.request)


def retry_for(response: httpx.Response, transport: Transport) -> retry.Retry:
    """A retryable answer, with the wait its Retry-After asks for."""
    after = retry.retry_after(response.headers.get("retry-after"), policy=transport.policy, timing=transport.timing)
    return retry.Retry(f"HTTP {response.status_code}", said(response), after=after)


def json_object(response: httpx.Response) -> dict[str, object] | None:
    """The answer, if it is a JSON object (a vendor's answer is checked, never trusted)."""
    try:
        answer: object = response.json()
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def said(response: httpx.Response) -> str:
    text = (response.text or "").strip().replace("\n", " ")
    return f": {text[:200]}" if text else ""
