"""`incident remind`: a fake clock (INCPLAN_NOW) walked minute by minute through a scripted
incident, with a real HTTP server on 127.0.0.1 playing Slack and Teams; the server counts what
it received, so "exactly one reminder per due update" is checked where a team would notice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .servers import Reply, Request, http_server

runner = CliRunner()
ID = "2026-11-27-checkout-errors"

PLAN = """\
version: 1
organization: {name: Acme, timezone: Europe/Warsaw, locales: [LOCALES]}
people:
  alice: {name: Alice Nowak, email: alice@acme.test}
  bob: {name: Bob Lee, email: bob@acme.test}
definition:
  incident: An unplanned event that disrupts customers.
  criteria: [{id: degraded, question: Is checkout failing?, severity: sev2}]
severities:
  sev2:
    name: Major
    impact: major
    first_update_within: 20m
    update_every: 30m
    roles: [incident_commander]
    channels: [status_page, slack, teams]
roles:
  incident_commander: {name: Incident Commander, people: ["@alice", "@bob"]}
channels:
  status_page: {name: Status page, type: status_page, audience: customers, owner: incident_commander, access: vault}
  slack:
    name: "#incidents"
    type: chat
    audience: internal
    owner: incident_commander
    access: vault
    delivery: {kind: slack, webhook_url_env: SLACK_WEBHOOK_URL}
  teams:
    name: Support in Teams
    type: chat
    audience: internal
    owner: incident_commander
    access: vault
    delivery: {kind: teams, webhook_url_env: TEAMS_WEBHOOK_URL}
stages:
  investigating: {name: Investigating}
  resolved: {name: Resolved, final: true}
templates:
  investigating:
    default: "We are investigating checkout errors. Next update by {{ next_update }}."
  resolved:
    default: "Resolved. No data was lost."
"""

REMINDER = """\
reminder:
  subject: "Update due: {{ incident.title }}"
  body: "{{ roles.incident_commander.people[0].name }}, the customer update for {{ incident.title }} is due by {{ next_update }}."
"""


class Hooks:
    """Slack ("ok", or 403 while `fail_slack`) and Teams; keeps every JSON body received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.fail_slack = False

    def __call__(self, request: Request) -> Reply:
        self.received.append((request.path, request.json()))
        if request.path == "/slack" and self.fail_slack:
            return Reply(403, b"invalid_token")
        return Reply(200, b"ok")


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hooks]:
    state = Hooks()
    with http_server(state) as server:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{server.base}/slack")
        monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{server.base}/teams")
        yield state


def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locales: str = "en", reminder: bool = True) -> Path:
    (tmp_path / "incplan.yaml").write_text(PLAN.replace("LOCALES", locales) + (REMINDER if reminder else ""))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, now: datetime) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now.isoformat()})
    return result.exit_code, result.stdout, result.stderr


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-27T{hhmm}:00+01:00")


def test_every_minute_for_an_hour_posts_one_reminder_per_due_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Hooks
) -> None:
    """Opened 10:00 (first update due 10:20); reminded 10:15; update posted 10:17 (next due
    10:47); reminded 10:42; overdue 10:48-10:49; posted 10:50 (next due 11:20); resolved 11:05."""
    team(tmp_path, monkeypatch)
    script = {
        "10:00": ["incident", "open", "--title", "Checkout errors", "--severity", "sev2"],
        "10:17": ["notify", "--incident", ID, "--posted", "-c", "status_page", "-f", "text"],
        "10:50": ["notify", "--incident", ID, "--posted", "-c", "status_page", "-f", "text"],
        "11:05": ["incident", "update", ID, "--stage", "resolved"],
    }
    codes: dict[str, int] = {}
    reminded_at: list[str] = []
    moment = at("10:00")
    while moment <= at("11:15"):
        hhmm = moment.strftime("%H:%M")
        if hhmm in script:
            assert run(*script[hhmm], now=moment)[0] == 0
        before = len(hooks.received)
        code, out, err = run("incident", "remind", "--send", now=moment)
        assert err == ""
        codes[hhmm] = code
        if len(hooks.received) > before:
            reminded_at.append(hhmm)
            assert out.endswith("  reminded slack\n  reminded teams\n")
        moment += timedelta(minutes=1)

    assert reminded_at == ["10:15", "10:42"]
    assert [path for path, _ in hooks.received] == ["/slack", "/teams", "/slack", "/teams"]
    assert {hhmm for hhmm, code in codes.items() if code == 1} == {"10:48", "10:49"}
    assert all(code in (0, 1) for code in codes.values())
    # what Slack showed, from the plan's `reminder` template (the due time, not now)
    assert hooks.received[0][1] == {
        "text": "*Update due: Checkout errors*\nAlice Nowak, the customer update for Checkout errors is due by Nov 27, 2026, 10:20 CET."
    }
    assert hooks.received[2][1]["text"].endswith("is due by Nov 27, 2026, 10:47 CET.")
    card = hooks.received[1][1]["attachments"][0]["content"]["body"]
    assert [block["text"] for block in card] == [
        "Update due: Checkout errors",
        "Alice Nowak, the customer update for Checkout errors is due by Nov 27, 2026, 10:20 CET.",
    ]
    record = (tmp_path / "incidents" / f"{ID}.yaml").read_text()
    assert [line for line in record.splitlines() if "type: reminded" in line] == [
        "- {at: '2026-11-27T10:15:00+01:00', type: reminded, due: '2026-11-27T10:20:00+01:00', channel: slack, locale: en, delivered: true}",
        "- {at: '2026-11-27T10:15:00+01:00', type: reminded, due: '2026-11-27T10:20:00+01:00', channel: teams, locale: en, delivered: true}",
        "- {at: '2026-11-27T10:42:00+01:00', type: reminded, due: '2026-11-27T10:47:00+01:00', channel: slack, locale: en, delivered: true}",
        "- {at: '2026-11-27T10:42:00+01:00', type: reminded, due: '2026-11-27T10:47:00+01:00', channel: teams, locale: en, delivered: true}",
    ]


def test_listing_without_send_and_its_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Hooks) -> None:
    team(tmp_path, monkeypatch)
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now=at("10:00"))
    assert run("incident", "remind", now=at("10:10")) == (0, "no customer update due within 5m\n", "")
    assert run("incident", "remind", "--within", "15m", now=at("10:10")) == (
        0,
        f"{ID}  sev2  next customer update 2026-11-27 10:20 CET (in 10m)  Checkout errors\n",
        "",
    )
    code, out, _ = run("incident", "remind", now=at("10:26"))
    assert (code, out) == (
        1,
        f"{ID}  sev2  next customer update 2026-11-27 10:20 CET (OVERDUE by 6m)  Checkout errors\n",
    )
    code, out, _ = run("incident", "remind", "--format", "json", now=at("10:26"))
    assert code == 1
    assert json.loads(out) == {
        "now": "2026-11-27T10:26:00+01:00",
        "within_s": 300,
        "due": [
            {
                "id": ID,
                "title": "Checkout errors",
                "severity": "sev2",
                "stage": "investigating",
                "due_at": "2026-11-27T10:20:00+01:00",
                "due_in_s": None,
                "overdue_by_s": 360,
                "reminders": [],
                "reminded_before": [],
            }
        ],
    }
    assert hooks.received == []  # listing never posts
    code, _, err = run("incident", "remind", "--within", "soon", now=at("10:26"))
    assert (code, err.splitlines()[0]) == (2, "error: --within `soon` is not a duration")


def test_reminder_in_the_plans_language_when_the_plan_has_no_reminder_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Hooks
) -> None:
    team(tmp_path, monkeypatch, locales="pl", reminder=False)
    run("incident", "open", "--title", "Płatności nie przechodzą", "--severity", "sev2", now=at("10:00"))
    code, _, _ = run("incident", "remind", "--send", now=at("10:16"))
    assert code == 0
    slug = "2026-11-27-platnosci-nie-przechodza"
    assert hooks.received[0] == (
        "/slack",
        {
            "text": "*Czas na informację dla klientów: Płatności nie przechodzą*\n"
            "Przypomnienie: kolejna informacja dla klientów o „Płatności nie przechodzą” (sev2, Investigating) "
            f"ma wyjść do 27 lis 2026, 10:20 CET.\nWyślij ją: incplan notify --incident {slug}"
        },
    )


def test_a_failed_reminder_is_tried_again_then_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Hooks
) -> None:
    team(tmp_path, monkeypatch)
    hooks.fail_slack = True
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now=at("10:00"))
    for minute in range(15, 21):
        code, _, err = run("incident", "remind", "--send", now=at(f"10:{minute}"))
        if minute <= 17:
            assert code == 1
            assert err.startswith(f"error: reminder for {ID} to slack failed: ")
    slack = [path for path, _ in hooks.received if path == "/slack"]
    teams = [path for path, _ in hooks.received if path == "/teams"]
    assert (len(slack), len(teams)) == (3, 1)  # three attempts for the failing one, one post for the other


def test_a_reminder_holding_a_secret_is_held_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Hooks
) -> None:
    """A title edited by hand to hold the Slack webhook's secret path: notify already refused to
    post it (delivery/pasted.py); the reminder, which repeats the title, is held back the same
    way, in --dry-run and in --send, and never reaches either channel."""
    import os

    base = os.environ["SLACK_WEBHOOK_URL"].rsplit("/", 1)[0]
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{base}/slack/T0001/B0001/secrettokenvalue1234")
    team(tmp_path, monkeypatch)
    assert run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now=at("10:00"))[0] == 0
    record = tmp_path / "incidents" / f"{ID}.yaml"
    record.write_text(record.read_text().replace("title: Checkout errors", "title: Checkout secrettokenvalue1234"))
    code, out, err = run("incident", "remind", "--send", "--dry-run", now=at("10:15"))
    assert code == 2, (out, err)
    assert out.count("cannot send: the message holds the value of `SLACK_WEBHOOK_URL`, a secret") == 2  # both
    code, out, err = run("incident", "remind", "--send", now=at("10:15"))
    assert code == 1
    assert hooks.received == []
    assert "secrettokenvalue1234" not in err + record.read_text().split("events:")[1]
    assert record.read_text().count("type: reminded") == 2  # each attempt recorded, not sent


def test_dry_run_shows_the_exact_reminders_and_sends_and_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Hooks
) -> None:
    import os

    team(tmp_path, monkeypatch)
    assert run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now=at("10:00"))[0] == 0
    record = tmp_path / "incidents" / f"{ID}.yaml"
    before = record.read_bytes()
    code, out, err = run("incident", "remind", "--send", "--dry-run", now=at("10:15"))
    assert (code, err) == (0, "")
    base = os.environ["SLACK_WEBHOOK_URL"].rsplit("/", 1)[0]
    text = "Alice Nowak, the customer update for Checkout errors is due by Nov 27, 2026, 10:20 CET."
    card = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": "Update due: Checkout errors", "weight": "Bolder", "size": "Medium",
                 "wrap": True},
                {"type": "TextBlock", "text": text, "wrap": True},
            ]}}],
    }  # fmt: skip
    assert out == (
        f"{ID}  sev2  next customer update 2026-11-27 10:20 CET (in 5m)  Checkout errors\n"
        f"==> slack <==\nPOST {base}/***\nContent-Type: application/json\n\n"
        + json.dumps({"text": f"*Update due: Checkout errors*\n{text}"})
        + f"\n\n==> teams <==\nPOST {base}/***\nContent-Type: application/json\n\n"
        + json.dumps(card)
        + "\n\n"
    )
    assert hooks.received == [] and record.read_bytes() == before  # sent nothing, recorded nothing
    code, out, _ = run("incident", "remind", "--send", "--dry-run", "-f", "json", now=at("10:15"))
    assert code == 0
    assert [r["channel"] for r in json.loads(out)["due"][0]["dry_run"]] == ["slack", "teams"]
    assert json.loads(out)["due"][0]["reminders"] == []

    # a credential unset: exit 2, the variable named, the others still shown
    monkeypatch.delenv("TEAMS_WEBHOOK_URL")
    code, out, err = run("incident", "remind", "--send", "--dry-run", now=at("10:15"))
    assert code == 2
    assert "==> slack <==\nPOST " in out
    assert "==> teams <==\ncannot send: " in out and "TEAMS_WEBHOOK_URL" in out
    assert err == (
        f"error: --send could not remind {ID} to teams\n"
        "  hint: fix what each `cannot send:` above says (a channel posted by hand needs `delivery:`), "
        "then dry-run again\n"
    )
    assert hooks.received == [] and record.read_bytes() == before

    # the real run sends what the dry run showed; a dry run after it has nothing left to send
    assert run("incident", "remind", "--send", now=at("10:15"))[0] == 1  # teams failed: unset
    assert [path for path, _ in hooks.received] == ["/slack"]
    assert hooks.received[0][1] == {"text": f"*Update due: Checkout errors*\n{text}"}
    monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{base}/teams")
    code, out, _ = run("incident", "remind", "--send", "--dry-run", now=at("10:16"))
    assert code == 0 and "==> slack <==" not in out and "==> teams <==" in out  # slack was reminded already
    assert run("incident", "remind", "--dry-run", now=at("10:16"))[:2] == (2, "")


def test_with_no_channel_to_deliver_to_the_dry_run_says_what_it_would_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither internal channel has `delivery:`: `--send --dry-run` printed the due update and
    nothing else, exit 1, as if reminders would go out. It shows the reminder each channel posted
    by hand would get, says it cannot be sent (exit 2, as for an unset credential), and `--send`
    warns instead of staying silent."""
    plan = PLAN.replace("LOCALES", "en") + REMINDER
    plan = plan.replace("    delivery: {kind: slack, webhook_url_env: SLACK_WEBHOOK_URL}\n", "")
    plan = plan.replace("    delivery: {kind: teams, webhook_url_env: TEAMS_WEBHOOK_URL}\n", "")
    (tmp_path / "incplan.yaml").write_text(plan)
    monkeypatch.chdir(tmp_path)
    assert run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now=at("10:00"))[0] == 0
    record = tmp_path / "incidents" / f"{ID}.yaml"
    before = record.read_bytes()
    code, out, err = run("incident", "remind", "--send", "--dry-run", now=at("10:25"))
    reminder = (
        "Update due: Checkout errors\n\n"
        "Alice Nowak, the customer update for Checkout errors is due by Nov 27, 2026, 10:20 CET.\n\n"
    )
    assert (code, out) == (
        2,
        f"{ID}  sev2  next customer update 2026-11-27 10:20 CET (OVERDUE by 5m)  Checkout errors\n"
        "==> slack <==\ncannot send: `slack` has no `delivery:` (posted by hand); it would read:\n" + reminder
        + "==> teams <==\ncannot send: `teams` has no `delivery:` (posted by hand); it would read:\n" + reminder,
    )  # fmt: skip
    assert err.startswith(f"error: --send could not remind {ID} to slack, {ID} to teams\n")
    assert record.read_bytes() == before
    code, out, err = run("incident", "remind", "--send", now=at("10:25"))
    assert code == 1  # overdue
    assert err == (
        f"warning: no reminder for {ID}: `slack` has no `delivery:` (posted by hand)\n"
        f"warning: no reminder for {ID}: `teams` has no `delivery:` (posted by hand)\n"
    )
    assert record.read_bytes() == before
