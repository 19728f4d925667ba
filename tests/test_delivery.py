"""Delivery against real servers on 127.0.0.1: an HTTP server playing Statuspage, Slack, Teams
and a webhook receiver that verifies signatures, and aiosmtpd with STARTTLS and AUTH."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT, SMTP_LOGIN
from .servers import FakeService, FakeStatuspage, Mailbox, Reply, Request, serve

runner = CliRunner()
ID = "2026-11-27-dashboard-down"
API_KEY = "sp-key-5f1c0ffee5f1c0ffee"
SMTP_USER, SMTP_PASSWORD = SMTP_LOGIN.user, SMTP_LOGIN.password
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"partner-signing-key-0123456789").decode()
SECRET_PATH = "T0001/B0001/slacksecretpath"


@dataclass
class FakeServices(FakeService):
    """What the fake services answer, and what they verified."""

    statuspage: FakeStatuspage = field(default_factory=lambda: FakeStatuspage(API_KEY))
    slack_calls: int = 0
    teams_status: int = 202
    verified_webhooks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def requests(self) -> list[Request]:
        return self.server.received

    @property
    def incidents(self) -> dict[str, dict[str, Any]]:
        return self.statuspage.incidents

    def of(self, prefix: str, method: str | None = None) -> list[Request]:
        return self.server.got(method, prefix)

    def __call__(self, request: Request) -> Reply:
        if request.path.startswith("/sp/"):
            return self.statuspage(request)
        if request.method == "POST" and request.path == f"/slack/{SECRET_PATH}":
            self.slack_calls += 1
            if self.slack_calls % 2 == 1:  # every first try is rate limited
                return Reply(429, b"rate_limited", {"Retry-After": "1"})
            return Reply(200, b"ok")
        if request.method == "POST" and request.path == "/teams/workflow":
            return Reply(self.teams_status, b"" if self.teams_status < 300 else b"bad card")
        if request.method == "POST" and request.path == "/partner/hook":
            return self._verify_webhook(request)
        return Reply(404, {"error": "not found"})

    def _verify_webhook(self, received: Request) -> Reply:
        headers = {k.lower(): v for k, v in received.headers.items()}
        key = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + received.body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, headers.get("webhook-signature", "")):
            return Reply(401, {"error": "bad signature"})
        self.verified_webhooks.append(received.json())
        return Reply(200, {"ok": True})


@pytest.fixture
def services() -> Iterator[tuple[FakeServices, str]]:
    with serve(FakeServices()) as fake:
        yield fake, fake.server.base


@pytest.fixture
def team(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, services: tuple[FakeServices, str], smtp: tuple[Mailbox, int]
) -> Path:
    _, base = services
    _, smtp_port = smtp
    plan = (ROOT / "examples/delivery.yaml").read_text()
    plan = plan.replace("      page_id: kctbh9vrtdwd\n", f"      page_id: page42\n      api_base: {base}/sp\n")
    plan = plan.replace(
        "      host: smtp.orbit.example\n      port: 587\n", f"      host: 127.0.0.1\n      port: {smtp_port}\n"
    )
    (tmp_path / "incplan.yaml").write_text(plan)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STATUSPAGE_API_KEY", API_KEY)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{base}/slack/{SECRET_PATH}")
    monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{base}/teams/workflow")
    monkeypatch.setenv("SMTP_USER", SMTP_USER)
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("PARTNER_WEBHOOK_URL", f"{base}/partner/hook")
    monkeypatch.setenv("PARTNER_WEBHOOK_SECRET", WEBHOOK_SECRET)
    return tmp_path


def run(*args: str, now: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now}, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def send(*channels: str, now: str = "2026-11-27T10:05:00-05:00") -> tuple[int, str, str]:
    """`notify --send --yes` to `channels` (all of the severity's when none)."""
    return run("notify", "--incident", ID, "--send", "--yes", *[a for c in channels for a in ("-c", c)], now=now)


SECRETS = (API_KEY, SECRET_PATH, SMTP_PASSWORD, WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_"))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def open_incident() -> None:
    code, _, err = run("incident", "open", "--title", "Dashboard down", "--severity", "sev1", "--var", "impact=dashboards that do not load",
                       now="2026-11-27T10:00:00-05:00")  # fmt: skip
    assert code == 0, err


def test_full_incident_delivered_everywhere(
    team: Path, services: tuple[FakeServices, str], smtp: tuple[Mailbox, int]
) -> None:
    fake, _ = services
    mailbox, _ = smtp
    open_incident()
    outputs = []
    for stage, now in (("investigating", "10:05"), ("identified", "10:20"), ("resolved", "10:50")):
        if stage != "investigating":
            assert run("incident", "update", ID, "--stage", stage, now=f"2026-11-27T{now}:00-05:00")[0] == 0
        code, out, err = run("notify", "--incident", ID, "--send", "--yes", now=f"2026-11-27T{now}:00-05:00")
        assert code == 0, out + err
        outputs.append(out + err)

    # Statuspage: created once, then updated twice, with the stage as status and the severity's impact
    creates, patches = fake.of("/sp/", "POST"), fake.of("/sp/", "PATCH")
    assert len(creates) == 1 and len(patches) == 2
    created = creates[0].json()["incident"]
    # The public name is the incident's title (not the first subject), on every request
    assert created["name"] == "Dashboard down"
    assert [p.json()["incident"]["name"] for p in patches] == ["Dashboard down"] * 2
    assert (created["status"], created["impact_override"]) == ("investigating", "critical")
    assert created["components"] == {"8kbf7d35c070": "major_outage"}
    assert created["body"].startswith(
        "We are investigating dashboards that do not load. Next update by Nov 27, 2026, 10:20 EST."
    )
    assert [p.path for p in patches] == ["/sp/pages/page42/incidents/inc1"] * 2
    assert [p.json()["incident"]["status"] for p in patches] == ["identified", "resolved"]
    assert patches[1].json()["incident"]["components"] == {"8kbf7d35c070": "operational"}
    assert "status_page: created status page incident inc1" in outputs[0]
    assert "status_page: updated status page incident inc1" in outputs[2]

    # Slack: every first try hit a 429; one message per stage went through, with & < > escaped
    slack = fake.of("/slack/")
    assert len(slack) == 6 and fake.slack_calls == 6
    texts = [r.json()["text"] for r in slack[1::2]]
    assert texts[0] == "Critical incident: dashboards that do not load. Next update by Nov 27, 2026, 10:20 EST."
    assert len(set(texts)) == 3

    # Teams: an Adaptive Card per stage
    teams = fake.of("/teams/")
    assert len(teams) == 3
    card = teams[0].json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["body"][-1]["text"].startswith("Critical incident: dashboards that do not load.")

    # Email: one per stage, over STARTTLS with AUTH; text and HTML parts (the channel is html)
    assert len(mailbox.messages) == 3 and mailbox.logins == [SMTP_USER] * 3
    first = mailbox.messages[0]
    assert first["Subject"] == "[Critical] Orbit: dashboards that do not load"
    assert first["To"] == "enterprise-customers@orbit.example"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in first.walk() if not p.is_multipart()}
    assert parts["text/html"].startswith("<p>We are investigating dashboards that do not load.</p>")
    assert parts["text/plain"].startswith("We are investigating dashboards that do not load.")

    # Webhooks: signed, and verified by the receiver with the shared secret
    assert [w["data"]["stage"] for w in fake.verified_webhooks] == ["investigating", "identified", "resolved"]
    assert {w["type"] for w in fake.verified_webhooks} == {"incident.updated"}
    assert fake.verified_webhooks[0]["data"]["incident_id"] == ID

    # The record lists every delivery, with the status page incident id
    record = (team / "incidents" / f"{ID}.yaml").read_text()
    notified = [line for line in record.splitlines() if "type: notified" in line]
    assert len(notified) == 15
    assert all("delivered: true" in line for line in notified)
    assert sum("channel: status_page" in line and "ref: inc1" in line for line in notified) == 3
    assert_no_secret(record, *outputs)

    # ... and the report counts the delivered customer updates
    code, out, _ = run("report", ID, "-f", "json", now="2026-11-27T12:00:00-05:00")
    assert json.loads(out)["time_to_first_update_s"] == 300


def test_one_failing_channel_does_not_stop_the_others(team: Path, services: tuple[FakeServices, str]) -> None:
    fake, _ = services
    fake.teams_status = 400
    open_incident()
    code, out, err = send()
    assert code == 1
    assert "teams: FAILED: HTTP 400: bad card" in out
    assert "error: delivery failed for teams; the others went out" in out
    assert len(fake.of("/teams/")) == 1  # a 4xx is never retried
    assert len(fake.verified_webhooks) == 1 and len(fake.of("/sp/", "POST")) == 1
    record = (team / "incidents" / f"{ID}.yaml").read_text()
    assert (
        "channel: teams, locale: en, delivered: false, error: 'HTTP 400: bad card', "
        "body: 'Critical incident: dashboards that do not load. Next update by Nov 27, 2026, 10:20 EST.'}"
    ) in record
    assert_no_secret(out, err, record)


def test_missing_secret_is_named_never_shown(
    team: Path, services: tuple[FakeServices, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    open_incident()
    code, out, err = send("slack", "status_page")
    assert code == 1
    assert "slack: FAILED: environment variable `SLACK_WEBHOOK_URL` is not set" in out
    assert "status_page: created status page incident inc1" in out
    assert_no_secret(out, err)


def test_dry_run_shows_exact_requests_with_secrets_masked(team: Path, services: tuple[FakeServices, str]) -> None:
    fake, base = services
    open_incident()
    code, out, err = run("notify", "--incident", ID, "--send", "--dry-run", now="2026-11-27T10:05:00-05:00")
    assert code == 0, err
    assert fake.requests == []
    assert (
        f"==> status_page <==\nPOST {base}/sp/pages/page42/incidents\nAuthorization: ***\nContent-Type: application/json\n"
        in out
    )
    assert "==> slack <==\nPOST http://127.0.0.1:" in out and '/***\nContent-Type: application/json\n\n{"text": ' in out
    assert "webhook-signature: ***" in out
    assert "==> email <==\nSMTP smtp://127.0.0.1:" in out
    assert_no_secret(out, err)
    assert "type: notified" not in (team / "incidents" / f"{ID}.yaml").read_text()


def test_a_webhook_urls_words_are_not_masked_in_the_messages(
    team: Path, services: tuple[FakeServices, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Slack webhook URL's path is secret, but its words (`services`) are words people write:
    masking every long segment turned "our services" into "our ***" in every dry-run message.
    The tokens (a segment with a digit, or 14+ letters) and every later tail of the path stay masked."""
    _, base = services
    token = "xoxbTOKENa1b2c3d4e5f6g7h8"
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{base}/services/T0AB12CD3/B0AB12CD4/{token}")
    code, _, err = run("incident", "open", "--title", "Payments slow", "--severity", "sev1",
                       "--var", "impact=payment services and workflows that time out",
                       now="2026-11-27T10:00:00-05:00")  # fmt: skip
    assert code == 0, err
    code, out, err = run("notify", "--incident", ID.replace("dashboard-down", "payments-slow"), "--send", "--dry-run",
                         "-c", "slack", now="2026-11-27T10:05:00-05:00")  # fmt: skip
    assert code == 0, err
    assert "payment services and workflows that time out" in out
    assert "/***\n" in out  # the URL's path, as ever
    assert token not in out and "T0AB12CD3" not in out and "B0AB12CD4" not in out


def test_without_yes_a_non_interactive_run_sends_nothing(team: Path, services: tuple[FakeServices, str]) -> None:
    fake, _ = services
    open_incident()
    code, _, err = run("notify", "--incident", ID, "--send", now="2026-11-27T10:05:00-05:00", input="")
    assert code == 2
    assert "error: not sending without confirmation" in err
    assert fake.requests == []
    code, _, err = run("notify", "--incident", ID, "--send", now="2026-11-27T10:05:00-05:00", input="n\n")
    assert (code, fake.requests) == (0, [])
    assert "nothing sent" in err
    code, out, _ = run(
        "notify", "--incident", ID, "--send", "-c", "slack", now="2026-11-27T10:05:00-05:00", input="y\n"
    )
    assert code == 0 and "slack: posted to Slack" in out


def test_a_retried_create_never_makes_two_status_page_incidents(team: Path, services: tuple[FakeServices, str]) -> None:
    fake, _ = services
    fake.statuspage.lose_first_create = True  # the incident is created but the answer is a 500
    open_incident()
    code, out, err = send("status_page")
    assert code == 0, out + err
    assert len(fake.incidents) == 1
    assert [r.method for r in fake.requests] == ["POST", "GET"]
    assert "status_page: created status page incident inc1" in out


def test_channels_without_delivery_are_listed_to_post_by_hand(team: Path, services: tuple[FakeServices, str]) -> None:
    plan = (team / "incplan.yaml").read_text()
    start = plan.index("  teams:\n")
    end = plan.index("  email:\n")
    block = plan[start:end].replace("    delivery: {kind: teams, webhook_url_env: TEAMS_WEBHOOK_URL}\n", "")
    (team / "incplan.yaml").write_text(plan[:start] + block + plan[end:])
    open_incident()
    code, out, _ = run("notify", "--incident", ID, "--send", "--yes", "-c", "teams", "-c", "slack", "-f", "text",
                       now="2026-11-27T10:05:00-05:00")  # fmt: skip
    assert code == 0
    assert "post by hand: teams\nCritical incident: dashboards that do not load." in out


def test_check_validates_delivery_settings(tmp_path: Path) -> None:
    plan = (ROOT / "examples/delivery.yaml").read_text().replace("kind: teams", "kind: msteams")
    plan = plan.replace("api_key_env: STATUSPAGE_API_KEY", "api_key_env: sk_live_51HxYzAbCdEfGhIjKlMnOp")
    target = tmp_path / "plan.yaml"
    target.write_text(plan)
    code = runner.invoke(app, ["check", str(target), "--format", "json"])
    data = json.loads(code.stdout)
    found = {(d["code"], d["message"].split(":")[0]) for d in data["diagnostics"]}
    assert ("E102", "`channels.teams.delivery`") in found
    assert ("E102", "`channels.status_page.delivery.api_key_env`") in found
    assert any(d["code"] == "E401" for d in data["diagnostics"])
    assert "sk_live_51HxYzAbCdEfGhIjKlMnOp" not in code.stdout


def test_every_delivery_kind_of_the_plan_has_an_adapter_loaded_only_when_used() -> None:
    """The registry's table covers every `delivery.kind` the plan accepts; importing it loads no
    adapter, and loading every adapter (as a dry run does) loads no httpx, ssl or smtplib."""
    import subprocess
    import sys
    import typing

    from incplan.delivery.registry import KINDS, adapter
    from incplan.plan.models import Delivery

    union = typing.get_args(Delivery)[0]
    kinds = {typing.get_args(model.model_fields["kind"].annotation)[0] for model in typing.get_args(union)}
    assert kinds == set(KINDS)
    assert {adapter(kind).__name__ for kind in KINDS} == {f"incplan.delivery.{kind}" for kind in KINDS}
    with pytest.raises(KeyError, match="no delivery adapter for kind `fax`"):
        adapter("fax")
    probe = (
        "import sys, incplan.delivery.run as run, incplan.delivery.registry as r;"
        "ours = lambda: sorted(m for m in sys.modules if m.startswith('incplan.delivery.'));"
        "print(ours()); [r.adapter(k) for k in r.KINDS];"
        "print(ours()); print([m for m in ('httpx', 'ssl', 'smtplib') if m in sys.modules])"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    before, after, heavy = loaded.splitlines()
    assert (
        before
        == "['incplan.delivery.base', 'incplan.delivery.registry', 'incplan.delivery.retry', 'incplan.delivery.run']"
    )
    assert after == str(sorted(["incplan.delivery.base", "incplan.delivery.retry", "incplan.delivery.run",
                                "incplan.delivery.registry", "incplan.delivery.http", "incplan.delivery.sms",
                                *(f"incplan.delivery.{kind}" for kind in KINDS)]))  # fmt: skip
    assert heavy == "[]"


def test_a_two_hour_incident_sent_for_real_counts_only_what_was_delivered(
    team: Path, services: tuple[FakeServices, str], smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scripted two hours of tests/test_incident_time.py, with `notify --send` against the
    servers: sev1 (first update within 10m, every 15m) opened 10:00; 10:06 sent everywhere;
    10:20 identified, commander handed to Leo; 10:24 the update fails for both customer channels
    (a revoked key, a wrong password) and reaches only the internal ones; 10:26 sent again to
    those two; 10:40 downgraded to sev2 (every 1h); 10:50, 11:45 sent; 12:00 resolved; 12:01
    the resolution. By hand: first update 10:06 (6m, target 10m: met); due 10:21, delivered
    10:26 (5m late: the failed 10:24 update is not an update); due 10:26 + 15m = 10:41,
    delivered 10:50 (9m late); due 10:50 + 1h = 11:50, delivered 11:45; resolved after 2h."""
    fake, _ = services
    mailbox, _ = smtp

    def at(hhmm: str) -> str:
        return f"2026-11-27T{hhmm}:00-05:00"

    def ok(*args: str, now: str) -> tuple[int, str]:
        code, out, err = run(*args, now=at(now))
        assert code in (0, 1), out + err
        return code, out + err

    def figures(now: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        status = json.loads(ok("incident", "status", ID, "-f", "json", now=now)[1])[0]
        single = json.loads(ok("report", ID, "-f", "json", now=now)[1])
        period = json.loads(ok("report", "--all", "-f", "json", now=now)[1])
        return status, single, period

    code, _, err = run("incident", "open", "-t", "Dashboard down", "-S", "sev1", "--var", "impact=dashboards that do not load",
                       "--role", "incident_commander=@mia", "--component", "api=major_outage", now=at("10:00"))  # fmt: skip
    assert code == 0, err
    assert ok("notify", "-i", ID, "--send", "--yes", now="10:06")[0] == 0
    ok("incident", "update", ID, "-s", "identified", "--note", "bad deploy 4821", now="10:20")
    ok("incident", "assign", ID, "incident_commander", "@leo", "--by", "@mia", now="10:20")
    monkeypatch.setenv("STATUSPAGE_API_KEY", "sp-key-revoked")
    monkeypatch.setenv("SMTP_PASSWORD", "not-the-password")
    code, out = ok("notify", "-i", ID, "--send", "--yes", "--update", "Rollback 60% done.", now="10:24")
    assert code == 1
    assert "status_page: FAILED: HTTP 401: " in out
    assert "email: FAILED: the SMTP server refused the username or password" in out
    status, single, period = figures("10:25")
    # nothing reached a customer at 10:24: the update due 10:21 is overdue, not posted
    assert (status["last_customer_update"], status["next_update_due"], status["overdue_by_s"]) == (
        at("10:06"), at("10:21"), 240)  # fmt: skip
    assert [(b["due_at"], b["posted_at"], b["late_by_s"]) for b in single["cadence_breaches"]] == [
        (at("10:21"), None, 240)]  # fmt: skip
    assert (period["first_update_met_share"], period["cadence_met_share"]) == (1.0, 0.0)
    monkeypatch.setenv("STATUSPAGE_API_KEY", API_KEY)
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    assert ok("notify", "-i", ID, "--send", "--yes", "-c", "status_page", "-c", "email",
              "--update", "Rollback 60% done.", now="10:26")[0] == 0  # fmt: skip
    status, single, _ = figures("10:30")
    assert (status["last_customer_update"], status["next_update_due"], status["overdue_by_s"]) == (
        at("10:26"), at("10:41"), None)  # fmt: skip
    assert ok("incident", "update", ID, "-S", "sev2", "--at", "5m ago", now="10:45")[0] == 0
    status, single, _ = figures("10:45")
    assert (status["next_update_due"], status["overdue_by_s"]) == (at("10:41"), 240)  # still sev1's cadence
    for now in ("10:50", "11:45"):
        assert ok("notify", "-i", ID, "--send", "--yes", now=now)[0] == 0
    ok("incident", "update", ID, "-s", "resolved", "--component", "api=operational", now="12:00")
    assert ok("notify", "-i", ID, "--send", "--yes", now="12:01")[0] == 0

    status, single, period = figures("12:30")
    assert (status["open"], status["next_update_due"], status["last_customer_update"]) == (False, None, at("12:01"))
    assert (single["time_to_resolve_s"], single["time_to_first_update_s"], single["first_update_target_s"]) == (
        7200, 360, 600)  # fmt: skip
    assert [(b["due_at"], b["posted_at"], b["late_by_s"]) for b in single["cadence_breaches"]] == [
        (at("10:21"), at("10:26"), 300),
        (at("10:41"), at("10:50"), 540),
    ]
    assert (single["first_update_status"], single["cadence_status"]) == ("met", "missed")
    assert single["roles"] == {"incident_commander": ["@leo", "@mia"]}
    assert period == {
        "incidents": 1, "by_severity": {"sev1": 1, "sev2": 0}, "median_time_to_resolve_s": 7200,
        "p90_time_to_resolve_s": 7200, "median_time_to_first_update_s": 360, "first_update_met_share": 1.0,
        "cadence_met_share": 0.0, "pending": 0, "not_applicable": 0,
    }  # fmt: skip
    delivered = [(m["at"][11:16], m["channel"]) for m in single["messages"] if m["delivered"]]
    failed = [(m["at"][11:16], m["channel"]) for m in single["messages"] if not m["delivered"]]
    assert failed == [("10:24", "status_page"), ("10:24", "email")]
    assert [c for t, c in delivered if t == "10:24"] == ["slack", "teams", "webhook"]
    assert [c for t, c in delivered if t == "10:50"] == ["status_page", "slack", "email"]  # sev2, and email heard sev1

    # what the servers accepted is, word for word, what the report says went out
    sp = [
        r for r in fake.of("/sp/") if r.method in ("POST", "PATCH") and r.header("Authorization") == f"OAuth {API_KEY}"
    ]
    recorded = [m for m in single["messages"] if m["channel"] == "status_page" and m["delivered"]]
    assert [r.json()["incident"]["body"] for r in sp] == [m["body"] for m in recorded]
    assert [m["at"][11:16] for m in recorded] == ["10:06", "10:26", "10:50", "11:45", "12:01"]
    assert "Next update by Nov 27, 2026, 10:41 EST." in recorded[1]["body"]  # 10:26 + 15m
    assert "Next update by Nov 27, 2026, 11:50 EST." in recorded[2]["body"]  # 10:50 + 1h (sev2)
    mails = [m for m in single["messages"] if m["channel"] == "email" and m["delivered"]]
    assert len(mailbox.messages) == len(mails) == 5
    for message, m in zip(mailbox.messages, mails, strict=True):
        html = next(p for p in message.walk() if p.get_content_type() == "text/html")
        assert message["Subject"] == (m["subject"] or "Dashboard down")  # no subject in the plan: the title
        assert html.get_content().strip() == m["body"].strip()
    text = ok("report", ID, "-f", "text", now="12:30")[1]
    assert "  2026-11-27 10:24 EST · Identified · Statuspage (failed: " in text
    assert "  due 2026-11-27 10:21 EST, posted 2026-11-27 10:26 EST, late by 5m\n" in text


def test_what_a_server_answers_is_shown_escaped_never_obeyed(team: Path, services: tuple[FakeServices, str]) -> None:
    """A status page id (or error) holding terminal escapes is printed as its escapes: the
    server's text is data, like a record's."""
    fake, _ = services
    fake.statuspage.id_prefix = "x\x1b]0;PWN\x07\x1b[2J"
    open_incident()
    code, out, err = send("status_page")
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert code != 0 or "status_page: created status page incident x\\x1b]0;PWN\\x07\\x1b[2J1\n" in out
