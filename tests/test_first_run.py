"""A new user's first hour: `incplan init`, then the README's commands as printed, on that plan."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT
from .strict_html import parse_html

runner = CliRunner()
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOCALES = [["en"], ["pl"], ["en", "pl"], ["pl", "en"]]


def run(*args: str, now: str = "2026-11-27T10:02:00+01:00") -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def init(folder: Path, locales: list[str]) -> Path:
    args = ["init", str(folder), "--org", "Acme", "--status-page", "https://status.acme.example"]
    args += ["--timezone", "Europe/Warsaw"]
    for locale in locales:
        args += ["--locale", locale]
    assert run(*args)[0] == 0
    return folder / "incplan.yaml"


def readme_commands(heading: str, fence: str) -> list[tuple[str, str | None]]:
    """The commands of the first `fence` block after `heading`: (command, the `# at HH:MM` time)."""
    section = README.split(f"\n{heading}\n", 1)[1]
    block = section.split(f"```{fence}\n", 1)[1].split("\n```", 1)[0]
    commands, current = [], ""
    for line in block.split("\n"):
        if fence == "console" and not current and not line.startswith("$ "):
            continue  # output
        current += (" " if current else "") + line.removeprefix("$ ").strip()
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        at = re.search(r"#\s+at (\d\d:\d\d)\s*$", current)
        commands.append((current, at.group(1) if at else None))
        current = ""
    return commands


def run_readme(commands: list[tuple[str, str | None]], now: str) -> None:
    for command, at in commands:
        if at:
            now = f"2026-11-27T{at}:00+01:00"
        argv = shlex.split(command, comments=True)
        assert argv[0] == "incplan"
        code, out, err = run(*argv[1:], now=now)
        assert code == 0, f"{command}\n{out}{err}"
        assert "error:" not in err, f"{command}\n{err}"


def test_the_readme_reads_the_commands_this_test_runs() -> None:
    incident = [c for c, _ in readme_commands("## During and after an incident: records, cadence, reports", "console")]
    assert incident[0].startswith('incplan incident open -t "Checkout errors" -S sev2 ')
    assert incident[0].endswith("--component checkout=partial_outage")
    assert len(incident) == 9
    maintenance = [c for c, _ in readme_commands("### Scheduled maintenance", "sh")]
    assert maintenance[0].startswith('incplan maintenance schedule --title "Database upgrade" ')
    assert maintenance[0].endswith("--component api")
    assert len(maintenance) == 4


@pytest.mark.parametrize("locales", LOCALES, ids="-".join)
def test_readme_incident_and_maintenance_commands_run_as_printed_on_an_init_plan(
    locales: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = init(tmp_path, locales)
    monkeypatch.chdir(tmp_path)
    run_readme(
        readme_commands("## During and after an incident: records, cadence, reports", "console"),
        "2026-11-27T10:02:00+01:00",
    )
    run_readme(readme_commands("### Scheduled maintenance", "sh"), "2026-11-27T11:00:00+01:00")
    record = (tmp_path / "incidents/2026-11-27-checkout-errors.yaml").read_text(encoding="utf-8")
    assert "type: components, components: {checkout: partial_outage}}" in record
    assert "type: assigned, role: incident_commander, person: '@bob'" in record
    maintenance = (tmp_path / "incidents/2026-12-01-database-upgrade.yaml").read_text(encoding="utf-8")
    assert "type: components, components: {api: under_maintenance}}" in maintenance
    # The status site lists the plan's components, in the plan's first language, not a
    # single row named after the product.
    code, _, err = run("site", "build", "--out", "public", now="2026-11-27T11:00:00+01:00")
    assert (code, err) == (0, "")
    names = {"en": ["Public API", "Checkout", "Dashboard"], "pl": ["Publiczne API", "Płatności", "Panel klienta"]}
    for locale in locales:
        page = "index.html" if locale == locales[0] else f"{locale}/index.html"
        tree = parse_html((tmp_path / "public" / page).read_text(encoding="utf-8"))
        rows = [(th.text or "").strip() for th in tree.iter("th") if th.get("scope") == "row"]
        assert rows == names[locale]
    components = json.loads((tmp_path / "public/api/v2/components.json").read_text())["components"]
    assert [c["id"] for c in components] == ["api", "checkout", "dashboard"]
    assert plan.is_file()
