"""Conventions every command shares (SPEC section 4): the look of errors, Typer's own included,
colour policy in help, `-` for standard input. Run through the installed entry point, as a
user's shell would."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

ESC = "\x1b["


def incplan(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The installed module in a process of its own: help screens read the terminal and the
    environment as a real run does (Typer keeps their colour settings in module globals)."""
    environment = {**os.environ, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "incplan", *args],
        input=input,
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """In-process, from the repository root: usage errors and standard input."""
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["check", "--fromat", "json"],
            "error: unknown option `--fromat`\n  hint: did you mean `--format`? `incplan check --help` shows the usage\n",
        ),
        (["chek"], "error: unknown command `chek`\n  hint: did you mean `check`? `incplan --help` shows the usage\n"),
        (
            ["--colour", "never", "rules"],
            "error: unknown option `--colour`\n  hint: did you mean `--color`? `incplan --help` shows the usage\n",
        ),
        (["rules", "extra"], "error: unexpected argument `extra`\n  hint: `incplan rules --help` shows the usage\n"),
    ],
    ids=["unknown-option", "unknown-command", "unknown-global-option", "extra-argument"],
)
def test_typer_errors_have_our_look(args: list[str], expected: str) -> None:
    code, out, err = invoke(*args)
    assert (code, out, err) == (2, "", expected)


def test_missing_option_value_has_our_look() -> None:
    code, out, err = invoke("check", "--format")
    assert (code, out, err) == (
        2,
        "",
        "error: option `--format` requires an argument\n  hint: `incplan check --help` shows the usage\n",
    )


def test_an_error_in_a_subcommand_names_it_in_the_hint() -> None:
    code, _, err = invoke("--color", "never", "incident", "open", "--title")
    assert (code, err) == (
        2,
        "error: option `--title` requires an argument\n  hint: `incplan incident open --help` shows the usage\n",
    )


def test_bad_color_choice_is_a_usage_error() -> None:
    code, _, err = invoke("--color", "sometimes", "rules")
    assert (code, err) == (2, "error: `--color sometimes` is not a choice\n  hint: use auto, always or never\n")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--color", "never", "check", "--help"], {"FORCE_COLOR": "1"}),
        (["--color=never", "--help"], {"FORCE_COLOR": "1"}),
        (["check", "--help"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}),
    ],
    ids=["color-never", "color-never-equals", "NO_COLOR"],
)
def test_help_without_colour(args: list[str], env: dict[str, str]) -> None:
    code, out, _ = incplan(*args, env=env)
    assert code == 0
    assert "Usage: incplan" in out
    assert ESC not in out


def test_help_in_colour_when_asked() -> None:
    code, out, _ = incplan("--color", "always", "check", "--help")
    assert code == 0
    assert ESC in out


# ------------------------------------------------------------------ `-` is standard input

PLAN = (ROOT / "plans/incplan.yaml").read_text(encoding="utf-8")
TYPO = (ROOT / "tests/cases/unknown-key/bad/typo.yaml").read_text(encoding="utf-8")
VARS = "service: API\nimpact: slow checkouts\nworkaround: none\ncause: a database\n"


def test_check_reads_a_plan_from_standard_input() -> None:
    assert invoke("check", "-", input=PLAN) == (0, "1 file checked: no problems\n", "")
    code, out, _ = invoke("check", "-", input=TYPO)
    assert code == 1
    assert out.startswith("<stdin>:28:5: error E101 unknown key `acess` in `channels.status_page`\n")


def test_plan_from_standard_input() -> None:
    code, out, err = invoke("--color", "never", "show", "stages", "--plan", "-", input=PLAN)
    assert (code, err) == (0, "")
    assert "investigating" in out.lower()


def test_variables_from_standard_input() -> None:
    args = ["notify", "--plan", "plans/incplan.yaml", "--vars", "-", "--stage", "investigating"]
    code, out, err = invoke(*args, "--severity", "sev1", "--title", "DB down", "--format", "json", input=VARS)
    assert (code, err) == (0, "")
    assert "slow checkouts" in out


def test_standard_input_is_read_once() -> None:
    args = ["notify", "--plan", "-", "--vars", "-", "--stage", "investigating", "--severity", "sev1", "--example"]
    code, out, err = invoke(*args, input=PLAN)
    assert (code, out) == (2, "")
    assert "standard input was already read for another `-`" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- the same options everywhere

CANONICAL = {  # SPEC section 4: one name and one short form each
    "--stage": "-s", "--severity": "-S", "--title": "-t", "--channel": "-c", "--locale": "-l",
    "--format": "-f", "--output": "-o", "--incident": "-i", "--at": None, "--by": None,
    "--var": None, "--vars": None,
}  # fmt: skip
# The convention options each incident and maintenance command takes (what makes sense there).
RECORD_COMMANDS = {
    "incident open": {"--title", "--severity", "--stage", "--at", "--by", "--var", "--vars", "--format"},
    "incident update": {"--title", "--severity", "--stage", "--at", "--by", "--var", "--vars", "--format"},
    "incident assign": {"--at", "--by", "--format"},
    "incident status": {"--format", "--locale"},  # the reader's language
    "incident list": {"--format", "--locale"},  # the reader's language
    "incident remind": {"--format", "--locale"},
    "incident watch": {"--locale"},  # a live screen, no data to format; in the reader's language
    "maintenance schedule": {"--title", "--at", "--by", "--var", "--vars", "--format"},
    "maintenance update": {"--title", "--stage", "--at", "--by", "--var", "--vars", "--format"},
}


def _commands() -> dict[str, object]:
    import typer.main

    from incplan.cli.app import app

    found: dict[str, object] = {}

    def walk(command: object, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])
        if not getattr(command, "commands", None):
            found[" ".join(path)] = command

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_spells_the_shared_options_the_same_way() -> None:
    wrong = []
    for path, command in _commands().items():
        for param in getattr(command, "params", []):
            names = set(param.opts)
            for long, short in CANONICAL.items():
                if long in names and short is not None and short not in names:
                    wrong.append(f"{path} {long} without {short}")
                folder = short == "-o" and "--out" in names  # `preview --out DIR`, `site build --out DIR`
                if short is not None and short in names and long not in names and not folder:
                    wrong.append(f"{path} {short} is not {long}")
    assert wrong == []


@pytest.mark.parametrize("path", sorted(RECORD_COMMANDS))
def test_incident_and_maintenance_commands_take_the_convention_options(path: str) -> None:
    command = _commands()[path]
    given = {opt for param in getattr(command, "params", []) for opt in param.opts}
    assert {o for o in CANONICAL if o in given} == RECORD_COMMANDS[path]
    if "--format" in given:
        fmt = next(p for p in getattr(command, "params", []) if "--format" in p.opts)
        assert "json" in fmt.metavar.split("|")


PLAN_FILE = str(ROOT / "plans/incplan.yaml")
# What each command with `--format` needs besides it to reach its choice of reporter.
FORMAT_ARGS = {
    "check": [],
    "rules": [],
    "notify": ["--plan", PLAN_FILE],
    "show": ["--plan", PLAN_FILE],
    "classify": ["--plan", PLAN_FILE],
    "roster": ["--plan", PLAN_FILE],
    "diff": ["--plan", PLAN_FILE],
    "export": ["--plan", PLAN_FILE],
    "site build": ["--plan", PLAN_FILE],
    "incident open": ["--title", "t", "--severity", "sev1", "--plan", PLAN_FILE],
    "incident update": ["x", "--plan", PLAN_FILE],
    "incident assign": ["x", "scribe", "@jo", "--plan", PLAN_FILE],
    "incident status": ["--plan", PLAN_FILE],
    "incident list": ["--plan", PLAN_FILE],
    "incident remind": ["--plan", PLAN_FILE],
    "maintenance schedule": ["-t", "t", "--start", "10:00", "--end", "11:00", "--plan", PLAN_FILE],
    "maintenance update": ["x", "--plan", PLAN_FILE],
}


def test_every_format_option_lists_its_reporters_and_refuses_others_alike() -> None:
    """One registry per command: `--help` shows its names, `--format` takes exactly those, and a
    name it does not know is one error listing them in the same order (exit 2, nothing printed)."""
    from typer.testing import CliRunner

    from incplan.cli.app import app

    with_format = sorted(path for path, c in _commands().items() if any("--format" in p.opts for p in c.params))
    assert with_format == sorted([*FORMAT_ARGS, "report"])
    runner = CliRunner()
    for path, args in FORMAT_ARGS.items():
        command = _commands()[path]
        names = next(p for p in command.params if "--format" in p.opts).metavar.split("|")
        result = runner.invoke(
            app, ["--color", "never", *path.split(), *args, "--format", "nope"], catch_exceptions=False
        )
        assert (result.exit_code, result.stdout) == (2, ""), path
        assert result.stderr == f"error: unknown format `nope`\n  hint: choose one of: {', '.join(names)}\n", path


def test_report_formats_are_listed_per_form() -> None:
    from typer.testing import CliRunner

    from incplan.cli.app import app

    runner = CliRunner()
    fmt = next(p for p in _commands()["report"].params if "--format" in p.opts)
    assert (
        fmt.help
        == "For ID: markdown (default), text, html or json. With --all: text (default), markdown, html or json."
    )
    for args, names in ((["x"], "markdown, text, html, json"), (["--all"], "text, markdown, html, json")):
        result = runner.invoke(app, ["--color", "never", "report", *args, "-f", "nope", "-p", PLAN_FILE])
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"error: unknown format `nope`\n  hint: choose one of: {names}\n"
