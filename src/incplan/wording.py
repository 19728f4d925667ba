"""Our own words in the views responders read (status, watch, reports), per language.

The plan's words (names, messages) come from the plan; these are incplan's labels around them.
English is the fallback for a language without its own. The reader's language is `--locale`,
else the terminal's message language when the plan declares it, else the plan's first locale.
Times keep their one form (`2026-11-27 10:17 CET`: columns align and sort in every language);
spans of time are written short in the reader's words (`5m`, pl `5 min`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incplan.plan.models import Plan

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        # incident status
        "status.none_open": "no open incidents",
        "status.stage": "stage",
        "status.severity": "severity",
        "status.opened": "opened",
        "status.window": "window",
        "status.last_update": "last customer update",
        "status.resolved": "resolved",
        "status.next_due": "next update due",
        "status.since": "since {time}, {span}",
        "status.ago": "{span} ago",
        "status.to_resolve": "{span} to resolve",
        "status.in": "in {span}",
        "status.overdue": "OVERDUE by {span}",
        "status.none_yet": "none yet",
        "status.no_cadence": "no cadence for this severity and stage",
        "status.open_end": "open end",
        "status.window_span": "{start} to {end}",
        # incident watch
        "watch.open": "open incidents",
        "watch.one": "incident {id}",
        "watch.quit": "q quits",
        "watch.empty": "No open incidents. Watching the records for changes.",
        "watch.incident": "incident",
        "watch.stage": "stage, severity",
        "watch.roles": "roles",
        "watch.last": "last update",
        "watch.next": "next update",
        "watch.no_cadence": "no cadence at this stage",
        "watch.was_due": "was due {time}",
        "watch.due": "due {time}",
        "watch.nobody": "none assigned",
        "watch.for": "{stage} for {span}",
        "n/a": "n/a",
    },
    "pl": {
        "status.none_open": "brak otwartych incydentów",
        "status.stage": "etap",
        "status.severity": "poziom",
        "status.opened": "otwarty",
        "status.window": "okno",
        "status.last_update": "ostatnia informacja dla klientów",
        "status.resolved": "rozwiązany",
        "status.next_due": "kolejna informacja do",
        "status.since": "od {time}, {span}",
        "status.ago": "{span} temu",
        "status.to_resolve": "rozwiązany w {span}",
        "status.in": "za {span}",
        "status.overdue": "SPÓŹNIONA o {span}",
        "status.none_yet": "jeszcze żadnej",
        "status.no_cadence": "brak rytmu informacji dla tego poziomu i etapu",
        "status.open_end": "bez terminu końca",
        "status.window_span": "{start} – {end}",
        "watch.open": "otwarte incydenty",
        "watch.one": "incydent {id}",
        "watch.quit": "q kończy",
        "watch.empty": "Brak otwartych incydentów. Obserwuję zmiany w rejestrach.",
        "watch.incident": "incydent",
        "watch.stage": "etap, poziom",
        "watch.roles": "role",
        "watch.last": "ostatnia informacja",
        "watch.next": "kolejna informacja",
        "watch.no_cadence": "brak rytmu na tym etapie",
        "watch.was_due": "termin minął {time}",
        "watch.due": "termin {time}",
        "watch.nobody": "nikt nie przypisany",
        "watch.for": "{stage} od {span}",
        "n/a": "b.d.",
    },
}


def words(locale: str) -> Mapping[str, str]:
    """incplan's words in `locale` (by its language), English where it has none of its own."""
    return {**TEXTS["en"], **TEXTS.get(locale.split("-")[0], {})}


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

    if locale.split("-")[0] == "en":
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
