"""Data-driven rule cases: tests/cases/<rule>/{ok,bad}/<case>.yaml.

Each bad case has `<case>.expected` beside it: every diagnostic of the file, as `check` prints
it (positions included). Rewrite them with `pytest --update-goldens` and review the diff.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from incplan.lint.registry import RULES
from incplan.lint.runner import lint_file

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


def test_every_rule_has_a_bad_case() -> None:
    covered = {p.parent.parent.name for p in _cases("bad")}
    # file-too-large is covered in test_bad_inputs (a 20 MB file is made on the fly),
    # not-a-regular-file in tests/hostile (git cannot hold a FIFO).
    assert RULE_NAMES - covered == {"file-too-large", "not-a-regular-file"}


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
