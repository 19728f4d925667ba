"""Start-up: a run builds only the command it names, and answers exactly as the whole app does.

Speed itself is measured by `bench/run.py`, never asserted here; these tests keep what makes
it (what a run imports and builds) and that the user sees no difference."""

from __future__ import annotations

import ast
import contextlib
import gc
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from incplan.cli import app as cli_app
from incplan.cli.app import COMMANDS, build, invoked

from .conftest import ROOT


def _paths() -> list[list[str]]:
    """Every command and group of the whole app, as the words that name it."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        if path:
            found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(cli_app.app), [])
    return found


def _run(app: typer.Typer, args: list[str]) -> tuple[int, str, str]:
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(app, args, prog_name="incplan", env={"NO_COLOR": "1", "COLUMNS": "100"})
    return result.exit_code, result.stdout, result.stderr


def test_the_whole_app_has_every_command() -> None:
    listed = typer.main.get_command(cli_app.app).commands  # type: ignore[attr-defined]
    assert sorted(listed) == sorted(COMMANDS)
    assert "incident remind" in {" ".join(p) for p in _paths()}
    assert "incident watch" in {" ".join(p) for p in _paths()}


@pytest.mark.parametrize("path", [" ".join(p) for p in _paths()])
def test_a_command_built_alone_answers_as_the_whole_app(path: str) -> None:
    words = path.split()
    alone = build((words[0],))
    for args in ([*words, "--help"], [*words, "--no-such-option"], ["--color", "bogus", *words, "--help"]):
        assert _run(alone, args) == _run(cli_app.app, args), args


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["notify", "--stage", "x"], "notify"),
        (["--color", "never", "incident", "open"], "incident"),
        (["--color=never", "merge-record", "a", "b", "c"], "merge-record"),
        (["--color", "notify"], None),  # `notify` is the colour here; the callback refuses it
        (["--help"], None),
        (["-h", "notify"], None),
        (["--version", "notify"], None),
        (["notfy"], None),
        (["--", "notify"], None),
        ([], None),
        (["--color"], None),
    ],
)
def test_which_command_a_run_names(argv: list[str], expected: str | None) -> None:
    assert invoked(argv) == expected


def test_completion_gets_the_whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_INCPLAN_COMPLETE", "complete_bash")
    assert invoked(["notify", "--stage", ""]) is None


def _loaded(*args: str) -> tuple[str, list[str]]:
    """The output of `incplan ARGS` and the command modules it imported."""
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['incplan', *{list(args)!r}]\n"
        "try:\n    runpy.run_module('incplan', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('incplan.cli.')), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    return done.stdout, eval(line.removeprefix("LOADED "))


def test_a_run_imports_only_the_command_it_names() -> None:
    out, loaded = _loaded("--color", "never", "schema")
    assert out.startswith("{")
    assert loaded == ["incplan.cli.app", "incplan.cli.output", "incplan.cli.reporting", "incplan.cli.schema"]
    out, loaded = _loaded("incident", "--help")
    assert "remind" in out and "watch" in out
    assert {"incplan.cli.incident", "incplan.cli.incident_remind", "incplan.cli.incident_watch"} <= set(loaded)
    assert not {"incplan.cli.notify", "incplan.cli.check", "incplan.cli.site"} & set(loaded)


def test_root_help_lists_every_command() -> None:
    out, loaded = _loaded("--help")
    assert all(f" {name} " in out for name in COMMANDS)
    assert {f"incplan.cli.{module}" for module, _ in COMMANDS.values()} <= set(loaded)


def test_the_entry_point_collects_garbage_less_often_and_the_library_leaves_it_alone() -> None:
    probe = (
        "import gc, sys, runpy\n"
        "before = gc.get_threshold()\n"
        "import incplan, incplan.plan.load\n"
        "print(before, gc.get_threshold())\n"
        "sys.argv = ['incplan', '--version']\n"
        "runpy.run_module('incplan', run_name='__main__')\n"
        "print(gc.get_threshold())\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    imported, version, run = done.stdout.splitlines()
    default = imported.partition(") ")[0] + ")"
    assert imported == f"{default} {default}"  # importing incplan changes nothing
    assert version == "incplan 0.1.0"
    assert ast.literal_eval(run) == (100_000, *ast.literal_eval(default)[1:])


def test_plans_checked_on_both_cores_get_the_same_reports_and_the_caller_keeps_its_collector(
    tmp_path: Path,
) -> None:
    from incplan.lint.runner import PARALLEL_FROM, lint_paths

    plan = (ROOT / "plans/incplan.yaml").read_text(encoding="utf-8")
    for i in range(PARALLEL_FROM + 6):
        text = plan if i % 3 else plan.replace("version: 1", "version: 2", 1)  # every third one is wrong
        (tmp_path / f"p{i:02d}.yaml").write_text(text, encoding="utf-8")

    def reports(jobs: int) -> list[tuple[str, list[str]]]:
        _, found = lint_paths([tmp_path], jobs=jobs)
        return [(Path(r.file).name, [f"{d.line}:{d.col} {d.code}" for d in r.diagnostics]) for r in found]

    alone = reports(1)
    assert sum(1 for _, found in alone if found) == 10
    assert gc.get_freeze_count() == 0
    assert reports(2) == alone
    assert gc.get_freeze_count() == 0  # what was frozen for the workers is collected again
    gc.freeze()  # a caller that froze its own objects: they stay frozen
    try:
        frozen = gc.get_freeze_count()
        assert reports(2) == alone
        assert 0 < gc.get_freeze_count() <= frozen  # neither unfrozen nor more frozen
    finally:
        gc.unfreeze()


def _slug_with_the_tables(title: str) -> str:
    """`slugify` as it was: every title through text-unidecode's tables."""
    import re

    from text_unidecode import unidecode

    from incplan.incidents.ids import FALLBACK, MAX_SLUG

    slug = ""
    for word in re.findall(r"[a-z0-9]+", unidecode(title).lower()):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            slug = slug or word[:MAX_SLUG]
            break
        slug = candidate
    return slug or FALLBACK


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_a_slug_is_the_same_without_the_transliteration_tables(title: str) -> None:
    from incplan.incidents.ids import slugify

    assert slugify(title) == _slug_with_the_tables(title)


def test_an_ascii_title_needs_no_transliteration_tables() -> None:
    probe = (
        "import sys\nfrom incplan.incidents.ids import slugify\n"
        "print(slugify(sys.argv[1]), 'text_unidecode' in sys.modules)\n"
    )
    for title, expected in (("API down!", "api-down False"), ("Płatności", "platnosci True")):
        done = subprocess.run([sys.executable, "-c", probe, title], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == expected


def test_pydantic_gets_a_plugin_loader_that_finds_none_and_never_fails() -> None:
    """The entry point spares pydantic's plugin search (it imports importlib.metadata, email,
    zipfile and csv); a plan is validated all the same, and should pydantic ask the stand-in for
    anything else, its own loader answers."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['incplan', 'check', '--format', 'json', sys.argv[1]]\n"
        "try:\n    runpy.run_module('incplan', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('LOADED', code, 'importlib.metadata' in sys.modules, 'email' in sys.modules, file=sys.stderr)\n"
        "from pydantic.plugin._loader import get_plugins\n"
        "print('PLUGINS', list(get_plugins()), file=sys.stderr)\n"
        "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\n"  # not in the stand-in
        "from pydantic.plugin import _loader\n"
        "print('REAL', PYDANTIC_ENTRY_POINT_GROUP, _loader.get_plugins is not get_plugins, file=sys.stderr)\n"
    )
    broken = (ROOT / "plans/incplan.yaml").read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    with contextlib.chdir(ROOT):
        done = subprocess.run(
            [sys.executable, "-c", probe, "-"],
            input=broken,
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "INCPLAN_NO_CACHE": "1"},
        )
    lines = [x for x in done.stderr.splitlines() if x.split()[0] in {"LOADED", "PLUGINS", "REAL"}]
    assert lines == ["LOADED 1 False False", "PLUGINS []", "REAL pydantic True"]
    assert '"message": "`version`: input should be 1, got `2`"' in done.stdout  # pydantic's finding


def test_incident_open_and_update_never_import_the_template_core_or_babel(tmp_path: Path) -> None:
    """At 3 a.m. `incident open` writes a record: the id's slug, the `--var` and `--vars` values
    and the entered time need neither Jinja2 nor Babel (issue 13), not even with a set-aside
    entry in the plan or values given per locale."""
    import os

    from .conftest import NOW

    text = (ROOT / "plans/incplan.yaml").read_text(encoding="utf-8")
    (tmp_path / "incplan.yaml").write_text(text.replace("  social:\n", "  social:\n    colour: blue\n", 1))
    (tmp_path / "values.yaml").write_text("impact: {en: slow checkout}\n", encoding="utf-8")
    probe = (
        "import sys\nfrom incplan.__main__ import main\n"
        "sys.argv = ['incplan', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print('LOADED', code, [m for m in ('jinja2', 'markupsafe', 'babel') if m in sys.modules], file=sys.stderr)\n"
    )
    opened = ["--var", "service=Checkout", "--vars", "values.yaml", "--at", "10:55", "-f", "json"]
    updated = ["--var", "impact@en=failed payments", "--component", "checkout=major_outage", "-n", "rolled back"]
    runs = [
        ["incident", "open", "-t", "Płatności nie przechodzą", "-S", "sev2", *opened],
        ["incident", "update", "2026-11-27-platnosci-nie-przechodza", "--stage", "identified", *updated],
    ]
    for args in runs:
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=tmp_path,
            env={**os.environ, "INCPLAN_NOW": NOW},
            capture_output=True,
            text=True,
        )
        assert done.stderr.splitlines()[-1] == "LOADED 0 []", done.stderr
        assert "`channels.social` is set aside" in done.stderr
    record = (tmp_path / "incidents/2026-11-27-platnosci-nie-przechodza.yaml").read_text(encoding="utf-8")
    assert "values: {impact: {en: slow checkout}, service: Checkout}" in record
    assert "values: {impact: {en: failed payments}}" in record
    assert "components: {checkout: major_outage}" in record
