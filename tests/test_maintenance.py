"""Scheduled maintenance (SPEC §10): a record with `kind: maintenance`, its own stages and
templates, told like an incident (notify, Statuspage delivery, the site), kept out of incident
metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .servers import FakeStatuspage, HttpServer, http_server

runner = CliRunner()
ID = "2026-11-28-database-upgrade"
API_KEY = "sp-key-maintenance-0123456789"

PLAN = """\
version: 1
organization: {name: Acme Cloud, timezone: Europe/Warsaw, locales: [en, pl]}
owner: "@alice"
people: {alice: {name: Alice Nowak}}
definition: {incident: An unplanned event that disrupts a customer-facing service.}
severities:
  sev1: {name: Critical, impact: critical, channels: [status_page, chat]}
roles: {}
channels:
  status_page:
    name: Status page
    type: status_page
    audience: customers
    owner: "@alice"
    access: vault
  chat: {name: "#ops", type: chat, audience: internal, owner: "@alice", access: everyone}
components:
  api: {name: Public API}
  db: {name: Database}
stages:
  investigating: {name: Investigating}
  resolved: {name: Resolved, final: true}
templates:
  investigating: {default: "We are investigating."}
  resolved: {default: "Resolved. No data was lost."}
maintenance:
  update_every: {in_progress: 1h}
  templates:
    scheduled:
      status_page:
        subject: "Scheduled: {{ incident.title }}"
        body: "We will work on {{ components | map(attribute='name') | join(', ') }} from {{ incident.scheduled_for }} to {{ incident.scheduled_until }}."
        translations:
          pl: {subject: "Planowane prace: {{ incident.title }}", body: "Planujemy prace: {{ components | map(attribute='name') | join(', ') }}, od {{ incident.scheduled_for }}."}
    in_progress: {default: "The work has started."}
    verifying: {default: "The work is done; we are checking."}
    completed: {default: "Completed: everything works as before."}
"""


def run(*args: str, now: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "incplan.yaml").write_text(PLAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def schedule() -> None:
    code, out = run(
        "maintenance", "schedule", "--title", "Database upgrade", "--start", "2026-11-28T22:00",
        "--end", "2026-11-29T02:00", "--component", "db", now="2026-11-27T10:00:00+01:00",
    )  # fmt: skip
    assert code == 0, out
    assert out.startswith(f"scheduled {ID} (incidents/{ID}.yaml)\nnext: incplan notify -i {ID}")


def record(team: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe").load((team / "incidents" / f"{ID}.yaml").read_text())
    return data


def test_a_maintenance_is_scheduled_told_and_completed(team: Path) -> None:
    schedule()
    data = record(team)
    assert (data["kind"], data["scheduled_for"], data["scheduled_until"]) == (
        "maintenance", "2026-11-28T22:00:00+01:00", "2026-11-29T02:00:00+01:00",
    )  # fmt: skip
    assert data["events"][1]["components"] == {"db": "operational"}

    code, out = run("notify", "-i", ID, "-f", "text", now="2026-11-27T10:05:00+01:00")
    assert code == 0 and out.startswith(
        "Scheduled: Database upgrade\n\nWe will work on Database from Nov 28, 2026, 22:00 CET to Nov 29, 2026, 02:00 CET.\n"
    ), out
    code, out = run("notify", "-i", ID, "--posted", "-f", "text", "-l", "pl", now="2026-11-27T10:05:00+01:00")
    assert code == 0 and "Planujemy prace: Database, od 28 lis 2026, 22:00 CET." in out

    code, out = run("maintenance", "update", ID, "--stage", "in_progress", now="2026-11-28T22:01:00+01:00")
    assert code == 0 and out.startswith(f"{ID}: In progress\n"), out
    assert record(team)["events"][-2]["components"] == {"db": "under_maintenance"}
    assert run("notify", "-i", ID, "--posted", now="2026-11-28T22:02:00+01:00")[0] == 0

    code, out = run("incident", "status", "-f", "json", now="2026-11-28T22:30:00+01:00")
    [status] = json.loads(out)
    assert (status["stage"], status["components"], status["next_update_due"]) == (
        "in_progress", {"db": "under_maintenance"}, "2026-11-28T23:02:00+01:00",
    )  # fmt: skip

    code, out = run("site", "build", "--out", "public", now="2026-11-28T22:30:00+01:00")
    assert code == 0, out
    assert out.split(": ", 1)[1].splitlines()[0] == "0 incidents, 1 maintenance"  # was `1 maintenances`
    index = (team / "public/index.html").read_text()
    assert '<h2 id="maintenance">Scheduled maintenance</h2>' in index
    assert "The work has started." in index and "Service under maintenance" in index
    assert "<strong>In progress</strong>" in index  # the stage's name, not its id
    assert '<span aria-hidden="true">⚙</span> Under maintenance</span>' in index
    summary = json.loads((team / "public/api/v2/summary.json").read_text())
    assert summary["status"]["indicator"] == "maintenance"
    [upcoming] = summary["scheduled_maintenances"]
    assert (upcoming["status"], upcoming["impact"], upcoming["scheduled_for"], upcoming["scheduled_until"]) == (
        "in_progress", "maintenance", "2026-11-28T22:00:00.000+01:00", "2026-11-29T02:00:00.000+01:00",
    )  # fmt: skip
    assert [u["status"] for u in upcoming["incident_updates"]] == ["in_progress", "scheduled"]
    assert summary["incidents"] == []
    polish = (team / "public/pl/index.html").read_text()
    assert "Zaplanowane prace serwisowe" in polish and "Planowane prace: Database upgrade" in polish

    code, out = run("maintenance", "update", ID, "--stage", "completed", now="2026-11-29T01:30:00+01:00")
    assert code == 0, out
    assert run("notify", "-i", ID, "--posted", now="2026-11-29T01:31:00+01:00")[0] == 0
    assert run("site", "build", "--out", "public", now="2026-11-29T02:00:00+01:00")[0] == 0
    summary = json.loads((team / "public/api/v2/summary.json").read_text())
    assert (summary["scheduled_maintenances"], summary["status"]["indicator"]) == ([], "none")
    listed = json.loads((team / "public/api/v2/scheduled-maintenances.json").read_text())
    assert [(m["id"], m["status"]) for m in listed["scheduled_maintenances"]] == [(ID, "completed")]
    assert "Database upgrade" in (team / "public/history.html").read_text()
    code, out = run("incident", "list", "--all", now="2026-11-29T02:00:00+01:00")
    assert code == 0 and "  Completed  " in out and "resolved" not in out, out  # its own last stage


def test_reports_keep_maintenance_out_of_incident_metrics(team: Path) -> None:
    schedule()
    run("maintenance", "update", ID, "--stage", "completed", now="2026-11-29T01:30:00+01:00")
    code, out = run("incident", "open", "--title", "API down", "--severity", "sev1", now="2026-11-29T03:00:00+01:00")
    assert code == 0, out
    run("incident", "update", "2026-11-29-api-down", "--stage", "resolved", now="2026-11-29T03:30:00+01:00")
    code, out = run("report", "--all", "--format", "json", now="2026-11-29T04:00:00+01:00")
    data = json.loads(out)
    assert (data["incidents"], data["by_severity"], data["median_time_to_resolve_s"]) == (1, {"sev1": 1}, 1800)
    assert data["maintenances"] == [
        {
            "id": ID,
            "title": "Database upgrade",
            "scheduled_for": "2026-11-28T22:00:00+01:00",
            "scheduled_until": "2026-11-29T02:00:00+01:00",
            "completed_at": "2026-11-29T01:30:00+01:00",
        }
    ]
    code, out = run("report", "--all", now="2026-11-29T04:00:00+01:00")
    assert "Incidents opened from the first record to now: 1\n" in out
    assert f"Scheduled maintenance (not in the figures above): 1\n  {ID}  " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-11-28T22:00", "--end", "2026-11-28T21:00"], "error: --end `2026-11-28T21:00:00+01:00` is not after --start"),
        (["--start", "2026-11-28T22:00", "--end", "2026-11-29T02:00", "--component", "dbb"], "error: unknown component `dbb`"),
        (["--start", "tomorrow", "--end", "2026-11-29T02:00"], "error: --start `tomorrow` is not a time"),
        # entirely in the past (a year mistyped): customers would hear of maintenance already over
        (["--start", "2025-11-28T22:00", "--end", "2025-11-29T02:00"],
         "error: the window ends at `2025-11-29T02:00:00+01:00`, before it is scheduled (`2026-11-27T10:00:00+01:00`):"
         " customers would be told of maintenance that is already over\n"
         "  hint: check the dates (the year?); to record one scheduled earlier, give --at the time it was scheduled\n"),
        (["--start", "2026-11-27T08:00", "--end", "2026-11-27T10:00"], "error: the window ends at"),  # ends right now
    ],
)  # fmt: skip
def test_schedule_refuses_what_cannot_be(team: Path, args: list[str], message: str) -> None:
    code, out = run("maintenance", "schedule", "--title", "Upgrade", *args, now="2026-11-27T10:00:00+01:00")
    assert code == 2 and message in out, out
    assert not (team / "incidents").exists() or list((team / "incidents").iterdir()) == []


def test_a_window_under_way_is_scheduled_and_one_past_is_recorded_with_at(team: Path) -> None:
    code, out = run("maintenance", "schedule", "-t", "Now", "--start", "2026-11-27T09:00", "--end", "2026-11-27T11:00",
                    now="2026-11-27T10:00:00+01:00")  # fmt: skip
    assert code == 0, out
    code, out = run("maintenance", "schedule", "-t", "Backfill", "--start", "2025-11-28T22:00", "--end",
                    "2025-11-29T02:00", "--at", "2025-11-20T09:00", now="2026-11-27T10:00:00+01:00")  # fmt: skip
    assert code == 0, out
    assert out.startswith("scheduled 2025-11-28-backfill ")


def test_update_knows_maintenance_stages_and_refuses_an_incident(team: Path) -> None:
    schedule()
    code, out = run("maintenance", "update", ID, "--stage", "resolved", now="2026-11-28T22:00:00+01:00")
    assert code == 2 and "error: unknown stage `resolved`" in out
    assert "in_progress" in out  # the hint lists the maintenance stages
    run("incident", "open", "--title", "API down", "--severity", "sev1", now="2026-11-27T11:00:00+01:00")
    code, out = run(
        "maintenance", "update", "2026-11-27-api-down", "--stage", "completed", now="2026-11-27T11:05:00+01:00"
    )
    assert code == 2 and "error: `2026-11-27-api-down` is an incident, not a maintenance" in out


def test_check_reads_the_maintenance_section(team: Path) -> None:
    plan = PLAN.replace("    in_progress: {default:", "    ongoing: {fax:").replace(
        'verifying: {default: "The work is done; we are checking."}', 'verifying: {default: "{{ broken }"}'
    )
    (team / "incplan.yaml").write_text(plan)
    result = runner.invoke(app, ["check", "incplan.yaml", "--format", "json"])
    found = {(d["code"], d["message"]) for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"}
    assert result.exit_code == 1
    assert ("E205", "maintenance templates for stage `ongoing`, which is not a maintenance stage") in found
    assert ("E203", "templates for channel `fax`, which is not declared") in found
    assert any(code == "E301" for code, _ in found)
    assert runner.invoke(app, ["check", str(Path("incplan.yaml")), "--strict"]).exit_code == 1
    (team / "incplan.yaml").write_text(PLAN)
    assert runner.invoke(app, ["check", "incplan.yaml"]).exit_code == 0


@pytest.fixture
def statuspage() -> Iterator[HttpServer]:
    with http_server(FakeStatuspage(API_KEY, id_prefix="mnt")) as server:
        yield server


def sent(server: HttpServer) -> list[tuple[str, str, dict[str, Any]]]:
    """What Statuspage received: (method, path, the `incident` sent)."""
    return [(r.method, r.path, r.json()["incident"]) for r in server.received]


def test_statuspage_gets_a_scheduled_maintenance(
    team: Path, monkeypatch: pytest.MonkeyPatch, statuspage: HttpServer
) -> None:
    base = statuspage.base
    delivery = f"    delivery: {{kind: statuspage, api_key_env: SP_KEY, page_id: p1, api_base: '{base}', components: {{db: sp-db}}}}\n"
    (team / "incplan.yaml").write_text(PLAN.replace("    access: vault\n", "    access: vault\n" + delivery, 1))
    monkeypatch.setenv("SP_KEY", API_KEY)
    schedule()
    code, out = run("notify", "-i", ID, "--send", "--yes", "-c", "status_page", now="2026-11-27T10:05:00+01:00")
    assert code == 0 and "status_page: created status page scheduled maintenance mnt1" in out, out
    method, path, created = sent(statuspage)[0]
    assert (method, path) == ("POST", "/pages/p1/incidents")
    assert {k: created[k] for k in ("name", "status", "impact_override", "scheduled_for", "scheduled_until")} == {
        "name": "Database upgrade",
        "status": "scheduled",
        "impact_override": "maintenance",
        "scheduled_for": "2026-11-28T22:00:00+01:00",
        "scheduled_until": "2026-11-29T02:00:00+01:00",
    }
    assert created["components"] == {"sp-db": "operational"}
    assert created["scheduled_auto_in_progress"] is False
    run("maintenance", "update", ID, "--stage", "in_progress", now="2026-11-28T22:01:00+01:00")
    assert run("notify", "-i", ID, "--send", "--yes", "-c", "status_page", now="2026-11-28T22:02:00+01:00")[0] == 0
    run("maintenance", "update", ID, "--stage", "completed", now="2026-11-29T01:00:00+01:00")
    assert run("notify", "-i", ID, "--send", "--yes", "-c", "status_page", now="2026-11-29T01:01:00+01:00")[0] == 0
    assert [(m, p, b["status"], b["components"]) for m, p, b in sent(statuspage)[1:]] == [
        ("PATCH", "/pages/p1/incidents/mnt1", "in_progress", {"sp-db": "under_maintenance"}),
        ("PATCH", "/pages/p1/incidents/mnt1", "completed", {"sp-db": "operational"}),
    ]


def test_update_takes_a_title_variables_and_json_like_incident_update(team: Path) -> None:
    (team / "incplan.yaml").write_text(PLAN + "variables:\n  window_note: {description: Extra words, example: x}\n")
    code, out = run("maintenance", "schedule", "-t", "Database upgrade", "--start", "2026-11-28T22:00",
                    "--end", "2026-11-29T02:00", "-f", "json", now="2026-11-27T10:00:00+01:00")  # fmt: skip
    assert code == 0, out
    assert json.loads(out) == {"id": ID, "path": f"incidents/{ID}.yaml", "next": f"incplan notify -i {ID}"}
    (team / "vars.yaml").write_text("window_note: about four hours\n")
    code, out = run("maintenance", "update", ID, "-s", "in_progress", "-t", "Database upgrade to 17",
                    "--vars", "vars.yaml", "-n", "started", "--by", "@alice", "--at", "22:01",
                    "-f", "json", now="2026-11-28T22:05:00+01:00")  # fmt: skip
    assert code == 0, out
    assert json.loads(out) == {
        "id": ID,
        "title": "Database upgrade to 17",
        "stage": "in_progress",
        "next": f"incplan notify -i {ID}",
    }
    at = "2026-11-28T22:01:00+01:00"
    assert record(team)["events"][-3:] == [
        {"at": at, "type": "title", "title": "Database upgrade to 17", "by": "@alice"},
        {"at": at, "type": "variables", "values": {"window_note": "about four hours"}},
        {"at": at, "type": "stage", "stage": "in_progress", "note": "started", "by": "@alice"},
    ]
