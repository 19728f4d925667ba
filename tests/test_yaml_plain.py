"""`plan/parse.py` builds plain documents (mappings, lists, text) itself from the nodes ruamel's C
parser composes, and leaves everything else to ruamel's own safe constructor. For any document,
the data or the error must be ruamel's."""

from __future__ import annotations

import io
import warnings
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from incplan.plan.parse import _plain_constructor, parse_yaml
from incplan.plan.yaml_caps import has_anchor

from .conftest import ROOT


def load(text: str, plain: bool) -> object:
    """(data) or (error type, message) of ruamel's safe loader, with our constructor or its own."""
    yaml = YAML(typ="safe")
    if plain:
        yaml.Constructor = _plain_constructor()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return yaml.load(text)
    except Exception as exc:
        return type(exc).__name__, str(exc)


def dump(data: object, flow: bool) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=6)
scalars = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(min_value=date(1970, 1, 1), max_value=date(9998, 12, 31)),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)
# Lines that only ruamel's own constructor builds or reports: explicit and unknown tags, merges,
# keys that are not text, duplicates, impossible dates, binary.
ODD = [
    "odd: !!str 12",
    "odd: !!int '12'",
    "odd: !remove x",
    "odd: !!binary aGVsbG8=",
    "odd: !!set {a, b}",
    "odd: !!omap [a: 1]",
    "<<: {merged: 1}",
    "1: one",
    "null: nothing",
    "[a, b]: list key",
    "{a: 1}: map key",
    "dup: 1\ndup: 2",
    "when: 2026-13-45",
    "when: 2026-11-27T10:00:00+01:00",
    "n: 0o17",
    "n: 0x1F",
    "n: 1_000",
    "n: .inf",
    "n: -.NaN",
    "b: yes",
    "b: True",
    "q: ? x",
    "empty:",
    '"quoted key": "v"',
    "long: |\n  two\n  lines",
]


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans(), st.lists(st.sampled_from(ODD), max_size=3))
def test_any_document_loads_as_ruamel_loads_it(data: object, flow: bool, odd: list[str]) -> None:
    text = dump({"doc": data}, flow)
    if not flow:
        text += "".join(line + "\n" for line in odd)
    assert load(text, plain=True) == load(text, plain=False)


@pytest.mark.parametrize("line", ODD)
def test_each_odd_line_loads_as_ruamel_loads_it(line: str) -> None:
    text = f"version: 1\nplan:\n  a: [1, x]\n{line}\nafter: {{x: y}}\n"
    assert load(text, plain=True) == load(text, plain=False)


def test_the_shipped_plans_load_as_ruamel_loads_them() -> None:
    files = [*ROOT.glob("plans/*.yaml"), *ROOT.glob("examples/*.yaml"), *ROOT.glob("tests/cases/**/*.yaml")]
    assert len(files) > 50
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a case of bytes that are not text: never parsed
        if has_anchor(text) or text.count("[") + text.count("{") > 500:
            continue  # ours is not used with anchors (alias bombs live here); nesting: the test below
        assert load(text, plain=True) == load(text, plain=False), path


@pytest.mark.parametrize("depth", [65, 600, 1400])
def test_deep_nesting_is_too_deep_at_its_place(depth: int) -> None:
    """Deeper than ruamel's constructor can recurse (600) or than ours can (1400): the same
    finding as for a plan nested just too deep."""
    data, problems = parse_yaml("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    assert data is None
    assert [(p.name, p.line, p.col) for p in problems] == [("too-deep", 1, 67)]
