"""Variable values as users give them: on the command line, in `--vars` files and in records.

One shape everywhere inside incplan, a flat mapping: `name` holds the value for every locale,
`name@locale` the value for one locale. Outside it is what people write: `--var impact=...`,
`--var impact@pl=...`, and in a file or a record `impact: {pl: ..., en: ...}`.

Later values win the way people mean them: a plain `name` sets every locale, so it replaces
the per-locale values given before it; `name@pl` changes the Polish value only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from incplan.diagnostics import UsageError
from incplan.plan.names import LOCALE_PATTERN

if TYPE_CHECKING:
    from collections.abc import Mapping

    from incplan.plan.models import Plan

Given = dict[str, str]  # `name` or `name@locale` -> text

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_LOCALE_TAG = re.compile(LOCALE_PATTERN)  # used with fullmatch


def merge(base: Mapping[str, str], later: Mapping[str, str]) -> Given:
    """`base` with `later` applied on top: a plain `name` in `later` drops `base`'s `name@...`."""
    out = dict(base)
    for key in later:
        if "@" not in key:
            for old in [k for k in out if k.startswith(f"{key}@")]:
                del out[old]
    for key, value in later.items():
        out.pop(key, None)  # keep the order in which values were given
        out[key] = value
    return out


def parse_assignments(pairs: list[str]) -> Given:
    """`--var k=v` and `--var k@pl=v` values, taken literally (never evaluated as templates)."""
    values: Given = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"`--var {pair}` is not NAME=VALUE", hint='write it like --var service="the API"')
        values = merge(values, {name.strip(): value})
    return values


def read_vars_file(path: str) -> Given:
    """Variables from a YAML or JSON mapping of names to text, or to `{locale: text}`."""
    from pathlib import Path

    from incplan.plan.parse import parse_yaml
    from incplan.plan.read import read_text

    text, problems = read_text(Path(path), path)
    if text is None:
        if path != "-" and not Path(path).exists():
            raise UsageError(f"variables file `{path}` not found")
        raise UsageError(f"{path}: {problems[0].message}", hint="give a YAML or JSON file of variables")
    data, problems = parse_yaml(text, path)
    if problems:
        d = problems[0]
        raise UsageError(
            f"{path}:{d.line}:{d.col}: {d.message}", hint="give a YAML or JSON mapping like `service: the public API`"
        )
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of variable names to values")
    values: Given = {}
    for key, value in data.items():
        if not isinstance(key, str) or not _VARIABLE_NAME.fullmatch(key):
            # never echo the key: this may be any file (`--vars /etc/shadow`), and errors go to logs
            raise UsageError(
                f"`{path}` is not a variables file: its keys must be variable names",
                hint="give a YAML or JSON mapping like `service: the public API`",
            )
        values.update(flatten(key, value, where=f"{path}: variable `{key}`"))
    return values


def flatten(name: str, value: object, *, where: str) -> Given:
    """One value as written in a file or a record: text, or a mapping of locale to text."""
    if isinstance(value, dict):
        out: Given = {}
        for locale, text in value.items():
            if not isinstance(locale, str) or not _LOCALE_TAG.fullmatch(locale):
                raise UsageError(
                    f"{where} maps something that is not a locale tag",
                    hint="write one text, or one per locale like `{pl: błędy płatności, en: payment errors}`",
                )
            if isinstance(text, dict | list) or text is None:
                raise UsageError(
                    f"{where} in `{locale}` must be text, not {type(text).__name__}",
                    hint="write one text per locale, like `{pl: błędy płatności, en: payment errors}`",
                )
            out[f"{name}@{locale}"] = str(text)
        return out
    if isinstance(value, list) or value is None:
        raise UsageError(
            f"{where} must be text or a mapping of locales to texts, not {type(value).__name__}",
            hint="write `impact: payment errors` or `impact: {pl: błędy płatności, en: payment errors}`",
        )
    return {name: str(value)}


def given_values(vars_file: str | None, pairs: list[str]) -> Given:
    """What a command was given: the `--vars` file, then each `--var` on top of it."""
    values = read_vars_file(vars_file) if vars_file else {}
    return merge(values, parse_assignments(pairs))


def names(plan: Plan, given: Mapping[str, str]) -> list[str]:
    """The variables named by `name` and `name@locale` keys; a locale the plan does not declare
    is refused (with a did-you-mean), and so is text that is no locale tag at all."""
    from incplan.diagnostics import unknown_name

    out = []
    for key in given:
        name, at, locale = key.partition("@")
        if at and not _LOCALE_TAG.fullmatch(locale):
            # never echo it: it may hold terminal escapes or markup
            raise UsageError(
                f"the locale after `{name}@` is not a locale tag", hint=f"write it like --var {name}@pl=..."
            )
        if at and locale not in plan.organization.locales:
            raise unknown_name("locale", locale, list(plan.organization.locales))
        out.append(name)
    return list(dict.fromkeys(out))


def for_record(given: Mapping[str, str], locales: list[str]) -> dict[str, str | dict[str, str]]:
    """The `values` of a `variables` event: text for every locale, or a mapping of locale to
    text. `--var impact=X --var impact@pl=Y` together write `{en: X, pl: Y}` for every locale."""
    out: dict[str, str | dict[str, str]] = {}
    for key in given:
        name = key.partition("@")[0]
        if name in out:
            continue
        per_locale = {k.partition("@")[2]: v for k, v in given.items() if k.startswith(f"{name}@")}
        if not per_locale:
            out[name] = given[name]
        elif name in given:
            out[name] = {loc: per_locale.get(loc, given[name]) for loc in dict.fromkeys([*locales, *per_locale])}
        else:
            out[name] = per_locale
    return out


def from_record(values: Mapping[str, str | Mapping[str, str]]) -> Given:
    """A `variables` event read back into the flat shape (a plain text sets every locale)."""
    out: Given = {}
    for name, value in values.items():
        if isinstance(value, str):
            out[name] = value
        else:
            out.update({f"{name}@{locale}": text for locale, text in value.items()})
    return out


def values_in(
    plan: Plan, given: Mapping[str, str], locale: str, *, example: bool, needs: set[str]
) -> tuple[dict[str, str], list[str]]:
    """Every variable's value for a message in `locale`, and a note for each one that falls back.

    A message in `locale` takes `name@locale`, else `name`, else the default locale's value
    (and says so when the message uses it), then the declared example (with `example`) or
    default in that locale.
    """
    default = plan.default_locale
    values: dict[str, str] = {}
    notes: list[str] = []
    for name, var in plan.variables.items():
        others = [key for key in given if key.startswith(f"{name}@")]
        if f"{name}@{locale}" in given:
            values[name] = given[f"{name}@{locale}"]
        elif name in given:
            values[name] = given[name]
        elif others:
            source = f"{name}@{default}" if f"{name}@{default}" in given else others[0]
            values[name] = given[source]
            if name in needs:
                used = source.partition("@")[2]
                notes.append(
                    f"`{name}` has no `{locale}` value; the `{locale}` messages use the `{used}` one"
                    f" (give it with --var {name}@{locale}=...)"
                )
        elif example and var.example is not None:
            values[name] = var.example_in(locale, default) or ""
        elif var.default is not None:
            values[name] = var.default_in(locale, default) or ""
        elif not var.required:
            values[name] = ""
    return values, notes
