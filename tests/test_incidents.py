"""Incident records and reports: a scripted drill with known times gives exactly known figures."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan import __version__
from incplan.cli.app import app

from .conftest import ROOT
from .strict_html import parse_html, text_of
from .writers import Writers

runner = CliRunner()
ID = "2026-11-27-checkout-errors"


def run(*args: str, now: str | None = None, input: str | None = None) -> tuple[int, str, str]:
    env = {"INCPLAN_NOW": now} if now else {}
    result = runner.invoke(app, ["--color", "never", *args], env=env, input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the bundled plan as ./incplan.yaml, as a team's repository would have."""
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def drill() -> None:
    """Open 10:02 (sev2); first update 10:09; identified 10:31; next update due 10:39 but posted
    11:05 (26 min late); escalated to sev1 11:10; resolved 11:20; resolved message 11:21."""
    assert run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", "--var", "service=checkout",
               "--var", "impact=payment errors", "--role", "incident_commander=@alice", now="2026-11-27T10:02:00+01:00")[0] == 0  # fmt: skip
    assert run("notify", "--incident", ID, "--posted", "-f", "text", now="2026-11-27T10:09:00+01:00")[0] == 0
    assert (
        run(
            "incident",
            "update",
            ID,
            "--stage",
            "identified",
            "--note",
            "bad deploy 4821",
            now="2026-11-27T10:31:00+01:00",
        )[0]
        == 0
    )
    assert run("incident", "assign", ID, "communications_lead", "@carol", now="2026-11-27T10:35:00+01:00")[0] == 0
    assert (
        run("notify", "--incident", ID, "--posted", "-c", "status_page", "-f", "text", now="2026-11-27T11:05:00+01:00")[
            0
        ]
        == 0
    )
    assert (
        run("incident", "update", ID, "--severity", "sev1", "--note", "payments down", now="2026-11-27T11:10:00+01:00")[
            0
        ]
        == 0
    )
    assert run("incident", "update", ID, "--stage", "resolved", now="2026-11-27T11:20:00+01:00")[0] == 0
    assert (
        run("notify", "--incident", ID, "--posted", "-c", "status_page", "-f", "text", now="2026-11-27T11:21:00+01:00")[
            0
        ]
        == 0
    )


def test_open_prints_id_and_next_command(team: Path) -> None:
    code, out, _ = run(
        "incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00"
    )
    assert code == 0
    # Nothing is posted yet: the hint shows the messages (`notify` then says how to record them)
    assert out == f"opened {ID} ({Path('incidents') / (ID + '.yaml')})\nnext: incplan notify -i {ID}\n"
    record = (team / "incidents" / f"{ID}.yaml").read_text()
    assert record == (
        "version: 1\n"
        f"id: {ID}\n"
        "title: Checkout errors\n"
        "plan: ../incplan.yaml\n"
        "opened_at: '2026-11-27T10:02:00+01:00'\n"
        "events:\n"
        "- {at: '2026-11-27T10:02:00+01:00', type: opened, severity: sev2, stage: investigating}\n"
    )
    # same title the same day: a new id, never an overwrite, and a word about the open one
    code, out, err = run(
        "incident", "open", "--title", "checkout  Errors", "--severity", "sev3", now="2026-11-27T12:00:00+01:00"
    )
    assert out.startswith(f"opened {ID}-2 ")
    assert err == (
        f"warning: `{ID}` is open with the same title; this opened another incident, `{ID}-2` "
        f"(the same one? delete {Path('incidents') / (ID + '-2.yaml')} and work on `{ID}`)\n"
    )
    # a title that only looks alike, or the same title once the first is resolved: nothing to say
    assert (
        run("incident", "open", "-t", "Checkout errors again", "-S", "sev3", now="2026-11-27T12:01:00+01:00")[2] == ""
    )
    for rid in (ID, f"{ID}-2"):
        assert run("incident", "update", rid, "-s", "resolved", now="2026-11-27T12:02:00+01:00")[0] == 0
    code, out, err = run("incident", "open", "-t", "Checkout errors", "-S", "sev3", now="2026-11-27T12:03:00+01:00")
    assert (code, err) == (0, "")
    assert out.startswith(f"opened {ID}-3 ")


def test_a_mistyped_incident_id_gets_a_did_you_mean(team: Path) -> None:
    run("incident", "open", "-t", "Checkout errors", "-S", "sev2", now="2026-11-27T10:02:00+01:00")
    for args in (["report", "2026-11-27-checkout-eror"], ["incident", "update", "2026-11-27-checkout-eror", "-n", "x"],
                 ["notify", "-i", "2026-11-27-checkout-eror"], ["incident", "status", "2026-11-27-checkout-eror"]):  # fmt: skip
        code, out, err = run(*args, now="2026-11-27T10:05:00+01:00")
        assert (code, out) == (2, ""), args
        assert err == (
            f"error: no incident record `{Path('incidents') / '2026-11-27-checkout-eror.yaml'}`\n"
            f"  hint: did you mean `{ID}`? `incplan incident list --all` shows the records\n"
        ), args
    assert run("report", "2026-01-01-nothing-alike", now="2026-11-27T10:05:00+01:00")[2] == (
        f"error: no incident record `{Path('incidents') / '2026-01-01-nothing-alike.yaml'}`\n"
        "  hint: `incplan incident list --all` shows the records\n"
    )


def test_drill_record_is_readable(team: Path) -> None:
    drill()
    lines = (team / "incidents" / f"{ID}.yaml").read_text().splitlines()
    assert lines[5:] == [
        "events:",
        "- {at: '2026-11-27T10:02:00+01:00', type: opened, severity: sev2, stage: investigating}",
        "- {at: '2026-11-27T10:02:00+01:00', type: assigned, role: incident_commander, person: '@alice'}",
        "- {at: '2026-11-27T10:02:00+01:00', type: variables, values: {service: checkout, impact: payment errors}}",
        "- {at: '2026-11-27T10:09:00+01:00', type: notified, stage: investigating, channel: status_page, locale: en, posted: true, subject: 'Investigating: checkout is degraded', body: \"We are investigating reports of payment errors affecting checkout.\\nWe will post the next update by Nov 27, 2026, 10:39 CET.\"}",
        "- {at: '2026-11-27T10:09:00+01:00', type: notified, stage: investigating, channel: chat_internal, locale: en, posted: true, body: \":rotating_light: *Major* — Checkout errors\\nImpact: payment errors (checkout). Commander: Alice Nowak.\\nNext customer update by Nov 27, 2026, 10:39 CET. Follow the thread; do not DM responders.\"}",
        "- {at: '2026-11-27T10:31:00+01:00', type: stage, stage: identified, note: bad deploy 4821}",
        "- {at: '2026-11-27T10:35:00+01:00', type: assigned, role: communications_lead, person: '@carol'}",
        "- {at: '2026-11-27T11:05:00+01:00', type: notified, stage: identified, channel: status_page, locale: en, posted: true, subject: 'Identified: checkout', body: \"We have identified the cause of payment errors affecting checkout.\\nWe are working on a fix. Next update by Nov 27, 2026, 12:05 CET.\"}",
        "- {at: '2026-11-27T11:10:00+01:00', type: severity, severity: sev1}",
        "- {at: '2026-11-27T11:10:00+01:00', type: note, text: payments down}",
        "- {at: '2026-11-27T11:20:00+01:00', type: stage, stage: resolved}",
        "- {at: '2026-11-27T11:21:00+01:00', type: notified, stage: resolved, channel: status_page, locale: en, posted: true, subject: 'Resolved: checkout', body: \"This incident is resolved: checkout is working normally since Nov 27, 2026, 11:21 CET.\\nNo customer data was lost or exposed. We will publish a post-incident review\\nat https://status.acme.example within five business days.\"}",
    ]


def test_drill_report_figures_match_the_clock(team: Path) -> None:
    drill()
    code, out, _ = run("report", ID, "--format", "json", now="2026-11-27T12:00:00+01:00")
    assert code == 0
    data = json.loads(out)
    assert data["severity"] == "sev1"  # the most severe reached
    assert data["opened_at"] == "2026-11-27T10:02:00+01:00"
    assert data["resolved_at"] == "2026-11-27T11:20:00+01:00"
    assert data["time_to_resolve_s"] == 78 * 60
    assert data["time_to_first_update_s"] == 7 * 60
    assert data["first_update_target_s"] == 20 * 60
    assert data["first_update_met"] is True
    assert data["cadence_breaches"] == [
        {"due_at": "2026-11-27T10:39:00+01:00", "posted_at": "2026-11-27T11:05:00+01:00", "late_by_s": 26 * 60}
    ]
    assert data["stages"] == [
        {"stage": "investigating", "at": "2026-11-27T10:02:00+01:00"},
        {"stage": "identified", "at": "2026-11-27T10:31:00+01:00"},
        {"stage": "resolved", "at": "2026-11-27T11:20:00+01:00"},
    ]
    assert [(m["at"][11:16], m["channel"]) for m in data["messages"]] == [
        ("10:09", "status_page"), ("10:09", "chat_internal"), ("11:05", "status_page"), ("11:21", "status_page"),
    ]  # fmt: skip
    assert data["roles"] == {"incident_commander": ["@alice"], "communications_lead": ["@carol"]}
    code, markdown, _ = run("report", ID, now="2026-11-27T12:00:00+01:00")
    assert "| 2026-11-27 10:39 CET | 2026-11-27 11:05 CET | 26m |" in markdown
    for heading in ("## Summary", "## Key times", "## Severity history", "## Communication", "## Messages", "## Roles",
                    "## Timeline", "## Root cause", "## What went well", "## Follow-up actions"):  # fmt: skip
        assert heading in markdown


def test_status_shows_overdue_by_exactly(team: Path) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    run("notify", "--incident", ID, "--posted", "-c", "status_page", "--var", "service=checkout", "--var", "impact=x", "-f", "text", now="2026-11-27T10:09:00+01:00")  # fmt: skip
    code, out, _ = run("incident", "status", now="2026-11-27T10:30:00+01:00")
    assert code == 0
    assert "  next update due       2026-11-27 10:39 CET (in 9m)\n" in out
    code, out, _ = run("incident", "status", now="2026-11-27T11:00:00+01:00")
    assert "  next update due       2026-11-27 10:39 CET: OVERDUE by 21m\n" in out
    assert "  last customer update  2026-11-27 10:09 CET (51m ago)\n" in out
    code, out, _ = run("incident", "status", ID, "--format", "json", now="2026-11-27T11:00:00+01:00")
    assert json.loads(out)[0]["overdue_by_s"] == 21 * 60


def test_first_update_overdue_when_nothing_posted(team: Path) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev1", now="2026-11-27T10:00:00+01:00")
    code, out, _ = run("incident", "status", now="2026-11-27T10:25:00+01:00")
    assert code == 0
    assert "last customer update  none yet" in out
    assert "2026-11-27 10:10 CET: OVERDUE by 15m" in out


def test_list_and_closed_incidents(team: Path) -> None:
    drill()
    assert run("incident", "list", now="2026-11-27T12:00:00+01:00")[1] == "no open incidents\n"
    code, out, _ = run("incident", "list", "--all", now="2026-11-27T12:00:00+01:00")
    assert code == 0
    assert out == f"{ID}  sev1  resolved  2026-11-27 10:02 CET  Checkout errors\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["incident", "update", ID, "--stage", "fixed"], "error: unknown stage `fixed`"),
        (["incident", "update", ID, "--severity", "sev7"], "error: unknown severity `sev7`"),
        (["incident", "assign", ID, "comms_lead", "@carol"], "error: unknown role `comms_lead`"),
        (["incident", "assign", ID, "communications_lead", "@zed"], "error: unknown person `@zed`"),
        (
            ["incident", "update", ID, "--note", "x", "--at", "2026-11-27T09:00:00+01:00"],
            "error: --at `2026-11-27T09:00:00+01:00` is before the incident opened (2026-11-27T10:02:00+01:00)",
        ),
        (
            ["incident", "update", ID, "--note", "x", "--at", "yesterday"],
            "error: --at `yesterday` is not a time",
        ),
        (
            ["incident", "update", "2026-01-01-nope", "--note", "x"],
            "error: no incident record `incidents/2026-01-01-nope.yaml`",
        ),
        (["incident", "update", "../incplan", "--note", "x"], "error: `../incplan` is not an incident id"),
        (["incident", "update", ID], "error: nothing to update"),
        (["notify", "--stage", "resolved", "--posted"], "error: --posted needs --incident ID"),
        (["report"], "error: give an incident ID or --all"),
        (["report", "--all", "--since", "July"], "error: --since `July` is not a time"),
    ],
)
def test_usage_errors_exit_2_and_change_nothing(team: Path, args: list[str], message: str) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    before = (team / "incidents" / f"{ID}.yaml").read_bytes()
    code, out, err = run(*args, now="2026-11-27T10:30:00+01:00")
    assert (code, out) == (2, ""), err
    assert err.splitlines()[0] == message
    assert (team / "incidents" / f"{ID}.yaml").read_bytes() == before


def test_hand_edits_keep_their_comments(team: Path) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    path = team / "incidents" / f"{ID}.yaml"
    text = path.read_text().replace("title: Checkout errors\n", "title: Checkout errors   # renamed after the call\n")
    path.write_text("# Reviewed by Alice\n" + text)
    assert run("incident", "update", ID, "--note", "customers told", now="2026-11-27T10:40:00+01:00")[0] == 0
    after = path.read_text()
    assert after.startswith("# Reviewed by Alice\nversion: 1\n")
    assert "title: Checkout errors   # renamed after the call\n" in after
    assert after.endswith("- {at: '2026-11-27T10:40:00+01:00', type: note, text: customers told}\n")


def test_damaged_record_is_reported_and_never_overwritten(team: Path) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    path = team / "incidents" / f"{ID}.yaml"
    broken = path.read_text().replace("type: opened", "type: [opened")
    path.write_text(broken)
    code, _, err = run("incident", "update", ID, "--note", "x", now="2026-11-27T10:40:00+01:00")
    assert code == 1
    assert (
        err.splitlines()[-1] == f"error: the record `{Path('incidents') / (ID + '.yaml')}` is damaged; fix it by hand"
    )
    assert path.read_text() == broken
    invalid = broken.replace("type: [opened", "type: opened").replace("severity: sev2", "severity: [sev2]")
    path.write_text(invalid)
    code, _, err = run("incident", "status", ID, now="2026-11-27T10:40:00+01:00")
    assert code == 1
    assert ":7:" in err.splitlines()[0] and "E102" in err
    assert path.read_text() == invalid


# ------------------------------------------------------------------ concurrency and crashes


def _append_notes(args: tuple[str, str, int]) -> None:
    folder, worker, count = args
    os.chdir(folder)
    from datetime import datetime

    from incplan.incidents.service import update_incident
    from incplan.plan.usable import load_for_use

    plan, _ = load_for_use(Path("incplan.yaml"))
    for i in range(count):
        at = datetime.fromisoformat("2026-11-27T11:00:00+01:00")
        update_incident(plan, Path("incidents") / f"{ID}.yaml", at=at, note=f"worker {worker} note {i}")


def test_concurrent_processes_lose_no_event(team: Path) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    workers, each = 4, 15
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        pool.map(_append_notes, [(str(team), str(w), each) for w in range(workers)])
    text = (team / "incidents" / f"{ID}.yaml").read_text()
    notes = [line for line in text.splitlines() if "type: note" in line]
    assert len(notes) == workers * each
    assert {f"worker {w} note {i}" for w in range(workers) for i in range(each)} == {
        line.split("text: ")[1].rstrip("}") for line in notes
    }


def test_killed_writer_leaves_old_or_new_file_never_a_broken_one(team: Path) -> None:
    from incplan.incidents.store import read_record

    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    path = team / "incidents" / f"{ID}.yaml"
    counts = []
    writers = Writers(team, f"{ID}.yaml", note_size=2000)
    for attempt in range(12):
        writer = writers.start(path)
        time.sleep(attempt * 0.013)  # let it write a while longer, then kill it mid-way
        writers.kill(writer)
        record, _ = read_record(path)  # parses and validates: never half-written
        counts.append(len(record.events))
    writers.close()
    # every writer replaced the record at least once before its kill, whatever the machine's load,
    # so each kill fell while writes were under way: the count grows with every attempt
    assert counts == sorted(set(counts)) and counts[0] > 1
    # and the lock a killed writer held does not block the next one
    assert run("incident", "update", ID, "--note", "after the crashes", now="2026-11-27T12:00:00+01:00")[0] == 0


# ------------------------------------------------------------------ period report


def _incident(n: int, day: str, severity: str, first_min: int, resolve_min: int) -> None:
    incident_id = f"2026-{day}-outage-{n}"
    run("incident", "open", "--title", f"Outage {n}", "--severity", severity, now=f"2026-{day}T09:00:00+00:00")
    run("notify", "--incident", incident_id, "--posted", "-c", "status_page", "--var", "service=api", "--var", "impact=x",
        "-f", "text", "--at", f"2026-{day}T09:{first_min:02d}:00+00:00")  # fmt: skip
    hours, minutes = divmod(resolve_min, 60)
    run(
        "incident",
        "update",
        incident_id,
        "--stage",
        "resolved",
        now=f"2026-{day}T{9 + hours:02d}:{minutes:02d}:00+00:00",
    )


def test_period_report_medians_shares_and_filters(team: Path) -> None:
    _incident(1, "06-10", "sev1", 5, 14)  # first update met (10m); resolved before the next was due
    _incident(2, "07-02", "sev2", 25, 40)  # first update late (20m target)
    _incident(3, "07-15", "sev1", 8, 50)  # next due 09:23, never posted before 09:50: a breach
    _incident(4, "08-01", "sev3", 30, 20)  # resolved in 20 min; the update came after resolution
    code, out, _ = run("report", "--all", "--since", "2026-07-01", "--format", "json", now="2026-11-27T12:00:00+00:00")
    assert code == 0
    assert json.loads(out) == {
        "incidents": 3,
        "by_severity": {"sev1": 1, "sev2": 1, "sev3": 1},
        "median_time_to_resolve_s": 40 * 60,
        "p90_time_to_resolve_s": 50 * 60,
        "median_time_to_first_update_s": 25 * 60,
        "first_update_met_share": 0.6667,
        "cadence_met_share": 0.6667,
        "pending": 0,
        "not_applicable": 0,
    }
    code, out, _ = run("report", "--all", "--until", "2026-06-30", "--format", "json", now="2026-11-27T12:00:00+00:00")
    assert json.loads(out)["incidents"] == 1
    code, text, _ = run("report", "--all", now="2026-11-27T12:00:00+00:00")
    assert text.startswith("Incidents opened from the first record to now: 4\n  by severity: sev1 2, sev2 1, sev3 1\n")
    assert "2026-07-02-outage-2  sev2  2026-07-02 11:00 CEST 25m (20m) LATE" in text
    text = run("report", "--all", "--since", "2026-07-01", "--until", "2026-07-31", now="2026-11-27T12:00:00+00:00")[1]
    assert text.startswith("Incidents opened from 2026-07-01 to 2026-07-31: 2\n")
    markdown = run("report", "--all", "--since", "2026-07-01", "-f", "markdown", now="2026-11-27T12:00:00+00:00")[1]
    assert markdown.splitlines()[2] == "Incidents opened from 2026-07-01 to now · generated by incplan " + __version__
    html = run("report", "--all", "-f", "html", now="2026-11-27T12:00:00+00:00")[1]
    assert next(text_of(t) for t in parse_html(html).iter("title")) == "Incident communication report"
    html = run("report", "--all", "--until", "2026-06-30", "-f", "html", now="2026-11-27T12:00:00+00:00")[1]
    assert next(text_of(t) for t in parse_html(html).iter("title")) == (
        "Incident communication report · Incidents opened from the first record to 2026-06-30"
    )


def test_period_medians_are_whole_seconds(team: Path) -> None:
    """Every figure in seconds is an int: `median_time_to_first_update_s` was 570.0. First updates
    after 540 s and 600 s: 570; after 540 s and 601 s: 570.5, a half rounded up to 571."""
    for n, first in ((1, "09:09:00"), (2, "09:10:00")):
        run("incident", "open", "-t", f"Outage {n}", "-S", "sev2", now="2026-07-01T09:00:00+00:00")
        run("notify", "-i", f"2026-07-01-outage-{n}", "--posted", "-c", "status_page", "--var", "service=api",
            "--var", "impact=x", "--at", f"2026-07-01T{first}+00:00", now="2026-07-01T09:30:00+00:00")  # fmt: skip
    out = run("report", "--all", "-f", "json", now="2026-07-01T09:30:00+00:00")[1]
    assert '"median_time_to_first_update_s": 570,' in out
    record = team / "incidents" / "2026-07-01-outage-2.yaml"  # the update posted a second later, by hand
    record.write_text(record.read_text().replace("'2026-07-01T09:10:00+00:00', type: notified", "'2026-07-01T09:10:01+00:00', type: notified"))  # fmt: skip
    data = json.loads(run("report", "--all", "-f", "json", now="2026-07-01T09:30:00+00:00")[1])
    assert data["median_time_to_first_update_s"] == 571


def test_period_report_html_has_inline_svg_and_nothing_external(team: Path) -> None:
    _incident(1, "06-10", "sev1", 5, 14)
    _incident(2, "07-02", "sev2", 25, 40)
    code, out, _ = run("report", "--all", "--format", "html", now="2026-11-27T12:00:00+00:00")
    assert code == 0
    assert out.count("<svg ") == 2
    assert "<script" not in out and "src=" not in out and "<link" not in out
    assert "Incidents per severity" in out and "Time to first customer update" in out
    tree = parse_html(out)
    assert [text_of(h) for h in tree.iter("h2")][:2] == ["Incidents per severity", "Time to first customer update"]
    code, out, _ = run("report", "2026-06-10-outage-1", "--format", "html", now="2026-11-27T12:00:00+00:00")
    assert code == 0 and out.count("<svg ") == 1
    assert [text_of(h) for h in parse_html(out).iter("h1")] == ["Post-incident report: Outage 1"]


def test_a_record_written_by_hand_as_in_the_spec(team: Path) -> None:
    (team / "incidents").mkdir()
    (team / "incidents" / "2026-11-27-api-errors.yaml").write_text(
        "version: 1\n"
        "id: 2026-11-27-api-errors\n"
        "title: Elevated API error rates\n"
        "plan: ../incplan.yaml\n"
        "opened_at: 2026-11-27T10:02:00+01:00\n"
        "events:\n"
        '  - {at: 2026-11-27T10:02:00+01:00, type: opened, severity: sev2, stage: investigating, by: "@alice"}\n'
        '  - {at: 2026-11-27T10:03:00+01:00, type: assigned, role: incident_commander, person: "@alice"}\n'
        "  - {at: 2026-11-27T10:04:00+01:00, type: variables, values: {service: the public API}}\n"
        '  - {at: 2026-11-27T10:09:00+01:00, type: notified, stage: investigating, channel: status_page, locale: en, delivered: true, ref: "p7kz3"}\n'
        "  - {at: 2026-11-27T10:31:00+01:00, type: stage, stage: identified, note: Bad deploy 4821 rolled back}\n"
        "  - {at: 2026-11-27T10:40:00+01:00, type: severity, severity: sev1}\n"
        "  - {at: 2026-11-27T10:45:00+01:00, type: note, text: Error rate back to baseline}\n"
    )
    code, out, _ = run("report", "2026-11-27-api-errors", "-f", "json", now="2026-11-27T10:50:00+01:00")
    assert code == 0
    data = json.loads(out)
    assert (data["severity"], data["time_to_first_update_s"], data["first_update_met"]) == ("sev1", 420, True)
    assert data["messages"] == [
        {
            "at": "2026-11-27T10:09:00+01:00",
            "stage": "investigating",
            "channel": "status_page",
            "delivered": True,
            "posted": False,
            "subject": None,  # a record written by hand keeps no text
            "body": None,
            "update": None,
        }
    ]
    code, out, _ = run("incident", "status", "2026-11-27-api-errors", now="2026-11-27T10:50:00+01:00")
    assert "next update due       2026-11-27 10:39 CET: OVERDUE by 11m" in out


def test_a_damaged_record_does_not_hide_the_others(team: Path) -> None:
    run("incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00")
    (team / "incidents" / "2026-11-26-broken.yaml").write_text("version: 1\nid: [broken\n")
    code, out, err = run("incident", "list", now="2026-11-27T10:30:00+01:00")
    assert code == 0
    assert out.startswith(f"{ID}  sev2")
    assert err == f"warning: the record `{Path('incidents') / '2026-11-26-broken.yaml'}` is damaged; fix it by hand\n"
    code, out, err = run("report", "--all", "-f", "json", now="2026-11-27T10:30:00+01:00")
    assert (code, json.loads(out)["incidents"]) == (0, 1)
    assert "2026-11-26-broken.yaml" in err


def test_assign_records_who_did_it_and_write_commands_answer_in_json(team: Path) -> None:
    code, out, _ = run("incident", "open", "-t", "Checkout errors", "-S", "sev2", "--by", "@alice", "-f", "json",
                       now="2026-11-27T10:02:00+01:00")  # fmt: skip
    assert code == 0
    assert json.loads(out) == {"id": ID, "path": f"incidents/{ID}.yaml", "next": f"incplan notify -i {ID}"}
    code, out, _ = run("incident", "assign", ID, "communications_lead", "@carol", "--by", "@alice", "-f", "json",
                       now="2026-11-27T10:05:00+01:00")  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "id": ID,
        "role": "communications_lead",
        "person": "@carol",
        "by": "@alice",
        "people": ["@carol"],  # everyone the record assigns to the role, latest first
    }
    from ruamel.yaml import YAML

    events = YAML(typ="safe").load((team / "incidents" / f"{ID}.yaml").read_text())["events"]
    assert events[-1] == {"at": "2026-11-27T10:05:00+01:00", "type": "assigned", "role": "communications_lead",
                          "person": "@carol", "by": "@alice"}  # fmt: skip
    report = run("report", ID, now="2026-11-27T10:06:00+01:00")[1]
    assert "- 2026-11-27 10:05 CET: Communications Lead: @carol (@alice)\n" in report
    code, out, err = run("incident", "assign", ID, "scribe", "@carol", "--by", "@zed", now="2026-11-27T10:06:00+01:00")
    assert (code, out, err.splitlines()[0]) == (2, "", "error: unknown person `@zed`")
    code, out, _ = run("incident", "update", ID, "-s", "identified", "-f", "json", now="2026-11-27T10:07:00+01:00")
    assert json.loads(out) == {"id": ID, "title": "Checkout errors", "stage": "identified", "severity": "sev2",
                               "next": f"incplan notify -i {ID}"}  # fmt: skip


# ------------------------------------------------------------------ an update due and never posted

WEBHOOKS = "2026-11-29-webhooks-delayed"


def _rows(html: str) -> list[list[str]]:
    """Every body row of every table, cell by cell, with each cell's class."""
    return [
        [f"{text_of(td).strip()}|{td.get('class', '')}" for td in row.iter("td")]
        for body in parse_html(html).iter("tbody")
        for row in body.iter("tr")
    ]


def test_a_due_update_never_posted_is_a_breach_in_every_format(team: Path) -> None:
    """Opened 10:00 as sev2 (first update within 20m: due 10:20), nothing ever posted, resolved
    11:00: the summary said MISSED while the breaches said none; the open incident listed it."""
    assert run("incident", "open", "-t", "Webhooks delayed", "-S", "sev2", "--var", "service=webhooks",
               "--var", "impact=delayed webhooks", now="2026-11-29T10:00:00+01:00")[0] == 0  # fmt: skip
    single = json.loads(run("report", WEBHOOKS, "-f", "json", now="2026-11-29T10:30:00+01:00")[1])
    status = json.loads(run("incident", "status", WEBHOOKS, "-f", "json", now="2026-11-29T10:30:00+01:00")[1])[0]
    assert single["cadence_breaches"] == [{"due_at": "2026-11-29T10:20:00+01:00", "posted_at": None, "late_by_s": 600}]
    assert status["overdue_by_s"] == 600  # 10:30 - 10:20, as status says it
    assert (single["first_update_status"], single["cadence_status"]) == ("missed", "missed")
    # at the very moment it falls due it can still be posted on time
    exact = json.loads(run("report", WEBHOOKS, "-f", "json", now="2026-11-29T10:20:00+01:00")[1])
    assert (exact["first_update_status"], exact["cadence_status"], exact["cadence_breaches"]) == (
        "pending", "pending", [])  # fmt: skip

    assert run("incident", "update", WEBHOOKS, "-s", "resolved", now="2026-11-29T11:00:00+01:00")[0] == 0
    later = "2026-11-30T14:30:00+01:00"
    single = json.loads(run("report", WEBHOOKS, "-f", "json", now=later)[1])
    # due until the resolution: 11:00 - 10:20 = 40 minutes late
    assert single["cadence_breaches"] == [{"due_at": "2026-11-29T10:20:00+01:00", "posted_at": None, "late_by_s": 2400}]
    assert (single["first_update_status"], single["cadence_status"]) == ("missed", "missed")

    text = run("report", WEBHOOKS, "-f", "text", now=later)[1]
    assert "  Update cadence: MISSED (no customer update)\n" in text
    assert (
        "\nCommunication\n"
        "  Customer updates that came late (the first due by its target, each next one a cadence after the one before):\n"
        "  due 2026-11-29 10:20 CET, posted never, late by 40m\n\nMessages\n"
    ) in text
    markdown = run("report", WEBHOOKS, now=later)[1]
    assert "| 2026-11-29 10:20 CET | never | 40m |\n" in markdown
    assert "Every customer update came within the cadence" not in markdown
    html = run("report", WEBHOOKS, "-f", "html", now=later)[1]
    assert ["2026-11-29 10:20 CET|", "never|", "40m|bad"] in _rows(html)
    assert "Every customer update came within the cadence" not in html

    # report --all: one late update, and the first update marked LATE in every format
    text = run("report", "--all", now=later)[1]
    assert f"{WEBHOOKS}  sev2  2026-11-29 10:00 CET  none (20m) LATE                1  1h00m\n" in text
    markdown = run("report", "--all", "-f", "markdown", now=later)[1]
    assert (
        f"| `{WEBHOOKS}` Webhooks delayed | sev2 | 2026-11-29 10:00 CET | none (20m) LATE | 1 | 1h00m |\n" in markdown
    )
    html = run("report", "--all", "-f", "html", now=later)[1]
    assert [f"{WEBHOOKS}Webhooks delayed|", "sev2|", "2026-11-29 10:00 CET|", "none (20m) LATE|bad", "1|bad",
            "1h00m|"] in _rows(html)  # fmt: skip
    assert json.loads(run("report", "--all", "-f", "json", now=later)[1])["cadence_met_share"] == 0.0


def test_report_names_the_highest_severity_and_the_last_after_a_downgrade(team: Path) -> None:
    """sev1 at 09:05, downgraded to sev2 at 09:40: `status` says sev2, and the report said only
    `severity sev1 (Critical)`."""
    rid = "2026-11-27-api-errors"
    run("incident", "open", "-t", "API errors", "-S", "sev1", "--var", "service=the API", "--var", "impact=errors",
        now="2026-11-27T09:05:00+01:00")  # fmt: skip
    assert run("incident", "update", rid, "-S", "sev2", now="2026-11-27T09:40:00+01:00")[0] == 0
    now = "2026-11-27T10:00:00+01:00"
    assert json.loads(run("incident", "status", rid, "-f", "json", now=now)[1])[0]["severity"] == "sev2"
    assert run("report", rid, "-f", "text", now=now)[1].splitlines()[1] == (
        f"{rid} · highest severity sev1 (Critical), now sev2 (Major) · generated by incplan {__version__}"
    )
    data = json.loads(run("report", rid, "-f", "json", now=now)[1])
    assert (data["severity"], data["last_severity"]) == ("sev1", "sev2")
    run("incident", "update", rid, "-s", "resolved", now="2026-11-27T10:30:00+01:00")
    later = "2026-11-27T11:00:00+01:00"
    assert run("report", rid, now=later)[1].splitlines()[2] == (
        f"`{rid}` · highest severity **sev1 (Critical)**, at resolution **sev2 (Major)** · generated by incplan {__version__}"
    )
    meta = next(
        p for p in parse_html(run("report", rid, "-f", "html", now=later)[1]).iter("p") if p.get("class") == "meta"
    )
    assert (
        text_of(meta)
        == f"{rid} · highest severity sev1 (Critical), at resolution sev2 (Major) · generated by incplan {__version__}"
    )
    data = json.loads(run("report", rid, "-f", "json", now=later)[1])
    assert (data["severity"], data["last_severity"]) == ("sev1", "sev2")
    # no change: one severity, said once
    run("incident", "open", "-t", "Other", "-S", "sev3", now=later)
    assert run("report", "2026-11-27-other", "-f", "text", now=later)[1].splitlines()[1] == (
        f"2026-11-27-other · severity sev3 (Minor) · generated by incplan {__version__}"
    )
    assert json.loads(run("report", "2026-11-27-other", "-f", "json", now=later)[1])["last_severity"] == "sev3"
