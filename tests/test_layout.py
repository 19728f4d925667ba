"""One home per idea: the places where a kind of code may live, checked on the sources."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "incplan"


def sources() -> dict[str, str]:
    return {path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8") for path in sorted(SRC.rglob("*.py"))}


def test_jinja_environments_are_built_in_two_places_only() -> None:
    """Our own documents (export, reports, site, init) in `documents.py`; plan templates, which
    are untrusted, only in the sandbox of `templates/engine.py`."""
    built = re.compile(r"\b(?:Environment|Sandbox|SandboxedEnvironment|ImmutableSandboxedEnvironment)\(")
    found = {name for name, text in sources().items() if built.search(text)}
    assert found == {"documents.py", "templates/engine.py"}
