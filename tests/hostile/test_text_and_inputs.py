"""Issue 8, items 5 and 8: input a user or a pull request can give never ends in a traceback
or a hang; plan text is printed as data (never rich markup) on any terminal."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import ROOT
from .conftest import assert_clean, prepare, run_cli, without_root_powers
from .plans import plan

MINIMAL = (ROOT / "examples/minimal.yaml").read_text()
BILINGUAL = ROOT / "examples/bilingual-sms.yaml"
Write = Callable[[str, str], Path]


# ------------------------------------------------------------------ the loader is total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%YAML 1.3\n---\n" + MINIMAL, "1:1: error E001 cannot parse the file as YAML"),
        ("%YAML 1.1\n---\n" + MINIMAL, "1:1: error E001 the directive `%YAML 1.1` is not allowed"),
        ("--- !!omap\n- a: 1\n- b: 2\n", "1:5: error E006 YAML tag `!!omap` is not allowed"),
        ("--- !!set {a, b}\n", "1:5: error E006 YAML tag `!!set` is not allowed"),
        ("--- !!binary aGVsbG8=\n", "1:5: error E006 YAML tag `!!binary` is not allowed"),
        (
            "version: " + "9" * 100_000 + "\n",
            "1:10: error E001 a number of 100,000 digits is longer than a plan can hold (at most 4,300)\n"
            "  hint: quote it if it is text, or shorten it",
        ),
    ],
    ids=["yaml-1.3-directive", "yaml-1.1-directive", "omap-root", "set-root", "binary-root", "huge-integer"],
)
def test_yaml_oddities_are_diagnostics(text: str, expected: str, write: Write) -> None:
    path = write("plan.yaml", text)
    result = run_cli("check", str(path))
    assert_clean(result, 1)
    assert expected in result.out
    assert "set_int_max_str_digits" not in result.out


# Attack trial, finding 2: a tag turned text into bytes that no rule looked at.
ESC_NAME = "VGlueRtdMDtQV05FRAcbWzJKG1szMW1SRUQbWzBtIENv"  # base64 of "Tiny\x1b]0;PWNED\x07\x1b[2J..."
TOKEN = "xoxb-" + "1234567890-" * 2 + "abcdefghijklmnopqrstuvwx"


@pytest.mark.parametrize(
    ("tagged", "shown"),
    [
        (f"!!binary {ESC_NAME}", "!!binary"),
        ("!!set {Tiny Co}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!!timestamp 2026-01-01", "!!timestamp"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!team Tiny Co", "!team"),
        ("!!str Tiny Co", "!!str"),
    ],
)
def test_every_yaml_tag_in_a_plan_is_an_error(tagged: str, shown: str, write: Write) -> None:
    path = write("plan.yaml", MINIMAL.replace("name: Tiny Co", f"name: {tagged}", 1))
    result = run_cli("check", str(path))
    assert_clean(result, 1)
    assert f"plan.yaml:4:9: error E006 YAML tag `{shown}` is not allowed" in result.out
    assert "\x1b" not in result.out


def test_a_binary_secret_is_an_error_and_never_shown(write: Write) -> None:
    import base64

    encoded = base64.b64encode(TOKEN.encode()).decode()
    path = write("plan.yaml", MINIMAL.replace("access: ", f"access: !!binary {encoded} #", 1))
    result = run_cli("check", str(path), "--format", "json")
    assert_clean(result, 1)
    assert [d["code"] for d in json.loads(result.out)["diagnostics"]] == ["E006"]
    assert TOKEN not in result.out and encoded not in result.out


def test_notify_refuses_a_plan_with_a_binary_name(write: Write) -> None:
    path = write("plan.yaml", MINIMAL.replace("name: Tiny Co", f"name: !!binary {ESC_NAME}", 1))
    result = run_cli("notify", "-s", "investigating", "-S", "sev1", "--example", "--plan", str(path))
    assert_clean(result, 1)
    assert "YAML tag `!!binary` is not allowed" in result.err
    assert "\x1b" not in result.out + result.err


def test_a_tagged_vars_file_or_record_is_refused(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    (tmp_path / "v.yaml").write_text(f"impact: !!binary {ESC_NAME}\n")
    args = ["notify", "-s", "investigating", "-S", "sev2", "--vars", "v.yaml", "--var", "service=x", "-f", "text",
            "--title", "Errors"]  # fmt: skip
    result = run_cli(*args, cwd=tmp_path)
    assert_clean(result, 2)
    assert "v.yaml:1:9: YAML tag `!!binary` is not allowed" in result.err
    assert "b'" not in result.out and "\x1b" not in result.out + result.err
    prepare(tmp_path, "incident", "open", "--title", "Tagged", "--severity", "sev2")
    record = next((tmp_path / "incidents").glob("*.yaml"))
    record.write_text(record.read_text().replace("title: Tagged", f"title: !!binary {ESC_NAME}"))
    for command in (["incident", "list", "--all"], ["incident", "status"], ["report", "--all"]):
        shown = run_cli(*command, cwd=tmp_path)
        assert shown.code in (0, 1, 2), shown.err
        assert "Traceback" not in shown.err
        assert "\x1b" not in shown.out + shown.err
        assert f"the record `incidents/{record.name}` is damaged" in shown.err


def test_a_record_with_a_huge_number_is_set_aside(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    prepare(tmp_path, "incident", "open", "--title", "Big", "--severity", "sev2")
    record = next((tmp_path / "incidents").glob("*.yaml"))
    record.write_text(record.read_text().replace("title: Big", "title: " + "9" * 100_000))
    for command in (["incident", "list", "--all"], ["incident", "status"], ["report", "--all"]):
        shown = run_cli(*command, cwd=tmp_path)
        assert_clean(shown, 0)
        assert f"the record `incidents/{record.name}` is damaged" in shown.err


# ------------------------------------------------------------------ lone surrogates

SURROGATE_PLAN = MINIMAL.replace("name: Tiny Co", 'name: "Tiny \\ud800 Co"')


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_lone_surrogate_is_an_error_at_its_place_in_every_format(fmt: str, write: Write) -> None:
    path = write("plan.yaml", SURROGATE_PLAN.replace("version: 1", 'version: 1\n"key\\udc80": 1'))
    result = run_cli("check", str(path), "--format", fmt)
    assert_clean(result, 1)
    assert "E005" in result.out
    if fmt == "json":
        found = [(d["line"], d["code"]) for d in json.loads(result.out)["diagnostics"]]
        assert [line for line, code in found if code == "E005"] == [3, 5]  # each at its place
    if fmt == "text":
        assert "text holds `\\udc80`, half of a UTF-16 pair" in result.out


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "markdown"],
        ["export", "--format", "html"],
        ["notify", "--stage", "investigating", "--severity", "sev1", "--example"],
        ["preview"],
        ["show"],
    ],
    ids=lambda a: a[0] + "-" + a[-1],
)
def test_commands_refuse_a_plan_with_a_lone_surrogate(args: list[str], write: Write) -> None:
    path = write("plan.yaml", SURROGATE_PLAN)
    result = run_cli(*args, "--plan", str(path))
    assert_clean(result, 1)
    assert "E005" in result.err


def test_record_titled_with_a_lone_surrogate_lists_and_shows(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    prepare(tmp_path, "incident", "open", "--title", "Checkout", "--severity", "sev2")
    record = next((tmp_path / "incidents").glob("*.yaml"))
    record.write_text(record.read_text().replace("title: Checkout", 'title: "Check \\ud800 out"'))
    for args in (["incident", "list"], ["incident", "list", "--all"], ["incident", "status"]):
        result = run_cli(*args, cwd=tmp_path)
        assert_clean(result, 0)
        assert "Check \\ud800 out" in result.out


@pytest.mark.parametrize(("fmt", "shown"), [("html", "Check \\udcff out"), ("markdown", "Check \\udcff out")])
def test_report_file_of_a_record_titled_with_a_lone_surrogate(fmt: str, shown: str, tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    prepare(tmp_path, "incident", "open", "--title", "Checkout", "--severity", "sev2")
    record = next((tmp_path / "incidents").glob("*.yaml"))
    record.write_text(record.read_text().replace("title: Checkout", 'title: "Check \\udcff out"'))
    result = run_cli("report", record.stem, "-f", fmt, "-o", "out.txt", cwd=tmp_path)
    assert_clean(result, 0)
    assert shown in (tmp_path / "out.txt").read_text()


@pytest.mark.parametrize("encoding", ["utf-8:strict", "ascii", "latin-1"])
@pytest.mark.parametrize(
    "args",
    [
        ["show"],
        ["show", "sev1"],
        ["preview"],
        ["export", "--format", "markdown"],
        ["notify", "--stage", "investigating", "--severity", "sev1", "--example"],
        ["classify", "--yes", "data_exposed"],
    ],
    ids=lambda a: "-".join(a[:2]),
)
def test_any_terminal_encoding(encoding: str, args: list[str], write: Write) -> None:
    path = write("plan.yaml", (ROOT / "plans/incplan.yaml").read_text().replace("Acme", "Acmé – Zażółć 😀 \\ud800"))
    path.write_text(path.read_text().replace("\\ud800", ""))  # text beyond ASCII only
    result = run_cli(*args, "--plan", str(path), env={"PYTHONIOENCODING": encoding})
    assert_clean(result, 0)


def test_check_output_survives_an_ascii_terminal(write: Write) -> None:
    path = write("plan.yaml", SURROGATE_PLAN.replace("Anything", "Zażółć anything"))
    result = run_cli("check", str(path), env={"PYTHONIOENCODING": "ascii"})
    assert_clean(result, 1)
    assert "E005" in result.out


# ------------------------------------------------------------------ rich markup is data

MARKUP = "Lead [/] [/bold] [beta] [link=https://evil.example]click[/link] :smile:"
MARKUP_PLAN = (
    MINIMAL.replace("name: Incident Commander", f'name: "{MARKUP}"')
    .replace("name: Status page", 'name: "Status [/bold] [beta]"')
    .replace("We are looking", "[bold]We[/] are [beta] looking")
    .replace(
        "incident: Anything that stops customers from using the app.",
        'incident: "[red]Anything[/] that stops"\n  criteria: [{id: down, question: "Down [/]?", severity: sev1}]',
    )
)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["show"], ["Lead [/] [/bold] [beta]", "[link=https://evil.example]click[/link] :smile:"]),
        (["show", "sev1"], ["Lead [/] [/bold] [beta]", "Status [/bold] [beta]"]),
        (["preview"], ["[bold]We[/] are [beta] looking", "Status [/bold] [beta]"]),
        (
            ["notify", "--stage", "investigating", "--severity", "sev1", "--example", "--format", "rich"],
            ["[bold]We[/] are [beta] looking", "Status [/bold] [beta]"],
        ),
        (["classify", "--no", "down"], ["An incident is: [red]Anything[/] that stops"]),
        (["classify", "--yes", "down"], ["Incident: sev1 (yes to: Down [/]?)", "Lead [/] [/bold] [beta]"]),
    ],
    ids=lambda a: (
        "-".join(a[:2]) if isinstance(a, list) and a and a[0] in ("show", "preview", "notify", "classify") else ""
    ),
)
@pytest.mark.parametrize("color", ["never", "always"])
def test_markup_in_plan_text_prints_as_written(args: list[str], shown: list[str], color: str, write: Write) -> None:
    path = write("plan.yaml", MARKUP_PLAN)
    result = run_cli("--color", color, *args, "--plan", str(path), env={"COLUMNS": "400"})
    assert_clean(result, 0)
    for text in shown:
        plain = result.out if color == "never" else _strip_sgr(result.out)
        assert text in plain, result.out
    assert "\x1b]8;" not in result.out  # no terminal hyperlink


def _strip_sgr(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_markup_in_a_record_title_prints_as_written(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    prepare(tmp_path, "incident", "open", "--title", "DB [/] [beta] [link=https://x.example]y", "--severity", "sev2")
    result = run_cli("--color", "always", "incident", "status", cwd=tmp_path, env={"COLUMNS": "400"})
    assert_clean(result, 0)
    assert "DB [/] [beta] [link=https://x.example]y" in _strip_sgr(result.out)


# ------------------------------------------------------------------ deep templates

DEEP = plan("{{ " + "(" * 90 + "1" + ")" * 90 + " }}")


@pytest.mark.parametrize(
    "args",
    [["check"], ["notify", "--stage", "investigating", "--severity", "sev1", "--example"], ["preview"]],
    ids=lambda a: a[0],
)
def test_deeply_nested_parentheses(args: list[str], write: Write) -> None:
    path = write("plan.yaml", DEEP)
    result = run_cli(*args, str(path)) if args == ["check"] else run_cli(*args, "--plan", str(path))
    assert_clean(result, 1)
    assert "template nested too deeply" in result.output


# ------------------------------------------------------------------ paths check is given


def test_check_a_very_long_path() -> None:
    result = run_cli("check", "a/" * 2500 + "plan.yaml")
    assert_clean(result, 2)
    assert "File name too long" in result.err


def test_check_an_empty_path_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_cli("check", "", cwd=tmp_path)
    assert_clean(result, 2)
    assert result.err.startswith("error: an empty path was given")


def test_check_a_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(MINIMAL)
    result = run_cli("check", str(tmp_path / "plan.yaml" / "inner.yaml"))
    assert_clean(result, 2)
    assert "Not a directory" in result.err


def test_check_a_file_in_a_folder_it_may_not_search(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "plan.yaml").write_text(MINIMAL)
    locked.chmod(0o600)  # its names can be listed, but nothing in it can be opened
    try:
        result = run_cli("check", str(locked / "plan.yaml"), prefix=without_root_powers())  # root may search any
        assert_clean(result, 2)
        assert "Permission denied" in result.err
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("mode", [0o000, 0o311], ids=["no access", "search only"])
def test_check_reports_a_folder_it_may_not_read(tmp_path: Path, mode: int) -> None:
    """Never silence: a subfolder that cannot be listed is a diagnostic with its path. Run
    without root's power to read anything (setpriv), so the folder is really unreadable."""
    (tmp_path / "plans" / "team").mkdir(parents=True)
    (tmp_path / "plans" / "ok.yaml").write_text(MINIMAL)
    (tmp_path / "plans" / "team" / "hidden.yaml").write_text(MINIMAL)
    (tmp_path / "plans" / "team").chmod(mode)
    try:
        done = run_cli("--color", "never", "check", "plans", cwd=tmp_path, prefix=without_root_powers())
    finally:
        (tmp_path / "plans" / "team").chmod(0o755)
    assert done.code == 1, done.output
    assert done.out == (
        "plans/team:1:1: error E008 cannot read the folder: Permission denied; the plans in it were not checked\n"
        "  hint: give incplan read and search access to it (`chmod u+rx`), or leave it out of the paths\n"
        "2 files checked: 1 error, 0 warnings\n"
    )
    assert done.err == ""


# ------------------------------------------------------------------ FIFOs never block


def test_check_skips_a_fifo_with_a_warning(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_cli("check", str(tmp_path / "pipe.yaml"), timeout=30)
    assert_clean(result, 0)
    assert result.out == (
        f"{tmp_path / 'pipe.yaml'}:1:1: warning W001 a named pipe (FIFO) is not a regular file; not read\n"
        "  hint: incplan reads plans only from regular files\n"
        "1 file checked: 0 errors, 1 warning\n"
    )
    assert stat.S_ISFIFO((tmp_path / "pipe.yaml").stat().st_mode)


def test_check_a_folder_holding_a_fifo(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(MINIMAL)
    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_cli("check", str(tmp_path), "--strict", timeout=30)
    assert_clean(result, 1)
    assert "pipe.yaml:1:1: warning W001" in result.out
    assert result.out.endswith("2 files checked: 0 errors, 1 warning\n")


def test_vars_from_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "vars.yaml")
    result = run_cli(
        "notify", "-s", "investigating", "--severity", "sev1", "--example",
        "--vars", str(tmp_path / "vars.yaml"), "--plan", str(ROOT / "examples/minimal.yaml"), timeout=30,
    )  # fmt: skip
    assert_clean(result, 2)
    assert f"{tmp_path / 'vars.yaml'}: a named pipe (FIFO) is not a regular file; not read" in result.err


# ------------------------------------------------------------------ alias cycles


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 1\norganization: &o {name: x, self: *o}\n", "2:34"),
        ("a: &a [*a]\n", "1:8"),
        ("x: &a [*a, *a]\n", "1:8"),
    ],
    ids=["mapping", "list", "twice"],
)
def test_an_alias_cycle_is_a_diagnostic_not_a_hang(text: str, where: str, write: Write) -> None:
    path = write("plan.yaml", text)
    result = run_cli("check", str(path))
    assert_clean(result, 1)
    assert f"plan.yaml:{where}: error E003 alias" in result.out
    assert "stands inside the value it names (a cycle)" in result.out


def test_a_record_or_vars_file_with_an_alias_cycle_is_set_aside(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    prepare(tmp_path, "incident", "open", "--title", "Cyc", "--severity", "sev2")
    record = next((tmp_path / "incidents").glob("*.yaml"))
    record.write_text(record.read_text().replace("title: Cyc", "title: &t [*t]"))
    listed = run_cli("incident", "list", "--all", cwd=tmp_path)
    assert_clean(listed, 0)
    assert f"the record `incidents/{record.name}` is damaged" in listed.err
    (tmp_path / "v.yaml").write_text("impact: &a [*a]\n")
    args = ["notify", "-s", "investigating", "-S", "sev2", "--vars", "v.yaml", "--var", "service=x", "-f", "text"]
    result = run_cli(*args, cwd=tmp_path)
    assert_clean(result, 2)
    assert "v.yaml:1:13: alias `*a` stands inside the value it names (a cycle)" in result.err


# ------------------------------------------------------------------ records edited by hand


def test_a_record_edited_to_a_far_date_is_set_aside(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    for title in ("Far", "Near"):
        prepare(tmp_path, "incident", "open", "--title", title, "--severity", "sev2")
    far = next((tmp_path / "incidents").glob("*-far.yaml"))
    text = far.read_text()
    opened = text.split("opened_at: ", 1)[1].splitlines()[0]
    far.write_text(text.replace(opened, "'9999-12-31T23:59:00+00:00'"))
    for args in (["incident", "list", "--all"], ["incident", "status"], ["report", "--all"], ["incident", "remind"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.code in (0, 1), result.err
        assert "Traceback" not in result.err
        assert f"the record `incidents/{far.name}`" in result.err
    assert "Near" in run_cli("incident", "list", "--all", cwd=tmp_path).out


def test_site_build_of_a_record_titled_with_a_lone_surrogate(tmp_path: Path) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    prepare(tmp_path, "incident", "open", "--title", "Checkout", "--severity", "sev2", "--var", "service=x",
            "--var", "impact=y")  # fmt: skip
    record = next((tmp_path / "incidents").glob("*.yaml"))
    prepare(tmp_path, "notify", "-i", record.stem, "--posted", "-c", "status_page", "-f", "text")
    record.write_text(record.read_text().replace("title: Checkout", 'title: "Bad \\ud800 title"'))
    result = run_cli("site", "build", "--out", "public", cwd=tmp_path)
    assert_clean(result, 0)
    assert "Bad \\ud800 title" in (tmp_path / "public" / "index.html").read_text()


# ------------------------------------------------------------------ terminal control sequences


def test_escape_sequences_in_plan_text_are_an_error_never_printed(write: Write) -> None:
    text = MINIMAL.replace("name: Tiny Co", 'name: "Tiny\\e]8;;https://evil.example\\e\\\\X\\e]8;;\\e\\\\ \\e[2J Co"')
    path = write("plan.yaml", text)
    checked = run_cli("check", str(path))
    assert_clean(checked, 1)
    assert "plan.yaml:4:9: error E001 control character U+001B is not allowed in a plan" in checked.out
    for args in (["show"], ["preview"], ["export", "--format", "markdown"]):
        result = run_cli(*args, "--plan", str(path))
        assert result.code == 1
        assert "\x1b" not in result.out + result.err
