"""A typo in one entry of the plan sets aside that entry, not the plan (SPEC §4, `plan.usable`).

For each command family: the typo in an entry the command does not need is a warning on stderr
at its file:line:col (exit 0, the command does its work); the same typo in an entry it needs
stops it with that error (exit 1, nothing written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
ID = "2026-11-27-checkout-errors"
PLAN = "incplan.yaml"


def run(*args: str, now: str = "2026-11-27T10:30:00+01:00") -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / PLAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def typo(team: Path, old: str, new: str, mark: str | None = None) -> str:
    """Replace the first `old` in the plan; the `file:line:col` of `mark` in `new` (default:
    its first character that is not a space)."""
    plan = team / PLAN
    text = plan.read_text(encoding="utf-8")
    assert old in text, old
    at = text.index(old) + (new.index(mark) if mark else len(new) - len(new.lstrip()))
    text = text.replace(old, new, 1)
    plan.write_text(text, encoding="utf-8")
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"{PLAN}:{line}:{col}"


def open_incident(severity: str = "sev2") -> None:
    code, _, err = run(
        "incident", "open", "-t", "Checkout errors", "-S", severity, "--var", "service=checkout",
        "--var", "impact=payment errors", now="2026-11-27T10:02:00+01:00",
    )  # fmt: skip
    assert code == 0, err


def set_aside(where: str, message: str, entries: str, *, code: str) -> str:
    """What stderr says about entries a command does not need."""
    many = "," in entries
    return (
        f"{where}: warning {code} {message}\n"
        f"warning: {entries} {'are' if many else 'is'} set aside: this command does not need "
        f"{'them' if many else 'it'} (`incplan check {PLAN}` lists every problem)\n"
    )


def stopped(where: str, message: str, entry: str, *, code: str, hint: str = "fix it and run the command again") -> str:
    """What stderr says when the command needs the entry."""
    return (
        f"{where}: error {code} {message}\n"
        f"error: `{entry}` has 1 error, and this command needs it\n"
        f"  hint: {hint} (`incplan check {PLAN}` lists every problem)\n"
    )


# The issue's example: `values: - nam:` (a key typo in a section no command used during an incident reads).
VALUES_TYPO = ("  - name: Customers first", "  - nam: Customers first")


def test_the_issue_values_typo_is_a_warning_for_every_incident_command(team: Path) -> None:
    where = typo(team, *VALUES_TYPO, "nam")
    expected = (
        f"{where}: warning E101 unknown key `nam` in `values[0]`\n"
        f"{where}: warning E103 missing required key `name` in `values[0]`\n"
        "warning: `values[0]` is set aside: this command does not need it"
        f" (`incplan check {PLAN}` lists every problem)\n"
    )
    code, out, err = run(
        "incident", "open", "-t", "Checkout errors", "-S", "sev2", "--var", "service=checkout",
        "--var", "impact=payment errors", now="2026-11-27T10:02:00+01:00",
    )  # fmt: skip
    assert (code, err) == (0, expected)
    assert out.startswith(f"opened {ID} ")
    code, _, err = run("incident", "update", ID, "--note", "rollback started")
    assert (code, err) == (0, expected)
    code, out, err = run("notify", "-i", ID, "-c", "status_page", "-f", "text")
    assert (code, out.splitlines()[0]) == (0, "Investigating: checkout is degraded")
    assert err.startswith(expected)
    for args in (["incident", "status"], ["incident", "list"], ["report", ID], ["report", "--all"], ["show", "sev2"]):
        code, _, err = run(*args)
        assert (code, err) == (0, expected), args
    code, _, err = run("classify", "--no", "data_exposed", "--no", "full_outage", "--yes", "core_degraded")
    assert (code, err) == (0, expected)
    code, out, _ = run("check", PLAN)
    assert code == 1 and "error E101 unknown key `nam` in `values[0]`" in out  # check still fails on it


# ------------------------------------------------------------------ notify


def test_notify_a_typo_in_a_role_the_messages_do_not_read_is_a_warning(team: Path) -> None:
    # the scribe is called in by sev1 only; no investigating message reads `roles.scribe`
    where = typo(team, '"@frank", "@erin"]', '"@frank", "@erni"]', '"@erni"')  # the second handle
    code, out, err = run("notify", "-s", "investigating", "-S", "sev1", "--example", "-f", "text")
    assert code == 0
    assert "==> social <==" in out
    assert err == set_aside(where, "`@erni` is not in `people`", "`roles.scribe`", code="E201")


def test_notify_a_typo_in_a_role_a_message_reads_stops_that_message(team: Path) -> None:
    # the chat message names `roles.incident_commander.people[0]`
    where = typo(team, '["@alice", "@bob"]', '["@alice", "@bobb"]', '"@bobb"')
    code, out, err = run("notify", "-s", "investigating", "-S", "sev2", "--example", "-f", "text")
    assert (code, out) == (1, "")
    assert err == stopped(
        where, "`@bobb` is not in `people`", "roles.incident_commander", code="E201",
        hint="fix it and run the command again, or name only the other channels with --channel",
    )  # fmt: skip
    # the status page message does not read it
    code, out, err = run("notify", "-s", "investigating", "-S", "sev2", "--example", "-c", "status_page", "-f", "text")
    assert (code, out.splitlines()[0]) == (0, "Investigating: the Acme API is degraded")
    assert "`roles.incident_commander` is set aside" in err


def test_notify_a_typo_inside_the_severity_stops_it_and_not_the_others(team: Path) -> None:
    where = typo(team, "{investigating: 15m,", "{investigating: 15mm,", "15mm")
    message = (
        "`severities.sev1.update_every.investigating`: `15mm` is not a duration; "
        "write it like `30s`, `15m`, `1h30m` or `2d`"
    )
    code, out, err = run("notify", "-s", "investigating", "-S", "sev1", "--example", "-c", "status_page")
    assert (code, out) == (1, "")
    assert err == stopped(where, message, "severities.sev1", code="E104")
    code, out, err = run("notify", "-s", "investigating", "-S", "sev2", "--example", "-c", "status_page", "-f", "text")
    assert (code, out.splitlines()[0]) == (0, "Investigating: the Acme API is degraded")
    assert err == set_aside(where, message, "`severities.sev1`", code="E104")


def test_notify_a_broken_message_is_never_replaced_by_the_default(team: Path) -> None:
    # identified has a status_page message of its own and a `default` for the others
    where = typo(team, '      subject: "Identified: {{ service }}"', '      subjekt: "Identified: {{ service }}"')
    message = "unknown key `subjekt` in `templates.identified.status_page`"
    code, out, err = run("notify", "-s", "identified", "-S", "sev2", "--example", "-c", "status_page")
    assert (code, out) == (1, "")
    assert err == stopped(
        where, message, "templates.identified.status_page", code="E101",
        hint="fix it and run the command again, or name only the other channels with --channel",
    )  # fmt: skip
    code, out, err = run("notify", "-s", "identified", "-S", "sev2", "--example", "-c", "chat_internal", "-f", "text")
    assert (code, out.splitlines()[0]) == (
        0,
        "Update on the Acme API: we found the cause and are working on a fix. "
        "Next update by Nov 27, 2026, 11:30 CET. Details: https://status.acme.example",
    )
    assert f"{where}: warning E101 {message}\n" in err


def test_notify_a_broken_variable_stops_only_the_messages_that_read_it(team: Path) -> None:
    where = typo(
        team, "    description: The cause, in one plain sentence", "    descripton: The cause, in one plain sentence"
    )
    code, out, err = run("notify", "-s", "investigating", "-S", "sev2", "--example", "-c", "status_page", "-f", "text")
    assert code == 0, err
    assert f"{where}: warning E101 unknown key `descripton` in `variables.cause`\n" in err
    code, out, err = run("notify", "-s", "identified", "-S", "sev2", "--example", "-c", "status_page")
    assert (code, out) == (1, "")
    assert f"{where}: error E101 unknown key `descripton` in `variables.cause`\n" in err
    assert "error: `variables.cause` has 2 errors, and this command needs it\n" in err


def test_notify_for_an_incident_needs_every_customer_channel_it_reached(team: Path) -> None:
    open_incident("sev1")
    code, _, err = run(
        "notify", "-i", ID, "-c", "status_page", "-c", "email", "--posted", now="2026-11-27T10:09:00+01:00"
    )
    assert code == 0, err
    assert run("incident", "update", ID, "-S", "sev2", now="2026-11-27T10:10:00+01:00")[0] == 0
    # sev2 does not route to email, but the incident's customers there hear every later stage
    where = typo(team, "    access: Send from the support mailbox", "    acess: Send from the support mailbox")
    message = "unknown key `acess` in `channels.email`"
    code, out, err = run("notify", "-i", ID)
    assert (code, out) == (1, "")
    assert f"{where}: error E101 {message}\n" in err and "error: `channels.email` has 1 error" in err
    before = (team / "incidents" / f"{ID}.yaml").read_bytes()
    code, _, _ = run("notify", "-i", ID, "--posted")
    assert code == 1 and (team / "incidents" / f"{ID}.yaml").read_bytes() == before  # nothing recorded
    code, out, err = run("notify", "-i", ID, "-c", "status_page", "-f", "text")
    assert (code, out.splitlines()[0]) == (0, "Investigating: checkout is degraded")
    assert f"{where}: warning E101 {message}\n" in err


# ------------------------------------------------------------------ classify and show


def test_classify_needs_the_criteria_it_asks_and_the_severity_it_decides(team: Path) -> None:
    where = typo(
        team, "      question: Is a non-core feature degraded", "      questio: Is a non-core feature degraded"
    )
    # the last criterion is never reached when an earlier one says yes
    code, out, err = run("classify", "--no", "data_exposed", "--yes", "full_outage")
    assert code == 0, err
    assert out.startswith("Incident: sev1 (yes to: Is the API or the dashboard down for most customers?)\n")
    assert f"{where}: warning E101 unknown key `questio` in `definition.criteria[3]`\n" in err
    # when every earlier answer is no, it is asked: stop with its error
    code, out, err = run("classify", "--no", "data_exposed", "--no", "full_outage", "--no", "core_degraded")
    assert (code, out) == (1, "")
    assert f"{where}: error E101 unknown key `questio` in `definition.criteria[3]`\n" in err
    assert "error: `definition.criteria[3]` has 2 errors, and this command needs it\n" in err
    code, out, err = run("classify", "--yes", "minor_degraded")  # named: its errors, not "unknown criterion"
    assert (code, out) == (1, "")
    assert "error: `definition.criteria[3]` has 2 errors" in err


def test_classify_stops_when_the_severity_it_decides_is_broken(team: Path) -> None:
    where = typo(team, "    impact: critical", "    impact: catastrophic", "catastrophic")
    message = "`severities.sev1.impact`: input should be 'none', 'minor', 'major' or 'critical', got `catastrophic`"
    code, out, err = run("classify", "--yes", "data_exposed")
    assert (code, out) == (1, "")
    assert err == stopped(where, message, "severities.sev1", code="E102")
    code, out, err = run("classify", "--no", "data_exposed", "--no", "full_outage", "--yes", "core_degraded")
    assert code == 0 and out.startswith("Incident: sev2")
    assert err == set_aside(where, message, "`severities.sev1`", code="E102")


def test_show_a_playbook_needs_its_roles_and_people_a_listing_leaves_them_out(team: Path) -> None:
    where = typo(team, '"@frank", "@erin"]', '"@frank", "@erni"]', '"@erni"')
    message = "`@erni` is not in `people`"
    code, out, err = run("show", "sev2")  # sev2 does not call in the scribe
    assert code == 0 and "Scribe" not in out
    assert err == set_aside(where, message, "`roles.scribe`", code="E201")
    code, out, err = run("show", "sev1")  # sev1 does
    assert (code, out) == (1, "")
    assert err == stopped(where, message, "roles.scribe", code="E201")
    code, out, err = run("show", "roles")
    assert code == 0 and "Incident Commander" in out and "Scribe" not in out
    assert err == set_aside(where, message, "`roles.scribe`", code="E201")


def test_a_person_with_a_typo_stops_whoever_needs_the_roles_they_hold(team: Path) -> None:
    # frank holds only the scribe role (sev1); the typo is in frank, not in the role
    where = typo(team, "  frank: {name: Frank Müller, email:", "  frank: {name: Frank Müller, emial:", "emial")
    message = "unknown key `emial` in `people.frank`"
    code, _, err = run("show", "sev2")
    assert (code, err) == (0, set_aside(where, message, "`people.frank`", code="E101"))
    code, _, err = run("show", "sev1")
    assert (code, err) == (1, stopped(where, message, "people.frank", code="E101"))


# ------------------------------------------------------------------ incident records


def test_incident_commands_need_the_names_they_are_given(team: Path) -> None:
    where = typo(team, "{investigating: 15m,", "{investigating: 15mm,", "15mm")
    message = (
        "`severities.sev1.update_every.investigating`: `15mm` is not a duration; "
        "write it like `30s`, `15m`, `1h30m` or `2d`"
    )
    open_incident("sev2")
    assert not (team / "incidents" / f"{ID}-2.yaml").exists()
    code, out, err = run("incident", "open", "-t", "Checkout errors", "-S", "sev1", now="2026-11-27T10:03:00+01:00")
    assert (code, out) == (1, "")
    assert err == stopped(where, message, "severities.sev1", code="E104")
    assert sorted(p.name for p in (team / "incidents").glob("*.yaml")) == [f"{ID}.yaml"]  # nothing opened
    before = (team / "incidents" / f"{ID}.yaml").read_bytes()
    code, _, err = run("incident", "update", ID, "-S", "sev1")
    assert (code, err) == (1, stopped(where, message, "severities.sev1", code="E104"))
    assert (team / "incidents" / f"{ID}.yaml").read_bytes() == before
    for args in (
        ["incident", "update", ID, "-s", "identified"],
        ["incident", "assign", ID, "communications_lead", "@erin"],
        ["incident", "status", ID],
        ["incident", "list", "--all"],
    ):
        code, _, err = run(*args)
        assert (code, err) == (0, set_aside(where, message, "`severities.sev1`", code="E104")), args


def test_status_and_reports_need_the_incidents_severities_stages_and_channels(team: Path) -> None:
    open_incident("sev2")
    code, _, err = run("notify", "-i", ID, "-c", "status_page", "--posted", now="2026-11-27T10:09:00+01:00")
    assert code == 0, err
    where = typo(team, "    first_update_within: 20m", "    first_update_within: soon", "soon")
    message = (
        "`severities.sev2.first_update_within`: `soon` is not a duration; write it like `30s`, `15m`, `1h30m` or `2d`"
    )
    for args in (["incident", "status"], ["incident", "status", ID], ["report", ID], ["report", "--all"]):
        code, out, err = run(*args)
        assert (code, out, err) == (1, "", stopped(where, message, "severities.sev2", code="E104")), args
    # the same typo in a severity this incident never had: the figures stand
    shutil.copy(ROOT / "plans/incplan.yaml", team / PLAN)
    where = typo(team, "    first_update_within: 60m", "    first_update_within: soon", "soon")
    message = message.replace("sev2", "sev3")
    for args in (["incident", "status", ID], ["report", ID, "-f", "json"], ["report", "--all", "-f", "json"]):
        code, out, err = run(*args)
        assert (code, err) == (0, set_aside(where, message, "`severities.sev3`", code="E104")), args
        assert out
    # a stage the incident went through
    shutil.copy(ROOT / "plans/incplan.yaml", team / PLAN)
    where = typo(team, "  identified: {name: Identified,", "  identified: {nam: Identified,")
    assert run("incident", "update", ID, "-s", "monitoring")[0] == 0  # monitoring is intact
    code, _, err = run("incident", "status", ID)
    assert code == 0 and "`stages.identified` is set aside" in err
    shutil.copy(ROOT / "plans/incplan.yaml", team / PLAN)
    assert run("incident", "update", ID, "-s", "identified")[0] == 0
    typo(team, "  identified: {name: Identified,", "  identified: {nam: Identified,")
    code, _, err = run("incident", "status", ID)
    assert code == 1 and "error: `stages.identified` has 2 errors, and this command needs it\n" in err


def test_remind_needs_the_open_incidents_severity(team: Path) -> None:
    open_incident("sev2")
    where = typo(team, "    first_update_within: 60m", "    first_update_within: soon", "soon")
    message = (
        "`severities.sev3.first_update_within`: `soon` is not a duration; write it like `30s`, `15m`, `1h30m` or `2d`"
    )
    code, out, err = run("incident", "remind", "--within", "30m", now="2026-11-27T10:05:00+01:00")
    assert code == 0 and out.startswith(ID)
    assert err == set_aside(where, message, "`severities.sev3`", code="E104")
    shutil.copy(ROOT / "plans/incplan.yaml", team / PLAN)
    where = typo(team, "    first_update_within: 20m", "    first_update_within: soon", "soon")
    code, out, err = run("incident", "remind", "--within", "30m", now="2026-11-27T10:05:00+01:00")
    assert (code, out) == (1, "")
    assert err == stopped(where, message.replace("sev3", "sev2"), "severities.sev2", code="E104")


def test_maintenance_needs_its_stages(team: Path) -> None:
    where = typo(team, "    verifying: {name: Verifying,", "    verifying: {nme: Verifying,", "nme")
    args = ["maintenance", "schedule", "-t", "Database upgrade", "--start", "2026-11-28T02:00", "--end",
            "2026-11-28T03:00", "--component", "api"]  # fmt: skip
    code, out, err = run(*args)
    assert code == 0, err
    maintenance = out.split()[1]
    assert f"{where}: warning E101 unknown key `nme` in `maintenance.stages.verifying`\n" in err
    code, _, err = run("maintenance", "update", maintenance, "-s", "in_progress", now="2026-11-28T02:00:00+01:00")
    assert code == 0 and "`maintenance.stages.verifying` is set aside" in err
    code, out, err = run("maintenance", "update", maintenance, "-s", "verifying", now="2026-11-28T02:30:00+01:00")
    assert (code, out) == (1, "")
    assert "error: `maintenance.stages.verifying` has 2 errors, and this command needs it\n" in err


def test_commands_not_used_during_an_incident_need_the_whole_plan(team: Path) -> None:
    where = typo(team, *VALUES_TYPO, "nam")
    for args in (["export", "-f", "markdown"], ["preview"], ["roster"]):
        code, out, err = run(*args)
        assert (code, out) == (1, ""), args
        assert err.startswith(f"{where}: error E101 unknown key `nam` in `values[0]`\n"), args
        assert err.endswith(f"error: the plan `{PLAN}` has 2 errors; `incplan check {PLAN}` lists them\n"), args


def test_watch_needs_the_incidents_on_its_board(team: Path) -> None:
    import os
    import sys

    import pexpect

    open_incident("sev2")

    def watch() -> tuple[str, int]:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        env.update(TERM="xterm-256color", INCPLAN_NOW="2026-11-27T10:05:00+01:00", INCPLAN_CLOCK_STEP="0")
        child = pexpect.spawn(
            str(Path(sys.executable).parent / "incplan"), ["incident", "watch", "--interval", "0.2"],
            cwd=str(team), env=env, dimensions=(30, 160), encoding="utf-8", timeout=30,
        )  # fmt: skip
        try:
            index = child.expect(["Checkout errors", pexpect.EOF])
            seen = child.before + (child.after if index == 0 else "")
            if index == 0:
                child.send("q")
                child.expect(pexpect.EOF)
        finally:
            child.close()
        return seen, child.exitstatus

    where = typo(team, "    first_update_within: 60m", "    first_update_within: soon", "soon")
    seen, status = watch()
    assert status == 0
    assert f"{where}: warning E104 `severities.sev3.first_update_within`" in seen
    shutil.copy(ROOT / "plans/incplan.yaml", team / PLAN)
    where = typo(team, "    first_update_within: 20m", "    first_update_within: soon", "soon")
    seen, status = watch()
    assert status == 1
    assert f"{where}: error E104 `severities.sev2.first_update_within`" in seen
    assert "error: `severities.sev2` has 1 error, and this command needs it" in seen


def test_the_readme_shows_real_output(team: Path) -> None:
    """README "When the plan has a mistake": the same plan, the same output."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### When the plan has a mistake", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    typo(team, "  - name: Blameless", "  - nam: Blameless")
    typo(team, "{investigating: 15m,", "{investigating: 15mm,")
    shown, codes = "", []
    for line in block.splitlines():
        if line.startswith("$ incplan "):
            code, out, err = run(*line.removeprefix("$ incplan ").split(), now="2026-11-27T10:02:00+01:00")
            shown += f"{line}\n{err}{out}"
            codes.append(code)
    assert (codes, shown) == ([0, 1], block)


# ------------------------------------------------------------------ check: the rest of a broken plan

# Two real findings elsewhere in the plan, which a schema error must not hide.
REST = [
    ("W202", "role `tech_lead` has only @dan, no backup"),
    ("E302", "template uses `servce`, which is not a declared variable"),
]


@pytest.mark.parametrize(
    ("old", "new", "own"),
    [
        pytest.param(  # templates read `impact`: no "undeclared" or "fails to render" for them
            "    description: What customers experience",
            "    desc: What customers experience",
            [("E103", "missing required key `description` in `variables.impact`"),
             ("E101", "unknown key `desc` in `variables.impact`")],
            id="variable",
        ),
        pytest.param(  # the scribe role lists @frank: no unknown person, no role without backup
            "  frank: {name: Frank Müller,",
            "  frank: {nme: Frank Müller,",
            [("E103", "missing required key `name` in `people.frank`"), ("E101", "unknown key `nme` in `people.frank`")],
            id="person",
        ),
        pytest.param(  # sev1 routes to it and it has messages: no unknown channel, nothing unused or too long
            "    type: email",
            "    type: mail",
            [("E102", "`channels.email.type`: input should be 'status_page', 'email', 'chat', 'social', 'sms', "
                      "'help_center', 'in_app', 'webhook' or 'other', got `mail`")],
            id="channel",
        ),
        pytest.param(  # every role names people: no unknown person anywhere
            "people:\n  alice:",
            "people:\n  - alice\npeople2:\n  alice:",
            [("E102", "`people`: input should be a valid dictionary"), ("E101", "unknown key `people2`")],
            id="people-section",
        ),
        pytest.param(  # the final stage: no "never says when the next update comes" for its messages
            "Service is back to normal., final: true}",
            "Service is back to normal., final: yes}",
            [("E102", "`stages.resolved.final`: input should be a valid boolean, got `yes`")],
            id="stage",
        ),
        pytest.param(  # a message: not "missing" for status_page, never replaced by another one
            '      subject: "Investigating: {{ service }}',
            '      subjekt: "Investigating: {{ service }}',
            [("E101", "unknown key `subjekt` in `templates.investigating.status_page`")],
            id="message",
        ),
        pytest.param(  # sev1 is rendered with no cadence: no "`next_update` is undefined"
            "{investigating: 15m,",
            "{investigating: 15mm,",
            [("E104", "`severities.sev1.update_every.investigating`: `15mm` is not a duration; write it like "
                      "`30s`, `15m`, `1h30m` or `2d`")],
            id="cadence",
        ),
        pytest.param(
            "{investigating: 15m,",
            "{investigatin: 15m,",
            [("E205", "cadence for stage `investigatin`, which is not declared")],
            id="cadence-stage",
        ),
        pytest.param(
            "  timezone: Europe/Warsaw",
            "  timezone: Europe/Warsw",
            [("E105", "`organization.timezone`: `Europe/Warsw` is not an IANA timezone; use a name like "
                      "`Europe/Warsaw` or `UTC`")],
            id="organization",
        ),
    ],
)  # fmt: skip
def test_check_reports_the_rest_of_a_plan_around_a_broken_entry(
    team: Path, old: str, new: str, own: list[tuple[str, str]]
) -> None:
    import json

    typo(team, '    people: ["@dan", "@bob"]', '    people: ["@dan"]')
    typo(team, "affecting {{ service }}. Updates:", "affecting {{ servce }}. Updates:")
    typo(team, old, new)
    code, out, _ = run("check", PLAN, "-f", "json")
    found = [(d["code"], d["message"]) for d in json.loads(out)["diagnostics"]]
    assert code == 1
    assert sorted(found) == sorted(own + REST)  # its own errors, the rest of the plan, no follow-on


def test_check_says_why_it_skips_an_incident_record(team: Path) -> None:
    import json

    open_incident()
    record = f"incidents/{ID}.yaml"
    why = "an incident record, not a plan (`incplan incident status` and `incplan report` read it)"
    assert run("check", record) == (0, f"{record}: skipped: {why}\n0 files checked: no problems\n", "")
    assert run("check", "incidents") == (0, f"{record}: skipped: {why}\n0 files checked: no problems\n", "")
    shutil.copy(team / record, team / "incidents" / "copy.yaml")
    assert run("check", "incidents") == (
        0,
        "incidents/: skipped 2 incident records, not plans (`incplan incident status` and `incplan report` read"
        " them)\n0 files checked: no problems\n",
        "",
    )
    code, out, _ = run("check", record, "-f", "json")
    assert (code, json.loads(out)["skipped"]) == (0, [{"file": record, "reason": why}])
    code, out, _ = run("check", record, "-f", "github")
    assert out == f"::notice file={record}::skipped: {why}\n0 files checked: no problems\n"
    assert run("check", record, "--plans-only") == (0, "0 files checked: no problems\n", "")  # hooks: quiet


def test_the_status_site_is_built_around_what_it_does_not_publish(team: Path) -> None:
    open_incident()
    where = typo(team, *VALUES_TYPO, "nam")
    code, out, err = run("site", "build", "--out", "public")
    assert code == 0, err
    assert out.startswith("built ") and (team / "public" / "index.html").is_file()
    assert err.startswith(f"{where}: warning E101 unknown key `nam` in `values[0]`\n")
    shutil.rmtree(team / "public")
    shutil.copy(ROOT / "plans/incplan.yaml", team / PLAN)
    where = typo(team, "  checkout: {name: Checkout,", "  checkout: {nme: Checkout,", "nme")
    code, out, err = run("site", "build", "--out", "public")
    assert (code, out) == (1, "")
    assert f"{where}: error E101 unknown key `nme` in `components.checkout`\n" in err
    assert "error: `components.checkout` has 2 errors, and this command needs it\n" in err
    assert not (team / "public").exists()  # nothing written


@pytest.mark.parametrize(
    ("old", "new", "entry"),
    [
        ("roles:\n  incident_commander:", "roles:\n  1: {name: x}\n  incident_commander:", "roles[1]"),
        ("severities:\n  sev1:", "severities:\n  null: {name: x}\n  sev1:", "severities.None"),
        ("stages:\n  investigating:", "stages:\n  ? [a, b]\n  : {name: x}\n  investigating:", "stages.('a', 'b')"),
        ("templates:\n  investigating:\n", "templates:\n  investigatin: [1, 2]\n  investigating:\n",
         "templates.investigatin"),
        ("values:\n", "values: {a: 1}\nvalues_old:\n", "values"),
        ("  criteria:\n", "  criteria:\n    - 7\n", "definition.criteria[0]"),
        ("maintenance:  ", "maintenance: 3\nmaint_old:  ", "maintenance"),
    ],
)  # fmt: skip
def test_odd_shapes_set_aside_their_entry_and_nothing_else(team: Path, old: str, new: str, entry: str) -> None:
    typo(team, old, new)
    code, out, err = run("notify", "-s", "investigating", "-S", "sev2", "--example", "-c", "status_page", "-f", "text")
    assert (code, out.splitlines()[0]) == (0, "Investigating: the Acme API is degraded"), err
    assert f"`{entry}`" in err.splitlines()[-1]
    code, out, _ = run("check", PLAN)
    assert code == 1 and "Traceback" not in out


def test_classify_needs_its_criteria_as_a_whole(team: Path) -> None:
    where = typo(team, "definition:\n", "definition: 5\ndefinition_old:\n", "5")
    code, out, err = run("classify", "--yes", "data_exposed")
    assert (code, out) == (1, "")
    assert f"{where}: error E102 `definition`: input should be a valid dictionary or instance of Definition" in err
    assert "error: `definition` has 1 error, and this command needs it\n" in err
