"""HTTP with timeouts and retries: network errors, 408, 429 (honouring Retry-After) and 5xx,
with capped exponential backoff and jitter (tenacity); never other 4xx."""

from __future__ import annotations

import email.utils
import time
from typing import Any

from incplan.delivery.base import DeliveryFailed, PreparedRequest, Secrets

TIMEOUT = 10.0  # seconds, every call
ATTEMPTS = 5
MAX_WAIT = 30.0  # seconds between attempts, whatever Retry-After says
RETRY_STATUS = frozenset({408, 429})


class RetryableStatus(Exception):
    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def retry_after(response: Any) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _wait(state: Any) -> float:
    from tenacity import wait_exponential_jitter

    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, RetryableStatus):
        hinted = retry_after(exc.response)
        if hinted is not None:
            return min(hinted, MAX_WAIT)
    return float(wait_exponential_jitter(max=8.0, jitter=0.5)(state))


def send(
    client: Any,
    request: PreparedRequest,
    secrets: Secrets,
    *,
    before_retry: Any = None,
) -> Any:
    """The response to `request` (2xx), retried as the module says. `before_retry(attempt)` may
    return a response instead of sending again (e.g. a create that did land)."""
    import httpx
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

    attempts = 0

    def once() -> Any:
        nonlocal attempts
        attempts += 1
        if attempts > 1 and before_retry is not None:
            found = before_retry(attempts)
            if found is not None:
                return found
        response = client.request(
            request.method, request.url, headers=request.headers, content=request.body.encode("utf-8")
        )
        if response.status_code in RETRY_STATUS or response.status_code >= 500:
            raise RetryableStatus(response)
        return response

    try:
        for attempt in Retrying(
            retry=retry_if_exception_type((httpx.TransportError, RetryableStatus)),
            wait=_wait,
            stop=stop_after_attempt(ATTEMPTS),
            reraise=True,
        ):
            with attempt:
                response = once()
    except RetryableStatus as exc:
        raise DeliveryFailed(
            f"HTTP {exc.response.status_code} after {attempts} attempts{_said(exc.response)}"
        ) from None
    except httpx.TransportError as exc:
        raise DeliveryFailed(
            secrets.mask(f"network error after {attempts} attempts: {type(exc).__name__}: {exc}")
        ) from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(secrets.mask(f"HTTP {response.status_code}{_said(response)}"))
    return response


def _said(response: Any) -> str:
    text = (response.text or "").strip().replace("\n", " ")
    return f": {text[:200]}" if text else ""


def client() -> Any:
    import httpx

    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": _agent()})


def _agent() -> str:
    from incplan import __version__

    return f"incplan/{__version__}"
