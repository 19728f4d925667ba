"""Hostile servers, plans and environments for delivery (issue 8, SPEC §8): each case runs
against real servers on 127.0.0.1 and asserts what a user (or the attacked party) would notice."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app
from incplan.delivery import retry

from ..conftest import ROOT
from ..servers import (
    FakeClock,
    FakeStatuspage,
    HttpServer,
    Mailbox,
    Reply,
    Request,
    http_server,
    local_ca,
    smtp_server,
    tcp_server,
)
from .conftest import without_root_powers

runner = CliRunner()
ID = "2026-11-27-dashboard-down"
API_KEY = "sp-key-5f1c0ffee5f1c0ffee"
SECRET_PATH = "T0001/B0001/slacksecretpath"
OPENED = "2026-11-27T10:00:00-05:00"
LATER = "2026-11-27T10:05:00-05:00"


@pytest.fixture
def server() -> Iterator[HttpServer]:
    """Answers from a script (`server.on`); keeps every request it received."""
    with http_server() as scripted:
        yield scripted


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: HttpServer) -> Path:
    plan = (ROOT / "examples/delivery.yaml").read_text()
    plan = plan.replace("      page_id: kctbh9vrtdwd\n", f"      page_id: page42\n      api_base: {server.base}/sp\n")
    (tmp_path / "incplan.yaml").write_text(plan)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("STATUSPAGE_API_KEY", API_KEY)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{server.base}/slack/{SECRET_PATH}")
    monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{server.base}/teams/workflow")
    monkeypatch.setenv("SMTP_USER", "relay-user")
    monkeypatch.setenv("SMTP_PASSWORD", "relay-pass-s3cr3t")
    monkeypatch.setenv("PARTNER_WEBHOOK_URL", f"{server.base}/partner/hook")
    monkeypatch.setenv("PARTNER_WEBHOOK_SECRET", "whsec_cGFydG5lci1zaWduaW5nLWtleS0wMTIzNDU2Nzg5")
    return tmp_path


def run(*args: str, now: str = LATER) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def open_incident(title: str = "Dashboard down") -> None:
    code, _, err = run("incident", "open", "--title", title, "--severity", "sev1", "--var",
                       "impact=dashboards that do not load", now=OPENED)  # fmt: skip
    assert code == 0, err


def send(*channels: str, now: str = LATER) -> tuple[int, str, str]:
    return run("notify", "--incident", ID, "--send", "--yes", *[a for c in channels for a in ("-c", c)], now=now)


def record() -> str:
    return (Path("incidents") / f"{ID}.yaml").read_text()


def statuspage_api(server: HttpServer, *, lose_first_create: bool = False, create: bool = True) -> FakeStatuspage:
    """Statuspage's incidents API under /sp; the first create may land and still answer 500, or
    (`create=False`) fail without landing."""
    fake = FakeStatuspage(API_KEY, id_prefix="ours", lose_first_create=lose_first_create, fail_first_create=not create)
    server.on("POST", "/sp/pages/page42/incidents", fake)
    server.on("GET", "/sp/pages/page42/incidents/unresolved", fake)
    server.on("PATCH", "/sp/pages/page42/incidents/", fake)
    return fake


def someone_elses_incident(statuspage: FakeStatuspage) -> None:
    """An open public incident of the same name that another team's incplan made."""
    statuspage.incidents["theirs"] = {
        "id": "theirs",
        "name": "Investigating dashboards that do not load",
        "status": "investigating",
        "metadata": {"incplan": {"incident_id": "2026-11-27-dashboard-down-elsewhere"}},
    }
    statuspage.incidents["manual"] = {"id": "manual", "name": "Investigating dashboards that do not load",
                                      "status": "identified"}  # fmt: skip


# ---------------------------------------------------------------- item 1: Statuspage adoption


def test_a_retried_create_adopts_our_incident_by_metadata_not_by_name(team: Path, server: HttpServer) -> None:
    someone_elses_incident(statuspage_api(server, lose_first_create=True))
    open_incident()
    code, out, err = send("status_page")
    assert code == 0, out + err
    assert "status_page: created status page incident ours1" in out
    sent = server.got("POST")[0].json()["incident"]
    assert sent["metadata"] == {"incplan": {"incident_id": ID}}
    assert len(server.got("POST")) == 1  # adopted, not created twice
    assert "ref: ours1" in record()


def test_a_failed_lookup_after_a_lost_create_never_creates_again(team: Path, server: HttpServer) -> None:
    someone_elses_incident(statuspage_api(server, lose_first_create=True))
    unresolved = server.script[("GET", "/sp/pages/page42/incidents/unresolved")]
    server.on("GET", "/sp/pages/page42/incidents/unresolved", Reply(503, b"busy"), *unresolved)
    open_incident()
    code, out, err = send("status_page")
    assert code == 0, out + err
    assert "status_page: created status page incident ours1" in out
    assert len(server.got("POST")) == 1  # the lookup was tried again, not the create
    assert len(server.got("GET")) == 2


def test_a_retried_create_never_adopts_an_incident_of_the_same_name(team: Path, server: HttpServer) -> None:
    statuspage = statuspage_api(server, create=False)  # the first create really failed
    someone_elses_incident(statuspage)
    open_incident()
    code, out, err = send("status_page")
    assert code == 0, out + err
    assert "status_page: created status page incident ours1" in out  # a new one, of ours
    assert len(server.got("POST")) == 2
    assert run("incident", "update", ID, "--stage", "resolved", now="2026-11-27T10:20:00-05:00")[0] == 0
    code, out, _ = send("status_page", now="2026-11-27T10:21:00-05:00")
    assert code == 0 and "updated status page incident ours1" in out
    assert [r.path for r in server.got("PATCH")] == ["/sp/pages/page42/incidents/ours1"]
    assert statuspage.incidents["theirs"]["status"] == "investigating"  # someone else's stays as it was
    assert statuspage.incidents["manual"]["status"] == "identified"


def test_statuspage_420_and_429_are_retried_and_requests_paced(
    team: Path, server: HttpServer, fake_time: FakeClock
) -> None:
    statuspage_api(server)
    post = server.script[("POST", "/sp/pages/page42/incidents")]
    limited = Reply(420, b'{"error": "Rate limit exceeded"}')
    server.on("POST", "/sp/pages/page42/incidents", limited, Reply(429, b"slow down"), *post)
    open_incident()
    code, out, err = send("status_page")
    assert code == 0, out + err
    assert len(server.got("POST")) == 3
    assert "created status page incident ours1" in out
    # the next stage, sent at once by the same process, waits its second after the last request
    assert run("incident", "update", ID, "--stage", "identified", now="2026-11-27T10:06:00-05:00")[0] == 0
    fake_time.slept.clear()
    code, out, _ = send("status_page", now="2026-11-27T10:06:00-05:00")
    assert code == 0 and "updated status page incident ours1" in out
    assert fake_time.slept == [1.0]


@pytest.mark.parametrize("body", [b"<html>created</html>", b"[]", b'{"name": "no id"}'])
def test_a_statuspage_answer_without_an_incident_id_is_a_failure(team: Path, server: HttpServer, body: bytes) -> None:
    server.on("POST", "/sp/pages/page42/incidents", Reply(201, body))
    open_incident()
    code, out, _ = send("status_page")
    assert code == 1
    assert "status_page: FAILED: Statuspage answered without an incident id" in out
    assert len(server.got("POST")) == 1


# ---------------------------------------------------------------- Retry-After, TLS, deadlines


def test_retry_after_nonsense_waits_within_floor_and_cap(team: Path, server: HttpServer, fake_time: FakeClock) -> None:
    values = ["soon", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "nan"]
    answers = [Reply(429, b"rate_limited", {"Retry-After": v}) for v in values]
    server.on("POST", "/slack/", *answers, Reply(200, b"ok"))
    open_incident()
    code, out, err = send("slack")
    assert code == 0, out + err
    assert "slack: posted to Slack" in out
    assert len(fake_time.slept) == 4
    assert all(retry.POLICY.min_wait <= s <= retry.POLICY.max_wait for s in fake_time.slept), fake_time.slept


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("soon", None), ("nan", None), ("", None), ("-5", 1.0), ("0", 1.0), ("7", 7.0), ("1e9", 30.0), ("inf", 30.0),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0), ("Thu, 01 Jan 2099 00:00:00 GMT", 30.0)],
)  # fmt: skip
def test_retry_after_values(value: str, seconds: float | None, fake_time: FakeClock) -> None:
    assert retry.retry_after(value) == seconds


def test_a_certificate_that_fails_verification_is_never_retried(
    team: Path, monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock, tmp_path: Path
) -> None:
    context = local_ca(tmp_path).server_context  # a CA nobody trusts (SSL_CERT_FILE is not set to it)

    def handshake(conn: socket.socket) -> None:
        context.wrap_socket(conn, server_side=True).close()

    with tcp_server(handshake) as listener:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", f"https://127.0.0.1:{listener.port}/slack/{SECRET_PATH}")
        open_incident()
        code, out, _ = send("slack")
    assert code == 1
    assert re.search(r"slack: FAILED: TLS certificate not trusted \(.*\); not retried", out), out
    assert listener.connections == 1 and fake_time.slept == []


def test_a_server_dripping_its_body_is_cut_at_the_deadline(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry, "POLICY", replace(retry.POLICY, http_deadline=0.5))
    server.on("POST", "/slack/", Reply(200, b"ok" + b" " * 30, drip=2.0))
    server.on("POST", "/teams/", Reply(202, b"", drip_head=2.0))
    open_incident()
    code, out, _ = send("slack", "teams")
    assert code == 1
    assert "slack: FAILED: no complete answer within 0.5 s; not retried" in out
    assert "teams: FAILED: no complete answer within 0.5 s; not retried" in out
    assert len(server.got("POST", "/slack/")) == 1 and len(server.got("POST", "/teams/")) == 1


def test_an_smtp_server_dripping_its_greeting_is_cut_at_the_deadline(
    team: Path, monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock
) -> None:
    """Cut at the deadline; nothing was sent yet, so it is tried again (here twice in all)."""
    monkeypatch.setattr(retry, "POLICY", replace(retry.POLICY, smtp_deadline=0.5, attempts=2))

    def drip(conn: socket.socket) -> None:
        for byte in b"220 slow.example ESMTP\r\n":
            conn.sendall(bytes([byte]))
            time.sleep(2)

    with tcp_server(drip) as listener:
        plan = Path("incplan.yaml").read_text().replace("security: starttls", "security: none")
        plan = plan.replace(
            "host: smtp.orbit.example\n      port: 587", f"host: 127.0.0.1\n      port: {listener.port}"
        )
        Path("incplan.yaml").write_text(plan)
        open_incident()
        code, out, _ = send("email")
    assert code == 1
    assert "email: FAILED: SMTP failed after 2 attempts: no complete SMTP conversation within 0.5 s\n" in out
    assert fake_time.slept == [1.25]  # (the listener takes one connection at a time: not counted)


# ---------------------------------------------------------------- item 6: masking


def test_dry_run_never_shows_a_password_in_a_webhook_url(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNER_WEBHOOK_URL", server.base.replace("://", "://partner:hunter2-pass@") + "/partner/hook")
    open_incident()
    code, out, err = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "webhook")
    assert code == 0, err
    assert "==> webhook <==\nPOST http://127.0.0.1:" in out
    assert "hunter2-pass" not in out + err and "partner:" not in out


def test_a_server_echoing_the_secret_path_never_leaks_it(team: Path, server: HttpServer) -> None:
    echo = (
        f"no route for POST /slack/{SECRET_PATH} (also {SECRET_PATH.replace('/', '%2F')}, "
        f"{json.dumps('/' + SECRET_PATH).replace('/', chr(92) + '/')}, slacksecretpath)"
    )
    server.on("POST", "/slack/", Reply(500, echo.encode()))
    open_incident()
    code, out, err = send("slack")
    assert code == 1
    assert "slack: FAILED: HTTP 500 after 5 attempts: no route for POST /***" in out
    for text in (out, err, record()):
        assert "slacksecretpath" not in text
        assert "T0001" not in text or "***" in text


def test_a_server_echoing_basic_credentials_never_leaks_them(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNER_WEBHOOK_URL", server.base.replace("://", "://partner:hunter2-pass@") + "/partner/hook")
    basic = base64.b64encode(b"partner:hunter2-pass").decode()
    server.on("POST", "/partner/", Reply(400, f"bad request, auth=Basic {basic}".encode()))
    open_incident()
    code, out, err = send("webhook")
    assert code == 1
    assert "auth=Basic ***" in out
    for text in (out, err, record()):
        assert basic not in text and "hunter2-pass" not in text


def test_check_never_prints_a_value_its_secret_rule_flagged(tmp_path: Path) -> None:
    key = "sk_live_51HxYzAbCdEfGhIjKlMnOp"
    plan = (
        (ROOT / "examples/delivery.yaml").read_text().replace("api_key_env: STATUSPAGE_API_KEY", f"api_key_env: {key}")
    )
    plan = (
        plan.replace("lint:", f"lint:\n  ignore: [{key}]\n", 1)
        if "lint:" in plan
        else plan + f"lint:\n  ignore: [{key}]\n"
    )
    plan = plan.replace("channels:\n", f"channels:\n  {key}: {{}}\n", 1)
    target = tmp_path / "plan.yaml"
    target.write_text(plan)
    for fmt in ("text", "json", "github", "sarif"):
        result = runner.invoke(app, ["--color", "never", "check", str(target), "--format", fmt])
        assert result.exit_code == 1, result.output
        assert "E401" in result.output
        assert "sk_live_" not in result.output, fmt


# ---------------------------------------------------------------- item 7: where credentials go


def test_delivery_refuses_a_secret_over_plain_http_to_another_host(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = Path("incplan.yaml").read_text()
    plan = re.sub(r"api_base: \S+", "api_base: http://status.attacker.invalid/v1", plan)
    Path("incplan.yaml").write_text(plan)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://hooks.attacker.invalid/slack/{SECRET_PATH}")
    open_incident()
    code, out, _ = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "status_page", "-c", "slack")
    assert code == 2
    assert (
        "cannot send: `api_base` is plain http to `status.attacker.invalid`; incplan sends credentials only over https"
        in out
    )
    assert "cannot send: the URL in `SLACK_WEBHOOK_URL` is plain http to `hooks.attacker.invalid`" in out
    code, out, _ = send("status_page", "slack")
    assert code == 1
    assert "status_page: FAILED: `api_base` is plain http" in out and "slack: FAILED: the URL in" in out
    assert "slacksecretpath" not in out


def test_smtp_password_in_the_clear_only_to_this_machine(team: Path) -> None:
    plan = Path("incplan.yaml").read_text().replace("security: starttls", "security: none")
    Path("incplan.yaml").write_text(plan)
    open_incident()
    code, out, _ = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "email")
    assert code == 2
    assert "cannot send: SMTP login to `smtp.orbit.example` with `security: none` would send the password" in out


# ---------------------------------------------------------------- item 11: smaller ones


def test_dry_run_exits_2_when_a_credential_is_unset(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    open_incident()
    code, out, err = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "slack", "-c", "teams")
    assert code == 2
    assert "==> slack <==\ncannot send: environment variable `SLACK_WEBHOOK_URL` is not set" in out
    assert "==> teams <==\nPOST http://127.0.0.1:" in out
    assert "error: --send could not deliver to slack" in err


MALFORMED_URLS = ["https://[::1", "http://[::1/x", "htp://x", "hooks.slack.com/services/x", "http://exa mple.com/x",
                  "ftp://h/x", "http://host:99999/x", "https://exa_mple..com/x", "https://-bad-.example/x",
                  "https://exa%mple.com/x", "https://hooks.example/x\n"]  # fmt: skip


@pytest.mark.parametrize("url", MALFORMED_URLS)
@pytest.mark.parametrize(
    ("channel", "variable"),
    [("slack", "SLACK_WEBHOOK_URL"), ("teams", "TEAMS_WEBHOOK_URL"), ("webhook", "PARTNER_WEBHOOK_URL")],
)
def test_a_malformed_webhook_url_is_a_clear_error_never_retried(
    team: Path,
    server: HttpServer,
    monkeypatch: pytest.MonkeyPatch,
    fake_time: FakeClock,
    channel: str,
    variable: str,
    url: str,
) -> None:
    """Every adapter whose URL comes from the environment (issue 9 item 9: a malformed URL was
    retried five times as a network error)."""
    monkeypatch.setenv(variable, url)
    open_incident()
    code, out, err = run("notify", "--incident", ID, "--send", "--dry-run", "-c", channel)
    assert code == 2, out + err
    assert re.search(rf"cannot send: the URL in `{variable}` (is not a valid|holds)", out), out
    assert url.strip() not in out
    code, out, _ = send(channel)
    assert code == 1
    assert re.search(
        rf"{channel}: FAILED: the URL in `{variable}` (is not a valid|holds) .*; it must look like https://host/path",
        out,
    ), out
    assert fake_time.slept == [] and server.received == []


@pytest.mark.parametrize(("channel", "variable"), [("slack", "SLACK_WEBHOOK_URL"), ("webhook", "PARTNER_WEBHOOK_URL")])
def test_an_empty_url_variable_is_named_as_unset(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock, channel: str, variable: str
) -> None:
    monkeypatch.setenv(variable, "")
    open_incident()
    code, out, _ = send(channel)
    assert code == 1
    assert f"{channel}: FAILED: environment variable `{variable}` is not set" in out
    assert fake_time.slept == [] and server.received == []


def test_a_newline_in_an_email_subject_never_makes_a_header(team: Path) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        _send_a_subject_with_newlines(port)
    headers = mailbox.raw[0].split(b"\r\n\r\n", 1)[0].decode()
    assert not re.search(r"(?im)^(bcc|x-evil):", headers)


def _send_a_subject_with_newlines(port: int) -> None:
    plan = Path("incplan.yaml").read_text().replace("security: starttls", "security: none")
    plan = plan.replace("host: smtp.orbit.example\n      port: 587", f"host: 127.0.0.1\n      port: {port}")
    plan = re.sub(r"\n\s+username_env: SMTP_USER\n\s+password_env: SMTP_PASSWORD", "", plan)
    Path("incplan.yaml").write_text(plan)
    code, _, err = run("incident", "open", "--title", "Dashboard down", "--severity", "sev1", "--var",
                       "impact=slow\nBcc: victim@elsewhere.example\nX-Evil: 1", now=OPENED)  # fmt: skip
    assert code == 0, err
    # a CR is refused on the command line; one put in the record by hand is shown as `\x0d`
    path = Path("incidents") / f"{ID}.yaml"
    path.write_text(path.read_text().replace("slow\\nBcc", "slow\\r\\nBcc"))
    code, out, _ = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "email")
    assert code == 0
    subject = next(line for line in out.splitlines() if line.startswith("Subject: "))
    assert subject == "Subject: [Critical] Orbit: slow\\x0d Bcc: victim@elsewhere.example X-Evil: 1"
    code, out, _ = send("email")
    assert code == 0, out


# ---------------------------------------------------------------- item 4: delivered, not recorded


def _hold_lock(record_path: Path) -> subprocess.Popen[str]:
    """Another process holding the record's lock, as a slow or stuck incplan would."""
    holder = (
        "import sys, time\nfrom pathlib import Path\nfrom incplan.incidents.store import _lock\n"
        f"with _lock(Path({str(record_path)!r})):\n    print('locked', flush=True)\n    time.sleep(120)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "locked\n"
    return process


def test_delivered_while_the_record_is_locked_is_kept_and_merged(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incplan.incidents import store

    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.3)
    statuspage = statuspage_api(server)
    open_incident()
    holder = _hold_lock(team / "incidents" / f"{ID}.yaml")
    try:
        code, out, err = send("status_page")
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    assert code == 1
    assert "status_page: created status page incident ours1" in out
    assert "is locked by another incplan" in err
    assert "the next command on this incident merges it into the record" in err
    assert "Traceback" not in out + err
    assert "type: notified" not in record()
    kept = list((team / "state" / "incplan" / "recovery").iterdir())
    assert len(kept) == 1 and "ours1" in kept[0].read_text()
    assert not any(p.name.startswith(".") or p.suffix != ".yaml" for p in (team / "incidents").iterdir()
                   if not p.name.endswith(".lock"))  # fmt: skip

    # the next send on the incident updates the same status page incident ...
    assert run("incident", "update", ID, "--stage", "identified", now="2026-11-27T10:20:00-05:00")[0] == 0
    assert "ref: ours1" in record()  # ... after that update merged the kept delivery
    assert list((team / "state" / "incplan" / "recovery").iterdir()) == []
    code, out, _ = send("status_page", now="2026-11-27T10:21:00-05:00")
    assert code == 0 and "updated status page incident ours1" in out
    assert len(server.got("POST")) == 1 and len(statuspage.incidents) == 1
    assert record().count("channel: status_page") == 2


def test_a_kept_delivery_counts_in_every_view_wherever_it_is_run(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC §8: what was delivered but not recorded is kept for the next command on the
    incident; status, report, report --all and watch count it before any write merges it, also
    run from below the repository (`--plan ../incplan.yaml`) or through a symlinked checkout."""
    import pexpect

    from incplan.incidents import store

    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.3)
    statuspage_api(server)
    open_incident()
    holder = _hold_lock(team / "incidents" / f"{ID}.yaml")
    try:
        code, _, err = send("status_page")  # 10:05: delivered, but the record is locked
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    assert code == 1 and "is locked by another incplan" in err
    written = record()
    assert "type: notified" not in written
    link = team.parent / f"{team.name}-checkout"
    link.symlink_to(team)
    now = "2026-11-27T10:07:00-05:00"
    for cwd, plan in (
        (team, "incplan.yaml"),
        (team / "incidents", "../incplan.yaml"),
        (link / "incidents", "../incplan.yaml"),
    ):
        monkeypatch.chdir(cwd)
        for args in (["incident", "status", ID], ["incident", "status"]):
            status = json.loads(run(*args, "-f", "json", "--plan", plan, now=now)[1])[0]
            # delivered 10:05 (sev1, investigating: every 15 minutes): next due 10:20
            assert (status["last_customer_update"], status["next_update_due"]) == (
                LATER, "2026-11-27T10:20:00-05:00"), cwd  # fmt: skip
        text = run("incident", "status", ID, "--plan", plan, now=now)[1]
        assert "  last customer update  2026-11-27 10:05 EST (2m ago)\n" in text
        single = json.loads(run("report", ID, "-f", "json", "--plan", plan, now=now)[1])
        assert (single["time_to_first_update_s"], single["first_update_status"]) == (300, "met")  # 10:00 -> 10:05
        assert [(m["channel"], m["delivered"]) for m in single["messages"]] == [("status_page", True)]
        period = json.loads(run("report", "--all", "-f", "json", "--plan", plan, now=now)[1])
        assert (period["median_time_to_first_update_s"], period["first_update_met_share"]) == (300, 1.0)
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        env.update(TERM="xterm-256color", INCPLAN_NOW=now)
        child = pexpect.spawn(sys.executable, ["-m", "incplan", "incident", "watch", "--plan", plan],
                              cwd=str(cwd), env=env, dimensions=(30, 200), encoding="utf-8", timeout=30)  # fmt: skip
        try:
            child.expect("2m ago")  # the last customer update, 10:05
            child.send("q")
            child.expect(pexpect.EOF)
        finally:
            child.close()
    monkeypatch.chdir(team)
    assert record() == written  # shown, not yet merged: reading wrote nothing
    assert len(list((team / "state" / "incplan" / "recovery").iterdir())) == 1


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder another user may enter (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="incplan-hostile-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def _incplan(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [*without_root_powers(), sys.executable, "-m", "incplan", "--color", "never", *args]
    return subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120)


def test_delivered_to_a_read_only_incidents_folder_is_kept_and_merged(
    team: Path, server: HttpServer, shared_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuspage_api(server)
    work = shared_tmp / "team"
    work.mkdir()
    (work / "incplan.yaml").write_text((team / "incplan.yaml").read_text())
    state = work / "state"
    state.mkdir()
    state.chmod(0o777)
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.chdir(work)
    open_incident()
    (work / "incidents" / f"{ID}.yaml").chmod(0o644)
    (work / "incidents").chmod(0o555)
    env = {"INCPLAN_NOW": LATER, "XDG_STATE_HOME": str(state)}
    sent = _incplan("notify", "--incident", ID, "--send", "--yes", "-c", "status_page", cwd=work, env=env)
    assert sent.returncode == 1, sent.stdout + sent.stderr
    assert "status_page: created status page incident ours1" in sent.stdout
    assert "error: delivered, but not recorded in the incident:" in sent.stderr
    assert "Traceback" not in sent.stderr
    assert "type: notified" not in record()

    # status shows the kept delivery before it is merged; the next send updates, never re-creates
    code, out, _ = run("incident", "status", ID, now="2026-11-27T10:06:00-05:00")
    assert code == 0 and "10:05" in out, out
    (work / "incidents").chmod(0o755)
    code, out, err = send("status_page", now="2026-11-27T10:06:00-05:00")
    assert code == 0, out + err
    assert "updated status page incident ours1" in out
    assert len(server.got("POST")) == 1
    assert record().count("ref: ours1") == 2
    assert list((state / "incplan" / "recovery").iterdir()) == []


# ---------------------------------------------------------------- item 10 and ids


def test_an_unreadable_incidents_folder_is_an_error_not_no_incidents(
    team: Path, shared_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = shared_tmp / "team"
    work.mkdir()
    (work / "incplan.yaml").write_text((team / "incplan.yaml").read_text())
    monkeypatch.chdir(work)
    open_incident()
    (work / "incidents").chmod(0o311)  # may be entered, not listed
    for args in (("incident", "list"), ("incident", "status"), ("report", "--all")):
        result = _incplan(*args, cwd=work, env={"INCPLAN_NOW": LATER})
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "error: cannot read the incidents folder `" in result.stderr
        assert "Permission denied" in result.stderr


def test_a_300_character_id_is_a_usage_error(team: Path) -> None:
    long_id = "a" * 300
    for args in (["incident", "status", long_id], ["incident", "update", long_id, "--note", "x"],
                 ["incident", "assign", long_id, "incident_commander", "@alice"], ["report", long_id],
                 ["notify", "-i", long_id, "--posted"]):  # fmt: skip
        code, _, err = run(*args)
        assert code == 2, (args, err)
        assert "error: `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (300 characters)` is not an incident id" in err


def test_vars_file_contents_never_appear_in_errors(team: Path) -> None:
    shadow = Path("shadow")
    shadow.write_text("root:$6$saltsalt$hashhashhash:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n")
    open_incident()
    code, out, err = run("notify", "--incident", ID, "--vars", str(shadow), "-f", "text")
    assert code == 2
    assert "error: `shadow` is not a variables file: its keys must be variable names" in err
    assert "root" not in out + err and "hash" not in out + err
    shadow.chmod(0)
    if not os.access(shadow, os.R_OK):
        code, _, err = run("notify", "--incident", ID, "--vars", str(shadow), "-f", "text")
        assert code == 2 and "cannot read" in err


def test_an_empty_locale_is_refused(team: Path) -> None:
    open_incident()
    code, out, err = run("notify", "--incident", ID, "--locale", "", "-f", "text")
    assert code == 2
    assert "error: unknown locale ``" in err
    assert out == ""


# ---------------------------------------------------------------- attack trial 3: ids are checked, never trusted


def _forged_ref(ref: str) -> None:
    """A record edited (or merged) to hold a status page `ref` of someone's choosing."""
    path = Path("incidents") / f"{ID}.yaml"
    line = (
        "- {at: '2026-11-27T10:01:00-05:00', type: notified, stage: investigating, channel: status_page, "
        f"locale: en, delivered: true, ref: {json.dumps(ref)}, body: earlier}}\n"
    )
    text = path.read_text()
    indent = next(row for row in reversed(text.splitlines()) if row.lstrip().startswith("- ")).split("-")[0]
    path.write_text(text + indent + line)


@pytest.mark.parametrize("ref", ["../../OTHERPAGE/incidents/victim1", "ours1?x=", "ours 1", "\x1b]0;pwn\x07"])
def test_a_record_ref_that_is_not_a_statuspage_id_is_never_requested(team: Path, server: HttpServer, ref: str) -> None:
    statuspage_api(server)
    open_incident()
    _forged_ref(ref)
    shown = ref.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    reason = f"the status page incident id in the record, `{shown}`, is not a Statuspage id (letters and digits); nothing sent"
    code, out, _ = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "status_page")
    assert code == 2 and f"==> status_page <==\ncannot send: {reason}\n" in out
    code, out, _ = send("status_page")
    assert code == 1
    assert f"status_page: FAILED: {reason}\n" in out
    assert server.received == []


def test_a_create_answered_with_a_path_as_its_id_is_refused_and_never_requested(team: Path, server: HttpServer) -> None:
    evil = "../../../../admin/delete-everything?x="
    ours = {"metadata": {"incplan": {"incident_id": ID}}}
    server.on(
        "POST", "/sp/pages/page42/incidents", Reply(201, {"id": evil, **ours}), Reply(201, {"id": "ours2", **ours})
    )
    open_incident()
    code, out, _ = send("status_page")
    assert code == 1
    assert (
        f"status_page: FAILED: Statuspage answered the create with `{evil}`, which is not a Statuspage id; not kept: "
        "the record has no status page incident, so the next --send creates one; check the page first\n"
    ) in out
    assert "ref:" not in record() and "delivered: false" in record()
    code, out, _ = send("status_page", now="2026-11-27T10:06:00-05:00")
    assert code == 0 and "status_page: created status page incident ours2" in out
    assert [r.path for r in server.received] == ["/sp/pages/page42/incidents"] * 2


def test_a_create_answered_with_another_incidents_metadata_is_refused(team: Path, server: HttpServer) -> None:
    theirs = {"id": "theirs7", "metadata": {"incplan": {"incident_id": "2026-11-27-someone-else"}}}
    for answer in (theirs, {"id": "bare8"}):
        server.on("POST", "/sp/pages/page42/incidents", Reply(201, answer))
        open_incident() if answer is theirs else None
        code, out, _ = send("status_page")
        assert code == 1
        assert (
            f"status_page: FAILED: Statuspage answered the create with incident {answer['id']}, whose metadata does "
            "not carry this incident's id; not kept: the record has no status page incident"
        ) in out
    assert "ref:" not in record()


def test_an_update_answered_with_another_id_keeps_the_records_incident(team: Path, server: HttpServer) -> None:
    statuspage = statuspage_api(server)
    open_incident()
    assert send("status_page")[0] == 0
    server.on("PATCH", "/sp/pages/page42/incidents/", Reply(200, {"id": "ours3", "status": "identified"}), statuspage)
    assert run("incident", "update", ID, "--stage", "identified", now="2026-11-27T10:20:00-05:00")[0] == 0
    code, out, _ = send("status_page", now="2026-11-27T10:21:00-05:00")
    assert code == 1
    assert (
        "status_page: FAILED: Statuspage answered the update of incident ours1 with another id, `ours3`; "
        "not adopted (the record keeps ours1)\n"
    ) in out
    assert "ours3" not in record().replace("`ours3`", "")
    code, out, _ = send("status_page", now="2026-11-27T10:22:00-05:00")
    assert code == 0 and "status_page: updated status page incident ours1" in out
    assert [r.path for r in server.got("PATCH")] == ["/sp/pages/page42/incidents/ours1"] * 2


def test_a_page_id_that_is_not_a_statuspage_id_is_a_positioned_check_error(tmp_path: Path) -> None:
    plan = (ROOT / "examples/delivery.yaml").read_text().replace("page_id: kctbh9vrtdwd", "page_id: ../OTHERPAGE")
    target = tmp_path / "plan.yaml"
    target.write_text(plan)
    line = plan.splitlines().index("      page_id: ../OTHERPAGE") + 1
    result = runner.invoke(app, ["--color", "never", "check", str(target)])
    assert result.exit_code == 1
    assert (
        f"plan.yaml:{line}:16: error E102 `channels.status_page.delivery.page_id`: not a Statuspage id; it is letters "
        "and digits, like `kctbh9vrtdwd`"
    ) in result.output


# ---------------------------------------------------------------- attack trial 6: answers are read up to a cap


def _answering(head: bytes, body: Iterator[bytes], sent: list[int]) -> Callable[[socket.socket], None]:
    """A server that reads one request, then streams `head` and `body`, counting what it got out."""

    def serve(conn: socket.socket) -> None:
        received = b""
        while b"\r\n\r\n" not in received:
            received += conn.recv(65536)
        length = int(re.search(rb"(?i)content-length: *(\d+)", received).group(1))  # type: ignore[union-attr]
        while len(received.split(b"\r\n\r\n", 1)[1]) < length:
            received += conn.recv(65536)
        conn.sendall(head)
        for chunk in body:
            conn.sendall(chunk)
            sent[0] += len(chunk)

    return serve


def _zeros(total: int) -> Iterator[bytes]:
    for _ in range(total // 65536):
        yield bytes(65536)


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_an_endless_answer_is_read_only_up_to_the_cap(
    team: Path, monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock, encoding: str
) -> None:
    """A 2 GB answer to a POST ate 2 GB, then MemoryError; a gzip bomb the same. Here 64 MiB of
    zeros, plain or as ~64 KB of gzip: incplan stops after 1 MiB and says so, without a retry."""
    import gzip

    total = 64 * 1024 * 1024
    body = _zeros(total) if encoding == "identity" else iter([gzip.compress(bytes(total), 9)])
    size = total if encoding == "identity" else 0
    sent = [0]
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: {encoding}\r\n".encode()
    head += (f"Content-Length: {size}\r\n" if size else "Connection: close\r\n").encode() + b"\r\n"
    with tcp_server(_answering(head, body, sent)) as listener:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://127.0.0.1:{listener.port}/slack/{SECRET_PATH}")
        open_incident()
        code, out, _ = send("slack")
    assert code == 1
    assert (
        "slack: FAILED: the server's answer is over 1 MiB; not read further, and not retried (the server may have "
        "acted on the request)\n"
    ) in out
    assert listener.connections == 1 and fake_time.slept == []
    if encoding == "identity":
        assert sent[0] < 16 * 1024 * 1024  # what the sockets buffered before incplan hung up


def test_an_answer_in_an_encoding_not_asked_for_is_refused(team: Path, server: HttpServer) -> None:
    server.on("POST", "/slack/", Reply(200, b"\x1b[2Jok", {"Content-Encoding": "br"}))
    open_incident()
    code, out, _ = send("slack")
    assert code == 1
    assert "slack: FAILED: the server answered in an encoding incplan did not ask for (`br`)\n" in out
    assert server.received[0].header("Accept-Encoding") == "identity"


# ---------------------------------------------------------------- attack trials 4 and 11: SMTP that hangs or echoes


def _smtp_script(log: list[str], *, auth: str = "PLAIN", after_auth: str = "235 ok", after_data: str = "250 queued"):  # type: ignore[no-untyped-def]
    """An SMTP server speaking just enough of the protocol, one connection at a time; `after_auth`
    and `after_data` are its answers (`{line}` is the line it answers, `hang` waits until the
    client hangs up, `drop` closes the connection). `log` keeps every line received."""

    def serve(conn: socket.socket) -> None:
        lines = conn.makefile("rb")

        def say(text: str) -> None:
            conn.sendall(text.encode() + b"\r\n")

        def answer(reply: str, line: str) -> bool:
            if reply == "hang":
                conn.recv(1)  # returns once the client gives up
                return False
            if reply == "drop":
                return False
            say(reply.replace("{line}", line))
            return True

        say("220 test ESMTP")
        in_data = False
        for raw in lines:
            line = raw.decode().rstrip("\r\n")
            log.append(line)
            if in_data:
                if line == ".":
                    in_data = False
                    if not answer(after_data, line):
                        return
                continue
            verb = line.split(" ")[0].upper()
            if verb == "EHLO":
                say(f"250-test\r\n250-AUTH {auth}\r\n250 8BITMIME")
            elif verb == "AUTH":
                mechanism = line.split(" ")[1].upper()
                if mechanism == "LOGIN":  # the user name came with the command; now the password
                    say("334 UGFzc3dvcmQ6")
                    line = next(lines).decode().rstrip("\r\n")
                    log.append(line)
                elif mechanism == "CRAM-MD5":
                    say("334 " + base64.b64encode(b"<1896.697170952@test>").decode())
                    line = next(lines).decode().rstrip("\r\n")
                    log.append(line)
                if not answer(after_auth, line):
                    return
            elif verb == "DATA":
                say("354 go ahead")
                in_data = True
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")

    return serve


def _email_to(port: int) -> None:
    plan = Path("incplan.yaml").read_text().replace("security: starttls", "security: none")
    Path("incplan.yaml").write_text(
        plan.replace("host: smtp.orbit.example\n      port: 587", f"host: 127.0.0.1\n      port: {port}")
    )


@pytest.mark.parametrize("after_data", ["hang", "drop"])
def test_a_mail_sent_but_never_confirmed_is_not_sent_again(
    team: Path, monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock, after_data: str
) -> None:
    """A server hanging after end-of-DATA got the whole mail 5 times (same Message-ID) over 92 s."""
    monkeypatch.setattr(retry, "POLICY", replace(retry.POLICY, smtp_deadline=0.5))
    log: list[str] = []
    with tcp_server(_smtp_script(log, after_data=after_data)) as listener:
        _email_to(listener.port)
        open_incident()
        code, out, _ = send("email")
    reason = (
        "no answer within 0.5 s" if after_data == "hang" else "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    said = (
        f"the SMTP server did not confirm the mail after it was sent ({reason}); it may have been delivered, "
        "so it is not sent again"
    )
    assert code == 1
    assert f"email: FAILED: {said}\n" in out
    assert log.count("data") == 1 and fake_time.slept == []
    assert f"channel: email, locale: en, delivered: false, error: '{said}'" in record()


def test_a_hang_after_auth_is_retried_within_the_total_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing was sent, so a hang after AUTH is tried again, but never past the total: with
    each conversation allowed 1 s and 2.5 s in all (real seconds here, and backoff on the clock),
    attempt 1 takes 1 s, the wait 1.25 s, and attempt 2 only the 0.25 s left."""
    from incplan.delivery import email
    from incplan.delivery.base import DeliveryFailed, Secrets, Transport

    from ..test_email_webhook import job

    clock = FakeClock()
    started = time.monotonic()
    timing = retry.Timing(sleep=clock.sleep, clock=lambda: clock.now + time.monotonic() - started, jitter=lambda: 0.5)
    policy = replace(retry.POLICY, smtp_deadline=1.0, total=2.5, min_attempt=0.1)
    monkeypatch.setenv("SMTP_USER", "relay-user")
    monkeypatch.setenv("SMTP_PASSWORD", "relay-pass-s3cr3t")
    log: list[str] = []
    with tcp_server(_smtp_script(log, after_auth="hang")) as listener:
        settings = {"username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD"}
        one = job(listener.port)
        one.settings = one.settings.model_copy(update=settings)
        with pytest.raises(DeliveryFailed) as failed:
            email.deliver(one, Secrets(), Transport(policy=policy, timing=timing))
    elapsed = timing.clock() - 1000.0
    assert re.fullmatch(
        r"SMTP failed after 2 attempts \(no time left for another\): no complete SMTP conversation within 0\.[12] s",
        str(failed.value),
    ), failed.value
    assert clock.slept == [1.25]
    assert 2.5 <= elapsed < 2.8  # within the total, but for the time a cut socket takes to wake
    assert [line.split(" ")[:2] for line in log if line.startswith("AUTH")] == [["AUTH", "PLAIN"]] * 2


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_an_smtp_server_echoing_our_login_never_shows_it(team: Path, fake_time: FakeClock, mechanism: str) -> None:
    """`454 4.7.0 Temporary failure <the command>`: AUTH PLAIN's base64 of \\0user\\0password went
    to the output and the record (git). Every form of what we send is masked."""
    log: list[str] = []
    with tcp_server(_smtp_script(log, auth=mechanism, after_auth="454 4.7.0 Temporary failure {line}")) as listener:
        _email_to(listener.port)
        open_incident()
        code, out, err = send("email")
    assert code == 1
    shown = "AUTH PLAIN ***" if mechanism == "PLAIN" else "***"
    assert f"email: FAILED: SMTP failed after 5 attempts: SMTP 454: b'4.7.0 Temporary failure {shown}'\n" in out
    sent = [line for line in log if line.startswith("AUTH")] + [
        log[i + 1] for i, line in enumerate(log) if line.startswith("AUTH") and mechanism != "PLAIN"
    ]
    forms = {part for line in sent for part in line.split(" ") if len(part) > 12}
    forms |= {"relay-pass-s3cr3t", base64.b64encode(b"\0relay-user\0relay-pass-s3cr3t").decode()}
    assert len(forms) >= 2
    for text in (out, err, record()):
        for form in forms:
            assert form not in text


# ---------------------------------------------------------------- attack trial 10: one delivery per incident at a time


def test_two_sends_at_once_make_one_status_page_incident(team: Path, server: HttpServer) -> None:
    """Two `notify --send` at once, Statuspage answering in 1.5 s: two public incidents were made
    and the record held both refs. Now the second waits for the first and updates its incident."""
    statuspage = FakeStatuspage(API_KEY, id_prefix="ours")

    def slow(request: Request) -> Reply:
        time.sleep(1.5)
        return statuspage(request)

    server.on("POST", "/sp/pages/page42/incidents", slow)
    server.on("PATCH", "/sp/pages/page42/incidents/", statuspage)
    open_incident()
    env = {**os.environ, "INCPLAN_NOW": LATER, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "incplan", "notify", "-i", ID, "--send", "--yes", "-c", "status_page"]
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    assert sorted(out for out, _ in results) == [
        "status_page: created status page incident ours1\n",
        "status_page: updated status page incident ours1\n",
    ]
    assert [r.method for r in server.received] == ["POST", "PATCH"]
    assert list(statuspage.incidents) == ["ours1"]
    assert record().count("ref: ours1") == 2


# ---------------------------------------------------------------- attack trial 17: secrets pasted into text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["notify", "-i", ID, "--send", "--yes", "--update", "oops {slack} and {key}"], "--update holds the value of `SLACK_WEBHOOK_URL`"),
        (["notify", "-i", ID, "--send", "--dry-run", "--update", "oops {slack} and {key}"], "--update holds the value of `SLACK_WEBHOOK_URL`"),
        (["notify", "-i", ID, "--send", "--yes", "--var", "impact=see {path}"], "--var impact holds the value of `SLACK_WEBHOOK_URL`"),
        (["notify", "-i", ID, "-f", "text", "--title", "key {key}"], "--title holds the value of `STATUSPAGE_API_KEY`"),
        (["incident", "update", ID, "--note", "pasted {key}"], "--note holds the value of `STATUSPAGE_API_KEY`"),
        (["incident", "update", ID, "--note", "smtp {password}"], "--note holds the value of `SMTP_PASSWORD`"),
        (["incident", "update", ID, "--title", "T {key}"], "--title holds the value of `STATUSPAGE_API_KEY`"),
        (["incident", "open", "-t", "Other", "-S", "sev1", "--var", "impact={key}"], "--var impact holds the value of `STATUSPAGE_API_KEY`"),
        (["maintenance", "schedule", "-t", "DB {key}", "--start", "2026-11-28T10:00", "--end", "2026-11-28T11:00"], "--title holds the value of `STATUSPAGE_API_KEY`"),
    ],
)  # fmt: skip
def test_a_secret_pasted_into_typed_text_is_refused_naming_its_variable(
    team: Path, server: HttpServer, args: list[str], said: str
) -> None:
    """`--update "oops $SLACK_WEBHOOK_URL and $STATUSPAGE_API_KEY"` showed masked in a dry run,
    but a real send posted both and the record kept them; `--note "pasted $KEY"` was stored."""
    open_incident()
    before = record()
    slack = f"{server.base}/slack/{SECRET_PATH}"
    values = {"slack": slack, "key": API_KEY, "path": SECRET_PATH, "password": "relay-pass-s3cr3t"}
    code, out, err = run(*[a.format(**values) for a in args])
    assert code == 2, out + err
    assert err == (
        f"error: {said}, a secret the plan's delivery uses; it is never stored or sent\n"
        "  hint: take it out (and if it was pasted anywhere else, rotate it)\n"
    )
    assert out == "" and server.received == [] and record() == before
    assert sorted(p.name for p in Path("incidents").iterdir()) == [f"{ID}.yaml"]


def test_a_message_holding_a_secret_is_never_sent_and_dry_run_says_so(team: Path, server: HttpServer) -> None:
    """A record edited by hand to hold a secret: the dry run and the real send agree (not sent),
    and what the record keeps of the message is masked."""
    statuspage_api(server)
    server.on("POST", "/slack/", Reply(200, b"ok"))
    open_incident()
    path = Path("incidents") / f"{ID}.yaml"
    path.write_text(path.read_text().replace("impact: dashboards that do not load", f"impact: dashboards {API_KEY}"))
    said = "the message holds the value of `STATUSPAGE_API_KEY`, a secret the plan's delivery uses; not sent"
    code, out, _ = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "slack", "-c", "status_page")
    assert code == 2
    assert f"==> slack <==\ncannot send: {said}\n" in out and f"==> status_page <==\ncannot send: {said}\n" in out
    code, out, _ = send("slack", "status_page")
    assert code == 1
    assert f"slack: FAILED: {said}\n" in out and f"status_page: FAILED: {said}\n" in out
    assert server.received == []
    assert record().count(API_KEY) == 1  # the hand edit, not the two messages kept
    assert "Critical incident: dashboards ***." in record()


# ---------------------------------------------------------------- attack trial 19: one address per field


def test_a_person_email_holding_two_addresses_is_a_positioned_check_error(tmp_path: Path) -> None:
    plan = (ROOT / "examples/delivery.yaml").read_text()
    plan = plan.replace("email: mia@orbit.example", "email: 'mia@orbit.example, attacker@evil.example'")
    plan = plan.replace("to: [enterprise-customers@orbit.example]", "to: ['a@orbit.example;b@evil.example']")
    target = tmp_path / "plan.yaml"
    target.write_text(plan)
    result = runner.invoke(app, ["--color", "never", "check", str(target)])
    assert result.exit_code == 1
    said = "not one email address; write a single address like `mia@orbit.example`, got"
    assert f"plan.yaml:11:32: error E102 `people.mia.email`: {said} `mia@orbit.example, attacker@evil.example`\n" in (
        result.output
    )
    to = plan.splitlines().index("      to: ['a@orbit.example;b@evil.example']") + 1
    assert (
        f"plan.yaml:{to}:12: error E102 `channels.email.delivery.to[0]`: {said} `a@orbit.example;b@evil.example`\n"
        in (result.output)
    )


@pytest.mark.parametrize("address", ["mia@orbit.example, attacker@evil.example", "Mia <mia@orbit.example>", "a@x;b@y"])
def test_delivery_refuses_a_recipient_that_is_not_one_address(address: str, fake_time: FakeClock) -> None:
    """What roster --send builds (`to` = the person's email) goes to that one address or nowhere."""
    from incplan.delivery import email
    from incplan.delivery.base import DeliveryFailed, Secrets, Transport

    from ..test_email_webhook import job

    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        one = job(port)
        one.settings = one.settings.model_copy(update={"to": [address]})
        with pytest.raises(DeliveryFailed) as failed:
            email.deliver(one, Secrets(), Transport())
    assert str(failed.value) == f"the recipient `{address}` is not one email address; nothing sent"
    assert mailbox.raw == []


def test_words_of_a_webhook_url_and_a_login_name_may_be_written(
    team: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only credentials are refused: a word that is one segment of a webhook URL (Slack's
    `services`, Teams' `workflows`) or the SMTP login name is text like any other."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{server.base}/services/T0001/B0001/slacksecretpath")
    open_incident()
    note = "services and workflows are back; ask relay-user"
    code, _, err = run("incident", "update", ID, "--note", note)
    assert code == 0, err
    assert note in record()
    code, _, err = run("incident", "update", ID, "--note", "see services/T0001/B0001/slacksecretpath")
    assert code == 2 and "--note holds the value of `SLACK_WEBHOOK_URL`" in err
