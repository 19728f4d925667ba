"""Data-driven rule cases: tests/cases/<rule>/{ok,bad}/<case>.yaml, most of them generated from
tests/cases/base.yaml and an overlay in tests/cases/<rule>/cases.yaml (see tests/case_files.py).

Each bad case has `<case>.expected` beside it: every diagnostic of the file, as `check` prints
it (positions included, into the case file itself). `pytest --update-goldens` rewrites the
generated case files, then the goldens; review the diff.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from incplan.lint.registry import RULES
from incplan.lint.runner import lint_file

from . import case_files

CASES = Path(__file__).parent / "cases"
RULE_NAMES = {r.name for r in RULES}


def _cases(kind: str) -> list[Path]:
    return sorted(CASES.glob(f"*/{kind}/*.yaml"))


def _render(path: Path, now: datetime) -> str:
    report = lint_file(path, now=now)
    lines = []
    for d in report.diagnostics:
        lines.append(f"{d.line}:{d.col}: {d.severity} {d.code} {d.name} {d.message}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "\n".join(lines) + "\n"


# file-too-large is covered in test_bad_inputs (a 20 MB file is made on the fly), not-a-regular-file
# in tests/hostile (git cannot hold a FIFO); their ok cases are made on the fly at the end here.
ON_THE_FLY = {"file-too-large", "not-a-regular-file"}


def test_every_rule_has_a_bad_case() -> None:
    covered = {p.parent.parent.name for p in _cases("bad")}
    assert RULE_NAMES - covered == ON_THE_FLY


def test_every_rule_has_an_ok_case() -> None:
    covered = {p.parent.parent.name for p in _cases("ok")}
    assert RULE_NAMES - covered == ON_THE_FLY


def test_the_base_plan_is_clean(now: datetime) -> None:
    assert _render(case_files.BASE, now) == "\n"


@pytest.mark.parametrize("case", case_files.declared(), ids=lambda c: f"{c.rule}/{c.kind}/{c.name}")
def test_case_file_is_base_plus_overlay(case: case_files.Case) -> None:
    """The committed file means what its base and overlay say (a text patch: is that text), so
    an edit to the base, the overlay or the file alone fails here until `--update-goldens`."""
    assert case.path.exists(), f"{case.path} is missing: run pytest --update-goldens"
    committed = case.path.read_text(encoding="utf-8")
    expected = case_files.compose(case)
    assert committed.startswith(case.header)
    if case_files.is_text_patch(case):
        assert committed == expected
    else:
        assert _ordered(case_files.data(committed)) == _ordered(case_files.data(expected))


def _ordered(value: object) -> object:
    """Data with the order of every mapping kept (stages and severities are read in order)."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def test_every_golden_has_its_case() -> None:
    assert [p for p in CASES.glob("*/*/*.expected") if not p.with_suffix(".yaml").exists()] == []


def test_every_generated_file_is_declared() -> None:
    declared = {c.path for c in case_files.declared()}
    generated = {p for p in CASES.glob("*/*/*.yaml") if case_files.is_generated(p)}
    assert generated - declared == set(), "a generated case whose overlay is gone: delete the file"
    assert declared <= generated


@pytest.mark.parametrize("path", _cases("bad"), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_bad_case(path: Path, now: datetime, update_goldens: bool) -> None:
    rule = path.parent.parent.name
    assert rule in RULE_NAMES, f"folder {rule} names no rule"
    actual = _render(path, now)
    expected_file = path.with_suffix(".expected")
    if update_goldens:
        expected_file.write_text(actual, encoding="utf-8")
    assert f" {rule} " in actual, f"{path.name} does not trigger {rule}:\n{actual}"
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", _cases("ok"), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_ok_case(path: Path, now: datetime) -> None:
    rule = path.parent.parent.name
    assert rule in RULE_NAMES
    assert _render(path, now) == "\n"  # the whole file is clean, not only of this rule


# ------------------------------------------------------------------ the ok side of ON_THE_FLY


def test_file_too_large_ok_at_the_cap(tmp_path: Path, now: datetime) -> None:
    from incplan.plan.read import MAX_BYTES

    base = case_files.BASE.read_bytes()
    padding = b"# padding\n"
    fill = MAX_BYTES - len(base)
    at_cap = tmp_path / "at-cap.yaml"
    at_cap.write_bytes(base + padding * (fill // len(padding)) + b"#" * (fill % len(padding)))
    assert at_cap.stat().st_size == MAX_BYTES == 1024 * 1024
    assert _render(at_cap, now) == "\n"  # exactly 1024 KiB is still a plan
    over = tmp_path / "over.yaml"
    over.write_bytes(at_cap.read_bytes() + b"#")
    assert _render(over, now) == (
        "1:1: error E004 file-too-large the file is larger than 1024 KiB\n"
        "  hint: a plan is a few dozen KiB; check that this is the right file\n"
    )


def test_not_a_regular_file_ok_through_a_symlink(tmp_path: Path, now: datetime) -> None:
    link = tmp_path / "plan.yaml"
    link.symlink_to(case_files.BASE)
    assert _render(link, now) == "\n"  # a symlink to a regular file is read like the file
