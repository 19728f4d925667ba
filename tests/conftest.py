from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from .servers import FakeClock, Login, Mailbox, local_ca, smtp_server

ROOT = Path(__file__).resolve().parent.parent
# A fixed "now" keeps review dates, next-update times and examples stable.
NOW = "2026-11-27T11:00:00+00:00"
SMTP_LOGIN = Login("relay-user", "relay-pass-s3cr3t")


def pytest_configure(config: pytest.Config) -> None:
    # typer's CliRunner builds the whole click command tree (a signature and the type hints of
    # every parameter of every command, ~60 ms) on each `invoke`; the tree depends only on the
    # app, so build it once per app. What a command does with its arguments still runs each time.
    import functools

    import typer.testing

    typer.testing._get_command = functools.cache(typer.testing._get_command)
    # Rule case files are generated from base + overlay before the goldens are rendered from them
    # (once, by the controller: xdist workers only run tests).
    if config.getoption("--update-goldens") and not hasattr(config, "workerinput"):
        from .case_files import write_all

        write_all()


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
    # the terminal's message language picks the language of status, watch and reports
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture(autouse=True)
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Every delivery in the suite waits on a fake clock: retries, Retry-After and Statuspage's
    pacing only move it forward (sockets and deadlines still run in real time)."""
    from incplan.delivery import retry

    clock = FakeClock()
    monkeypatch.setattr(retry, "TIMING", clock.timing())
    return clock


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    """aiosmtpd on 127.0.0.1 requiring STARTTLS (a certificate from the test's own CA, which the
    client's verifying default context trusts through SSL_CERT_FILE) and AUTH as `SMTP_LOGIN`."""
    ca = local_ca(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    mailbox = Mailbox()
    with smtp_server(mailbox, starttls=ca.server_context, login=SMTP_LOGIN) as port:
        yield mailbox, port


ROOT_SHARING = ["root-writable-by-others", "root-writable-by-group", "root-symlink-to-a-shared-folder"]


def share_cache_root(root: Path, how: str) -> None:
    """Make the cache root one that others could have written (`ROOT_SHARING`), or with
    `root-symlink-to-a-private-folder` a symlink to a private folder (trusted: the control)."""
    if how == "root-writable-by-others":
        root.chmod(0o777)
    elif how == "root-writable-by-group":
        root.chmod(0o770)
    elif how.startswith("root-symlink-to-a-"):
        real = root.with_name(root.name + "-real")
        root.rename(real)
        root.symlink_to(real, target_is_directory=True)
        if how == "root-symlink-to-a-shared-folder":
            real.chmod(0o777)
    else:
        raise AssertionError(how)
