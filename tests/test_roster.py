"""`incplan roster`: who does what, and each person told their own part through real local
servers (aiosmtpd with STARTTLS and AUTH, an HTTP server playing Slack and Teams)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import SMTP_LOGIN
from .servers import Mailbox, Reply, Request, http_server

SMTP_USER, SMTP_PASSWORD = SMTP_LOGIN.user, SMTP_LOGIN.password

PLAN = (Path(__file__).parent / "review" / "plan.yaml").read_text(encoding="utf-8")
runner = CliRunner()
RESPONSIBILITIES = {
    "@ola": ["Owns the incident and decides its severity.", "Posts every customer update on time."],
    "@piotr": ["Owns the incident and decides its severity."],
    "@kasia": ["Posts every customer update on time."],
}
TEAM_CHANNELS = """channels:
  team_email:
    name: Team email
    type: email
    audience: internal
    owner: incident_commander
    access: SMTP relay account in the vault, exported as SMTP_USER and SMTP_PASSWORD.
    delivery:
      kind: email
      host: 127.0.0.1
      port: {smtp_port}
      from: incidents@sklep.example
      to: [everyone@sklep.example]
      username_env: SMTP_USER
      password_env: SMTP_PASSWORD
  team_slack:
    name: "#team"
    type: chat
    audience: internal
    owner: incident_commander
    access: Incoming webhook in the vault, exported as SLACK_WEBHOOK_URL.
    delivery: {{kind: slack, webhook_url_env: SLACK_WEBHOOK_URL}}
  team_teams:
    name: Team in Microsoft Teams
    type: chat
    audience: internal
    owner: incident_commander
    access: Workflows webhook in the vault, exported as TEAMS_WEBHOOK_URL.
    delivery: {{kind: teams, webhook_url_env: TEAMS_WEBHOOK_URL}}
"""


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def chat_server() -> Iterator[tuple[list[tuple[str, Any]], str]]:
    """Answers like Slack ("ok") and a Teams workflow (202); keeps every JSON body received."""
    received: list[tuple[str, Any]] = []

    def respond(request: Request) -> Reply:
        received.append((request.path, request.json()))
        return Reply(200, b"ok") if request.path == "/slack/hook" else Reply(202, b"")

    with http_server(respond) as server:
        yield received, server.base


@pytest.fixture
def team(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp: tuple[Mailbox, int],
    chat_server: tuple[list[tuple[str, Any]], str],
) -> Path:
    _, port = smtp
    _, base = chat_server
    plan = PLAN.replace("channels:\n", TEAM_CHANNELS.format(smtp_port=port), 1)
    plan = plan.replace('chat: "@piotr"', 'chat: "@U024BE7LH"')  # a Slack member id: a real mention
    (tmp_path / "incplan.yaml").write_text(plan, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMTP_USER", SMTP_USER)
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{base}/slack/hook")
    monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{base}/teams/workflow")
    return tmp_path


def test_roster_text_shows_roles_severities_and_backups(team: Path) -> None:
    code, out, err = run("roster")
    assert code == 0, err
    assert out == (
        "@ola Ola Kowalska (ola@sklep.example, chat @ola, GitHub @ola-kowalska)\n"
        "  Incident Commander (primary)\n"
        "    Called in for: sev1 (Critical), sev2 (Major)\n"
        "    Responsibilities:\n"
        "    - Owns the incident and decides its severity.\n"
        "    Backups: Piotr Zieliński (@piotr)\n"
        "  Communications Lead (backup 1)\n"
        "    Called in for: sev1 (Critical)\n"
        "    Responsibilities:\n"
        "    - Posts every customer update on time.\n"
        "    Others in this role: Kasia Wiśniewska (@kasia, primary)\n"
        "  Owns channels: Team email (team_email), #team (team_slack), Team in Microsoft Teams (team_teams), "
        "Status page (status_page), SMS to business customers (sms), #awarie (chat_internal)\n"
        "\n"
        "@piotr Piotr Zieliński (piotr@sklep.example, chat @U024BE7LH, GitHub @pzielinski)\n"
        "  Incident Commander (backup 1)\n"
        "    Called in for: sev1 (Critical), sev2 (Major)\n"
        "    Responsibilities:\n"
        "    - Owns the incident and decides its severity.\n"
        "    Others in this role: Ola Kowalska (@ola, primary)\n"
        "  Owns channels: Team email (team_email), #team (team_slack), Team in Microsoft Teams (team_teams), "
        "#awarie (chat_internal)\n"
        "\n"
        "@kasia Kasia Wiśniewska (kasia@sklep.example, chat @kasia)\n"
        "  Communications Lead (primary)\n"
        "    Called in for: sev1 (Critical)\n"
        "    Responsibilities:\n"
        "    - Posts every customer update on time.\n"
        "    Backups: Ola Kowalska (@ola)\n"
        "  Owns channels: Status page (status_page), SMS to business customers (sms)\n"
    )


def test_roster_for_one_person_in_json_and_markdown(team: Path) -> None:
    code, out, _ = run("roster", "@kasia", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "organization": "Sklep Nowak",
        "people": [
            {
                "handle": "@kasia",
                "name": "Kasia Wiśniewska",
                "email": "kasia@sklep.example",
                "chat": "@kasia",
                "phone": None,
                "github": None,
                "roles": [
                    {
                        "role": "communications_lead",
                        "name": "Communications Lead",
                        "primary": True,
                        "position": 1,
                        "responsibilities": ["Posts every customer update on time."],
                        "severities": ["sev1"],
                        "backups": ["@ola"],
                    }
                ],
                "severities": ["sev1"],
                "owns_channels": ["status_page", "sms"],
            }
        ],
    }
    code, out, _ = run("roster", "piotr", "-f", "markdown")
    assert code == 0
    assert out.startswith("## Who does what: Sklep Nowak\n\n### Piotr Zieliński `@piotr` @pzielinski\n")
    assert "- Others in this role: Ola Kowalska (&#64;ola, primary)\n" in out
    code, _, err = run("roster", "@nobody")
    assert code == 2
    assert err.startswith("error: unknown person `@nobody`\n")


def _text(message: Any) -> str:
    payload = message.get_payload(decode=True)
    return str(payload.decode(message.get_content_charset() or "utf-8")).replace("\r\n", "\n")


def _only_their_part(handle: str, text: str) -> None:
    for mine in RESPONSIBILITIES[handle]:
        assert mine in text
    for other, theirs in RESPONSIBILITIES.items():
        for line in theirs:
            if line not in RESPONSIBILITIES[handle]:
                assert line not in text, f"{handle} got {other}'s role text"


def test_send_by_email_reaches_each_person_once_with_only_their_part(team: Path, smtp: tuple[Mailbox, int]) -> None:
    mailbox, _ = smtp
    code, out, err = run("roster", "--send", "--channel", "team_email", "--yes")
    assert code == 0, out + err
    assert out == (
        "@ola: emailed ola@sklep.example\n@piotr: emailed piotr@sklep.example\n@kasia: emailed kasia@sklep.example\n"
    )
    assert mailbox.logins == [SMTP_USER] * 3
    by_address = {m["To"]: m for m in mailbox.messages}
    assert sorted(by_address) == ["kasia@sklep.example", "ola@sklep.example", "piotr@sklep.example"]
    assert len(mailbox.messages) == 3  # once each; never the channel's own `to` list
    for handle in RESPONSIBILITIES:
        message = by_address[f"{handle[1:]}@sklep.example"]
        assert message["Subject"] == "Your roles in the Sklep Nowak incident communication plan"
        body = _text(message)
        _only_their_part(handle, body)
    piotr = _text(by_address["piotr@sklep.example"])
    assert piotr.startswith("Hello Piotr Zieliński, these are your roles in the Sklep Nowak")
    assert "Incident Commander (backup 1)\n  Called in for: sev1 (Critical), sev2 (Major)\n" in piotr


def test_send_to_slack_mentions_each_person_once(team: Path, chat_server: tuple[list[tuple[str, Any]], str]) -> None:
    received, _ = chat_server
    code, out, err = run("roster", "--send", "-c", "team_slack", "--yes")
    assert code == 0, out + err
    texts = [body["text"] for path, body in received if path == "/slack/hook"]
    assert len(texts) == 3
    assert [t.split(" ", 1)[0] for t in texts] == ["@ola", "<@U024BE7LH>", "@kasia"]
    for handle, text in zip(RESPONSIBILITIES, texts, strict=True):
        _only_their_part(handle, text)


def test_a_roster_message_holding_a_secret_is_held_back(
    team: Path, chat_server: tuple[list[tuple[str, Any]], str]
) -> None:
    """A duty in the plan that holds the Slack webhook's secret path (pasted by mistake): the
    roster message that repeats it is not sent, as notify would not send it."""
    received, _ = chat_server
    plan = team / "incplan.yaml"
    plan.write_text(plan.read_text().replace("Posts every customer update on time.", "Posts updates, see slack/hook."))
    code, out, _ = run("roster", "--send", "-c", "team_slack", "--dry-run")
    assert code == 2
    assert out.count("cannot send: the message holds the value of `SLACK_WEBHOOK_URL`, a secret") == 2  # ola, kasia
    code, out, _ = run("roster", "--send", "-c", "team_slack", "--yes")
    assert code == 1
    assert [body["text"].split(" ", 1)[0] for _, body in received] == ["<@U024BE7LH>"]  # piotr's part holds none


def test_send_to_teams_mentions_by_sign_in(team: Path, chat_server: tuple[list[tuple[str, Any]], str]) -> None:
    received, _ = chat_server
    code, _, err = run("roster", "@kasia", "--send", "-c", "team_teams", "--yes")
    assert code == 0, err
    assert len(received) == 1
    card = received[0][1]["attachments"][0]["content"]
    assert card["body"][0]["text"] == "<at>Kasia Wiśniewska</at>"
    assert card["msteams"]["entities"] == [
        {
            "type": "mention",
            "text": "<at>Kasia Wiśniewska</at>",
            "mentioned": {"id": "kasia@sklep.example", "name": "Kasia Wiśniewska"},
        }
    ]
    _only_their_part("@kasia", json.dumps(card, ensure_ascii=False))


def test_dry_run_and_confirmation_send_nothing(team: Path, smtp: tuple[Mailbox, int]) -> None:
    mailbox, _ = smtp
    code, out, _ = run("roster", "--send", "-c", "team_email", "--dry-run")
    assert code == 0
    assert out.count("==> ") == 3
    assert "==> @piotr via team_email <==\nSMTP smtp://127.0.0.1:" in out
    assert "To: piotr@sklep.example\n" in out
    assert SMTP_PASSWORD not in out
    code, _, err = run("roster", "--send", "-c", "team_email", input="n\n")
    assert code == 0
    assert "Send 3 roster messages (@ola, @piotr, @kasia) via team_email?" in err
    assert err.endswith("nothing sent\n")
    assert mailbox.messages == []


def test_send_refuses_customer_and_unsuitable_channels(team: Path) -> None:
    code, _, err = run("roster", "--send", "-c", "status_page", "--yes")
    assert code == 2
    assert err.startswith("error: channel `status_page` (statuspage) cannot carry a personal roster message\n")
    code, _, err = run("roster", "--send", "--yes")
    assert code == 2
    assert "--send needs --channel ID" in err
    code, _, err = run("roster", "--channel", "team_email")
    assert code == 2
    assert "go with --send" in err


def test_people_without_an_address_are_skipped_and_said(team: Path, smtp: tuple[Mailbox, int]) -> None:
    mailbox, _ = smtp
    plan = team / "incplan.yaml"
    plan.write_text(plan.read_text().replace(", email: kasia@sklep.example", ""))
    code, _, err = run("roster", "--send", "-c", "team_email", "--yes")
    assert code == 0, err
    assert "skipped @kasia: has no email address in the plan\n" in err
    assert sorted(m["To"] for m in mailbox.messages) == ["ola@sklep.example", "piotr@sklep.example"]
