"""Broken input of every kind: one clear diagnostic at the right line, exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incplan.lint.runner import lint_file

from .conftest import ROOT

EXAMPLES = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("plans/*.yaml")])
MINIMAL = (ROOT / "examples/minimal.yaml").read_text()


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "incplan", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    # name: (content, expected "line:col code")
    "empty": (b"", "1:1 E008"),
    "list": (b"- a\n- b\n", "1:1 E008"),
    "scalar": (b"42\n", "1:1 E008"),
    "latin-1": ("version: 1\norganization:\n  name: Café\n".encode("latin-1"), "3:12 E005"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "1:1 E005"),
    "control-chars": (b"version: 1\norganization: \x00\x01\x02\n", "2:15 E001"),
    "tabs": (b"version: 1\norganization:\n\tname: x\n", "3:1 E001"),
    "python-tag": (b"version: 1\norganization: !!python/object/apply:os.system ['id']\n", "2:15 E006"),
    "deep": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "1:67 E007"),
    "deep-block": ("".join(f"{'  ' * i}k{i}:\n" for i in range(200)).encode(), "65:129 E007"),
    "alias-bomb": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + b"".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode() for i in range(8)),
        "6:11 E003",
    ),
    "duplicate-keys": (b"version: 1\nversion: 1\n", "2:1 E002"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gives_one_positioned_diagnostic(name: str, tmp_path: Path, now: datetime) -> None:
    content, expected = BAD_INPUTS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    report = lint_file(path, now=now)
    assert [f"{d.line}:{d.col} {d.code}" for d in report.diagnostics] == [expected]


def test_twenty_megabytes_is_refused_before_parsing(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"version: 1\n")
        handle.write(b"# padding padding padding\n" * (20 * 1024 * 1024 // 26))
    report = lint_file(path, now=now)
    assert [(d.line, d.code, d.message) for d in report.diagnostics] == [
        (1, "E004", "the file is larger than 1024 KiB")
    ]


def test_bad_inputs_through_the_installed_cli(tmp_path: Path) -> None:
    for name, (content, _) in BAD_INPUTS.items():
        (tmp_path / f"{name}.yaml").write_bytes(content)
    result = _cli("check", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout.splitlines()[-1] == f"{len(BAD_INPUTS)} files checked: {len(BAD_INPUTS)} errors, 0 warnings"


def test_sandbox_escape_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        MINIMAL.replace(
            "We are looking into a problem with {{ org.name }}.",
            f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
            f"{{{{ self.__init__.__globals__.__builtins__.open('{marker}', 'w') }}}}",
        )
    )
    result = _cli("check", str(plan))
    assert result.returncode == 1
    assert "E303" in result.stdout and "refused by the sandbox" in result.stdout
    assert not marker.exists()


def test_version_does_not_import_heavy_modules() -> None:
    probe = (
        "import sys, runpy; sys.argv=['incplan','--version'];"
        "runpy.run_module('incplan', run_name='__main__');"
        "heavy=[m for m in ('typer','pydantic','jinja2','rich','ruamel.yaml','click') if m in sys.modules];"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["incplan 0.1.0", "HEAVY []"]


def test_help_does_not_import_pydantic_or_jinja() -> None:
    probe = (
        "import sys\nfrom incplan.cli.app import app\n"
        "try:\n    app(['--help'], prog_name='incplan')\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', [m for m in ('pydantic','jinja2','ruamel.yaml') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "HEAVY []"


# ------------------------------------------------------------------ property tests

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _assert_clean_report(path: Path, now: datetime) -> None:
    report = lint_file(path, now=now)  # must not raise
    for d in report.diagnostics:
        assert d.line >= 1 and d.col >= 1, d
        assert d.message


@_SETTINGS
@given(text=st.text(max_size=400))
def test_random_text_never_crashes(text: str, tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _assert_clean_report(path, now)


@_SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes, tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "random.yaml"
    path.write_bytes(data)
    _assert_clean_report(path, now)


# Issue 8: rich markup, lone surrogates (as YAML escapes, the only way into a UTF-8 file),
# extreme dates and parentheses nested deeper than Jinja's parser recurses.
HOSTILE_TOKENS = [
    "[/]",
    "[bold]",
    "[/bold]",
    "[link=https://evil.example]",
    ":smile:",
    '"\\ud800"',
    "\\udc80",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "{{ " + "(" * 90 + "1" + ")" * 90 + " }}",
    "(" * 90,
]
_MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "swap", "dup", "indent"]),
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(
            [
                *":-[]{}&*!|>#'\" \t\n",
                *("{{", "}}", "{%", "%}", "@x", "1h", "null", "~", "- x", "a: b"),
                *HOSTILE_TOKENS,
            ]
        ),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(text: str, mutations: list[tuple[str, int, str]]) -> str:
    lines = text.splitlines(keepends=True)
    for op, at, token in mutations:
        if not lines:
            break
        i = at % len(lines)
        line = lines[i]
        col = at % (len(line) or 1)
        if op == "delete":
            lines[i] = line[:col] + line[col + 1 :]
        elif op == "insert":
            lines[i] = line[:col] + token + line[col:]
        elif op == "swap":
            j = (at * 7) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "dup":
            lines.insert(i, line)
        else:
            lines[i] = "  " + line
    return "".join(lines)


@_SETTINGS
@given(example=st.sampled_from(EXAMPLES), mutations=_MUTATIONS)
def test_mutated_examples_never_crash(
    example: Path, mutations: list[tuple[str, int, str]], tmp_path: Path, now: datetime
) -> None:
    path = tmp_path / "mutated.yaml"
    path.write_text(_mutate(example.read_text(encoding="utf-8"), mutations), encoding="utf-8")
    _assert_clean_report(path, now)


def test_mutated_examples_through_the_cli_exit_0_1_or_2(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    for i in range(40):
        example = rng.choice(EXAMPLES)
        mutations = [
            (rng.choice(["delete", "insert", "swap", "dup", "indent"]), rng.randrange(10_000), rng.choice(":-[]{&*"))
            for _ in range(3)
        ]
        (tmp_path / f"m{i}.yaml").write_text(_mutate(example.read_text(encoding="utf-8"), mutations), encoding="utf-8")
    result = _cli("check", str(tmp_path), "--format", "json")
    assert result.returncode in (0, 1, 2)
    assert "Traceback" not in result.stderr


# Text a responder types: markup, a lone surrogate (what non-UTF-8 bytes in argv become),
# deep parentheses. (`--at` at the 1970-9999 edges joins once those bounds land: incident-time.)
_TITLES = st.sampled_from(
    ["Checkout errors", "Lead [/] [bold]x", "bad \udcff byte", "[link=https://x.example]y", "(" * 90]
)
_AT = st.sampled_from([None, "-15m", "2026-11-27T10:00:00+00:00"])
_COMMANDS = [
    ["notify", "--stage", "investigating", "--severity", "sev1", "--example", "-f", "json"],
    ["notify", "--stage", "resolved", "--example", "-f", "text", "-c", "status_page"],
    ["notify", "--stage", "investigating", "--severity", "sev1", "--example", "-f", "rich"],
    ["notify", "--stage", "investigating", "--incident", "{id}", "--example", "-f", "markdown"],
    ["show"],
    ["show", "sev1"],
    ["export", "--format", "html"],
    ["export", "--format", "markdown", "-o", "{dir}/plan.md"],
    ["preview"],
    ["preview", "--out", "{dir}/preview"],
    ["classify", "--yes", "checkout_down", "--no", "data_exposed"],
    ["classify", "--no", "data_exposed", "--no", "full_outage"],
    ["incident", "open", "--title", "{title}", "--severity", "sev1"],
    ["incident", "update", "{id}", "--note", "{title}", "--stage", "identified"],
    ["incident", "assign", "{id}", "incident_commander", "@ana"],
    ["incident", "list", "--all"],
    ["incident", "status"],
    ["incident", "status", "{id}"],
    ["report", "{id}", "-f", "text"],
    ["report", "{id}", "-f", "html", "-o", "{dir}/report.html"],
    ["report", "--all", "-f", "json"],
]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=st.sampled_from(EXAMPLES), mutations=_MUTATIONS, title=_TITLES, at=_AT)
def test_mutated_plans_never_crash_any_command(
    example: Path, mutations: list[tuple[str, int, str]], title: str, at: str | None
) -> None:
    """Every command, `incident` and `report` included, on a mutated plan with hostile input:
    exit 0, 1 or 2, never an exception."""
    import re
    import tempfile

    from typer.testing import CliRunner

    from incplan.cli.app import app

    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = folder / "incplan.yaml"
        plan.write_text(_mutate(example.read_text(encoding="utf-8"), mutations), encoding="utf-8")
        incident = "2026-11-27-none"
        for command in [["check", str(plan)], ["check", str(plan), "-f", "sarif"], *_COMMANDS]:
            args = [arg.format(id=incident, dir=folder, title=title) for arg in command]
            if command[:2] in (["incident", "open"], ["incident", "update"]) and at:
                args += ["--at", at]
            if command[0] != "check":
                args += ["--plan", str(plan)]
            result = runner.invoke(app, ["--color", "never", *args])
            assert result.exit_code in (0, 1, 2), (args, result.output)
            if result.exception is not None:
                assert isinstance(result.exception, SystemExit), (args, repr(result.exception))
            if command[:2] == ["incident", "open"] and (opened := re.match(r"opened (\S+) ", result.stdout)):
                incident = opened.group(1)


@pytest.mark.parametrize("args", [["check", "tests/cases"], ["rules"], ["export", "--format", "markdown"]])
def test_a_reader_that_goes_away_ends_the_run_quietly(args: list[str]) -> None:
    """`incplan check | head -1`: the pipe closes before incplan writes; exit 1, no traceback."""
    env = {**os.environ, "NO_COLOR": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "incplan", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # before the child has imported anything, so its first write fails
    with child.stderr:
        err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
