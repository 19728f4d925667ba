"""Map a diagnostic's path in the data back to a line and column in the file.

Positions need ruamel's round-trip loader, which is ~8x slower than the C safe loader, so it
runs only for files that have findings (see `plan.load`).
"""

from __future__ import annotations

import warnings
from typing import Protocol

from incplan.diagnostics import Anchor, Diagnostic, PathPart


class Positions:
    def __init__(self, text: str) -> None:
        from ruamel.yaml import YAML

        self.lines = text.splitlines()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.root: object = YAML(typ="rt").load(text)
        except Exception:  # the safe loader accepted it; never let positions break a report
            self.root = None

    def locate(self, path: tuple[PathPart, ...], anchor: Anchor, inner_line: int = 0) -> tuple[int, int]:
        """1-based (line, col) of the node at `path`; the deepest existing parent if it is missing.
        Total: a node without a recorded position (e.g. under `!!omap`) gives its parent's."""
        try:
            return self._locate(path, anchor, inner_line)
        except Exception:  # positions must never break a report
            return 1, 1

    def _locate(self, path: tuple[PathPart, ...], anchor: Anchor, inner_line: int) -> tuple[int, int]:
        node = self.root
        where = (0, 0)
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, dict) and _has_key(node, part):
                key = _key(node, part)
                child = node[key]
                key_pos = _lc(node).key(key)
                use_key = anchor is Anchor.KEY and last
                # null values and aliases have no useful value position: use the key's
                if use_key or child is None or _is_alias_of_earlier(node, key):
                    where = key_pos or where
                else:
                    where = _lc(node).value(key) or where
                node = child
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                where = _lc(node).item(part) or where
                node = node[part]
            elif isinstance(node, dict | list):
                continue  # not a data key: a pydantic union tag such as `str` or `slack`
            else:
                break
        line, col = where[0] + 1, where[1] + 1
        if inner_line:
            from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

            if isinstance(node, LiteralScalarString | FoldedScalarString):
                line = where[0] + 1 + inner_line
                text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
                col = len(text) - len(text.lstrip(" ")) + 1
        return line, col

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        if diagnostic.resolved:
            return diagnostic
        line, col = self.locate(diagnostic.path, diagnostic.anchor, diagnostic.inner_line)
        return diagnostic.with_position(line, col)


class _LineCol(Protocol):
    """ruamel's line/column record (0-based) of a CommentedMap's keys and values, a CommentedSeq's items."""

    def key(self, k: object) -> tuple[int, int] | None: ...
    def value(self, k: object) -> tuple[int, int] | None: ...
    def item(self, idx: int) -> tuple[int, int] | None: ...


def _lc(node: object) -> _LineCol:
    """ruamel's line/column record of a CommentedMap or CommentedSeq."""
    from ruamel.yaml.comments import CommentedBase

    if not isinstance(node, CommentedBase):
        raise TypeError("no recorded position")  # `locate` falls back to (1, 1)
    record: _LineCol = node.lc
    return record


def _has_key(node: dict[object, object], part: PathPart) -> bool:
    return part in node or (isinstance(part, str) and _coerced(node, part) is not None)


def _key(node: dict[object, object], part: PathPart) -> object:
    return part if part in node else _coerced(node, part)


def _coerced(node: dict[object, object], part: PathPart) -> object:
    # pydantic reports non-string keys (`1:`) as strings
    for key in node:
        if str(key) == part:
            return key
    return None


def _is_alias_of_earlier(node: object, key: object) -> bool:
    value_pos = _lc(node).value(key)
    key_pos = _lc(node).key(key)
    return value_pos is not None and key_pos is not None and value_pos[0] < key_pos[0]
