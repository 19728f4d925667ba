"""Documents made from a plan or a record: what the reader's renderer gets is safe and well formed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT
from .strict_html import parse_html, text_of

runner = CliRunner()
MINIMAL = (ROOT / "examples/minimal.yaml").read_text(encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A plan whose text carries raw HTML and a message that tries to close its code fence."""
    plan = MINIMAL.replace("  name: Tiny Co\n", "  name: Tiny <script>alert(1)</script> Co\n", 1)
    plan = plan.replace("  incident: ", '  incident: <img src=x onerror="alert(2)"> ', 1)
    path = tmp_path / "plan.yaml"
    path.write_text(plan)
    return path


def test_markdown_export_escapes_raw_html_from_the_plan(hostile: Path) -> None:
    code, out, err = run("export", "--format", "markdown", "--plan", str(hostile))
    assert (code, err) == (0, ""), err
    assert "<script>" not in out and "<img" not in out
    assert "# Tiny &lt;script&gt;alert(1)&lt;/script&gt; Co: incident communication plan" in out
    assert '&lt;img src=x onerror="alert(2)"&gt;' in out


def test_markdown_code_fences_cannot_be_closed_by_a_message(tmp_path: Path) -> None:
    plan = re.sub(
        r'(  investigating:\n    default: )"[^"]*"',
        r'\1"Look:\\n```\\n<b>not a tag</b>\\n```"',
        MINIMAL,
        count=1,
    )
    assert plan != MINIMAL
    (tmp_path / "plan.yaml").write_text(plan)
    code, out, err = run("export", "--format", "markdown", "--plan", str(tmp_path / "plan.yaml"))
    assert (code, err) == (0, ""), err
    block = re.search(r"^````text\n(.*?)^````$", out, re.MULTILINE | re.DOTALL)
    assert block is not None, out
    assert block.group(1) == "Look:\n```\n<b>not a tag</b>\n```\n"  # shown as written, inside a longer fence


def test_html_export_uses_no_deprecated_css(hostile: Path) -> None:
    code, out, _ = run("export", "--format", "html", "--plan", str(hostile))
    assert code == 0
    assert "word-break: break-word" not in out
    assert "overflow-wrap: anywhere" in out
    assert "<script>" not in out and "&lt;script&gt;" in out


def table_headers(html: str) -> dict[str, list[str]]:
    """The header cells of the table that follows each <h2>, by the heading's text."""
    headers: dict[str, list[str]] = {}
    heading = ""
    for element in parse_html(html).iter():
        if element.tag == "h2":
            heading = text_of(element)
        elif element.tag == "table":
            headers.setdefault(heading, []).extend(text_of(th) for th in element.iter("th"))
    return headers


def test_report_timeline_table_has_a_header_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("incident", "open", "--title", "Checkout errors", "--severity", "sev2")
    assert code == 0, err
    incident = next((tmp_path / "incidents").glob("*.yaml")).stem
    code, out, err = run("report", incident, "--format", "html")
    assert code == 0, err
    headers = table_headers(out)
    assert headers["Timeline"] == ["When", "What happened"]
    assert all(headers.values()), headers  # every table says what its columns are
