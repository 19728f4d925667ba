"""The status site speaks each page's language: every word of a page is in it, or marked as
another language's (`lang`), never the other language unannounced."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .strict_html import parse_html

runner = CliRunner()
NOW = "2026-11-27T12:00:00+01:00"

PLAN = """\
version: 1
organization:
  name: Acme
  timezone: Europe/Warsaw
  locales: [{first}, {second}]
definition:
  incident: {incident}
severities:
  sev1: {{name: {sev}, impact: major, first_update_within: 10m, update_every: 30m, channels: [status_page]}}
channels:
  status_page: {{name: {channel}, type: status_page, audience: customers, locales: [{first}]}}
components:
  payments: {{name: {payments}, group: {shop}, translations: {{{second}: {{name: {payments2}, group: {shop2}}}}}}}
  api: {{name: API, description: {api}, translations: {{{second}: {{description: {api2}}}}}}}
stages:
  investigating: {{name: {investigating}, translations: {{{second}: {{name: {investigating2}}}}}}}
  resolved: {{name: {resolved}, final: true, translations: {{{second}: {{name: {resolved2}}}}}}}
templates:
  investigating:
    default: {message}
  resolved:
    default: {message}
"""
POLISH_FIRST = {
    "first": "pl",
    "second": "en",
    "incident": "Zdarzenie.",
    "sev": "Poważny",
    "channel": "Strona statusu",
    "payments": "Płatności",
    "shop": "Sklep",
    "payments2": "Payments",
    "shop2": "Shop",
    "api": "Interfejs dla programistów",
    "api2": "Interface for developers",
    "investigating": "Badamy",
    "investigating2": "Investigating",
    "resolved": "Rozwiązany",
    "resolved2": "Resolved",
    "message": "Badamy zgłoszenia.",
}
ENGLISH_FIRST = {
    "first": "en",
    "second": "pl",
    "incident": "An event.",
    "sev": "Major",
    "channel": "Status page",
    "payments": "Payments",
    "shop": "Shop",
    "payments2": "Płatności",
    "shop2": "Sklep",
    "api": "Interface for developers",
    "api2": "Interfejs dla programistów",
    "investigating": "Investigating",
    "investigating2": "Badamy",
    "resolved": "Resolved",
    "resolved2": "Rozwiązany",
    "message": "We are looking into reports.",
}
# Words only one of the two languages uses, from the site's own words, the plan's names and
# the posted texts above (checked case-insensitively as whole words).
POLISH = (
    "polski", "polsku", "angielski", "angielsku", "języku", "sklep", "płatności", "badamy", "rozwiązany",
    "interfejs", "zgłoszenia", "działa", "stan", "komponent", "komponenty", "incydent", "incydenty",
    "incydentów", "aktualizacje", "ostatnie", "dni", "dziś", "temu", "historia", "prace", "serwisowe",
    "zaplanowane", "termin", "opublikowano", "tylko", "legenda", "bieżący", "trwające", "ogłoszono",
    "początek", "rozwiązano", "wszystkie", "systemy", "zaplanowano", "trwają", "sprawdzamy", "zakończono",
)  # fmt: skip
ENGLISH = (
    "polish", "english", "shop", "payments", "investigating", "resolved", "interface", "developers",
    "looking", "operational", "component", "components", "incident", "incidents", "updates", "last",
    "days", "today", "ago", "history", "maintenance", "scheduled", "published", "only", "legend",
    "current", "active", "announced", "began", "all", "systems", "in", "progress", "verifying",
    "completed", "when", "update", "feed",
)  # fmt: skip


def build(tmp_path: Path, words: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "incplan.yaml").write_text(PLAN.format(**words))
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    first = words["first"]
    (incidents / "2026-11-27-a.yaml").write_text(
        "version: 1\nid: 2026-11-27-a\ntitle: '502'\nplan: ../incplan.yaml\nopened_at: '2026-11-27T10:00:00+01:00'\n"
        "events:\n"
        "  - {at: '2026-11-27T10:00:00+01:00', type: opened, severity: sev1, stage: investigating}\n"
        "  - {at: '2026-11-27T10:01:00+01:00', type: components, components: {payments: partial_outage}}\n"
        f"  - {{at: '2026-11-27T10:05:00+01:00', type: notified, channel: status_page, posted: true, stage: investigating, locale: {first}, body: {words['message']}}}\n"
    )  # fmt: skip
    (incidents / "2026-12-01-b.yaml").write_text(
        "version: 1\nid: 2026-12-01-b\nkind: maintenance\ntitle: DB\nplan: ../incplan.yaml\n"
        "opened_at: '2026-11-27T09:00:00+01:00'\n"
        "scheduled_for: '2026-12-01T22:00:00+01:00'\nscheduled_until: '2026-12-02T01:00:00+01:00'\n"
        "events:\n"
        "  - {at: '2026-11-27T09:00:00+01:00', type: opened, severity: maintenance, stage: scheduled}\n"
        "  - {at: '2026-11-27T09:00:00+01:00', type: components, components: {api: operational}}\n"
        f"  - {{at: '2026-11-27T09:05:00+01:00', type: notified, channel: status_page, posted: true, stage: scheduled, locale: {first}, body: {words['message']}}}\n"
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--color", "never", "site", "build", "--out", "public"], env={"INCPLAN_NOW": NOW})
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return tmp_path / "public"


def texts_in(element: ET.Element, lang: str, page_lang: str) -> list[tuple[str, str]]:
    """(language, text) of every text and readable attribute, by the nearest `lang`."""
    lang = element.get("lang") or lang
    found = [(lang, element.get(a) or "") for a in ("aria-label", "title", "alt")]
    found.append((lang, element.text or ""))
    for child in element:
        found += texts_in(child, lang, page_lang)
        found.append((lang, child.tail or ""))  # a child's tail belongs to its parent
    return [(lang, text) for lang, text in found if text.strip()]


def leaks(text: str, foreign: tuple[str, ...]) -> list[str]:
    import re

    words = set(re.findall(r"\w+", text.lower()))
    return sorted(words & set(foreign))


def assert_every_page_speaks_its_language(public: Path, first: str, second: str) -> None:
    foreign_of = {"en": POLISH, "pl": ENGLISH}
    pages = sorted(public.rglob("*.html"))
    assert len(pages) == 8  # index, history and two records, in each language
    for page in pages:
        page_lang = second if page.relative_to(public).parts[0] == second else first
        tree = parse_html(page.read_text(encoding="utf-8"))
        assert tree.get("lang") == page_lang, page
        for lang, text in texts_in(tree, page_lang, page_lang):
            if lang == page_lang:
                assert not leaks(text, foreign_of[page_lang]), f"{page}: {text!r}"
            else:
                # only another language's own parts are marked: the switch's names, a posted text
                assert lang == first or text.strip() in ("Polski", "English"), f"{page}: {lang} {text!r}"
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for feed in (public / "feed.atom", public / second / "feed.atom"):
        root = ET.parse(feed).getroot()
        feed_lang = root.get(xml_lang)
        assert feed_lang == (first if feed.parent == public else second)
        for element in root.iter():
            readable = element.tag.rsplit("}", 1)[-1] in ("title", "content", "name")  # not ids, links, times
            if readable and element.get(xml_lang, feed_lang) == feed_lang:
                assert not leaks(element.text or "", foreign_of[feed_lang]), f"{feed}: {element.text!r}"


@pytest.mark.parametrize("words", [POLISH_FIRST, ENGLISH_FIRST], ids=["polish-first", "english-first"])
def test_every_page_speaks_its_language(words: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    public = build(tmp_path, words, monkeypatch)
    assert_every_page_speaks_its_language(public, words["first"], words["second"])


@pytest.mark.parametrize("locales", [["en", "pl"], ["pl", "en"]], ids="-".join)
def test_the_site_of_an_init_plan_speaks_each_language(
    locales: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incident and a maintenance told on a fresh multilingual init plan, as the README does."""
    monkeypatch.chdir(tmp_path)

    def run(at: str, *args: str) -> None:
        result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": f"2026-11-27T{at}:00+01:00"})
        assert result.exit_code == 0, result.output
        assert "warning" not in result.stderr and "error" not in result.stderr, result.stderr

    args = ["init", ".", "--timezone", "Europe/Warsaw"] + [f"--locale={locale}" for locale in locales]
    run("09:00", *args)
    values = ["--var", "service@en=API", "--var", "service@pl=API", "--var", "impact@en=errors", "--var", "impact@pl=błędy"]  # fmt: skip
    run("10:00", "incident", "open", "-t", "502", "-S", "sev2", *values, "--component", "checkout=partial_outage")
    run("10:05", "notify", "-i", "2026-11-27-502", "-c", "status_page", "--posted")
    run("10:30", "incident", "update", "2026-11-27-502", "-s", "identified")
    run("10:31", "notify", "-i", "2026-11-27-502", "-c", "status_page", "--posted")
    run("10:40", "maintenance", "schedule", "-t", "DB", "--start", "2026-11-27T11:00", "--end", "2026-11-27T13:00", "--component", "api")  # fmt: skip
    run("10:41", "notify", "-i", "2026-11-27-db", "-c", "status_page", "--posted")
    run("11:00", "maintenance", "update", "2026-11-27-db", "--stage", "in_progress")
    run("11:01", "notify", "-i", "2026-11-27-db", "-c", "status_page", "--posted")
    run("12:00", "site", "build", "--out", "public")
    assert_every_page_speaks_its_language(tmp_path / "public", locales[0], locales[1])


def test_a_group_and_a_note_in_the_readers_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    public = build(tmp_path, POLISH_FIRST, monkeypatch)
    index = (public / "en/index.html").read_text(encoding="utf-8")
    assert '<th scope="rowgroup" colspan="3">Shop</th>' in index
    assert "<small>Interface for developers</small>" in index
    assert '<th scope="rowgroup" colspan="3">Sklep</th>' in (public / "index.html").read_text(encoding="utf-8")
    incident = (public / "en/incidents/2026-11-27-a.html").read_text(encoding="utf-8")
    assert '<div lang="pl">' in incident
    assert '<p class="note">Published in Polish only.</p>' in incident
    assert "(in Polski" not in incident


def test_the_reverse_note_in_polish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    public = build(tmp_path, ENGLISH_FIRST, monkeypatch)
    incident = (public / "pl/incidents/2026-11-27-a.html").read_text(encoding="utf-8")
    assert '<div lang="en">' in incident
    assert '<p class="note">Opublikowano tylko po angielsku.</p>' in incident
    index = (public / "pl/index.html").read_text(encoding="utf-8")
    assert '<th scope="rowgroup" colspan="3">Sklep</th>' in index


@pytest.mark.parametrize("tag", ["<b>x</b>\\e[2J", "zz", "x" * 5000, "pt-BR", "sr-Latn"])
def test_a_text_in_a_language_no_page_has(tag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record edited by hand may say any language: the note names it as CLDR does, or as
    written (escaped), and the page stays strict HTML."""
    public = build(tmp_path, POLISH_FIRST, monkeypatch)
    record = tmp_path / "incidents/2026-11-27-a.yaml"
    record.write_text(record.read_text().replace("locale: pl,", f'locale: "{tag}",'))
    result = runner.invoke(app, ["--color", "never", "site", "build", "--out", "public"], env={"INCPLAN_NOW": NOW})
    assert (result.exit_code, result.stderr) == (0, "")
    names = {"zz": ("zz", "zz"), "pt-BR": ("Portuguese (Brazil)", "portugalski (Brazylia)"), "sr-Latn": ("Serbian (Latin)", "serbski (łacińskie)")}  # fmt: skip
    for page, lang in (("en/incidents/2026-11-27-a.html", 0), ("incidents/2026-11-27-a.html", 1)):
        html = (public / page).read_text(encoding="utf-8")
        parse_html(html)
        assert "\x1b" not in html and "<b>" not in html
        notes = [n for n in parse_html(html).iter("p") if n.get("class") == "note"]
        assert len(notes) == 1
        if tag in names:
            name = names[tag][lang]
            assert notes[0].text == (
                f"Published in {name} only." if lang == 0 else f"Opublikowano tylko w innym języku: {name}."
            )
