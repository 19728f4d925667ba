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


STAGES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
# A sentence of each language's status page message, and of each one's internal chat message.
STATUS_PAGE = {"en": "We are investigating reports of", "pl": "Badamy zgłoszenia"}
CHAT = {"en": "Next customer update by", "pl": "Kolejny komunikat dla klientów do"}


@pytest.mark.parametrize("locales", [["en", "pl"], ["pl", "en"]], ids="-".join)
def test_a_multilingual_init_plan_tells_customers_in_every_language(locales: list[str], tmp_path: Path) -> None:
    """Customer channels post in every declared language, joined into one post (the first
    first); the internal chat and social media (280 characters hold one language) in the first."""
    plan = init(tmp_path, locales)
    text = plan.read_text(encoding="utf-8")
    every, first = f"locales: [{', '.join(locales)}]", f"locales: [{locales[0]}]"
    channels = text.split("\nchannels:\n", 1)[1].split("\n\n", 1)[0]
    posts = dict(re.findall(r"\n  (\w+):\n(?:    .*\n)*?    (locales: \[[a-z, ]+\])", "\n" + channels + "\n"))
    assert posts == {
        "status_page": every,
        "email": every,
        "chat_internal": first,
        "social": first,
        "help_center": every,
    }
    # Every message of every channel renders in what it posts, with no fallback or warning.
    for severity in ("sev1", "sev2", "sev3"):
        for stage in STAGES:
            args = ["notify", "--plan", str(plan), "-s", stage, "-S", severity, "--example", "-f", "json"]
            code, out, err = run(*args)
            assert (code, err) == (0, ""), f"{severity} {stage}: {err}"
            for message in json.loads(out)["messages"]:
                want = locales if message["channel"] in ("status_page", "email", "help_center") else locales[:1]
                assert message["locales"] == want, message
    code, out, err = run("notify", "--plan", str(plan), "-s", "investigating", "-S", "sev1", "--example", "-f", "json")
    by_channel = {m["channel"]: m for m in json.loads(out)["messages"]}
    status_page = by_channel["status_page"]["body"]
    assert (
        status_page.index(STATUS_PAGE[locales[0]])
        < status_page.index("\n---\n")
        < status_page.index(STATUS_PAGE[locales[1]])
    )
    chat = by_channel["chat_internal"]["body"]
    assert CHAT[locales[0]] in chat and CHAT[locales[1]] not in chat
    # ... and the plan passes check: only the placeholder people warn (joined posts within
    # every channel's limits, every message translated into what its channels post).
    code, out, _ = run("check", str(plan), "--strict", "--format", "json")
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"W401"}
    assert run("check", str(plan), "--strict", "--ignore", "placeholder")[:2] == (0, "1 file checked: no problems\n")


@pytest.mark.parametrize("locales", [["en", "pl"], ["pl", "en"]], ids="-".join)
def test_a_multilingual_init_plan_announces_maintenance_in_every_language(
    locales: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(tmp_path, locales)
    monkeypatch.chdir(tmp_path)
    mid = "2026-12-01-database-upgrade"
    now = "2026-11-27T10:00:00+01:00"
    code, _, err = run("maintenance", "schedule", "-t", "Database upgrade", "--start", "2026-12-01T22:00", "--end", "2026-12-02T01:00", "--component", "api", now=now)  # fmt: skip
    assert (code, err) == (0, "")
    for stage, at in (("scheduled", None), ("in_progress", "2026-12-01T22:00:00+01:00"), ("verifying", "2026-12-02T00:30:00+01:00"), ("completed", "2026-12-02T01:00:00+01:00")):  # fmt: skip
        if at:
            now = at
            code, _, err = run("maintenance", "update", mid, "--stage", stage, now=now)
            assert (code, err) == (0, ""), err
        code, out, err = run("notify", "-i", mid, "-f", "json", now=now)
        assert (code, err) == (0, ""), f"{stage}: {err}"
        messages = {m["channel"]: m for m in json.loads(out)["messages"]}
        assert set(messages) == {"status_page", "email", "social", "help_center"}
        assert messages["status_page"]["locales"] == locales
        assert messages["social"]["locales"] == locales[:1]
