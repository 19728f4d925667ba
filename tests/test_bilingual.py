"""One plan, two languages, no word of one in the other (issue 10's done-means).

The bundled bilingual plans (`examples/polish-first.yaml`, `examples/bilingual-sms.yaml`) and a
fresh `init --locale pl --locale en` plan: every message of every stage (and of maintenance, and
the reminder) rendered in Polish holds no English word from a fixed list, in English no Polish
word and no Polish letter; Polish templates keep every inserted value in the nominative; a
Polish-first incident, scripted from opening to resolution, is a golden file.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
POLISH_FIRST = ROOT / "examples/polish-first.yaml"
BILINGUAL_SMS = ROOT / "examples/bilingual-sms.yaml"
GOLDEN = ROOT / "tests/golden/incident-pl-en.txt"

# Words that give English away, and words that give Polish away (none of them is both: `a`,
# `to`, `no`, `on`, `do`, `i`, `we` and `by` are words of both languages and are left out).
ENGLISH = frozenset(
    [
        "the",
        "an",
        "and",
        "or",
        "our",
        "you",
        "your",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "of",
        "for",
        "with",
        "in",
        "at",
        "from",
        "that",
        "this",
        "it",
        "its",
        "not",
        "update",
        "updates",
        "next",
        "investigating",
        "investigate",
        "identified",
        "monitoring",
        "resolved",
        "resolve",
        "critical",
        "major",
        "minor",
        "incident",
        "incidents",
        "customer",
        "customers",
        "service",
        "data",
        "lost",
        "exposed",
        "error",
        "errors",
        "elevated",
        "rates",
        "payment",
        "payments",
        "fix",
        "fixed",
        "cause",
        "found",
        "hello",
        "team",
        "please",
        "sorry",
        "meanwhile",
        "review",
        "published",
        "works",
        "work",
        "working",
        "normally",
        "again",
        "impact",
        "symptoms",
        "duration",
        "minute",
        "minutes",
        "hour",
        "hours",
        "second",
        "seconds",
        "commander",
        "cadence",
        "started",
        "problem's",
        "recovering",
        "nov",
        "november",
        "dec",
        "jan",
    ]
)
POLISH = frozenset(
    [
        "się",
        "jest",
        "są",
        "nie",
        "oraz",
        "że",
        "na",
        "od",
        "dla",
        "klient",
        "klienci",
        "klientów",
        "usługa",
        "badamy",
        "badają",
        "kolejna",
        "kolejny",
        "informacja",
        "informacji",
        "dane",
        "danych",
        "płatności",
        "płatność",
        "zespół",
        "przyczyna",
        "przyczynę",
        "rozwiązany",
        "rozwiązane",
        "rozwiązany",
        "krytyczny",
        "poważny",
        "objawy",
        "skutki",
        "czas",
        "trwania",
        "minut",
        "minuty",
        "minuta",
        "godzina",
        "godziny",
        "sekund",
        "dzień",
        "dobry",
        "przepraszamy",
        "wszystko",
        "działa",
        "normalnie",
        "obserwujemy",
        "poprawka",
        "wdrożona",
        "incydent",
        "incydentu",
        "błędy",
        "błędów",
        "podwyższony",
        "odsetek",
        "lis",
        "sty",
        "gru",
        "zgłoszenia",
        "żadne",
        "utracone",
        "ujawnione",
        "naprawiamy",
        "znamy",
        "dowodzi",
        "rytm",
        "sklep",
        "sklepie",
    ]
)
POLISH_LETTERS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
_URL = re.compile(r"https?://\S+|incplan [^\n]*")  # addresses and commands are no language
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def run(*args: str, now: str | None = None) -> tuple[int, str, str]:
    env = {"INCPLAN_NOW": now} if now else {}
    result = runner.invoke(app, ["--color", "never", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _init_pl_en(folder: Path) -> Path:
    target = folder / "incplan.yaml"
    code, _, err = run(
        "init", str(target), "--locale", "pl", "--locale", "en", "--timezone", "Europe/Warsaw",
        "--status-page", "https://status.acme.example",
    )  # fmt: skip
    assert code == 0, err
    return target


def every_message(path: Path) -> dict[str, list[tuple[str, str]]]:
    """locale -> (where, text) for every message the plan can send: each stage x routed channel,
    each maintenance stage x channel, and the reminder, rendered with the examples in that
    locale, for each severity that routes to the channel."""
    from incplan.incidents.remind import reminder_text
    from incplan.incidents.state import State
    from incplan.plan.usable import load_for_use
    from incplan.templates.compose import compose

    plan, _ = load_for_use(path)
    now = datetime.fromisoformat("2026-11-27T10:17:00+01:00")
    out: dict[str, list[tuple[str, str]]] = {loc: [] for loc in plan.organization.locales}
    views = [("", plan, None)]
    if plan.maintenance is not None:
        views.append(("maintenance ", plan.maintenance_view(), (now, now + timedelta(hours=2))))
    for locale in plan.organization.locales:
        for label, view, window in views:
            for stage in view.stages:
                for severity_id, severity in view.severities.items():
                    for channel in severity.channels:
                        if view.message_for(stage, channel) is None:
                            continue
                        composed = compose(
                            view, stage=stage, now=now, severity=severity_id, channels=[channel],
                            locale=locale, example=True, window=window,
                        )  # fmt: skip
                        assert composed.warnings == [], composed.warnings  # no fallback to another language
                        for m in composed.messages:
                            text = f"{m.subject or ''}\n{m.body}"
                            out[locale].append((f"{label}{stage} / {channel} / {severity_id}", text))
        if plan.reminder is not None:
            state = State("2026-11-27-x", "X", now, next(iter(plan.stages)), next(iter(plan.severities)))
            internal = next(c for c in plan.channels if not plan.channels[c].is_customer)
            subject, body = reminder_text(plan, state, internal, locale, now + timedelta(minutes=5), now)
            out[locale].append(("reminder", f"{subject or ''}\n{body}"))
    return out


def _words(text: str, names: list[str]) -> set[str]:
    """The words of a message, without URLs, commands and the plan's proper names (people, the
    organization, the product, the example title): those are not words of either language."""
    text = _URL.sub(" ", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return {w.lower() for w in _WORD.findall(text)}


def _proper_names(path: Path) -> list[str]:
    from incplan.plan.usable import load_for_use

    plan, _ = load_for_use(path)
    names = [p.name for p in plan.people.values()] + [plan.organization.name]
    return [*names, *(p for n in names for p in n.split())]


def _plans(tmp_path: Path) -> list[Path]:
    return [POLISH_FIRST, BILINGUAL_SMS, _init_pl_en(tmp_path)]


@pytest.mark.parametrize("which", ["polish-first", "bilingual-sms", "init-pl-en"])
def test_no_word_of_one_language_in_the_other(which: str, tmp_path: Path) -> None:
    path = {"polish-first": POLISH_FIRST, "bilingual-sms": BILINGUAL_SMS}.get(which) or _init_pl_en(tmp_path)
    names = _proper_names(path)
    messages = every_message(path)
    assert len(messages["pl"]) == len(messages["en"]) >= 9
    for where, text in messages["pl"]:
        leaked = _words(text, names) & ENGLISH
        assert not leaked, f"English in the Polish {where}: {sorted(leaked)}\n{text}"
    for where, text in messages["en"]:
        words = _words(text, names)
        assert not (words & POLISH), f"Polish in the English {where}: {sorted(words & POLISH)}\n{text}"
        letters = POLISH_LETTERS.findall(" ".join(words))
        assert not letters, f"Polish letters in the English {where}: {letters}\n{text}"


def test_a_plan_made_as_the_issue_says_passes_check_strict_but_for_its_placeholders(tmp_path: Path) -> None:
    """`init --org Acme --timezone Europe/Warsaw --locale pl --locale en` (no --status-page): its
    findings are W401 placeholders alone, the people and the status page address, which must not
    ship; `--ignore placeholder` (or W401) passes."""
    import json

    target = tmp_path / "incplan.yaml"
    args = ("init", str(target), "--org", "Acme", "--timezone", "Europe/Warsaw", "--locale", "pl", "--locale", "en")
    assert run(*args)[0] == 0
    code, out, _ = run("check", str(target), "--strict", "--format", "json")
    found = json.loads(out)["diagnostics"]
    assert code == 1 and {d["code"] for d in found} == {"W401"}
    assert len(found) == 5  # four people and the status page address
    for rule in ("placeholder", "W401"):
        assert run("check", str(target), "--strict", "--ignore", rule) == (0, "1 file checked: no problems\n", "")


def test_the_word_lists_catch_what_they_are_for() -> None:
    """The lists would have caught the leaks issue 10 was filed for."""
    assert _words("Badamy problem (payment errors) w sklepie", []) & ENGLISH == {"payment", "errors"}
    assert _words("publiczne API works normally again. Żadne dane", []) & ENGLISH == {"works", "normally", "again"}
    assert _words("publiczne API works normally again.", []) & POLISH == set()
    assert _words("[Krytyczny] Checkout", []) & POLISH == {"krytyczny"}
    assert _words("Zespół Płatnik: https://status.platnik.example", ["Płatnik"]) == {"zespół"}
    assert not ENGLISH & POLISH


@pytest.mark.parametrize("which", ["polish-first", "bilingual-sms", "init-pl-en"])
def test_the_bilingual_plans_pass_check_strict(which: str, tmp_path: Path) -> None:
    if which != "init-pl-en":
        path = POLISH_FIRST if which == "polish-first" else BILINGUAL_SMS
        assert run("check", str(path), "--strict") == (0, "1 file checked: no problems\n", "")
        return
    # A fresh plan's only findings are its placeholder people, which warn by design (SPEC 4,
    # `init`): `--ignore placeholder` passes, and so does the plan once the people are real.
    path = _init_pl_en(tmp_path)
    code, out, _ = run("check", str(path), "--strict", "--format", "json")
    import json

    found = json.loads(out)["diagnostics"]
    assert code == 1
    assert {(d["name"], d["severity"]) for d in found} == {("placeholder", "warning")}
    assert sorted(d["message"] for d in found) == [
        f"`people.{handle}.email` is a placeholder address at `example.com`"
        for handle in ("alice", "bob", "carol", "dan")
    ]
    assert run("check", str(path), "--strict", "--ignore", "placeholder") == (0, "1 file checked: no problems\n", "")
    assert run("check", str(path), "--strict", "--ignore", "W401") == (0, "1 file checked: no problems\n", "")
    text = path.read_text(encoding="utf-8")
    for handle, name in (
        ("alice", "Ala Nowak"),
        ("bob", "Jan Kowalski"),
        ("carol", "Ewa Wiśniewska"),
        ("dan", "Olek Wójcik"),
    ):
        text = re.sub(
            rf"  {handle}: \{{name: \w+, email: {handle}@example\.com,",
            f"  {handle}: {{name: {name}, email: {handle}@acme.example,",
            text,
        )
    path.write_text(text, encoding="utf-8")
    assert run("check", str(path), "--strict") == (0, "1 file checked: no problems\n", "")


# ------------------------------------------------------------------ Polish grammar of inserted values

# A value is inserted as given, in the nominative: after a preposition it would need another
# case ("dla publiczne API"), and a verb after it would have to agree with its number
# ("płatności kartą wraca"). Polish templates put values after a colon or in parentheses.
# Times are the exception: a date written `27 lis 2026` reads right after `do` and `od`.
_PREPOSITION_BEFORE = re.compile(
    r"\b(dla|z|ze|o|w|we|na|do|od|przez|po|przy|u|bez|dotyczył\w*|dotyczy)\s+\{\{\s*"
    r"(?!next_update|now\b|incident\.(started_at|scheduled_for|scheduled_until))[\w.]+"
)
_WORD_AFTER = re.compile(r"\{\{\s*(service|impact|incident\.title)\s*\}\}\s+[a-ząćęłńóśźż]")


def _polish_templates(path: Path) -> list[str]:
    from incplan.plan.usable import load_for_use

    plan, _ = load_for_use(path)
    texts = []
    sections = [plan.templates, *([plan.maintenance.templates] if plan.maintenance else [])]
    specs = [spec for templates in sections for by_key in templates.values() for spec in by_key.values()]
    specs += [plan.reminder] if plan.reminder else []
    for spec in specs:
        if plan.default_locale == "pl":
            texts += [spec.body, spec.subject or ""]
        if "pl" in spec.translations:
            texts += [spec.translations["pl"].body, spec.translations["pl"].subject or ""]
    return texts


@pytest.mark.parametrize("which", ["polish-first", "bilingual-sms", "init-pl-en"])
def test_polish_templates_keep_values_in_the_nominative(which: str, tmp_path: Path) -> None:
    path = {"polish-first": POLISH_FIRST, "bilingual-sms": BILINGUAL_SMS}.get(which) or _init_pl_en(tmp_path)
    texts = _polish_templates(path)
    assert len(texts) > 10
    for text in texts:
        assert not _PREPOSITION_BEFORE.search(text), f"a value after a preposition: {text!r}"
        assert not _WORD_AFTER.search(text), f"a word that must agree with a value: {text!r}"


def test_the_grammar_checks_catch_the_old_phrasing() -> None:
    for old in (
        "Poprawka dla {{ service }} jest wdrożona",
        "Znamy przyczynę problemu z {{ service }}",
        "a {{ service }} wraca do normy",
        "incydentu, który dotyczył {{ service }}: {{ review_url }}",
        "Kolejna informacja dla klientów o {{ incident.title }}",
    ):
        assert _PREPOSITION_BEFORE.search(old) or _WORD_AFTER.search(old), old
    assert not _PREPOSITION_BEFORE.search("Kolejna informacja do {{ next_update }}.")


def test_polish_messages_read_as_written_with_the_examples(tmp_path: Path) -> None:
    """The exact Polish text of the status page at each stage of a new plan (`preview`)."""
    path = _init_pl_en(tmp_path)
    out = tmp_path / "preview"
    code, _, err = run("preview", "--plan", str(path), "--out", str(out), now="2026-11-27T10:17:00+01:00")
    assert code == 0, err
    assert (out / "investigating/status_page.pl.txt").read_text(encoding="utf-8") == (
        "Temat: Badamy problem: publiczne API\n\n"
        "Badamy zgłoszenia: błędy przy składaniu zamówień (publiczne API).\n"
        "W międzyczasie: Ponowienie próby po minucie zwykle działa.\n"
        "Kolejna informacja do 27 lis 2026, 10:32 CET.\n"
    )
    assert (out / "monitoring/status_page.pl.txt").read_text(encoding="utf-8") == (
        "Temat: Obserwujemy: publiczne API\n\n"
        "Poprawka jest wdrożona (publiczne API). Uważnie obserwujemy powrót do normy.\n"
        "Kolejna informacja do 27 lis 2026, 10:47 CET.\n"
    )
    assert (out / "resolved/status_page.pl.txt").read_text(encoding="utf-8") == (
        "Temat: Problem rozwiązany: publiczne API\n\n"
        "Incydent jest rozwiązany, wszystko znów działa normalnie (publiczne API).\n"
        "Żadne dane klientów nie zostały utracone ani ujawnione.\n"
        "Przepraszamy za utrudnienia. Przegląd po incydencie opublikujemy na tej stronie.\n"
    )
    assert (out / "monitoring/social.pl.txt").read_text(encoding="utf-8") == (
        "Poprawka jest wdrożona (publiczne API), obserwujemy powrót do normy. "
        "Kolejna informacja do 27 lis 2026, 10:47 CET: https://status.acme.example\n"
    )
    assert (out / "investigating/chat_internal.pl.txt").read_text(encoding="utf-8") == (
        "[Krytyczny] Incydent: Podwyższony odsetek błędów\n"
        "Skutki: błędy przy składaniu zamówień (publiczne API). Dowodzi: Alice.\n"
        "Kolejny komunikat dla klientów do 27 lis 2026, 10:32 CET. Śledź wątek; nie pisz bezpośrednio do zespołu.\n"
    )
    text = path.read_text(encoding="utf-8")
    assert (
        'description: "Usługa, której dotyczy incydent, słowami klientów, w mianowniku (np. „publiczne API”)"' in text
    )
    assert 'description: "Czego doświadczają klienci, w mianowniku (np. „błędy przy składaniu zamówień”)"' in text


def test_english_messages_read_as_written_with_the_examples(tmp_path: Path) -> None:
    """The English side of a new pl+en plan, as a customer reads it (`preview`): headlines that
    are sentences or labels, never "Investigating: the public API unavailable"."""
    path = _init_pl_en(tmp_path)
    out = tmp_path / "preview"
    code, _, err = run("preview", "--plan", str(path), "--out", str(out), now="2026-11-27T10:17:00+01:00")
    assert code == 0, err

    def subject(name: str) -> str:
        return (out / f"{name}.en.txt").read_text(encoding="utf-8").split("\n", 1)[0]

    assert [subject(f"{stage}/status_page") for stage in ("investigating", "identified", "monitoring", "resolved")] == [
        "Subject: Investigating: the public API is unavailable",  # sev1 is critical: unavailable, else degraded
        "Subject: Cause identified: the public API",
        "Subject: Recovering: the public API",
        "Subject: Resolved: the public API",
    ]
    assert subject("resolved/email") == "Subject: [Resolved] Acme: errors when creating orders"
    assert (out / "investigating/email.en.txt").read_text(encoding="utf-8").split("\n\n")[2] == (
        "Since Nov 27, 2026, 10:17 CET, some customers have been experiencing errors when creating orders on the"
        " public API.\nOur engineers are investigating."
    )
    pl = (out / "resolved/email.pl.txt").read_text(encoding="utf-8").split("\n", 1)[0]
    assert pl == "Temat: [Rozwiązany] Acme: błędy przy składaniu zamówień"
    assert (out / "postmortem/chat_internal.en.txt").read_text(encoding="utf-8") == (
        "The post-incident review is published (Elevated error rates): https://status.example.com/incidents/42\n"
    )


# ------------------------------------------------------------------ a Polish-first incident, start to end

# (INCPLAN_NOW, command): opened at 10:00; each stage announced on every channel, in both
# languages, and recorded; the durations read 5 minut, 22 minuty, 1 godzina 1 minuta.
SCRIPT = [
    ("10:00", ["incident", "open", "-t", "Płatności kartą nie przechodzą", "-S", "sev1",
               "--var", "service@pl=płatności kartą", "--var", "service@en=card payments",
               "--var", "impact@pl=odrzucone płatności", "--var", "impact@en=declined payments",
               "--var", "workaround@pl=Płatności BLIK działają normalnie.", "--var", "workaround@en=BLIK payments work normally."]),
    ("10:05", ["notify", "-i", "{id}", "-l", "all", "-f", "text"]),
    ("10:05", ["notify", "-i", "{id}", "--posted", "-f", "text"]),
    ("10:20", ["incident", "update", "{id}", "-s", "identified", "--var", "workaround="]),
    ("10:22", ["notify", "-i", "{id}", "-l", "all", "-f", "text"]),
    ("10:22", ["notify", "-i", "{id}", "--posted", "-f", "text"]),
    ("11:00", ["incident", "update", "{id}", "-s", "monitoring"]),
    ("11:01", ["notify", "-i", "{id}", "-l", "all", "-f", "text"]),
    ("11:01", ["notify", "-i", "{id}", "--posted", "-f", "text"]),
    ("11:30", ["incident", "update", "{id}", "-s", "resolved"]),
    ("11:32", ["notify", "-i", "{id}", "-l", "all", "-f", "text"]),
    ("11:32", ["notify", "-i", "{id}", "--posted", "-f", "text"]),
]  # fmt: skip
INCIDENT = "2026-11-27-platnosci-karta-nie-przechodza"


def test_a_polish_first_incident_in_both_languages(tmp_path: Path, update_goldens: bool) -> None:
    plan = tmp_path / "incplan.yaml"
    plan.write_text(POLISH_FIRST.read_text(encoding="utf-8"), encoding="utf-8")
    transcript = []
    for clock, command in SCRIPT:
        args = [a.replace("{id}", INCIDENT) for a in command]
        code, out, err = run(*args, "--plan", str(plan), now=f"2026-11-27T{clock}:00+01:00")
        assert code == 0, err
        assert "warning" not in err  # no value falls back to the other language
        transcript.append(f"$ {clock} {shlex.join(['incplan', *args])}\n{out}")
    text = "\n".join(transcript).replace(str(plan), "incplan.yaml").replace(str(tmp_path), ".")
    if update_goldens:
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")

    # What the golden shows, checked by hand: names, values, times and durations per language.
    for pl, en in [
        ("[Krytyczny] Badamy problem. Usługa: płatności kartą", "[Critical] Investigating a problem. Service: card payments"),
        ("Objawy: odrzucone płatności.", "Symptoms: declined payments."),
        ("Czas trwania: 5 minut. Kolejna informacja do 27 lis 2026, 10:20 CET.", "Duration: 5 minutes. Next update by Nov 27, 2026, 10:20 CET."),
        ("Czas trwania: 22 minuty. Kolejna informacja do 27 lis 2026, 10:52 CET.", "Duration: 22 minutes. Next update by Nov 27, 2026, 10:52 CET."),
        ("Czas trwania: 1 godzina 1 minuta. Kolejna informacja do 27 lis 2026, 12:01 CET.", "Duration: 1 hour 1 minute. Next update by Nov 27, 2026, 12:01 CET."),
        ("Czas trwania: 1 godzina 32 minuty. Przepraszamy", "Duration: 1 hour 32 minutes. We apologize"),
        ("Rytm informacji dla klientów: 15 minut;", "Customer update cadence: 15 minutes;"),
        ("Rytm informacji dla klientów: 30 minut;", "Customer update cadence: 30 minutes;"),
        ("Rytm informacji dla klientów: 1 godzina;", "Customer update cadence: 1 hour;"),
        ("Początek: 27 lis 2026, 10:00 CET.", "Started: Nov 27, 2026, 10:00 CET."),
        ("Płatności BLIK działają normalnie.", "BLIK payments work normally."),
    ]:  # fmt: skip
        assert pl in text and en in text, (pl, en)
    # The status page's post joins both languages, Polish first; the record keeps each.
    record = (tmp_path / "incidents" / f"{INCIDENT}.yaml").read_text(encoding="utf-8")
    assert record.count("type: notified") == 12  # 4 stages x 3 channels
    assert record.count("channel: status_page, locale: pl, posted: true") == 4
    assert record.count("texts: {pl: {subject: '[Krytyczny]") == 4
    assert (
        'body: "Badamy problem. Usługa: płatności kartą. Objawy: odrzucone płatności.\\nPłatności BLIK działają'
        " normalnie.\\nCzas trwania: 5 minut." in record
    )


# ------------------------------------------------------------------ status, watch and reports in the reader's language


def _walked(tmp_path: Path, until: str) -> Path:
    """The Polish-first incident above, walked up to `until` (HH:MM)."""
    plan = tmp_path / "incplan.yaml"
    plan.write_text(POLISH_FIRST.read_text(encoding="utf-8"), encoding="utf-8")
    for clock, command in SCRIPT:
        if clock > until:
            break
        if "-l" in command:
            continue
        code, _, err = run(*[a.replace("{id}", INCIDENT) for a in command], "--plan", str(plan), now=f"2026-11-27T{clock}:00+01:00")  # fmt: skip
        assert code == 0, err
    return plan


def test_status_speaks_the_plans_first_language_or_the_chosen_one(tmp_path: Path) -> None:
    plan = _walked(tmp_path, "10:22")
    # 10:45: identified since 10:20 (25 min); last customer update 10:22; next due 10:22 + 30m = 10:52.
    args = ("incident", "status", INCIDENT, "--plan", str(plan))
    code, out, err = run(*args, now="2026-11-27T10:45:00+01:00")
    assert (code, err) == (0, "")
    assert out == (
        f"{INCIDENT}  Płatności kartą nie przechodzą\n"
        "  etap                              Przyczyna znana (od 2026-11-27 10:20 CET, 25 min)\n"
        "  poziom                            sev1 Krytyczny\n"
        "  otwarty                           2026-11-27 10:00 CET (45 min temu)\n"
        "  ostatnia informacja dla klientów  2026-11-27 10:22 CET (23 min temu)\n"
        "  kolejna informacja do             2026-11-27 10:52 CET (za 7 min)\n"
    )
    code, out, _ = run(*args, "-l", "en", now="2026-11-27T10:45:00+01:00")
    assert out == (
        f"{INCIDENT}  Płatności kartą nie przechodzą\n"
        "  stage                 Identified (since 2026-11-27 10:20 CET, 25m)\n"
        "  severity              sev1 Critical\n"
        "  opened                2026-11-27 10:00 CET (45m ago)\n"
        "  last customer update  2026-11-27 10:22 CET (23m ago)\n"
        "  next update due       2026-11-27 10:52 CET (in 7m)\n"
    )
    # 11:00, eight minutes late: 10:52 + 8 min.
    code, out, _ = run(*args, now="2026-11-27T11:00:00+01:00")
    assert "  kolejna informacja do             2026-11-27 10:52 CET: SPÓŹNIONA o 8 min\n" in out
    code, out, err = run(*args, "-l", "de")
    assert code == 2 and "unknown locale `de`" in err
    code, out, _ = run("incident", "status", "--plan", str(plan), "-l", "en", now="2026-11-27T12:00:00+01:00")
    assert "next update due" in out  # still open: every open incident, in English


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LC_ALL": "pl_PL.UTF-8"}, "pl"),
        ({"LC_MESSAGES": "pl_PL.UTF-8"}, "pl"),
        ({"LC_ALL": "pl"}, "pl"),
        ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "pl_PL.UTF-8"}, "en"),  # LC_ALL wins, and the plan has no `C`
        ({"LC_ALL": "de_DE.UTF-8"}, "en"),
        ({"LANG": "pl_PL.UTF-8"}, "en"),  # set by images whatever the reader speaks: not read
        ({}, "en"),
    ],
)
def test_the_terminal_message_language_picks_the_view_language(
    environ: dict[str, str], language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bilingual-sms is English first and speaks Polish."""
    plan = tmp_path / "incplan.yaml"
    plan.write_text(BILINGUAL_SMS.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("incident", "open", "--plan", str(plan), "-t", "Płatności", "-S", "sev1", now="2026-11-27T10:00:00+01:00")[0] == 0  # fmt: skip
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run("incident", "status", "--plan", str(plan), now="2026-11-27T10:05:00+01:00")
    assert code == 0
    assert (
        ("  poziom " in out and "Krytyczny" in out)
        if language == "pl"
        else ("  severity " in out and "Critical" in out)
    )
    code, out, _ = run("incident", "status", "--plan", str(plan), "-l", "en", now="2026-11-27T10:05:00+01:00")
    assert "  severity " in out  # --locale wins over the terminal


def test_spans_of_time_are_short_in_the_readers_words() -> None:
    from incplan.wording import span

    cases = [(45, "45s", "45 s"), (330, "5m30s", "5 min 30 s"), (3900, "1h05m", "1 h 5 min"), (3600, "1h00m", "1 h")]
    for seconds, en, pl in cases:
        assert (span(timedelta(seconds=seconds), "en"), span(timedelta(seconds=seconds), "pl")) == (en, pl)
    assert (span(None, "en"), span(None, "pl"), span(-180, "pl")) == ("n/a", "b.d.", "-3 min")


def test_watch_speaks_the_readers_language(tmp_path: Path) -> None:
    import os
    import sys

    import pexpect

    plan = _walked(tmp_path, "10:22")  # next customer update due 10:52
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", INCPLAN_NOW="2026-11-27T10:51:00+01:00", INCPLAN_CLOCK_STEP="30")
    child = pexpect.spawn(
        str(Path(sys.executable).parent / "incplan"), ["incident", "watch", "--interval", "0.2", "--plan", str(plan)],
        cwd=str(tmp_path), env=env, dimensions=(30, 160), encoding="utf-8", codec_errors="replace", timeout=30,
    )  # fmt: skip
    try:
        child.expect(re.escape("SPÓŹNIONA o 30 s"))  # 10:52:30
        screen = child.before + child.after
        child.expect(re.escape("termin minął 10:52 CET"))
        screen += child.before + child.after
        for shown in ("Płatnik: ", "otwarte incydenty", "q kończy", "etap, poziom", "ostatnia informacja", "Przyczyna znana od 3", "sev1 Krytyczny", "nikt nie przypisany", "30 min 30 s temu"):  # fmt: skip
            assert shown in screen, shown
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


# ------------------------------------------------------------------ incplan's own words in the chosen language

# The example incident's own text (typed by the responder) and the plan's ids are no words of
# incplan's: a Polish report may quote the English value given for `service@en`.
_TYPED = [a.split("=", 1)[1] for _, command in SCRIPT for a in command if "=" in a and "@" in a] + [
    "Płatności kartą nie przechodzą",
    "Płatności BLIK",
]
# code spans, template code, and tokens that are ids, handles, times or paths
_CODE = re.compile(r"`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|\S*[_@\d/]\S*")
_FENCE = re.compile(r"^(`{3,})text\n(?:\[(\w+)\] )?(.*?)^\1$", re.M | re.S)


def _prose(text: str, names: list[str], ids: list[str]) -> set[str]:
    """The words of incplan's output, without the plan's names, what a user typed, commands,
    addresses and ids: an id that is a plain word (`investigating`) only where it stands as a
    table cell of its own, as `show` prints the id under a name."""
    text = _URL.sub(" ", text)
    for name in sorted([*names, *_TYPED], key=len, reverse=True):
        text = text.replace(name, " ")
    text = _CODE.sub(" ", text)
    for ident in ids:
        text = re.sub(rf"(?<=│ ){re.escape(ident)}(?= *│)", " ", text)
    return {w.lower() for w in _WORD.findall(text)}


def _leaks(words: set[str], language: str) -> list[str]:
    """Words of the other language: English in a Polish text; Polish words or letters in an English one."""
    if language == "pl":
        return sorted(words & ENGLISH)
    return sorted((words & POLISH) | {w for w in words if POLISH_LETTERS.search(w)})


def _plan_ids(path: Path) -> list[str]:
    from incplan.plan.usable import load_for_use

    plan, _ = load_for_use(path)
    return [*plan.stages, *plan.channels, *plan.severities, *plan.roles, *plan.variables, "default"]


def _outputs(tmp_path: Path, language: str) -> dict[str, str]:
    """What people read from every command in `language`, for the Polish-first example: the plan's
    views and documents, a whole incident's reports, and what the incident commands say."""
    plan = _walked(tmp_path, "11:32")  # the script's incident, opened 10:00, resolved 11:30
    at = {"INCPLAN_NOW": "2026-11-27T12:00:00+01:00", "COLUMNS": "200"}
    reader = {**at, "LC_ALL": f"{language}_PL.UTF-8" if language == "pl" else "en_US.UTF-8"}
    p = ("--plan", str(plan))
    loc = ("-l", language)
    values = [a for a in SCRIPT[0][1] if a == "--var" or "=" in a][:8]  # service and impact in both languages
    commands: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
        "show": (("show", *loc, *p), at),
        "show sev1": (("show", "sev1", *loc, *p), at),
        "show sev2": (("show", "sev2", *loc, *p), at),
        "classify": (("classify", "-y", "payments_down", *loc, *p), at),
        "classify no": (
            ("classify", "-n", "data_exposed", "-n", "payments_down", "-n", "payments_degraded", *loc, *p),
            at,
        ),
        "export markdown": (("export", "-f", "markdown", *loc, *p), at),
        "export html": (("export", "-f", "html", *loc, *p), at),
        "report text": (("report", INCIDENT, "-f", "text", *loc, *p), at),
        "report markdown": (("report", INCIDENT, "-f", "markdown", *loc, *p), at),
        "report html": (("report", INCIDENT, "-f", "html", *loc, *p), at),
        "report --all text": (("report", "--all", "-f", "text", *loc, *p), at),
        "report --all markdown": (("report", "--all", "-f", "markdown", *loc, *p), at),
        "report --all html": (("report", "--all", "-f", "html", *loc, *p), at),
        "preview": (("preview", *loc, *p), at),
        "preview --out": (("preview", "--out", str(tmp_path / "preview"), *loc, *p), at),
        "list --all": (("incident", "list", "--all", *loc, *p), at),
        "open": (("incident", "open", "-t", "Płatności BLIK", "-S", "sev2", *values, *p), reader),
        "list": (("incident", "list", *loc, *p), at),
        "remind none": (("incident", "remind", *loc, *p), at),
        "update": (("incident", "update", "2026-11-27-platnosci-blik", "-s", "identified", *p), reader),
        "assign": (("incident", "assign", "2026-11-27-platnosci-blik", "tech_lead", "@marek", *p), reader),
        "remind": (("incident", "remind", "--within", "2h", *loc, *p), at),
        "status": (("incident", "status", *loc, *p), at),
        "notify --posted": (("notify", "-i", "2026-11-27-platnosci-blik", "--posted", *p), reader),
    }
    out = {}
    for name, (args, env) in commands.items():
        result = runner.invoke(app, ["--color", "never", *args], env=env)
        assert result.exit_code == 0, (name, result.stderr)
        # notify prints the messages (the plan's words, tested above): its own line is on stderr
        out[name] = result.stderr if name.startswith("notify") else result.stdout + result.stderr
    return out


def _checked_texts(name: str, text: str, language: str) -> list[tuple[str, str]]:
    """(language, text) pieces of an output: HTML text by the `lang` each element has (`<code>`
    and styles left out); a Markdown export's message templates by their `[locale]` marker; the
    texts a report quotes as they went out left out (a joined post speaks both)."""
    if "html" in name:
        from .strict_html import parse_html

        root = parse_html(text)
        assert root.get("lang") == language, f"{name}: <html lang={root.get('lang')}>"
        pieces: list[tuple[str, str]] = []

        def walk_text(element: Any, lang: str) -> None:
            lang = element.get("lang", lang)
            tag = element.tag.rsplit("}", 1)[-1]
            if tag not in ("style", "code", "script"):
                pieces.append((lang, element.text or ""))
                for child in element:
                    walk_text(child, lang)
                    pieces.append((lang, child.tail or ""))

        walk_text(root, language)
        return pieces
    if name == "export markdown":
        pieces = []
        for _, marker, body in _FENCE.findall(text):
            pieces.append((marker or language, body))
        return [*pieces, (language, _FENCE.sub(" ", text))]
    if name == "report text":  # quoted messages are indented under their heading
        return [(language, "\n".join(line for line in text.splitlines() if not line.startswith("    ")))]
    if name == "report markdown":
        return [(language, "\n".join(line for line in text.splitlines() if not line.startswith(">")))]
    return [(language, text)]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_incplans_own_words_speak_the_chosen_language(language: str, tmp_path: Path) -> None:
    """show, classify, export (Markdown and HTML), report (one incident and --all, each format),
    preview, incident list, remind, status, the lines a write command prints and its `next:`:
    in Polish no English word from the list, in English no Polish word or letter, except the
    plan's own names and ids and what a responder typed. HTML is checked by each element's
    `lang`: a text in another language than the page's (an untranslated name, a message
    template) must say so."""
    names = [*_proper_names(POLISH_FIRST), "bramka płatności Płatnik"]
    ids = _plan_ids(POLISH_FIRST)
    outputs = _outputs(tmp_path, language)
    assert len(outputs) == 24
    for name, text in outputs.items():
        for lang, piece in _checked_texts(name, text, language):
            leaked = _leaks(_prose(piece, names, ids), lang)
            assert not leaked, f"{name} ({lang}): {leaked}\n{piece}"


def test_the_polish_views_read_as_written(tmp_path: Path) -> None:
    """A few whole lines of the Polish outputs, checked by hand: plural forms, cases, spans."""
    out = _outputs(tmp_path, "pl")
    assert out["show sev1"].splitlines()[:3] == [
        "sev1: Krytyczny",
        "Większość płatności nie przechodzi albo dane zostały ujawnione.",
        "Pierwsza informacja dla klientów w ciągu 10 min; kolejne co 15 min (Badamy), co 30 min (Przyczyna znana),"
        " co 1 h (Obserwujemy).",
    ]
    assert out["classify"].startswith("Incydent: sev1 („tak” na pytanie: Czy większość płatności kończy się błędem?)\n")
    assert "Kogo wezwać" in out["classify"] and "Pierwsza wiadomość:\n" in out["classify"]
    assert out["classify no"].startswith("To nie jest incydent.\nIncydent to: Nieplanowane zdarzenie")
    # Opened 10:00, first update 10:05 (5 min, target 10 min); resolved 11:30 (1 h 30 min). Each
    # update is due one cadence after the one before: 10:05 + 15 min (investigating) = 10:20,
    # posted 10:22 (2 min late); 10:22 + 30 min (identified) = 10:52, posted 11:01 (9 min late).
    summary = out["report text"].split("\n\nNajważniejsze chwile")[0]
    assert summary.splitlines()[4:] == [
        "  Otwarty: 2026-11-27 10:00 CET",
        "  Rozwiązany: 2026-11-27 11:30 CET",
        "  Czas do rozwiązania: 1 h 30 min",
        "  Pierwsza informacja dla klientów po 5 min (cel: 10 min): w terminie",
        "  Rytm informacji: 2 spóźnione informacje",
    ]
    assert "  termin 2026-11-27 10:20 CET, publikacja: 2026-11-27 10:22 CET, spóźnienie: 2 min\n" in out["report text"]
    assert "  2026-11-27 10:05 CET · Badamy · Strona statusu (opublikowana ręcznie)\n" in out["report text"]
    assert "  2026-11-27 10:00 CET  Otwarcie: sev1, Badamy\n" in out["report text"]
    assert out["report --all text"].startswith(
        "Incydenty otwarte od pierwszego zapisu do teraz: 1\n  według poziomu: sev1 1, sev2 0\n"
    )
    # the label agrees with the number beside it: 2 spóźnione, 12 zapisanych (4 stages x 3 channels), 1 incydent
    assert '<b class="bad">2</b><span>spóźnione informacje dla klientów</span>' in out["report html"]
    assert "<b>12</b><span>zapisanych wiadomości</span>" in out["report html"]
    assert "<b>1</b><span>incydent</span>" in out["report --all html"]
    assert out["open"].startswith("otwarto 2026-11-27-platnosci-blik (")
    assert "\ndalej: incplan notify -i 2026-11-27-platnosci-blik --plan " in out["open"]
    assert out["update"].startswith("2026-11-27-platnosci-blik: Przyczyna znana, sev2\ndalej: incplan notify")
    assert out["assign"] == "2026-11-27-platnosci-blik: Lider techniczny: @marek\n"
    assert "zapisano 2 wiadomości jako opublikowane w incydencie 2026-11-27-platnosci-blik\n" in out["notify --posted"]
    assert out["remind none"] == "w ciągu 5 min nie przypada żadna informacja dla klientów\n"
    assert out["list --all"] == f"{INCIDENT}  sev1  rozwiązany  2026-11-27 10:00 CET  Płatności kartą nie przechodzą\n"
    assert "zapisano 12 wiadomości w katalogu " in out["preview --out"]  # -l pl: the Polish 12 of the 24


def test_phrases_with_a_number_take_the_languages_plural_form() -> None:
    """CLDR's categories through Babel: pl 1 one; 2-4, 22-24 few; 0, 5-21, 25, 112 many."""
    from incplan.wording import words

    pl, en = words("pl"), words("en")
    late = {n: pl.count("judged.late_updates", n) for n in (0, 1, 2, 4, 5, 12, 21, 22, 25, 112)}
    assert late == {
        0: "0 spóźnionych informacji",
        1: "1 spóźniona informacja",
        2: "2 spóźnione informacje",
        4: "4 spóźnione informacje",
        5: "5 spóźnionych informacji",
        12: "12 spóźnionych informacji",
        21: "21 spóźnionych informacji",
        22: "22 spóźnione informacje",
        25: "25 spóźnionych informacji",
        112: "112 spóźnionych informacji",
    }
    assert pl.count("judged.late_updates", 1002).endswith(" spóźnione informacje")
    assert pl.count("measure.characters", 12345) == "12\xa0345 znaków"  # CLDR's Polish grouping
    assert [pl.count("measure.segments", n) for n in (1, 3, 5)] == [
        "1 segment SMS",
        "3 segmenty SMS",
        "5 segmentów SMS",
    ]
    assert [en.count("judged.late_updates", n) for n in (0, 1, 2)] == [
        "0 late updates",
        "1 late update",
        "2 late updates",
    ]
    assert en.count("measure.characters", 1234) == "1,234 characters"
    # a language incplan has no words for reads English, with English plural rules
    assert words("de").count("judged.late_updates", 2) == "2 late updates" and words("de")["status.stage"] == "stage"


def test_every_language_has_every_word() -> None:
    """Each catalogue has every key of the English one, the same `{fields}`, and every plural
    category its language uses (Babel's CLDR data: pl one, few, many, other)."""
    import string

    from babel import Locale

    from incplan.wording import SPOKEN, en
    from incplan.wording import pl as polish

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for module in (polish,):
        assert set(module.WORDS) == set(en.WORDS) | {k for k in module.WORDS if k.split(".")[0] in ("type", "audience")}
        for key, text in en.WORDS.items():
            assert fields(module.WORDS[key]) <= fields(text) | {"span"}, key
        assert set(module.COUNTS) == set(en.COUNTS)
        categories = set(Locale.parse("pl").plural_form.tags) | {"other"}
        for key, forms in module.COUNTS.items():
            assert set(forms) == categories, key
            assert all(fields(form) == fields(en.COUNTS[key]["other"]) for form in forms.values()), key
    assert SPOKEN == ("en", "pl")


def test_the_readme_shows_the_polish_playbook_as_printed() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "incplan show sev1 --plan examples/polish-first.yaml | head -3"
    block = readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    code, out, _ = run("show", "sev1", "--plan", str(POLISH_FIRST))
    assert code == 0
    assert block == "".join(out.splitlines(keepends=True)[:3])


def _plan_views(path: Path, language: str) -> dict[str, str]:
    """What `show` (every section and each severity's playbook), `classify` (an incident and
    not one), `export` and `preview` print for `path` in `language`."""
    from incplan.plan.usable import load_for_use

    plan, _ = load_for_use(path)
    env = {"INCPLAN_NOW": "2026-11-27T10:17:00+01:00", "COLUMNS": "200"}
    p = ("--plan", str(path), "-l", language)
    first = plan.definition.criteria[0].id
    every_no = [a for c in plan.definition.criteria for a in ("-n", c.id)]
    commands: dict[str, tuple[str, ...]] = {
        "show": ("show", *p),
        **{f"show {sev}": ("show", sev, *p) for sev in plan.severities},
        "classify": ("classify", "-y", first, *p),
        "classify no": ("classify", *every_no, *p),
        "export markdown": ("export", "-f", "markdown", *p),
        "export html": ("export", "-f", "html", *p),
        "preview": ("preview", *p),
    }
    out = {}
    for name, args in commands.items():
        result = runner.invoke(app, ["--color", "never", *args], env=env)
        assert result.exit_code == 0, (name, result.stderr)
        out[name] = result.stdout + result.stderr
    return out


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("which", ["bilingual-sms", "init-pl-en"])
def test_every_plan_view_speaks_each_declared_locale(which: str, language: str, tmp_path: Path) -> None:
    """The English-first example and a fresh `init --locale pl --locale en` plan, in each of
    their languages: show, classify, export and preview hold no word of the other language
    (HTML by each element's `lang`), beyond the plan's names and ids."""
    path = BILINGUAL_SMS if which == "bilingual-sms" else _init_pl_en(tmp_path)
    from incplan.plan.usable import load_for_use

    plan, _ = load_for_use(path)
    names = [*_proper_names(path), *([plan.organization.product] if plan.organization.product else [])]
    ids = _plan_ids(path)
    for name, text in _plan_views(path, language).items():
        for lang, piece in _checked_texts(name, text, language):
            leaked = _leaks(_prose(piece, names, ids), lang)
            assert not leaked, f"{which} {name} ({lang}): {leaked}\n{piece}"


def test_the_export_marks_a_name_left_in_the_first_language(tmp_path: Path) -> None:
    """A name without a translation stands in the plan's first language (SPEC 2): the English
    page marks it `lang="pl"`, and what is translated stays unmarked."""
    from .strict_html import parse_html, text_of

    path = _init_pl_en(tmp_path)
    text = path.read_text(encoding="utf-8")
    role = "Koordynator komunikacji"
    # drop the English name of one role (its responsibilities stay translated)
    assert text.count('en: {name: "Communications Lead", ') == 1
    path.write_text(text.replace('en: {name: "Communications Lead", ', "en: {"), encoding="utf-8")
    code, out, err = run("export", "-f", "html", "-l", "en", "--plan", str(path))
    assert code == 0, err
    root = parse_html(out)
    marked = [e for e in root.iter() if e.get("lang") == "pl" and text_of(e).strip() == role]
    assert marked, "the untranslated role name is not marked lang=pl"
    names, ids = _proper_names(path), _plan_ids(path)
    for lang, piece in _checked_texts("export html", out, "en"):
        assert not _leaks(_prose(piece, names, ids), lang), piece
