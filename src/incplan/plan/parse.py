"""YAML text -> plain Python data (dicts, lists, scalars) with the caps enforced and text
cleaned of what cannot be printed; every problem a positioned diagnostic."""

from __future__ import annotations

import functools
import re
import warnings
from typing import TYPE_CHECKING

from incplan.controls import CONTROL
from incplan.diagnostics import Anchor, Diagnostic, PathPart, Rule
from incplan.plan import problems as P
from incplan.plan.yaml_caps import MAX_DEPTH, has_anchor, needs_scan, nesting_depth, scan
from incplan.plan.yaml_errors import parse_error

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import Node
    from ruamel.yaml.resolver import VersionedResolver


def parse_yaml(text: str, file: str) -> tuple[object, list[Diagnostic]]:
    """Plain Python data from YAML text, or diagnostics. Caps are checked on the event stream
    before any object is built, so an alias bomb or 5,000-deep nesting costs nothing."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    try:
        try:
            return _load_safe(YAML(typ="safe"), text, file)
        except MarkedYAMLError:
            # libyaml (the C parser) is stricter than YAML 1.2 in places, e.g. it rejects
            # `{url: https://x}`; the pure-Python parser decides, and its error is reported.
            return _load_safe(YAML(typ="safe", pure=True), text, file)
    except Exception as exc:  # the loader is total: whatever the bytes, a diagnostic
        return None, [parse_error(exc, text, file)]


def _load_safe(yaml: YAML, text: str, file: str) -> tuple[object, list[Diagnostic]]:
    yaml.Resolver = _once_resolver()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if needs_scan(text):
            problem = scan(yaml, text, file)
            if problem is not None:
                return None, [problem]
        if not has_anchor(text):  # no alias anywhere: each node is built once, where it stands
            yaml.Constructor = _plain_constructor()
        data = yaml.load(text)
        if nesting_depth(data) > MAX_DEPTH:
            return None, [scan(yaml, text, file) or P.TOO_DEEP.at("nesting is too deep", line=1, file=file)]
        return _plain(data, file, clean="\\" in text)


def _plain(data: object, file: str, *, clean: bool) -> tuple[object, list[Diagnostic]]:
    """Only plain dicts, lists and scalars go on; text is valid Unicode. A tagged root such as
    `!!omap` or `!!set` is not a plan; a lone surrogate (`"\\ud800"`, a valid YAML escape)
    cannot be printed or sent: it becomes U+FFFD with an error at its place."""
    if not isinstance(data, dict | list | str | int | float | bool | type(None)):
        kind = type(data).__name__
        return None, [
            P.NOT_A_PLAN.at(
                f"the top level is a `{kind}`, not a mapping of plan sections",
                hint="a plan starts with `version: 1` and `organization:`; remove the YAML tag",
                line=1,
                file=file,
            )
        ]
    if not clean:  # decoded strictly from UTF-8: only an escape can make a surrogate or a control
        return data, []
    found: list[Diagnostic] = []
    return _clean(data, (), found), found


def _clean(node: object, path: tuple[PathPart, ...], found: list[Diagnostic], key: bool = False) -> object:
    if isinstance(node, str):
        return _clean_text(node, path, found, key)
    if isinstance(node, dict):
        return {_clean(k, path, found, key=True): _clean(v, (*path, k), found) for k, v in node.items()}
    if isinstance(node, list):
        return [_clean(v, (*path, i), found) for i, v in enumerate(node)]
    return node


def _clean_text(text: str, path: tuple[PathPart, ...], found: list[Diagnostic], key: bool) -> str:
    def report(problem: Rule, message: str, hint: str) -> None:
        if len(found) < 20:
            where = (*path, text) if key else path
            found.append(problem.at(message, hint=hint, path=where, anchor=Anchor.KEY if key else Anchor.VALUE))

    if (control := CONTROL.search(text)) is not None:
        # `"\e]8;;https://x\e\\"` (valid YAML escapes) would make a terminal show a link, clear
        # the screen or set its title when the text is printed: plan text is data.
        report(
            P.YAML_SYNTAX,
            f"control character U+{ord(control.group()):04X} is not allowed in a plan",
            "remove it; a terminal would act on it when the text is printed",
        )
        text = CONTROL.sub("\ufffd", text)
    if (char := _SURROGATE.search(text)) is None:
        return text
    report(
        P.NOT_UTF8,
        f"text holds `\\u{ord(char.group()):04x}`, half of a UTF-16 pair, which is not a character",
        "write the character itself, or a `\\U0001F600`-style escape for characters beyond U+FFFF",
    )
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.cache
def _once_resolver() -> type[VersionedResolver]:
    from ruamel.yaml.resolver import VersionedResolver

    class OnceResolver(VersionedResolver):
        """ruamel looks the YAML version up (through an AttributeError) twice per scalar;
        with the C parser it cannot change within a document, so look it up once."""

        _resolvers: object = None

        @property
        def versioned_resolver(self) -> object:
            if self._resolvers is None:
                self._resolvers = super().versioned_resolver
            return self._resolvers

    return OnceResolver


@functools.cache
def _plain_constructor() -> type[SafeConstructor]:
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    STR, MAP, SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
    SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))

    class Unusual(Exception):
        """Something only ruamel's own constructor builds (or reports) as it should."""

    class PlainConstructor(SafeConstructor):
        """ruamel's safe constructor, with plain mappings, lists and strings built directly from
        the composed nodes: ruamel walks every node through generic bookkeeping (recursion
        records, merge keys, deep construction), ~40 % of loading a plan with the C parser.
        Anything else (a tag other than these, a merge or non-text key, a duplicate key, deep
        nesting) is left to ruamel, whose result or error is the answer. Used only for text
        without anchors, so no node is shared."""

        def construct_document(self, node: Node) -> object:
            try:
                data = self._plain(node)
            except (Unusual, RecursionError):
                self.constructed_objects = {}  # what a scalar left on the way is not the answer
                self.recursive_objects = {}
                return super().construct_document(node)
            self.constructed_objects = {}
            self.recursive_objects = {}
            return data

        def _tag(self, node: Node) -> str:
            tag = node.ctag
            return tag.suffix if tag.handle is None else str(tag)

        def _plain(self, node: Node) -> object:
            kind = type(node)
            if kind is ScalarNode:
                tag = self._tag(node)
                if tag == STR:
                    return node.value
                if tag not in SCALARS:
                    raise Unusual
                try:  # numbers, booleans, null, times: ruamel's rules
                    return self.construct_object(node)
                except Exception:  # reported by ruamel, in its own order
                    raise Unusual from None
            if kind is MappingNode:
                if self._tag(node) != MAP or getattr(node, "merge", None) is not None:
                    raise Unusual
                mapping: dict[str, object] = {}
                for key_node, value_node in node.value:
                    if type(key_node) is not ScalarNode or self._tag(key_node) != STR:
                        raise Unusual
                    key = key_node.value
                    if key in mapping:
                        raise Unusual  # ruamel reports the duplicate
                    mapping[key] = self._plain(value_node)
                return mapping
            if kind is SequenceNode and self._tag(node) == SEQ:
                return [self._plain(item) for item in node.value]
            raise Unusual

    return PlainConstructor
