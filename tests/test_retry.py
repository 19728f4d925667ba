"""The one retry policy of delivery (delivery/retry.py), as pure functions on the injected clock:
every figure below is worked out by hand from the policy (backoff 1, 2, 4, 8 s capped at 8, plus
jitter x 0.5 s; the suite's jitter is 0.5, so +0.25 s; at most 5 attempts; 90 s in all)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from incplan.delivery import retry

from .servers import FakeClock


def failing(
    times: int, *, after: float | None = None, what: str = "HTTP 503", said: str = ": busy"
) -> tuple[list[int], Callable[[int], str]]:
    calls: list[int] = []

    def once(attempt: int) -> str:
        calls.append(attempt)
        if attempt <= times:
            raise retry.Retry(what, said, after=after)
        return "delivered"

    return calls, once


@pytest.mark.parametrize(
    ("jitter", "waits"),
    [(0.0, [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]), (0.5, [1.25, 2.25, 4.25, 8.25, 8.25, 8.25]), (0.999, [1.4995, 2.4995, 4.4995, 8.4995, 8.4995, 8.4995])],
)  # fmt: skip
def test_backoff_doubles_to_its_cap_plus_jitter(jitter: float, waits: list[float]) -> None:
    assert [retry.POLICY.backoff(n, jitter) for n in range(1, 7)] == pytest.approx(waits)


def test_retries_wait_the_backoff_on_the_injected_clock(fake_time: FakeClock) -> None:
    calls, once = failing(4)
    assert retry.attempt(once) == "delivered"
    assert calls == [1, 2, 3, 4, 5]
    assert fake_time.slept == [1.25, 2.25, 4.25, 8.25]
    assert fake_time.now == 1000 + 16.0


def test_after_five_attempts_it_gives_up_saying_what_happened(fake_time: FakeClock) -> None:
    calls, once = failing(99)
    with pytest.raises(retry.GaveUp) as caught:
        retry.attempt(once)
    assert str(caught.value) == "HTTP 503 after 5 attempts: busy"
    assert calls == [1, 2, 3, 4, 5]
    assert len(fake_time.slept) == 4  # no wait after the last attempt


def test_a_server_asked_wait_replaces_backoff_until_the_overall_limit(fake_time: FakeClock) -> None:
    """Retry-After 30 each time: waits end at 30 and 60 s; a third would end at 90 s, leaving no
    time (less than the policy's 1 s) for a fourth attempt within the 90 s limit, so the third
    attempt is the last."""
    calls, once = failing(99, after=30.0)
    with pytest.raises(retry.GaveUp) as caught:
        retry.attempt(once)
    assert fake_time.slept == [30.0, 30.0]
    assert calls == [1, 2, 3]
    assert str(caught.value) == "HTTP 503 after 3 attempts (no time left for another): busy"


def test_each_attempt_may_take_only_what_is_left_of_the_total(fake_time: FakeClock) -> None:
    """Backoff waits 1.25, 2.25, 4.25, 8.25 s; each attempt here takes 20 s (the clock moves as a
    slow server would make it): attempt 1 may take its own 30 s, ends at 20; 2 starts at 21.25,
    ends at 41.25; 3 starts at 43.5, ends at 63.5; 4 starts at 67.75 with 22.25 s left of 90, so
    it may take only those; its wait would end at 96, past the limit: the fourth is the last."""
    allowed: list[float] = []

    def once(_attempt: int) -> None:
        allowed.append(retry.time_left(30.0))
        fake_time.now += 20.0
        raise retry.Retry("SMTP failed", ": timed out")

    with pytest.raises(retry.GaveUp) as caught:
        retry.attempt(once)
    assert allowed == pytest.approx([30.0, 30.0, 30.0, 22.25])
    assert str(caught.value) == "SMTP failed after 4 attempts (no time left for another): timed out"
    assert retry.time_left(30.0) == 30.0  # outside a delivery: the deadline itself


def test_anything_but_retry_ends_at_once(fake_time: FakeClock) -> None:
    calls: list[int] = []

    def once(attempt: int) -> None:
        calls.append(attempt)
        raise ValueError("HTTP 400")

    with pytest.raises(ValueError, match="HTTP 400"):
        retry.attempt(once)
    assert (calls, fake_time.slept) == ([1], [])


@pytest.mark.parametrize(
    ("status", "retried"),
    [(408, True), (429, True), (420, False), (500, True), (503, True), (599, True), (400, False), (401, False),
     (404, False), (409, False), (422, False), (200, False), (301, False)],
)  # fmt: skip
def test_which_statuses_are_retried(status: int, retried: bool) -> None:
    assert retry.POLICY.retries_status(status) is retried
    assert retry.POLICY.retries_status(status, frozenset({420})) is (retried or status == 420)


def test_the_suite_never_sleeps_for_real(fake_time: FakeClock) -> None:
    """conftest installs the fake clock for every test: delivery's sleep is the fake one."""
    retry.TIMING.wait(3600.0)
    assert fake_time.slept == [3600.0] and fake_time.now == 4600.0
