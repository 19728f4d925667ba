from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from .servers import FakeClock

ROOT = Path(__file__).resolve().parent.parent
# A fixed "now" keeps review dates, next-update times and examples stable.
NOW = "2026-11-27T11:00:00+00:00"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected outputs from the current code")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def now() -> datetime:
    return datetime.fromisoformat(NOW)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("INCPLAN_NOW", NOW)
    monkeypatch.setenv("INCPLAN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    # delivery recovery files (incidents/recovery.py) never land in the real ~/.local/state
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Every delivery in the suite waits on a fake clock: retries, Retry-After and Statuspage's
    pacing only move it forward (sockets and deadlines still run in real time)."""
    from incplan.delivery import retry

    clock = FakeClock()
    monkeypatch.setattr(retry, "TIMING", clock.timing())
    return clock
