"""The one retry policy of delivery (SPEC §8), for every adapter and both transports.

What is retried: a network error (refused, reset, a timeout before any answer), HTTP 408, 429
and 5xx (plus what a vendor adds: Statuspage's 420), an SMTP 4xx reply or a dropped SMTP
connection. Never: another 4xx, an SMTP 5xx, a TLS certificate that failed verification, an
invalid URL, an attempt that ran past its deadline (the server may have acted on it).

How long: backoff 1, 2, 4, 8, 8 ... s plus up to 0.5 s of jitter; a `Retry-After` the server
sends replaces it, kept between 1 and 30 s whatever it says; at most 5 attempts; each attempt
within its own deadline (an HTTP request 10 s, an SMTP conversation 30 s), cut to what is left
of `total` (`time_left`), so that all of them, waits included, end within it: no retry is
started whose wait would leave less than `min_attempt` for it.

The clock, the sleep and the jitter come from `TIMING`, which tests replace (tests/servers.py),
so that no test waits for real. Nothing heavy is imported here: `ssl` only when an error is
looked at.
"""

from __future__ import annotations

import contextvars
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import ssl

T = TypeVar("T")


@dataclass
class Timing:
    """How delivery waits: tests replace `TIMING` with one whose sleep only advances a clock."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # for waits, pacing and the overall limit
    wall: Callable[[], float] = time.time  # for Retry-After dates
    jitter: Callable[[], float] = random.random  # 0 <= x < 1
    slept: list[float] = field(default_factory=list)  # every wait, in order (what tests read)
    paced: dict[str, float] = field(default_factory=dict)  # pacing key -> clock of its last request

    def wait(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.sleep(seconds)

    def pace(self, key: str, interval: float) -> None:
        """Wait until `interval` seconds have passed since the last request made under `key`
        (an API's rate limit per key), within this process."""
        last = self.paced.get(key)
        if last is not None:
            left = last + interval - self.clock()
            if left > 0:
                self.wait(left)
        self.paced[key] = self.clock()


TIMING = Timing()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff_cap: float = 8.0  # seconds: 1, 2, 4, 8, 8 ...
    backoff_jitter: float = 0.5  # ... plus up to this much at random
    min_wait: float = 1.0  # a Retry-After is kept between these
    max_wait: float = 30.0
    http_deadline: float = 10.0  # one HTTP request: connect, send, headers and body
    smtp_deadline: float = 30.0  # one SMTP conversation: greeting, STARTTLS, AUTH, DATA
    total: float = 90.0  # every attempt and wait of one delivery together
    min_attempt: float = 1.0  # no retry is started with less time than this left of `total`
    retry_status: frozenset[int] = frozenset({408, 429})  # besides every 5xx

    def backoff(self, attempt: int, jitter: float) -> float:
        """The wait after failed attempt number `attempt` (1-based) when the server said nothing."""
        wait = min(2.0 ** min(attempt - 1, 30), self.backoff_cap) + jitter * self.backoff_jitter
        return self.bounded(wait)

    def bounded(self, seconds: float) -> float:
        return min(max(seconds, self.min_wait), self.max_wait)

    def retries_status(self, status: int, also: frozenset[int] = frozenset()) -> bool:
        return status >= 500 or status in self.retry_status or status in also


POLICY = RetryPolicy()


class Retry(Exception):
    """This attempt failed in a way worth another: `what` happened (`HTTP 503`, `network error:
    ConnectError: ...`), `said` is what the server answered, `after` the wait it asked for."""

    def __init__(self, what: str, said: str = "", after: float | None = None) -> None:
        super().__init__(what + said)
        self.what = what
        self.said = said
        self.after = after


class GaveUp(Exception):
    """Every attempt failed (or no time was left for another): the last failure and the count."""

    def __init__(self, last: Retry, attempts: int, out_of_time: bool) -> None:
        self.last = last
        self.attempts = attempts
        self.out_of_time = out_of_time
        limit = " (no time left for another)" if out_of_time else ""
        super().__init__(f"{last.what} after {attempts} attempt{'s' if attempts != 1 else ''}{limit}{last.said}")


_ENDS: contextvars.ContextVar[tuple[Timing, float] | None] = contextvars.ContextVar("incplan_retry_ends", default=None)


def attempt(once: Callable[[int], T], *, policy: RetryPolicy | None = None, timing: Timing | None = None) -> T:
    """`once(n)` for n = 1, 2, ... until it returns; each `Retry` it raises is followed by a wait
    (the server's, else backoff with jitter), until the attempts or the time run out (`GaveUp`).
    Any other exception ends it at once. Inside `once`, `time_left` says how long it may take."""
    policy = policy or POLICY
    timing = timing or TIMING
    started = timing.clock()
    token = _ENDS.set((timing, started + policy.total))
    try:
        number = 0
        while True:
            number += 1
            try:
                return once(number)
            except Retry as failed:
                wait = failed.after if failed.after is not None else policy.backoff(number, timing.jitter())
                out_of_time = timing.clock() + wait - started > policy.total - policy.min_attempt
                if number >= policy.attempts or out_of_time:
                    raise GaveUp(failed, number, out_of_time and number < policy.attempts) from None
                timing.wait(wait)
    finally:
        _ENDS.reset(token)


def time_left(seconds: float) -> float:
    """`seconds`, an attempt's own deadline, cut to what is left of the delivery's total time
    (inside `attempt`; outside it, `seconds`)."""
    ends = _ENDS.get()
    if ends is None:
        return seconds
    timing, at = ends
    return max(0.0, min(seconds, at - timing.clock()))


def retry_after(value: str | None, *, policy: RetryPolicy | None = None, timing: Timing | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (seconds or an HTTP date), kept between the
    policy's bounds; None when the value means nothing (`soon`, `nan`, garbage)."""
    policy = policy or POLICY
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        import email.utils

        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if parsed is None:
            return None
        try:
            seconds = parsed.timestamp() - (timing or TIMING).wall()
        except (OverflowError, OSError, ValueError):
            return None
    if math.isnan(seconds):
        return None
    return policy.bounded(seconds)


def tls_refused(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate-verification failure behind `exc`, if that is what it is (never retried:
    trying again cannot make an untrusted certificate trusted)."""
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def smtp_transient(exc: BaseException) -> bool:
    """An SMTP failure worth another attempt: a 4xx reply or a lost connection."""
    import smtplib

    if tls_refused(exc) is not None:
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError)


def http_transient(exc: BaseException) -> bool:
    """An HTTP failure worth another attempt: the network, never our own request (an unsupported
    scheme, a header httpx refuses) and never a certificate that failed verification."""
    import httpx

    if tls_refused(exc) is not None:
        return False
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return False
    return isinstance(exc, httpx.TransportError)
