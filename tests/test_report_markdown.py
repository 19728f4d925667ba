"""`report -f markdown` shows record text as text: a note, a value, a message body or a title
that holds HTML, an image or a code fence is escaped as `export -f markdown` escapes plan text
(`documents.markdown_escape`, one home), so the Markdown a wiki renders holds no raw HTML, no
image that loads from elsewhere, and no fence that swallows the rest of the report. Checked
with a CommonMark parser (markdown-it, which rich depends on)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
ID = "2026-11-27-checkout-a-href-x-b-a"
NOTE = '<script>alert("note")</script> ![y](http://evil/track.png)'
FENCE = "before\n```\nunclosed fence\n~~~~\n    <i>indented</i>"


def run(*args: str, now: str = "2026-11-27T10:30:00+01:00") -> str:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    run("incident", "open", "-t", "Checkout <a href=x>|b|</a>", "-S", "sev2", "--var", "service=<b>checkout</b>",
        "--var", "impact=![t](http://evil/v.png) ```", now="2026-11-27T10:02:00+01:00")  # fmt: skip
    run("notify", "-i", ID, "--posted", "-c", "status_page", "-f", "text", now="2026-11-27T10:09:00+01:00")
    run("incident", "update", ID, "--note", NOTE, now="2026-11-27T10:10:00+01:00")
    run("incident", "update", ID, "--note", FENCE, now="2026-11-27T10:11:00+01:00")
    run("incident", "update", ID, "--stage", "resolved", "--note", "<img src=x onerror=alert(1)>",
        now="2026-11-27T10:20:00+01:00")  # fmt: skip
    return tmp_path


def tokens(markdown: str) -> list[Token]:
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        found += [token, *(token.children or [])]
    return found


def text_of(markdown: str) -> str:
    return "".join(t.content for t in tokens(markdown) if t.type in ("text", "code_inline", "code_block", "fence"))


@pytest.mark.parametrize("args", [["report", ID], ["report", "--all"]])
def test_record_text_in_a_markdown_report_is_text(team: Path, args: list[str]) -> None:
    markdown = run(*args, "-f", "markdown")
    found = tokens(markdown)
    assert [t.type for t in found if t.type.startswith("html") or t.type == "image"] == []
    assert [t.content for t in found if t.type == "fence"] == []
    shown = text_of(markdown)
    assert "Checkout <a href=x>|b|</a>" in shown  # the title, as typed, in the heading or its table cell
    if args[1] == ID:
        headings = [found[i + 1].content for i, t in enumerate(found) if t.type == "heading_open"]
        assert headings[-4:] == ["Timeline", "Root cause", "What went well", "Follow-up actions"]  # nothing swallowed
        for text in (NOTE, "<b>checkout</b>", "![t](http://evil/v.png) ```", "<img src=x onerror=alert(1)>",
                     "unclosed fence", "<i>indented</i>"):  # fmt: skip
            assert text in shown, text
