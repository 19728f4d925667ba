"""The site's own words, per language (English is the fallback for any other locale)."""

from __future__ import annotations

import functools
from datetime import date

LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polski",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "cs": "Čeština",
    "uk": "Українська",
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "{org} status",
        "indicator.none": "All systems operational",
        "indicator.minor": "Minor service disruption",
        "indicator.major": "Partial system outage",
        "indicator.critical": "Major system outage",
        "indicator.maintenance": "Service under maintenance",
        "status.operational": "Operational",
        "status.degraded_performance": "Degraded performance",
        "status.partial_outage": "Partial outage",
        "status.major_outage": "Major outage",
        "status.under_maintenance": "Under maintenance",
        "impact.none": "No impact",
        "impact.minor": "Minor impact",
        "impact.major": "Major impact",
        "impact.critical": "Critical impact",
        "impact.maintenance": "Maintenance",
        "day.none": "No incidents",
        "day.minor": "Degraded performance",
        "day.major": "Partial outage",
        "day.critical": "Major outage",
        "day.maintenance": "Maintenance",
        "active": "Active incidents",
        "maintenance": "Scheduled maintenance",
        "components": "Components",
        "component": "Component",
        "components_caption": "Each component's status now, and the worst impact of each of the last 90 days",
        "status": "Status",
        "last_days": "Last 90 days",
        "bar_label": "{name}, last 90 days: {count} with incidents or maintenance",
        "days_ago": "90 days ago",
        "today": "Today",
        "history": "Incident history",
        "history_link": "Incident history",
        "no_history": "No incidents have been reported.",
        "no_active": "No incidents right now.",
        "updates": "Updates",
        "affected": "Affected components",
        "opened": "Began",
        "announced": "Announced",
        "resolved": "Resolved",
        "scheduled": "When",
        "window": "{start} to {end}",
        "language": "Language",
        "feed": "Updates as an Atom feed",
        "back": "Current status",
        "incident": "Incident",
        "in_language": "Published in {language} only.",
        "stage.scheduled": "Scheduled",
        "stage.in_progress": "In progress",
        "stage.verifying": "Verifying",
        "stage.completed": "Completed",
        "updated": "Last update: {time}",
        "legend": "Legend",
        "api": "Machine-readable status (Statuspage JSON)",
    },
    "pl": {
        "title": "Status: {org}",
        "indicator.none": "Wszystkie systemy działają",
        "indicator.minor": "Drobne zakłócenia usług",
        "indicator.major": "Częściowa awaria",
        "indicator.critical": "Poważna awaria",
        "indicator.maintenance": "Trwają prace serwisowe",
        "status.operational": "Działa",
        "status.degraded_performance": "Obniżona wydajność",
        "status.partial_outage": "Częściowa awaria",
        "status.major_outage": "Poważna awaria",
        "status.under_maintenance": "Prace serwisowe",
        "impact.none": "Bez wpływu",
        "impact.minor": "Niewielki wpływ",
        "impact.major": "Poważny wpływ",
        "impact.critical": "Krytyczny wpływ",
        "impact.maintenance": "Prace serwisowe",
        "day.none": "Bez incydentów",
        "day.minor": "Obniżona wydajność",
        "day.major": "Częściowa awaria",
        "day.critical": "Poważna awaria",
        "day.maintenance": "Prace serwisowe",
        "active": "Trwające incydenty",
        "maintenance": "Zaplanowane prace serwisowe",
        "components": "Komponenty",
        "component": "Komponent",
        "components_caption": "Bieżący stan każdego komponentu i najgorszy wpływ w każdym z ostatnich 90 dni",
        "status": "Stan",
        "last_days": "Ostatnie 90 dni",
        "bar_label": "{name}, ostatnie 90 dni; dni z incydentami lub pracami: {count}",
        "days_ago": "90 dni temu",
        "today": "Dziś",
        "history": "Historia incydentów",
        "history_link": "Historia incydentów",
        "no_history": "Nie zgłoszono żadnych incydentów.",
        "no_active": "Obecnie brak incydentów.",
        "updates": "Aktualizacje",
        "affected": "Dotknięte komponenty",
        "opened": "Początek",
        "announced": "Ogłoszono",
        "resolved": "Rozwiązano",
        "scheduled": "Termin",
        "window": "od {start} do {end}",
        "language": "Język",
        "feed": "Aktualizacje jako kanał Atom",
        "back": "Bieżący stan",
        "incident": "Incydent",
        "in_language": "Opublikowano tylko {language}.",
        "in_another_language": "Opublikowano tylko w innym języku: {language}.",
        "stage.scheduled": "Zaplanowane",
        "stage.in_progress": "W toku",
        "stage.verifying": "Weryfikacja",
        "stage.completed": "Zakończone",
        "updated": "Ostatnia aktualizacja: {time}",
        "legend": "Legenda",
        "api": "Stan do odczytu maszynowego (JSON w formacie Statuspage)",
    },
}

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "pl": [
        "Styczeń",
        "Luty",
        "Marzec",
        "Kwiecień",
        "Maj",
        "Czerwiec",
        "Lipiec",
        "Sierpień",
        "Wrzesień",
        "Październik",
        "Listopad",
        "Grudzień",
    ],
}


def words_locale(locale: str) -> str:
    """The language the site's own words are in on `locale`'s pages (English where we have none)."""
    base = locale.split("-")[0]
    return base if base in TEXTS else "en"


def words(locale: str) -> dict[str, str]:
    return {**TEXTS["en"], **TEXTS[words_locale(locale)]}


@functools.lru_cache(maxsize=256)
def published_only(page: str, text: str) -> str:
    """The note under a text shown on `page`'s pages in `text`'s language, in the page's words:
    "Published in Polish only.", "Opublikowano tylko po angielsku." (CLDR's language names)."""
    from babel import Locale, UnknownLocaleError

    speaks = words_locale(page)
    try:
        name = Locale.parse(text.replace("-", "_")).get_display_name(speaks) or text
    except (ValueError, TypeError, UnknownLocaleError):  # a tag CLDR does not know: as written
        name = text
    w = words(page)
    if speaks == "pl":
        # Polish says it with the adverb: angielski -> po angielsku, niemiecki -> po niemiecku.
        if " " not in name and name.endswith("ki"):
            return w["in_language"].format(language=f"po {name[:-1]}u")
        return w["in_another_language"].format(language=name)
    return w["in_language"].format(language=name)


def month_name(locale: str, year: int, month: int) -> str:
    base = locale.split("-")[0]
    if base in MONTHS:
        return f"{MONTHS[base][month - 1]} {year}"
    try:
        from babel.dates import format_skeleton  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return f"{MONTHS['en'][month - 1]} {year}"
    return str(format_skeleton("yMMMM", date(year, month, 1), locale=locale.replace("-", "_")))


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale) or LANGUAGE_NAMES.get(locale.split("-")[0]) or locale
