"""The caps on a YAML document (alias cycles and bombs, nesting), checked on the event stream
before any object is built, so an alias bomb or 5,000-deep nesting costs nothing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from incplan.diagnostics import Diagnostic
from incplan.plan import problems as P
from incplan.plan.yaml_errors import mark

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.events import Event

MAX_ALIASES = 100
MAX_DEPTH = 64
MAX_NODES = 200_000  # values after expanding aliases; a large plan has ~3,000
SAFE_NESTING = 2_000  # levels the C composer handles without exhausting the C stack (5,000 seen fine)

_ANCHOR = re.compile(r"&[^\s,\[\]{}]")  # without an anchor, no alias can expand to anything
# A tag (`!!binary`, `!x`) starts a node: at a line's start or after `- `, `: `, `[`, `{`, `,`
# or `? `; a directive (`%YAML 1.1`) starts a line. Without either, the scan cannot find one.
_TAG_OR_DIRECTIVE = re.compile(r"(?:^|[\s\[{,])!|^%", re.MULTILINE)


def event_guard(text: str, file: str) -> Diagnostic | None:
    """The caps of `parse_yaml` (alias cycles and bombs, nesting) for a reader that builds its
    own objects (the round-trip loader of records); None when the text is within them."""
    if not needs_scan(text):
        return None
    from ruamel.yaml import YAML

    try:
        return scan(YAML(typ="safe", pure=True), text, file)
    except Exception:  # a syntax error: the loader that follows reports it at its place
        return None


def has_anchor(text: str) -> bool:
    """Could the text hold an anchor (and so an alias or a merge of one)?"""
    return bool(_ANCHOR.search(text))


def needs_scan(text: str) -> bool:
    """Whether the text could hold an alias or nest deep enough to hurt the C composer (it is
    recursive in C); the event scan costs ~20 % of a load, so it runs only then."""
    return bool(_ANCHOR.search(text) or _TAG_OR_DIRECTIVE.search(text)) or _nesting_bound(text) > SAFE_NESTING


def _nesting_bound(text: str) -> int:
    """An upper bound on nesting depth: every level needs one of these indicators or an indent."""
    indicators = text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
    return indicators + 1_500  # ~1,450 levels of pure indentation fill 1 MiB


def nesting_depth(data: object) -> int:
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in node)
    return deepest


def _tagged(tag: str, event: Event, file: str) -> Diagnostic:
    """A tag turns text into other things (`!!binary` into bytes that are never checked for
    control characters or secrets, `!!set`, `!!timestamp`, `!!python/...`, a custom `!x`):
    every explicit tag is refused, even `!!str`, so what is read is what is shown."""
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return P.UNSAFE_TAG.at(
        f"YAML tag `{shown}` is not allowed", hint="this is plain data: remove the tag", **mark(event.start_mark, file)
    )


def scan(yaml: YAML, text: str, file: str) -> Diagnostic | None:
    """Depth, alias count and the size the document expands to, from the event stream; also
    any tag or directive (`%YAML 1.1` reads `no` as false and `010` as 8)."""
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        DocumentStartEvent,
        NodeEvent,
    )

    aliases = 0
    expanded = 0
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, expanded size before this node)
    for event in yaml.parse(text):
        if isinstance(event, DocumentStartEvent) and (event.version or event.tags):
            directive = f"%YAML {'.'.join(map(str, event.version))}" if event.version else "%TAG"
            return P.YAML_SYNTAX.at(
                f"the directive `{directive}` is not allowed",
                hint="a plan is plain YAML 1.2 without directives or tags: remove the line",
                **mark(event.start_mark, file),
            )
        tag = getattr(event, "tag", None)  # scalars and collection starts have one
        if tag is not None:
            return _tagged(tag, event, file)
        if isinstance(event, CollectionStartEvent):
            open_nodes.append((event.anchor, expanded))
            expanded += 1
            if len(open_nodes) > MAX_DEPTH:
                return P.TOO_DEEP.at(
                    f"nesting is deeper than {MAX_DEPTH} levels",
                    hint="a plan needs a handful of levels; check the brackets and indentation",
                    **mark(event.start_mark, file),
                )
        elif isinstance(event, CollectionEndEvent):
            anchor, before = open_nodes.pop()
            if anchor:
                sizes[anchor] = expanded - before
        elif isinstance(event, AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                return P.TOO_MANY_ALIASES.at(
                    f"alias `*{event.anchor}` stands inside the value it names (a cycle)",
                    hint="write the values out; a value cannot contain itself",
                    **mark(event.start_mark, file),
                )
            aliases += 1
            expanded += sizes.get(event.anchor, 1)
            if aliases > MAX_ALIASES or expanded > MAX_NODES:
                return P.TOO_MANY_ALIASES.at(
                    f"aliases expand this file to more than {MAX_NODES:,} values"
                    if expanded > MAX_NODES
                    else f"more than {MAX_ALIASES} aliases",
                    hint="write the values out; aliases like these can expand to gigabytes (an alias bomb)",
                    **mark(event.start_mark, file),
                )
        elif isinstance(event, NodeEvent):  # a scalar
            expanded += 1
            if event.anchor:
                sizes[event.anchor] = 1
    return None
