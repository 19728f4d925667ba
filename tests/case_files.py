"""Rule cases as a shared base plan plus a small overlay (sqlfluff keeps its rule cases as YAML).

`tests/cases/base.yaml` is a small clean plan. `tests/cases/<rule>/cases.yaml` holds that rule's
cases, each an overlay of the base:

    ok:
      two-people:                        # -> tests/cases/<rule>/ok/two-people.yaml
        roles: {incident_commander: {people: ["@ana", "@ben"]}}
    bad:
      one-person:                        # -> tests/cases/<rule>/bad/one-person.yaml (+ .expected)
        roles: {incident_commander: {people: ["@ana"]}}

An overlay's mappings merge into the base's, key by key (a key the base lacks is added at the end
of its mapping); any other value, lists included, replaces the base's; `!remove` deletes the key
and `!replace` before a mapping replaces the base's whole (to put a key in the middle). A case
that a mapping cannot express (a tab, a duplicate key, an unclosed bracket, a YAML tag) is a
list of `[find, replace]` pairs applied to the base's text, each found exactly once.

The full case file is written beside, committed, and is the file `check` reads: the positions in
each `.expected` point into a real plan that anyone can open or run `incplan check` on, and every
other consumer (the schema parity test, README examples) reads a plain plan. The file is derived
deterministically (`pytest --update-goldens` writes it, then the goldens from it); a test keeps
its data (a text patch: its text) equal to base + overlay, so neither can drift unnoticed. Files
that are no variation of a plan (empty, a list, an alias bomb, 5,000 levels, Latin-1 bytes) stay
hand-written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
CASES = ROOT / "tests" / "cases"
BASE = CASES / "base.yaml"
REMOVE = "!remove"
REPLACE = "!replace"
HEADER = "# Generated from {source} ({kind}: {name}) on {base}.\n"
HEADER_2 = "# Edit those, then run `pytest tests/test_rule_cases.py --update-goldens`.\n"


@dataclass(frozen=True)
class Case:
    rule: str
    kind: str  # "ok" | "bad"
    name: str
    overlay: Any  # a ruamel round-trip mapping
    base: Path = BASE  # `base: examples/delivery.yaml` at the top of cases.yaml for another one

    @property
    def path(self) -> Path:
        return CASES / self.rule / self.kind / f"{self.name}.yaml"

    @property
    def header(self) -> str:
        source = f"tests/cases/{self.rule}/cases.yaml"
        base = self.base.relative_to(ROOT).as_posix()
        return HEADER.format(source=source, kind=self.kind, name=self.name, base=base) + HEADER_2


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long template
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def declared() -> list[Case]:
    """Every case that some `cases.yaml` declares, in file order."""
    found = []
    for source in sorted(CASES.glob("*/cases.yaml")):
        listed = _yaml().load(source.read_text(encoding="utf-8")) or {}
        unknown = set(listed) - {"base", "ok", "bad"}
        assert not unknown, f"{source}: only `base`, `ok` and `bad` are known, not {sorted(unknown)}"
        base = ROOT / listed["base"] if "base" in listed else BASE
        for kind in ("ok", "bad"):
            for name, overlay in (listed.get(kind) or {}).items():
                found.append(Case(source.parent.name, kind, str(name), overlay, base))
    return found


def _tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", None) if tag is not None else None


def _merge(base: Any, overlay: Any) -> None:
    for key, value in overlay.items():
        if _tag(value) == REMOVE:
            assert key in base, f"`{key}: {REMOVE}` removes nothing"
            del base[key]
        elif _tag(value) == REPLACE:
            delattr(value, "_yaml_tag")  # ruamel's tag attribute: the plan itself carries no tag
            base[key] = value
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _without_comments(node: Any) -> None:
    """Comments in cases.yaml explain the cases; ruamel attaches the one above a case to the end
    of the case before it, so none is carried into a generated plan."""
    from ruamel.yaml.comments import Comment

    if hasattr(node, Comment.attrib):
        setattr(node, Comment.attrib, Comment())
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        _without_comments(child)


def is_text_patch(case: Case) -> bool:
    return isinstance(case.overlay, list)


def compose(case: Case) -> str:
    """The full case file: the header, then the base with the overlay merged in (or, for a
    text patch, the base's text with each `[find, replace]` pair applied once)."""
    import copy

    if is_text_patch(case):
        text = case.base.read_text(encoding="utf-8")
        for find, replace in case.overlay:
            assert text.count(find) == 1, f"{case.rule} {case.name}: {find!r} is not in the base exactly once"
            text = text.replace(find, replace)
        return case.header + text
    yaml = _yaml()
    plan = yaml.load(case.base.read_text(encoding="utf-8"))
    overlay = copy.deepcopy(case.overlay)
    _without_comments(overlay)
    _merge(plan, overlay)
    out = io.StringIO()
    yaml.dump(plan, out)
    return case.header + out.getvalue()


def data(text: str) -> Any:
    """What a plan's text means, for comparing a committed file with what it is generated from."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def write_all() -> None:
    """Write every declared case file (`--update-goldens`), before the goldens are rendered."""
    for case in declared():
        case.path.parent.mkdir(parents=True, exist_ok=True)
        text = compose(case)
        if not case.path.exists() or case.path.read_text(encoding="utf-8") != text:
            case.path.write_text(text, encoding="utf-8")


def is_generated(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return handle.readline().startswith("# Generated from ")
