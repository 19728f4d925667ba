"""The rule modules, listed explicitly (never discovered from the file system)."""

from incplan.lint.rules import hygiene, references, roster, templates

__all__ = ["hygiene", "references", "roster", "templates"]
