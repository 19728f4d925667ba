"""HTML checked as browsers read it: html5lib's strict parser fails on any parse error (a stray end
tag, a missing doctype, an unclosed element that HTML does not close by itself)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib
from html5lib.html5parser import ParseError


def parse_html(text: str) -> ET.Element:
    """The document's tree; `AssertionError` naming the line and column of the first parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree: ET.Element = parser.parse(text)
    except ParseError:
        (line, col), code, data = parser.errors[0]
        near = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        raise AssertionError(f"not strict HTML5 at {line}:{col}: {code} {data}\n  {near}") from None
    return tree


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())
