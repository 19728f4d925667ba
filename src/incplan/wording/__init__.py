"""incplan's own words, per language: every label, heading and phrase around the plan's text in
what people read (show, classify, export, preview, reports, status, watch, list, remind, the
lines a write command prints and its `next:` hint).

The plan's words (names, messages) come from the plan, in the chosen locale; these are incplan's
around them, from one catalogue per language (`wording/en.py`, `wording/pl.py`). A language
without a catalogue reads English (`SPOKEN` lists those with one). What scripts read never
changes with the language: JSON and SARIF keys and values, ids, command and option names, rule
codes, and the diagnostics on stderr (`error:`, `warning:`, `hint:`), which stay English.

A phrase with a number has a form per CLDR plural category (`one`, `few`, `many`, `other`),
chosen by Babel's plural rules for the catalogue's language (pl: 1 wiadomość, 2 wiadomości,
5 wiadomości). Times keep their one form (`2026-11-27 10:17 CET`: columns align and sort in every
language); spans of time are written short in the reader's words (`5m`, pl `5 min`): narrow units
take no case, so `w ciągu 10 min` reads right where `10 minut` would need the genitive.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incplan.plan.models import Plan

SPOKEN = ("en", "pl")  # the languages incplan has its own words in; any other reads English


def language_of(locale: str) -> str:
    """The catalogue a locale reads: its language's (`pl-PL` -> `pl`), else English."""
    base = locale.split("-")[0].lower()
    return base if base in SPOKEN else "en"


@functools.cache
def _catalogue(language: str) -> tuple[Mapping[str, str], Mapping[str, Mapping[str, str]]]:
    from importlib import import_module

    module = import_module(f"incplan.wording.{language}")  # one of SPOKEN
    return module.WORDS, module.COUNTS


@functools.cache
def plural_category(n: int, language: str) -> str:
    """CLDR's plural category of a whole number in `language` (Babel's rules): pl 1 `one`,
    2-4 and 22-24 `few`, 5-21 and 25 `many`; en 1 `one`, else `other`."""
    if language == "en":
        return "one" if n == 1 else "other"  # CLDR's English rule for whole numbers, without loading Babel
    from babel import Locale

    return str(Locale.parse(language).plural_form(abs(n)))


class Words:
    """incplan's words in one language: `w["key"]`, `w("key", name=...)`, `w.count("key", n)`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.language = language_of(locale)
        self._words, self._counts = _catalogue(self.language)

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def __call__(self, key: str, /, **values: object) -> str:
        text = self._words[key]
        return text.format(**values) if values else text

    def get(self, key: str, default: str) -> str:
        return self._words.get(key, default)

    def count(self, key: str, n: int, /, **values: object) -> str:
        """The phrase for `n` things, in the plural form the language gives `n` (`{n}` is the number)."""
        forms = self._counts[key]
        form = forms.get(plural_category(n, self.language)) or forms["other"]
        return form.format(n=self.number(n), **values)

    def number(self, n: int) -> str:
        """A whole number as the language writes it: en `1,234`; pl `1234`, `12 345` (CLDR)."""
        if self.language == "en":
            return f"{n:,}"
        from babel.numbers import format_decimal

        return str(format_decimal(n, locale=self.language))

    def span(self, value: timedelta | float | None) -> str:
        return span(value, self.language)


def words(locale: str) -> Words:
    """incplan's words in `locale` (by its language), English where it has none of its own."""
    return Words(locale)


def choice(value: str, kind: str, w: Words) -> str:
    """A value from a fixed list shown to people (`impact` `critical`, channel `type`
    `status_page`, `audience` `customers`): the language's word for it, else the value itself."""
    return w.get(f"{kind}.{value}", value)


def component_status(status: str, locale: str) -> str:
    """`major outage`, pl `poważna awaria`: the status page's words (one home, the site's)."""
    from incplan.site.texts import words as site_words

    text = site_words(locale).get(f"status.{status}")
    return text[:1].lower() + text[1:] if text else status.replace("_", " ")


def reader_locale(plan: Plan, chosen: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language of a view: `--locale` (a declared locale), else the terminal's message
    language (`LC_ALL`, then `LC_MESSAGES`) when the plan declares it, else the plan's first.

    `LANG` is not read: images and distributions set it (`en_US.UTF-8`, `C.UTF-8`) whatever the
    reader speaks, and a Polish team's status would turn English on most machines; `LC_ALL` and
    `LC_MESSAGES` are set by people who chose a language for messages."""
    from incplan.plan.names import check_names

    if chosen is not None:
        check_names(plan, locale=chosen)
        return chosen
    env = os.environ if environ is None else environ
    declared = plan.organization.locales
    for variable in ("LC_ALL", "LC_MESSAGES"):
        value = env.get(variable, "")
        if not value:
            continue
        tag = value.split(".")[0].split("@")[0].replace("_", "-")  # pl_PL.UTF-8 -> pl-PL
        for candidate in (tag, tag.split("-")[0]):
            if candidate in declared:
                return candidate
        break  # the first one set decides, as in POSIX; one the plan does not speak means the default
    return plan.default_locale


def span(value: timedelta | float | None, locale: str) -> str:
    """A span of time, short: en `45s`, `5m30s`, `1h05m`, `3d4h`; pl `45 s`, `5 min 30 s`,
    `1 h 5 min` (CLDR's narrow units, the largest two that are not zero); `n/a` when unknown."""
    from incplan.plan.durations import humanize

    if language_of(locale) == "en":
        return humanize(value)  # CLDR's narrow English units, as the tool always wrote them
    if value is None:
        return words(locale)["n/a"]
    from babel.units import format_unit

    seconds = round(value.total_seconds() if isinstance(value, timedelta) else value)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    loc = locale.replace("-", "_")
    parts: list[str] = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        amount, seconds = divmod(seconds, size)
        if amount or (unit == "second" and not parts):
            parts.append(str(format_unit(amount, f"duration-{unit}", length="narrow", locale=loc)))
        if len(parts) == 2 or (parts and not amount):
            break
    return sign + " ".join(parts)
