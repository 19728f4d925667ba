"""Announcing during an incident: the text that went out is kept, free text per update,
components, assigned people, channels after a downgrade, and the stage guard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
ID = "2026-11-27-checkout-errors"


def run(*args: str, now: str = "2026-11-27T10:30:00+01:00") -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def open_incident(*extra: str, severity: str = "sev2") -> None:
    code, _, err = run(
        "incident", "open", "-t", "Checkout errors", "-S", severity, "--var", "service=checkout",
        "--var", "impact=payment errors", *extra, now="2026-11-27T10:02:00+01:00",
    )  # fmt: skip
    assert code == 0, err


def events(team: Path) -> list[dict[str, object]]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((team / "incidents" / f"{ID}.yaml").read_text())
    return list(data["events"])


def test_notified_events_keep_the_text_and_the_update(team: Path) -> None:
    open_incident()
    assert run("incident", "update", ID, "-s", "identified")[0] == 0
    code, out, err = run(
        "notify", "-i", ID, "-c", "status_page", "--update", "Rollback 60% done.", "--posted", "-f", "text"
    )
    assert code == 0, err
    assert out == (
        "Identified: checkout\n\n"
        "We have identified the cause of payment errors affecting checkout.\n"
        "Rollback 60% done.\n"
        "We are working on a fix. Next update by Nov 27, 2026, 11:30 CET.\n"
    )
    last = events(team)[-1]
    assert (last["subject"], last["body"], last["update"]) == (
        "Identified: checkout",
        out.split("\n\n", 1)[1].rstrip("\n"),
        "Rollback 60% done.",
    )


def test_templates_see_the_assigned_people_first(team: Path) -> None:
    open_incident("--role", "incident_commander=@dan")
    code, out, _ = run("notify", "-i", ID, "-c", "chat_internal", "-f", "text")
    assert code == 0
    assert "Commander: Dan Okafor." in out
    assert run("incident", "assign", ID, "incident_commander", "@erin")[0] == 0
    assert "Commander: Erin Walsh." in run("notify", "-i", ID, "-c", "chat_internal", "-f", "text")[1]


def test_components_on_records_in_status_and_templates(team: Path) -> None:
    open_incident("--component", "checkout=major_outage")
    assert run("incident", "update", ID, "--component", "checkout=degraded_performance", "--component", "api=operational")[0] == 0  # fmt: skip
    code, out, _ = run("incident", "status", ID, "-f", "json")
    assert code == 0
    assert json.loads(out)[0]["components"] == {"checkout": "degraded_performance", "api": "operational"}
    code, _, err = run("incident", "update", ID, "--component", "checkout=down")
    assert code == 2
    assert err.startswith("error: unknown component status `down`")
    code, _, err = run("incident", "update", ID, "--component", "chekout=major_outage")
    assert (code, err.splitlines()[0]) == (2, "error: unknown component `chekout`")
    assert "did you mean `checkout`?" in err


def test_after_a_downgrade_every_customer_channel_used_hears_resolved(team: Path) -> None:
    open_incident(severity="sev1")
    code, _, err = run("notify", "-i", ID, "--posted", "-f", "text", now="2026-11-27T10:09:00+01:00")
    assert code == 0, err
    assert run("incident", "update", ID, "-S", "sev2", now="2026-11-27T10:40:00+01:00")[0] == 0
    assert run("incident", "update", ID, "-s", "resolved", now="2026-11-27T11:00:00+01:00")[0] == 0
    code, out, _ = run("notify", "-i", ID, "-f", "json", now="2026-11-27T11:01:00+01:00")
    assert code == 0
    # sev2 routes to status_page and chat_internal; email and social heard "investigating"
    assert [m["channel"] for m in json.loads(out)["messages"]] == ["status_page", "chat_internal", "email", "social"]


def test_another_stage_is_refused_unless_forced_and_never_recorded_as_resolved(team: Path) -> None:
    open_incident()
    before = (team / "incidents" / f"{ID}.yaml").read_bytes()
    code, _, err = run("notify", "-i", ID, "-s", "resolved", "--posted")
    assert code == 2
    assert err.splitlines()[0] == "error: the incident is at `investigating`, not `resolved`"
    code, _, err = run("notify", "-i", ID, "-s", "resolved", "--posted", "--force")
    assert code == 2
    assert "ends the incident, which is still open" in err
    assert (team / "incidents" / f"{ID}.yaml").read_bytes() == before
    code, out, _ = run("notify", "-i", ID, "-s", "identified", "--force", "-c", "status_page", "-f", "text")
    assert (code, out.splitlines()[0]) == (0, "Identified: checkout")


def test_open_suggests_send_when_the_channels_deliver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "examples/delivery.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("incident", "open", "-t", "Slow dashboards", "-S", "sev2", "--var", "impact=slow dashboards")
    assert code == 0
    assert out.splitlines()[1] == "next: incplan notify -i 2026-11-27-slow-dashboards --send"


def test_an_update_no_message_shows_is_refused_and_nothing_is_recorded(team: Path) -> None:
    """`notify --update TEXT` recorded as posted with messages that never said it: customers never
    read it while the record says they did. The chat message never uses `{{ update.text }}`."""
    open_incident()
    before = (team / "incidents" / f"{ID}.yaml").read_text()
    error = (
        "error: the --update text is in none of the messages (chat_internal): "
        "their `investigating` templates do not use `{{ update.text }}`\n"
        "  hint: add `{{ update.text }}` to the `investigating` message of a channel in the plan, "
        "or leave out --update\n"
    )
    for mode in (["--posted"], ["--send", "--dry-run"], []):
        assert run("notify", "-i", ID, "-c", "chat_internal", "--update", "Rollback done.", *mode) == (2, "", error)
    # a short text is looked for as words of its own: `x` is in `Next customer update`, `DM` in `do not DM`
    assert run("notify", "-i", ID, "-c", "chat_internal", "--update", "x")[0] == 2
    assert run("notify", "-i", ID, "-c", "chat_internal", "--update", "dm")[0] == 0
    assert (team / "incidents" / f"{ID}.yaml").read_text() == before
    # without a record too: the messages shown would not say it either
    code, _, err = run("notify", "-s", "identified", "-S", "sev1", "--example", "-c", "email", "-c", "social",
                       "--update", "Rollback done.")  # fmt: skip
    assert code == 2
    assert err.startswith("error: the --update text is in none of the messages (email, social): their `identified`")
    # one message that shows it is enough: the status page does, the chat need not
    code, out, err = run("notify", "-i", ID, "-c", "status_page", "-c", "chat_internal", "--update", "Rollback done.",
                         "--posted", "-f", "text")  # fmt: skip
    assert code == 0, err
    assert "affecting checkout.\nRollback done.\nWe will post" in out
    assert [e.get("update") for e in events(team) if e["type"] == "notified"] == ["Rollback done.", "Rollback done."]


def test_an_update_shown_escaped_in_an_html_message_counts(team: Path) -> None:
    plan = team / "incplan.yaml"
    text = plan.read_text()
    text = text.replace(
        "Our engineers are investigating.</p>",
        "Our engineers are investigating.</p>\n        <p>{{ update.text }}</p>",
        1,
    )
    plan.write_text(text)
    open_incident(severity="sev1")
    code, out, err = run("notify", "-i", ID, "-c", "email", "--update", "Fish  &  chips\n<ok>", "-f", "json")
    assert code == 0, err
    assert "<p>Fish  &amp;  chips\n&lt;ok&gt;</p>" in json.loads(out)["messages"][0]["body"]
