"""Times users type, fair figures, and a scripted two-hour incident whose figures are checked
against a hand calculation: `status`, `report ID` and `report --all` agree at every moment."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
ID = "2026-11-27-api-errors"
DAY = "2026-11-27T"  # Europe/Warsaw is +01:00 in November


def run(*args: str, now: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str, now: str) -> str:
    code, out, err = run(*args, now=f"{DAY}{now}:00+01:00")
    assert code == 0, out + err
    return out


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def open_at(when: str, severity: str = "sev1", *extra: str) -> None:
    ok("incident", "open", "-t", "API errors", "-S", severity, "--var", "service=the public API",
       "--var", "impact=errors on every request", *extra, now=when)  # fmt: skip


def events(team: Path) -> list[dict[str, object]]:
    from ruamel.yaml import YAML

    return list(YAML(typ="safe").load((team / "incidents" / f"{ID}.yaml").read_text())["events"])


# ------------------------------------------------------------------ times users type


@pytest.mark.parametrize(
    ("given", "recorded"),
    [
        ("10:24", "2026-11-27T10:24:00+01:00"),  # today, organization time
        ("6m ago", "2026-11-27T10:24:00+01:00"),
        ("-6m", "2026-11-27T10:24:00+01:00"),
        ("2026-11-27T10:24", "2026-11-27T10:24:00+01:00"),  # no offset: organization time
        ("2026-11-27 09:24:00Z", "2026-11-27T09:24:00+00:00"),
    ],
)
def test_at_takes_local_short_and_relative_times(team: Path, given: str, recorded: str) -> None:
    open_at("10:00")
    ok("incident", "update", ID, "--note", "x", "--at", given, now="10:30")
    assert events(team)[-1]["at"] == recorded


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "error: --at is empty"),
        ("09:59", "error: --at `09:59` is before the incident opened (2026-11-27T10:00:00+01:00)"),
        ("10:32", "error: --at `10:32` is in the future (now is 2026-11-27T10:30:00+01:00)"),
        ("9999-12-31T23:59:00+00:00", "error: --at `9999-12-31T23:59:00+00:00` is outside the years 1970–9998"),
        ("0001-01-01T00:00:00+14:00", "error: --at `0001-01-01T00:00:00+14:00` is outside the years 1970–9998"),
        ("yesterday", "error: --at `yesterday` is not a time"),
        ("-99999999999d", "error: --at `-99999999999d` is too far back"),  # past timedelta's end
        ("99999999999999999999m ago", "error: --at `99999999999999999999m ago` is too far back"),
        ("999999999d ago", "error: --at `999999999d ago` is too far back"),  # a timedelta, before year 1
        ("1" * 5000 + "m ago", "error: --at `" + "1" * 5000 + "m ago` is too far back"),
        ("25:00", "error: --at `25:00` is not a time of day"),
    ],
)
def test_at_refusals_say_why_and_change_nothing(team: Path, given: str, message: str) -> None:
    open_at("10:00")
    before = (team / "incidents" / f"{ID}.yaml").read_bytes()
    for args in (["incident", "update", ID, "--note", "x"], ["notify", "-i", ID, "--posted"]):
        code, out, err = run(*args, "--at", given, now=f"{DAY}10:30:00+01:00")
        assert (code, out, err.splitlines()[0]) == (2, "", message)
    assert (team / "incidents" / f"{ID}.yaml").read_bytes() == before


@pytest.mark.parametrize("given", ["-99999999999d", "99999999999999999999m ago"])
def test_far_times_are_refused_by_open_and_the_report_period(team: Path, given: str) -> None:
    code, out, err = run("incident", "open", "-t", "x", "-S", "sev1", "--at", given, now=f"{DAY}10:00:00+01:00")
    assert (code, out, err.splitlines()[0]) == (2, "", f"error: --at `{given}` is too far back")
    assert not (team / "incidents").exists()
    code, out, err = run("report", "--all", "--since", given, now=f"{DAY}10:00:00+01:00")
    assert (code, out, err.splitlines()[0]) == (2, "", f"error: --since `{given}` is too far back")


@pytest.mark.parametrize("at", ["9999-12-31T23:59:00-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_record_time_past_datetimes_ends_sets_that_record_aside(team: Path, at: str) -> None:
    """A hand-edited time whose UTC is past year 9999 (or before year 1) is an invalid record
    like any other: a warning naming it, every other incident shown; never an OverflowError."""
    open_at("10:00")
    ok("incident", "open", "-t", "Other", "-S", "sev2", now="10:05")
    other = team / "incidents" / "2026-11-27-other.yaml"
    other.write_text(other.read_text().replace("'2026-11-27T10:05:00+01:00'", f"'{at}'"))
    warning = "warning: the record `incidents/2026-11-27-other.yaml` is not valid; fix it by hand"
    for args in (["incident", "status"], ["incident", "list", "--all"], ["report", "--all"], ["incident", "remind"],
                 ["site", "build", "--out", "site"]):  # fmt: skip
        code, out, err = run(*args, now=f"{DAY}10:30:00+01:00")
        assert code in (0, 1), err  # remind: 1, an update is overdue
        assert warning in err.splitlines(), (args, err)
        assert "Traceback" not in err
        if args[0] != "site":
            assert ID in out
    code, out, err = run("report", "2026-11-27-other", now=f"{DAY}10:30:00+01:00")
    assert (code, out) == (1, "")
    assert f"a time outside the years 1970–9998, got `{at}`" in err
    assert err.splitlines()[-1] == "error: the record `incidents/2026-11-27-other.yaml` is not valid; fix it by hand"


def test_a_plan_duration_is_at_most_a_year(team: Path) -> None:
    """A year of room below datetime's end: no cadence added to a record time can overflow."""
    plan = team / "incplan.yaml"
    plan.write_text(plan.read_text().replace("first_update_within: 20m", "first_update_within: 999999999d", 1))
    code, out, _ = run("check", "incplan.yaml", now=f"{DAY}10:30:00+01:00")
    assert code == 1
    assert "`severities.sev2.first_update_within`: `999999999d` is longer than a year" in out
    plan.write_text(plan.read_text().replace("999999999d", "366d"))
    assert run("check", "incplan.yaml", now=f"{DAY}10:30:00+01:00")[0] == 0


def test_open_in_the_future_is_refused(team: Path) -> None:
    code, _, err = run("incident", "open", "-t", "x", "-S", "sev1", "--at", "2027-01-01T10:00:00+01:00",
                       now=f"{DAY}10:00:00+01:00")  # fmt: skip
    assert code == 2
    assert err.startswith("error: --at `2027-01-01T10:00:00+01:00` is in the future")
    assert not (team / "incidents").exists()


@pytest.mark.parametrize("now", ["9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+14:00", "soon"])
def test_an_impossible_now_is_refused_by_every_command(team: Path, now: str) -> None:
    open_at("10:00")
    for args in (["incident", "status"], ["incident", "list"], ["report", "--all"], ["report", ID]):
        code, out, err = run(*args, now=now)
        assert (code, out) == (2, ""), err
        assert err.startswith("error: INCPLAN_NOW")


# ------------------------------------------------------------------ fair figures


def test_a_young_incident_is_pending_not_late(team: Path) -> None:
    open_at("10:00")
    status = json.loads(ok("incident", "status", ID, "-f", "json", now="10:05"))[0]
    assert status["next_update_due"] == "2026-11-27T10:10:00+01:00"
    single = json.loads(ok("report", ID, "-f", "json", now="10:05"))
    assert (single["first_update_met"], single["first_update_status"], single["cadence_status"]) == (
        None,
        "pending",
        "pending",
    )
    period = json.loads(ok("report", "--all", "-f", "json", now="10:05"))
    assert (period["first_update_met_share"], period["cadence_met_share"], period["pending"]) == (None, None, 1)
    assert "pending" in ok("report", "--all", now="10:05").splitlines()[-1]


def test_an_incident_that_never_posted_met_neither_target(team: Path) -> None:
    open_at("10:00", "sev2")
    single = json.loads(run("report", ID, "-f", "json", now="2026-12-03T10:00:00+01:00")[1])
    assert (single["first_update_status"], single["cadence_status"]) == ("missed", "missed")
    period = json.loads(run("report", "--all", "-f", "json", now="2026-12-03T10:00:00+01:00")[1])
    assert (period["first_update_met_share"], period["cadence_met_share"]) == (0.0, 0.0)


def test_a_severity_without_customer_channels_is_not_applicable(team: Path) -> None:
    plan = (team / "incplan.yaml").read_text()
    plan = plan.replace("    update_every: 2h\n    roles: [incident_commander]\n    channels: [status_page, chat_internal]",
                        "    update_every: 2h\n    roles: [incident_commander]\n    channels: [chat_internal]")  # fmt: skip
    (team / "incplan.yaml").write_text(plan)
    open_at("10:00", "sev3")
    single = json.loads(ok("report", ID, "-f", "json", now="18:00"))
    assert (single["first_update_status"], single["cadence_status"]) == ("not_applicable", "not_applicable")
    period = json.loads(ok("report", "--all", "-f", "json", now="18:00"))
    assert (period["first_update_met_share"], period["not_applicable"]) == (None, 1)


# ------------------------------------------------------------------ a scripted two-hour incident


def walk(team: Path, until: str = "12:01") -> None:
    """sev1 opened 10:00 (first update due 10:10, every 15m investigating, 30m identified);
    10:06 first update; 10:20 identified, commander handed to Bob; 10:24 second update with a
    free-text line (due 10:21: 3 minutes late); 10:40 downgraded to sev2; 10:50 third update
    (due 10:54); 11:30 monitoring; 11:45 fourth update (due 11:50); 12:00 resolved; 12:01 the
    resolution message, also to email and social, which heard the first one."""
    steps = [
        ("10:00", lambda: open_at("10:00", "sev1", "--role", "incident_commander=@alice", "--component", "api=major_outage")),
        ("10:06", lambda: ok("notify", "-i", ID, "--posted", now="10:06")),
        ("10:20", lambda: ok("incident", "update", ID, "-s", "identified", "--note", "bad deploy 4821", now="10:20")),
        ("10:20", lambda: ok("incident", "assign", ID, "incident_commander", "@bob", now="10:20")),
        ("10:24", lambda: ok("notify", "-i", ID, "--posted", "--at", "10:24", "--update", "Rollback 60% done.", now="10:25")),
        ("10:40", lambda: ok("incident", "update", ID, "-S", "sev2", "--component", "api=degraded_performance", "--at", "5m ago", now="10:45")),
        ("10:50", lambda: ok("notify", "-i", ID, "--posted", now="10:50")),
        ("11:30", lambda: ok("incident", "update", ID, "-s", "monitoring", now="11:30")),
        ("11:45", lambda: ok("notify", "-i", ID, "--posted", now="11:45")),
        ("12:00", lambda: ok("incident", "update", ID, "-s", "resolved", "--component", "api=operational", now="12:00")),
        ("12:01", lambda: ok("notify", "-i", ID, "--posted", now="12:01")),
    ]  # fmt: skip
    for at, step in steps:
        if at > until:
            break
        step()


# ------------------------------------------------------------------ the same walk on every plan
#
# `plans/` and each example plan that can run it (two severities with a customer channel, a role
# with a backup): examples/minimal.yaml has one severity, so it cannot be downgraded.


@dataclass
class Script:
    plan: str
    offset: str  # the organization's UTC offset on 2026-11-27
    zone: str  # its abbreviation in messages and reports
    variables: list[str]
    commander: tuple[str, str]  # opened with the first, handed to the second at 10:20
    stages: list[str]  # after investigating
    extra_open: list[str] = field(default_factory=list)
    # (now, status next due, overdue seconds, first status, cadence status, breaches as (due, posted, late s)),
    # each worked out by hand from the plan's first_update_within and update_every
    checkpoints: list[tuple[str, str | None, int | None, str, str, list[tuple[str, str | None, int]]]] = field(
        default_factory=list
    )
    channels: dict[str, list[str]] = field(default_factory=dict)  # who got each update, by hand

    def t(self, hhmm: str | None) -> str | None:
        return None if hhmm is None else f"{DAY}{hhmm}:00{self.offset}"


# sev1: first update within 10m, every 15m investigating, 30m identified; sev2: every 60m.
# 10:06 first update (due 10:10): met. Next due 10:21 (sev1 investigating), posted 10:24: 3m late.
# Next due 10:24 + 30m = 10:54 (sev1 identified at the 10:24 update), posted 10:50: on time.
# Next due 10:50 + 60m = 11:50 (sev2 by then), posted 11:45: on time. Resolved 12:00: no more due.
CALM = [
    ("10:05", "10:10", None, "pending", "pending", []),
    ("10:15", "10:21", None, "met", "met", []),
    ("10:23", "10:21", 120, "met", "missed", [("10:21", None, 120)]),
    ("10:30", "10:54", None, "met", "missed", [("10:21", "10:24", 180)]),
    ("10:45", "10:54", None, "met", "missed", [("10:21", "10:24", 180)]),
    ("11:00", "11:50", None, "met", "missed", [("10:21", "10:24", 180)]),
    ("12:30", None, None, "met", "missed", [("10:21", "10:24", 180)]),
]
# examples/delivery.yaml: sev1 every 15m whatever the stage, so the 10:24 update makes the next
# due at 10:39 (the severity in force at that update, though it was downgraded at 10:40): posted
# 10:50, 11 minutes late; 10:50 + 1h (sev2) = 11:50, posted 11:45 on time.
FLAT = [
    ("10:05", "10:10", None, "pending", "pending", []),
    ("10:15", "10:21", None, "met", "met", []),
    ("10:23", "10:21", 120, "met", "missed", [("10:21", None, 120)]),
    ("10:30", "10:39", None, "met", "missed", [("10:21", "10:24", 180)]),
    ("10:45", "10:39", 360, "met", "missed", [("10:21", "10:24", 180), ("10:39", None, 360)]),
    ("11:00", "11:50", None, "met", "missed", [("10:21", "10:24", 180), ("10:39", "10:50", 660)]),
    ("12:30", None, None, "met", "missed", [("10:21", "10:24", 180), ("10:39", "10:50", 660)]),
]
SCRIPTS = {
    "plans": Script(
        "plans/incplan.yaml", "+01:00", "CET", ["service=the public API", "impact=errors on every request"],
        ("@alice", "@bob"), ["identified", "monitoring", "resolved"],
        ["--component", "api=major_outage"], CALM,
        {"sev1": ["status_page", "email", "chat_internal", "social"],
         "sev2": ["status_page", "chat_internal", "email", "social"]},  # email and social heard sev1: kept
    ),
    "delivery": Script(
        "examples/delivery.yaml", "-05:00", "EST", ["impact=errors on every request"],
        ("@mia", "@leo"), ["identified", "resolved"], ["--component", "api=major_outage"], FLAT,
        {"sev1": ["status_page", "slack", "teams", "email", "webhook"],
         "sev2": ["status_page", "slack", "email"]},  # email is a customer channel; teams and the partners' webhook are not
    ),
    "bilingual-sms": Script(
        "examples/bilingual-sms.yaml", "+01:00", "CET", ["impact=payment errors"],
        ("@ola", "@piotr"), ["identified", "resolved"], [], CALM,
        {"sev1": ["status_page", "sms", "chat_internal"],
         "sev2": ["status_page", "chat_internal", "sms"]},  # the customers told by SMS hear the rest
    ),
    "polish-first": Script(
        "examples/polish-first.yaml", "+01:00", "CET",
        ["service@pl=płatności kartą", "service@en=card payments", "impact=HTTP 500"],
        ("@ola", "@piotr"), ["identified", "monitoring", "resolved"], [], CALM,
        {"sev1": ["status_page", "email", "chat_internal"],
         "sev2": ["status_page", "chat_internal", "email"]},  # the merchants emailed at sev1 hear the rest
    ),
}  # fmt: skip


def test_every_example_plan_that_can_is_walked() -> None:
    walked = {Path(s.plan).name for s in SCRIPTS.values()}
    examples = {p.name for p in (ROOT / "examples").glob("*.yaml")}
    assert examples - walked == {"minimal.yaml"}  # one severity: nothing to downgrade to


def _posted(script: Script, now: str, *extra: str) -> list[dict[str, Any]]:
    """What `notify -i` shows at `now`, then the same recorded as posted: the texts that went out."""
    shown = json.loads(step(script, "notify", "-i", ID, "-f", "json", *extra, now=now))["messages"]
    step(script, "notify", "-i", ID, "--posted", *extra, now=now)
    return list(shown)


def step(script: Script, *args: str, now: str) -> str:
    code, out, err = run(*args, now=script.t(now) or "")
    assert code == 0, (args, out + err)
    return out


def walk_script(script: Script, observe: Any) -> dict[str, list[dict[str, Any]]]:
    """The two hours of `walk()`, on any plan; `observe(now)` after every step. Returns what each
    update showed, by the time it went out."""
    first, second = script.commander
    shown: dict[str, list[dict[str, Any]]] = {}
    step(script, "incident", "open", "-t", "API errors", "-S", "sev1", *[a for v in script.variables for a in ("--var", v)],
         "--role", f"incident_commander={first}", *script.extra_open, now="10:00")  # fmt: skip
    observe("10:00")
    for now, action in (
        ("10:05", None), ("10:06", "post"), ("10:15", None),
        ("10:20", ["incident", "update", ID, "-s", "identified", "--note", "bad deploy 4821"]),
        ("10:20", ["incident", "assign", ID, "incident_commander", second, "--by", first]),
        ("10:23", None), ("10:25", "post at 10:24"), ("10:30", None),
        ("10:45", ["incident", "update", ID, "-S", "sev2", "--at", "5m ago", "--note", "errors down to 2%"]),
        ("10:50", "post"), ("11:00", None),
        ("11:30", ["incident", "update", ID, "-s", "monitoring"] if "monitoring" in script.stages else None),
        ("11:45", "post"), ("12:00", ["incident", "update", ID, "-s", "resolved"]), ("12:01", "post"), ("12:30", None),
    ):  # fmt: skip
        if action == "post":
            shown[now] = _posted(script, now)
        elif action == "post at 10:24":
            shown["10:24"] = _posted(script, now, "--at", "10:24", "--update", "Rollback 60% done.")
        elif action is not None:
            step(script, *action, now=now)
        observe(now)
    return shown


def agree(script: Script, now: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """`status`, `report ID` and `report --all` at `now`, checked against each other."""
    status = json.loads(step(script, "incident", "status", ID, "-f", "json", now=now))[0]
    single = json.loads(step(script, "report", ID, "-f", "json", now=now))
    period = json.loads(step(script, "report", "--all", "-f", "json", now=now))
    shares = {"met": 1.0, "missed": 0.0, "pending": None, "not_applicable": None}
    assert (period["first_update_met_share"], period["cadence_met_share"]) == (
        shares[single["first_update_status"]], shares[single["cadence_status"]])  # fmt: skip
    assert period["pending"] == (single["first_update_status"] == "pending")
    assert period["median_time_to_first_update_s"] == single["time_to_first_update_s"]
    open_breaches = [b for b in single["cadence_breaches"] if b["posted_at"] is None]
    assert [b["late_by_s"] for b in open_breaches] == ([status["overdue_by_s"]] if status["overdue_by_s"] else [])
    if open_breaches:
        assert open_breaches[0]["due_at"] == status["next_update_due"]
    posted = sorted({m["at"] for m in single["messages"] if m["channel"] in CUSTOMER[script.plan]})
    assert status["last_customer_update"] == (posted[-1] if posted else None)
    return status, single, period


CUSTOMER = {
    "plans/incplan.yaml": {"status_page", "email", "social"},
    "examples/delivery.yaml": {"status_page", "email"},
    "examples/bilingual-sms.yaml": {"status_page", "sms"},
    "examples/polish-first.yaml": {"status_page", "email"},
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_status_report_and_report_all_agree_at_every_moment_of_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    script = SCRIPTS[name]
    shutil.copy(ROOT / script.plan, tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    expected = {c[0]: c[1:] for c in script.checkpoints}
    seen = []

    def observe(now: str) -> None:
        status, single, _ = agree(script, now)
        if now in expected:
            due, overdue, first, cadence, breaches = expected[now]
            assert (status["next_update_due"], status["overdue_by_s"]) == (script.t(due), overdue), now
            assert (single["first_update_status"], single["cadence_status"]) == (first, cadence), now
            assert [(b["due_at"], b["posted_at"], b["late_by_s"]) for b in single["cadence_breaches"]] == [
                (script.t(d), script.t(p), late) for d, p, late in breaches
            ], now
            seen.append(now)

    shown = walk_script(script, observe)
    assert seen == [c[0] for c in script.checkpoints]

    # the figures, by hand: opened 10:00, first update 10:06 against 10 minutes, resolved 12:00
    single = json.loads(step(script, "report", ID, "-f", "json", now="12:30"))
    assert (single["time_to_resolve_s"], single["time_to_first_update_s"], single["first_update_target_s"]) == (
        7200, 360, 600)  # fmt: skip
    assert (single["severity"], single["roles"]) == (
        "sev1",
        {"incident_commander": [script.commander[1], script.commander[0]]},
    )
    period = json.loads(step(script, "report", "--all", "-f", "json", now="12:30"))
    assert (period["median_time_to_resolve_s"], period["p90_time_to_resolve_s"]) == (7200, 7200)
    assert (period["first_update_met_share"], period["cadence_met_share"]) == (1.0, 0.0)

    # every message recorded is the one `notify` showed, to the channels worked out by hand
    by_time: dict[str, list[dict[str, Any]]] = {}
    for m in single["messages"]:
        by_time.setdefault(m["at"][11:16], []).append(m)
    assert sorted(by_time) == ["10:06", "10:24", "10:50", "11:45", "12:01"]
    for at, messages in by_time.items():
        severity = "sev1" if at < "10:40" else "sev2"
        assert [m["channel"] for m in messages] == script.channels[severity], at
        assert [(m["subject"], m["body"]) for m in messages] == [(m["subject"], m["body"]) for m in shown[at]], at
        assert {m["update"] for m in messages} == {"Rollback 60% done." if at == "10:24" else None}
    second = next(m for m in by_time["10:24"] if m["channel"] == "status_page")
    due_after = expected["10:30"][0]  # the next update's due time, worked out by hand above
    assert f"Nov 27, 2026, {due_after} {script.zone}" in second["body"]  # next_update: the cadence's due time
    text = step(script, "report", ID, "-f", "text", now="12:30")
    for line in second["body"].splitlines():
        assert f"    {line}\n" in text if line else "\n\n" in text  # the exact text under its time


def test_the_walk_report_shows_the_texts_and_hand_checked_figures(team: Path) -> None:
    walk(team)
    single = json.loads(ok("report", ID, "-f", "json", now="12:30"))
    assert single["time_to_resolve_s"] == 2 * 3600  # 10:00 -> 12:00
    assert (single["time_to_first_update_s"], single["first_update_target_s"]) == (6 * 60, 10 * 60)
    assert single["first_update_met"] is True
    assert single["severity"] == "sev1"  # the most severe reached
    assert single["roles"] == {"incident_commander": ["@bob", "@alice"]}
    by_time: dict[str, list[str]] = {}
    for m in single["messages"]:
        by_time.setdefault(m["at"][11:16], []).append(m["channel"])
    assert by_time == {
        "10:06": ["status_page", "email", "chat_internal", "social"],
        "10:24": ["status_page", "email", "chat_internal", "social"],
        "10:50": ["status_page", "chat_internal", "email", "social"],  # sev2 now; email and social kept
        "11:45": ["status_page", "chat_internal", "email", "social"],
        "12:01": ["status_page", "chat_internal", "email", "social"],
    }
    second = next(m for m in single["messages"] if m["at"].startswith(f"{DAY}10:24") and m["channel"] == "status_page")
    assert second["update"] == "Rollback 60% done."
    assert second["body"] == (
        "We have identified the cause of errors on every request affecting the public API.\n"
        "Rollback 60% done.\n"
        "We are working on a fix. Next update by Nov 27, 2026, 10:54 CET."
    )
    chat = next(m for m in single["messages"] if m["at"].startswith(f"{DAY}10:24") and m["channel"] == "chat_internal")
    assert chat["body"].startswith("Update on the public API")
    first_chat = next(m for m in single["messages"] if m["channel"] == "chat_internal")
    assert "Commander: Alice Nowak." in first_chat["body"]

    markdown = ok("report", ID, now="12:30")
    assert "- First customer update after 6m (target 10m): met\n" in markdown
    assert "- Update cadence: 1 late update\n" in markdown
    assert "| 2026-11-27 10:21 CET | 2026-11-27 10:24 CET | 3m |" in markdown
    assert "- 2026-11-27 10:40 CET: Components: Public API degraded performance\n" in markdown
    assert markdown.count("Opened as sev1") == 1
    assert (
        "> We have identified the cause of errors on every request affecting the public API.\n> Rollback 60% done.\n"
        in markdown
    )

    period = json.loads(ok("report", "--all", "-f", "json", now="12:30"))
    assert period == {
        "incidents": 1,
        "by_severity": {"sev1": 1, "sev2": 0, "sev3": 0},
        "median_time_to_resolve_s": 7200,
        "p90_time_to_resolve_s": 7200,
        "median_time_to_first_update_s": 360,
        "first_update_met_share": 1.0,
        "cadence_met_share": 0.0,
        "pending": 0,
        "not_applicable": 0,
    }
    status = json.loads(ok("incident", "status", ID, "-f", "json", now="12:30"))[0]
    assert (status["open"], status["components"]) == (False, {"api": "operational"})


def test_the_text_report_is_plain_text_with_the_markdown_reports_content(team: Path) -> None:
    walk(team)
    text = ok("report", ID, "-f", "text", now="12:30")
    assert ok("report", ID, "--format", "text", now="12:30") == text
    assert text != ok("report", ID, now="12:30")
    for markup in ("#", "|", "> ", "**", "`", "- "):
        assert not any(line.lstrip().startswith(markup) for line in text.splitlines()), markup
    assert text.startswith(  # sev1 at 10:00, sev2 from 10:40 until the resolution
        "Post-incident report: API errors\n"
        "2026-11-27-api-errors · highest severity sev1 (Critical), at resolution sev2 (Major) · "
    )
    lines = text.splitlines()
    summary = lines[lines.index("Summary") + 1 : lines.index("Summary") + 6]
    assert summary == [
        "  Opened: 2026-11-27 10:00 CET",
        "  Resolved: 2026-11-27 12:00 CET",
        "  Time to resolve: 2h00m",  # 10:00 -> 12:00
        "  First customer update after 6m (target 10m): met",  # 10:06, due 10:10
        "  Update cadence: 1 late update",
    ]
    assert "Key times\n  2026-11-27 10:00 CET  Opened\n  2026-11-27 10:20 CET  Identified\n" in text
    assert "Severity history\n  2026-11-27 10:00 CET  sev1\n  2026-11-27 10:40 CET  sev2\n" in text
    # due 10:06 + 15m = 10:21, posted 10:24: 3 minutes late
    assert "  due 2026-11-27 10:21 CET, posted 2026-11-27 10:24 CET, late by 3m\n" in text
    assert (
        "  2026-11-27 10:24 CET · Identified · Public status page (posted by hand)\n"  # names, as people read them
        "    Identified: the public API\n"
        "\n"
        "    We have identified the cause of errors on every request affecting the public API.\n"
        "    Rollback 60% done.\n"
        "    We are working on a fix. Next update by Nov 27, 2026, 10:54 CET.\n"
    ) in text
    assert "Roles\n  Incident Commander: Bob Lee (@bob), Alice Nowak (@alice)\n" in text
    assert "  2026-11-27 10:20 CET  Stage: Identified (bad deploy 4821)\n" in text
    assert "  2026-11-27 10:20 CET  Incident Commander: @bob\n" in text
    assert text.count(" (posted by hand)\n") == len(json.loads(ok("report", ID, "-f", "json", now="12:30"))["messages"])


def test_report_help_lists_the_formats_each_form_takes() -> None:
    result = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "For ID: markdown (default), text, html or json. With --all: text (default), markdown, html or json." in (
        " ".join(result.stdout.split())
    )
    for fmt in ("markdown", "text", "html", "json"):
        assert run("report", "--all", "-f", fmt, now=f"{DAY}10:00:00+01:00")[0] == 0


def test_a_severity_raised_before_the_first_update_brings_it_forward(team: Path) -> None:
    """Opened sev3 (first update within 60m) at 10:00, raised to sev1 (within 10m) at 10:05:
    the first update is due 10:15, not sev3's 11:00; status says so, and a first update at
    10:50 is a missed target of 15m in the report. A lowered severity keeps the sooner promise."""
    open_at("10:00", "sev3")
    ok("incident", "update", ID, "--severity", "sev1", now="10:05")
    status = ok("incident", "status", ID, now="10:20")
    assert "next update due       2026-11-27 10:15 CET: OVERDUE by 5m\n" in status, status
    ok("notify", "-i", ID, "--posted", "-c", "status_page", "-f", "text", now="10:50")
    report = ok("report", ID, "-f", "json", now="10:55")
    import json

    found = json.loads(report)
    assert (found["first_update_target_s"], found["time_to_first_update_s"]) == (15 * 60, 50 * 60)
    assert found["first_update_status"] == "missed"
