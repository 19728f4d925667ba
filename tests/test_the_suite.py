"""The suite itself: a missing dev dependency fails loudly, and HTML is checked by a parser that can
fail (the standard library's `HTMLParser.feed` accepts anything)."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
BANNED = {
    "importorskip": re.compile(r"\bimportorskip\("),
    "html.parser": re.compile(r"^\s*(from html\.parser import|import html\.parser)", re.MULTILINE),
}


def test_no_test_skips_for_a_missing_tool_or_checks_html_with_a_parser_that_cannot_fail() -> None:
    found = []
    for path in sorted(HERE.rglob("*.py")):
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(HERE)}: {name}" for name, pattern in BANNED.items() if pattern.search(text)]
    assert found == [], "import dev dependencies plainly; parse HTML with tests/strict_html.py"
