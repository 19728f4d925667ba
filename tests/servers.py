"""What delivery tests share: real servers on 127.0.0.1 that keep everything they received, and
delivery's clock, injected so that no retry, Retry-After or pacing wait happens for real."""

from __future__ import annotations

from dataclasses import dataclass, field

from incplan.delivery import retry

WALL = 1_800_000_000.0  # "now" for Retry-After dates: 2027-01-15T08:00:00Z


@dataclass
class FakeClock:
    """Delivery's clock: a wait only moves it forward. `slept` lists every wait, in order."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def timing(self) -> retry.Timing:
        # jitter 0.5: half of the policy's 0.5 s, so that a backoff is a known figure (1.25, 2.25, ...)
        return retry.Timing(sleep=self.sleep, clock=lambda: self.now, wall=lambda: WALL, jitter=lambda: 0.5)
