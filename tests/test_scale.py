"""Many records: `status`, `remind` and `watch` read only the records that may be open, through
an index in `.incplan/` that is never stale (a hand edit or a git merge shows up at once)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()


def run(*args: str, now: str = "2026-11-27T12:00:00+01:00") -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def record(incident_id: str, last: str) -> str:
    return (
        "version: 1\n"
        f"id: {incident_id}\n"
        f"title: Outage {incident_id}\n"
        "opened_at: '2026-11-27T10:00:00+01:00'\n"
        "events:\n"
        "- {at: '2026-11-27T10:00:00+01:00', type: opened, severity: sev2, stage: investigating}\n"
        "- {at: '2026-11-27T10:05:00+01:00', type: note, text: 'a note that says type: stage, stage: resolved'}\n"
        f"- {{at: '2026-11-27T10:30:00+01:00', type: stage, stage: {last}}}\n"
    )


@pytest.fixture
def many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    folder = tmp_path / "incidents"
    folder.mkdir()
    for i in range(40):
        (folder / f"2026-11-27-r{i:02d}.yaml").write_text(record(f"2026-11-27-r{i:02d}", "resolved"))
    (folder / "2026-11-27-open.yaml").write_text(record("2026-11-27-open", "identified"))
    monkeypatch.chdir(tmp_path)
    return folder


def open_ids(now: str = "2026-11-27T12:00:00+01:00") -> list[str]:
    code, out, err = run("incident", "status", now=now)
    assert code == 0, err
    return [line.split()[0] for line in out.splitlines() if line.startswith("2026-")]


def test_status_reads_closed_records_only_through_the_index(many: Path) -> None:
    # a resolved record whose body is invalid: status never reads it in full, list --all does
    broken = many / "2026-11-27-r07.yaml"
    broken.write_text(broken.read_text().replace("severity: sev2", "severity: [sev2]"))
    code, _, err = run("incident", "status")
    assert (code, err) == (0, "")
    assert open_ids() == ["2026-11-27-open"]
    assert (many.parent / ".incplan" / "index.json").is_file()
    code, _, err = run("incident", "list", "--all")
    assert "2026-11-27-r07.yaml` is not valid" in err


def test_the_index_follows_hand_edits_and_merges(many: Path) -> None:
    assert open_ids() == ["2026-11-27-open"]
    reopened = many / "2026-11-27-r03.yaml"
    info = reopened.stat()
    text = reopened.read_text()
    # reopened by hand: same size, and the modification time put back as it was
    edited = text.replace("stage: resolved}", "stage: identified}").replace("'a note that", "'note that")
    assert len(edited) == len(text)
    reopened.write_text(edited)
    os.utime(reopened, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert open_ids() == ["2026-11-27-open", "2026-11-27-r03"]
    # resolved by a merge that replaced the file
    replacement = many / "incoming.tmp"
    replacement.write_text(record("2026-11-27-open", "resolved"))
    replacement.replace(many / "2026-11-27-open.yaml")
    assert open_ids() == ["2026-11-27-r03"]
    # a record written by hand in block style is read in full, and counts
    (many / "2026-11-27-block.yaml").write_text(
        "version: 1\nid: 2026-11-27-block\ntitle: Block\nopened_at: 2026-11-27T10:00:00+01:00\nevents:\n"
        "  - at: 2026-11-27T10:00:00+01:00\n    type: opened\n    severity: sev3\n    stage: investigating\n"
    )
    assert open_ids() == ["2026-11-27-block", "2026-11-27-r03"]


def test_the_index_knows_a_maintenance_from_an_incident(many: Path) -> None:
    """A stage id may be final for one kind of record and not the other: the index keeps the kind."""
    plan = many.parent / "incplan.yaml"
    text = plan.read_text()
    start = text.find("\nmaintenance:")  # the bundled plan's own section gives way to this one
    if start >= 0:
        text = text[:start] + text[text.index("\nvalues:", start) :]
    plan.write_text(
        text
        + "\nmaintenance:\n  stages:\n    scheduled: {name: Scheduled}\n    identified: {name: Done, final: true}\n"
    )

    def maintenance(incident_id: str, last: str) -> str:
        return (
            record(incident_id, last)
            .replace("events:\n", "kind: maintenance\nevents:\n")
            .replace("severity: sev2, stage: investigating", "severity: maintenance, stage: scheduled")
        )

    (many / "2026-11-27-m-done.yaml").write_text(maintenance("2026-11-27-m-done", "identified"))
    (many / "2026-11-27-m-sched.yaml").write_text(maintenance("2026-11-27-m-sched", "scheduled"))
    # `identified` ends the maintenance, and leaves the incident open
    assert open_ids() == ["2026-11-27-m-sched", "2026-11-27-open"]
    assert open_ids() == ["2026-11-27-m-sched", "2026-11-27-open"]  # the same from the index
