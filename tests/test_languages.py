"""Every language, all the way: slugs, scaffold text, localized times, translated names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app
from incplan.incidents.ids import slugify
from incplan.wording import words

from .conftest import ROOT

runner = CliRunner()


def run(*args: str, now: str | None = None) -> tuple[int, str, str]:
    env = {"INCPLAN_NOW": now} if now else {}
    result = runner.invoke(app, ["--color", "never", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Płatności nie przechodzą", "platnosci-nie-przechodza"),
        ("Zażółć gęślą jaźń", "zazolc-gesla-jazn"),
        ("Платежи не проходят", "platezhi-ne-prokhodiat"),
        ("Πληρωμές αποτυγχάνουν", "pleromes-apotugkhanoun"),
        ("支付失败", "zhi-fu-shi-bai"),
        ("Ärger über Straße", "arger-uber-strasse"),
        ("API: 5xx on /v1/orders!!", "api-5xx-on-v1-orders"),
        ("🔥🔥🔥", "incident"),
        ("   ", "incident"),
        # Cut at a word boundary, never mid-word.
        (
            "Checkout errors for customers paying with cards issued outside the EU",
            "checkout-errors-for-customers-paying-with-cards",
        ),
        ("x" * 60, "x" * 48),
    ],
)
def test_slug_is_ascii_and_readable(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_incident_id_transliterates_a_polish_title(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(
        "incident", "open", "--title", "Płatności nie przechodzą", "--severity", "sev2", now="2026-11-27T10:17:00+01:00"
    )
    assert code == 0, err
    assert (tmp_path / "incidents/2026-11-27-platnosci-nie-przechodza.yaml").is_file()
    code, _, err = run("incident", "open", "--title", "Платежи не проходят", "--severity", "sev2")
    assert code == 0, err
    assert (tmp_path / "incidents/2026-11-27-platezhi-ne-prokhodiat.yaml").is_file()


# ------------------------------------------------------------------ scaffold content

CONTENT = ROOT / "src/incplan/scaffold/content"


def _leaves(node: object, path: str = "") -> list[tuple[str, object, object, object]]:
    """(path, value, parent, key) for every scalar of a round-trip-loaded document."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out: list[tuple[str, object, object, object]] = []
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            out += (
                _leaves(value, f"{path}.{key}")
                if isinstance(value, CommentedMap | CommentedSeq)
                else [(f"{path}.{key}", value, node, key)]
            )
    elif isinstance(node, CommentedSeq):
        for i, value in enumerate(node):
            out += (
                _leaves(value, f"{path}[{i}]")
                if isinstance(value, CommentedMap | CommentedSeq)
                else [(f"{path}[{i}]", value, node, i)]
            )
    return out


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_every_scaffold_string_is_loaded_as_written(locale: str) -> None:
    """A one-line string must load as the whole text its line holds: a comma in a flow mapping
    once cut "Wiemy, że coś nie działa, i szukamy przyczyny." down to "Wiemy"."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    source = (CONTENT / f"{locale}.yaml").read_text(encoding="utf-8")
    lines = source.split("\n")
    data = YAML().load(source)
    checked = 0
    for path, value, parent, key in _leaves(data):
        assert isinstance(value, str) and value.strip(), f"{locale}.yaml{path} is {value!r}, not text"
        assert isinstance(parent, CommentedMap | CommentedSeq)
        assert not parent.fa.flow_style(), f"{locale}.yaml{path}: write it in block style, not inside {{...}} or [...]"
        line, col = parent.lc.value(key) if isinstance(parent, CommentedMap) else parent.lc.item(key)
        raw = lines[line][col:]
        if raw[:1] in "|>":
            continue  # block scalars span lines; a comma cannot end them
        if raw.startswith('"'):
            raw = raw[1 : raw.rindex('"')].replace('\\"', '"')
        else:
            raw = raw.split(" #", 1)[0].rstrip()
        assert value == raw, f"{locale}.yaml{path} loads as {value!r} but its line says {raw!r}"
        checked += 1
    assert checked > 80


def test_both_scaffold_languages_have_the_same_strings() -> None:
    from ruamel.yaml import YAML

    shapes = {}
    for locale in ("en", "pl"):
        data = YAML().load((CONTENT / f"{locale}.yaml").read_text(encoding="utf-8"))
        shapes[locale] = {path.split("[")[0] for path, *_ in _leaves(data)}
    assert shapes["en"] == shapes["pl"]


@pytest.mark.parametrize(
    "intended",
    [
        'description: "Wiemy, że coś nie działa, i szukamy przyczyny."',
        'description: "Poprawka jest wdrożona, obserwujemy powrót do normy."',
        'description: "Publikujemy, co się stało i co zmieniamy."',
        'description: "Usługa, której dotyczy incydent, słowami klientów, w mianowniku (np. „publiczne API”)"',
        'description: "Co klienci mogą zrobić w międzyczasie (puste, gdy nic)"',
    ],
)
def test_init_writes_whole_polish_sentences(intended: str, tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    assert run("init", str(target), "--locale", "pl")[0] == 0
    assert intended in target.read_text(encoding="utf-8")


def test_init_comments_speak_the_first_locale(tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    assert run("init", str(target), "--locale", "pl", "--locale", "en")[0] == 0
    comments = [line for line in target.read_text(encoding="utf-8").split("\n") if line.lstrip().startswith("#")]
    assert "# 1. CZYM JEST INCYDENT" in comments
    assert "# 3. KANAŁY KOMUNIKACJI" in comments
    assert not [c for c in comments if "DEFINING" in c or "Who we are" in c]


# ------------------------------------------------------------------ localized times and durations

TIMES_PLAN = """\
version: 1
organization:
  name: Kubik
  timezone: Europe/Warsaw
  locales: [pl, en]
  {time_format}
definition:
  incident: Zdarzenie.
severities:
  sev1:
    name: Krytyczny
    first_update_within: 10m
    update_every: {{investigating: 1h30m}}
    channels: [status_page]
    translations:
      en: {{name: Critical}}
channels:
  status_page:
    name: Strona statusu
    type: status_page
    audience: customers
    translations:
      en: {{name: Status page}}
stages:
  investigating:
    name: Badamy
    translations:
      en: {{name: Investigating}}
templates:
  investigating:
    status_page:
      subject: "[{{{{ severity.name }}}}] {{{{ stage.name }}}} ({{{{ channel.name }}}})"
      body: |
        {{{{ now }}}} | {{{{ next_update }}}} | {{{{ incident.started_at | date }}}} | {{{{ next_update | time }}}}
        {{{{ now | datetime('long') }}}} | {{{{ now | datetime('EEEE, HH:mm') }}}} | {{{{ now | datetime('iso') }}}}
        {{{{ severity.update_every }}}} | {{{{ severity.first_update_within }}}} | {{{{ incident.duration }}}}
        {{{{ "1m" | duration }}}} | {{{{ "2m" | duration }}}} | {{{{ "5m" | duration }}}} | {{{{ "22m" | duration }}}} | {{{{ 3600 | duration }}}}
      translations:
        en:
          subject: "[{{{{ severity.name }}}}] {{{{ stage.name }}}} ({{{{ channel.name }}}})"
          body: |
            {{{{ now }}}} | {{{{ next_update }}}} | {{{{ incident.started_at | date }}}} | {{{{ next_update | time }}}}
            {{{{ now | datetime('long') }}}} | {{{{ now | datetime('EEEE, HH:mm') }}}} | {{{{ now | datetime('iso') }}}}
            {{{{ severity.update_every }}}} | {{{{ severity.first_update_within }}}} | {{{{ incident.duration }}}}
            {{{{ "1m" | duration }}}} | {{{{ "2m" | duration }}}} | {{{{ "5m" | duration }}}} | {{{{ "22m" | duration }}}} | {{{{ 3600 | duration }}}}
"""


def _times_plan(tmp_path: Path, time_format: str = "") -> str:
    path = tmp_path / "incplan.yaml"
    path.write_text(TIMES_PLAN.format(time_format=time_format), encoding="utf-8")
    return str(path)


def _render(plan: str, locale: str) -> str:
    code, out, err = run("notify", "--plan", plan, "--stage", "investigating", "--severity", "sev1", "--title", "X", "--locale", locale, "--format", "text", now="2026-11-27T09:17:00+00:00")  # fmt: skip
    assert (code, err) == (0, ""), err
    return out


def test_times_names_and_durations_speak_the_message_language(tmp_path: Path) -> None:
    plan = _times_plan(tmp_path)
    assert _render(plan, "pl") == (
        "[Krytyczny] Badamy (Strona statusu)\n\n"
        "27 lis 2026, 10:17 CET | 27 lis 2026, 11:47 CET | 27 lis 2026 | 11:47 CET\n"
        "27 listopada 2026 10:17 CET | piątek, 10:17 | 2026-11-27 10:17 CET\n"
        "1 godzina 30 minut | 10 minut | 0 sekund\n"
        "1 minuta | 2 minuty | 5 minut | 22 minuty | 1 godzina\n"
    )
    assert _render(plan, "en") == (
        "[Critical] Investigating (Status page)\n\n"
        "Nov 27, 2026, 10:17 CET | Nov 27, 2026, 11:47 CET | Nov 27, 2026 | 11:47 CET\n"
        "November 27, 2026, 10:17 CET | Friday, 10:17 | 2026-11-27 10:17 CET\n"
        "1 hour 30 minutes | 10 minutes | 0 seconds\n"
        "1 minute | 2 minutes | 5 minutes | 22 minutes | 1 hour\n"
    )


@pytest.mark.parametrize(
    ("time_format", "pl", "en"),
    [
        ("short", "27.11.2026, 10:17 CET", "11/27/26, 10:17 CET"),
        ("medium", "27 lis 2026, 10:17 CET", "Nov 27, 2026, 10:17 CET"),
        ("long", "27 listopada 2026 10:17 CET", "November 27, 2026, 10:17 CET"),
        ("iso", "2026-11-27 10:17 CET", "2026-11-27 10:17 CET"),
        ("'d MMMM y, HH:mm'", "27 listopada 2026, 10:17", "27 November 2026, 10:17"),
    ],
)
def test_organization_time_format(time_format: str, pl: str, en: str, tmp_path: Path) -> None:
    plan = _times_plan(tmp_path, f"time_format: {time_format}")
    assert _render(plan, "pl").split("\n")[2].split(" | ")[0] == pl
    assert _render(plan, "en").split("\n")[2].split(" | ")[0] == en


def test_a_bad_time_format_is_a_plan_error(tmp_path: Path) -> None:
    plan = _times_plan(tmp_path, "time_format: '...'")
    code, out, _ = run("check", plan)
    assert code == 1
    assert "`...` is neither short, medium, long, iso nor a CLDR date pattern" in out


# ------------------------------------------------------------------ translated names, values per locale


def test_init_pl_en_renders_every_message_in_both_languages(tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    assert run("init", str(target), "--locale", "pl", "--locale", "en", "--timezone", "Europe/Warsaw")[0] == 0
    # Only the placeholder people stand between a new plan and `check --strict`.
    code, out, _ = run("check", str(target), "--strict", "--ignore", "placeholder")
    assert code == 0, out
    for locale, leak in (("pl", "Critical"), ("en", "Krytyczny")):
        for stage in ("investigating", "identified", "monitoring", "resolved", "postmortem"):
            code, out, err = run("notify", "--plan", str(target), "--stage", stage, "--severity", "sev1", "--example", "--locale", locale, "--format", "text")  # fmt: skip
            assert (code, err) == (0, ""), err
            assert leak not in out


def test_per_locale_values_and_the_fallback_is_said(tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    assert run("init", str(target), "--locale", "pl", "--locale", "en")[0] == 0
    args = ["notify", "--plan", str(target), "--stage", "investigating", "--severity", "sev1", "--channel", "status_page", "--format", "text", "--var", "service=API"]  # fmt: skip
    code, out, err = run(
        *args, "--var", "impact@pl=błędy płatności", "--var", "impact@en=payment errors", "--locale", "en"
    )
    assert (code, err) == (0, "")
    assert "payment errors" in out and "błędy" not in out
    code, out, err = run(*args, "--var", "impact@pl=błędy płatności", "--locale", "en")
    assert code == 0
    assert "błędy płatności" in out
    assert (
        err
        == "warning: `impact` has no `en` value; the `en` messages use the `pl` one (give it with --var impact@en=...)\n"
    )
    code, _, err = run(*args, "--var", "impact@de=Fehler")
    assert code == 2
    assert "unknown locale `de`" in err


def test_show_and_export_speak_the_chosen_locale(tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    assert run("init", str(target), "--locale", "pl", "--locale", "en")[0] == 0
    code, out, _ = run("show", "--plan", str(target), "severities", "--locale", "en")
    assert code == 0
    assert "Critical" in out and "Krytyczny" not in out
    code, out, _ = run("export", "--plan", str(target), "--format", "html", "--locale", "en")
    assert code == 0
    assert '<html lang="en">' in out
    assert '<pre lang="pl">' in out and '<pre lang="en">' in out
    code, _, _ = run("show", "--plan", str(target), "--locale", "de")
    assert code == 2


# ------------------------------------------------------------------ values per locale in files and records

VALUES_PLAN = """\
version: 1
organization:
  name: Kubik
  timezone: Europe/Warsaw
  locales: [pl, en]
definition:
  incident: Zdarzenie.
severities:
  sev1:
    name: Krytyczny
    first_update_within: 10m
    update_every: 30m
    channels: [status_page]
channels:
  status_page:
    name: Strona statusu
    type: status_page
    audience: customers
stages:
  investigating: {name: Badamy}
  resolved: {name: Rozwiązane, final: true}
variables:
  impact:
    description: Czego doświadczają klienci
templates:
  investigating:
    status_page:
      body: "Objawy: {{ impact }}."
      translations:
        en: "Symptoms: {{ impact }}."
  resolved:
    status_page:
      body: "Rozwiązane: {{ impact }}."
      translations:
        en: "Resolved: {{ impact }}."
"""


def _values_plan(tmp_path: Path) -> str:
    path = tmp_path / "incplan.yaml"
    path.write_text(VALUES_PLAN, encoding="utf-8")
    return str(path)


def _both(*args: str) -> tuple[str, str, str]:
    """The Polish and the English message, and the warnings on stderr."""
    texts, errs = [], ""
    for locale in ("pl", "en"):
        code, out, err = run("notify", *args, "--locale", locale, "--format", "text")
        assert code == 0, err
        texts.append(out)
        hints = tuple(words(lang)["done.record_posted"].split("{")[0] for lang in ("en", "pl"))  # `once posted, ...`
        errs += "".join(line for line in err.splitlines(keepends=True) if not line.startswith(hints))
    return texts[0], texts[1], errs


def test_a_vars_file_gives_a_value_per_locale(tmp_path: Path) -> None:
    plan = _values_plan(tmp_path)
    values = tmp_path / "vars.yaml"
    values.write_text("impact: {pl: błędy płatności, en: payment errors}\n", encoding="utf-8")
    args = ("--plan", plan, "-s", "investigating", "-S", "sev1", "--vars", str(values))
    assert _both(*args) == ("Objawy: błędy płatności.\n", "Symptoms: payment errors.\n", "")
    # A later --var for one locale changes that locale only ...
    assert _both(*args, "--var", "impact@en=card errors") == (
        "Objawy: błędy płatności.\n",
        "Symptoms: card errors.\n",
        "",
    )
    # ... and a plain --var sets every locale, over the file's per-locale values.
    assert _both(*args, "--var", "impact=HTTP 500") == ("Objawy: HTTP 500.\n", "Symptoms: HTTP 500.\n", "")
    values.write_text('{"impact": {"pl": "błędy płatności"}}\n', encoding="utf-8")
    assert _both(*args) == (
        "Objawy: błędy płatności.\n",
        "Symptoms: błędy płatności.\n",
        "warning: `impact` has no `en` value; the `en` messages use the `pl` one (give it with --var impact@en=...)\n",
    )


def _record(tmp_path: Path, incident: str) -> str:
    return (tmp_path / "incidents" / f"{incident}.yaml").read_text(encoding="utf-8")


def test_incident_records_keep_values_per_locale(tmp_path: Path) -> None:
    plan = _values_plan(tmp_path)
    incident = "2026-11-27-platnosci"
    code, _, err = run("incident", "open", "--plan", plan, "-t", "Płatności", "-S", "sev1", "--var", "impact@pl=błędy płatności", "--var", "impact@en=payment errors", now="2026-11-27T10:00:00+01:00")  # fmt: skip
    assert code == 0, err
    assert (
        "- {at: '2026-11-27T10:00:00+01:00', type: variables, values: {impact: {pl: błędy płatności, en: payment errors}}}\n"
        in _record(tmp_path, incident)
    )
    args = ("--plan", plan, "-i", incident)
    assert _both(*args) == ("Objawy: błędy płatności.\n", "Symptoms: payment errors.\n", "")

    # One locale changes, the other keeps its value.
    assert run("incident", "update", incident, "--plan", plan, "--var", "impact@en=card errors")[0] == 0
    assert "values: {impact: {en: card errors}}}\n" in _record(tmp_path, incident)
    assert _both(*args) == ("Objawy: błędy płatności.\n", "Symptoms: card errors.\n", "")

    # A plain value sets every locale; with a per-locale one beside it, the record says both.
    assert run("incident", "update", incident, "--plan", plan, "--var", "impact=HTTP 500")[0] == 0
    assert _both(*args) == ("Objawy: HTTP 500.\n", "Symptoms: HTTP 500.\n", "")
    code, _, err = run("incident", "update", incident, "--plan", plan, "--var", "impact=timeouts", "--var", "impact@pl=przekroczenia czasu")  # fmt: skip
    assert code == 0, err
    assert "values: {impact: {pl: przekroczenia czasu, en: timeouts}}}\n" in _record(tmp_path, incident)
    assert _both(*args) == ("Objawy: przekroczenia czasu.\n", "Symptoms: timeouts.\n", "")

    # notify's own --var goes over the record the same way.
    assert _both(*args, "--var", "impact@en=slow pages") == (
        "Objawy: przekroczenia czasu.\n",
        "Symptoms: slow pages.\n",
        "",
    )

    # The report's timeline says which locale each value was for (in the plan's first language,
    # or the one asked for).
    code, out, _ = run("report", incident, "--plan", plan, "-f", "markdown")
    assert code == 0
    assert "Ustawiono: impact@pl = błędy płatności, impact@en = payment errors" in out
    assert "Ustawiono: impact@pl = przekroczenia czasu, impact@en = timeouts" in out
    code, out, _ = run("report", incident, "--plan", plan, "-f", "markdown", "-l", "en")
    assert code == 0
    assert "Set impact@pl = przekroczenia czasu, impact@en = timeouts" in out


def test_a_record_edited_by_hand_may_map_values_to_locales(tmp_path: Path) -> None:
    plan = _values_plan(tmp_path)
    incident = "2026-11-27-x"
    assert run("incident", "open", "--plan", plan, "-t", "X", "-S", "sev1", now="2026-11-27T10:00:00+01:00")[0] == 0
    path = tmp_path / "incidents" / f"{incident}.yaml"
    with path.open("a", encoding="utf-8") as f:
        f.write(
            "# Ola, 10:05\n- at: 2026-11-27T10:05:00+01:00\n  type: variables\n  values:\n    impact:\n      pl: brak logowania\n"
        )
    assert _both("--plan", plan, "-i", incident) == (
        "Objawy: brak logowania.\n",
        "Symptoms: brak logowania.\n",
        "warning: `impact` has no `en` value; the `en` messages use the `pl` one (give it with --var impact@en=...)\n",
    )
    path.write_text(path.read_text(encoding="utf-8").replace("      pl: brak", "      polski: brak"), encoding="utf-8")
    code, _, err = run("notify", "--plan", plan, "-i", incident)
    assert code in (1, 2)
    assert "polski" in err and "is not a locale tag" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("impact: {pl: {deep: x}}\n", "error: {file}: variable `impact` in `pl` must be text, not dict\n"),
        ("impact: {pl: [a, b]}\n", "error: {file}: variable `impact` in `pl` must be text, not list\n"),
        (
            "impact: [a, b]\n",
            "error: {file}: variable `impact` must be text or a mapping of locales to texts, not list\n",
        ),
        ('impact: {"pl\\e[31m": x}\n', "error: {file}:1:1: control character U+001B is not allowed in a plan\n"),
        ("impact: {'pl; rm -rf /': x}\n", "error: {file}: variable `impact` maps something that is not a locale tag\n"),
        ("impact: {'[bold]': x}\n", "error: {file}: variable `impact` maps something that is not a locale tag\n"),
        ("impact: {de: Fehler}\n", "error: unknown locale `de`\n"),
    ],
)
def test_a_bad_vars_mapping_is_one_clear_error(content: str, says: str, tmp_path: Path) -> None:
    plan = _values_plan(tmp_path)
    values = tmp_path / "vars.yaml"
    values.write_text(content, encoding="utf-8")
    code, out, err = run("notify", "--plan", plan, "-s", "investigating", "-S", "sev1", "--vars", str(values))
    assert (code, out) == (2, "")
    assert err.startswith(says.format(file=values))
    assert "\x1b" not in err and "hint: " in err


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        (
            "[bold]",
            "error: the locale after `impact@` is not a locale tag\n  hint: write it like --var impact@pl=...\n",
        ),
        (
            "pl\udcff",
            "error: the locale after `impact@` is not a locale tag\n  hint: write it like --var impact@pl=...\n",
        ),
        ("PL", "error: the locale after `impact@` is not a locale tag\n  hint: write it like --var impact@pl=...\n"),
        ("", "error: the locale after `impact@` is not a locale tag\n  hint: write it like --var impact@pl=...\n"),
        (
            "\x1b[31mpl",
            "error: --var holds the control character U+001B (ESC), which is not allowed in text\n"
            "  hint: type it without control characters or terminal escapes\n",
        ),
    ],
)
def test_a_var_locale_that_is_no_locale_tag_is_refused_unechoed(locale: str, says: str, tmp_path: Path) -> None:
    plan = _values_plan(tmp_path)
    for command in (
        ["notify", "-s", "investigating", "-S", "sev1"],
        ["incident", "open", "-t", "X", "-S", "sev1"],
    ):
        code, out, err = run(*command, "--plan", plan, "--var", f"impact@{locale}=x")
        assert (code, out, err) == (2, "", says)
    assert not (tmp_path / "incidents").exists()


# ------------------------------------------------------------------ channels posting in several languages

CHANNELS_PLAN = """\
version: 1
organization:
  name: Kubik
  timezone: Europe/Warsaw
  locales: [pl, en]
definition:
  incident: Zdarzenie.
severities:
  sev1:
    name: Krytyczny
    first_update_within: 10m
    update_every: 30m
    channels: [status_page, sms, chat_en, chat]
    translations:
      en: {name: Critical}
channels:
  status_page:
    name: Strona statusu
    type: status_page
    audience: customers
    locales: [en, pl]  # listed English first: the post still starts with the default locale
  sms:
    name: SMS
    type: sms
    audience: customers
    locales: [pl, en, pl]
    locale_separator: " / "
  chat_en:
    name: Chat (English)
    type: chat
    audience: internal
    locales: [en]
    delivery: {kind: slack, webhook_url_env: CHAT_EN_WEBHOOK}
  chat:
    name: Czat
    type: chat
    audience: internal
stages:
  investigating: {name: Badamy, translations: {en: {name: Investigating}}}
  resolved: {name: Rozwiązane, final: true}
variables:
  impact:
    description: Czego doświadczają klienci
    example: {pl: błędy płatności, en: payment errors}
templates:
  investigating:
    status_page:
      subject: "[{{ severity.name }}] {{ stage.name }}"
      body: "Objawy: {{ impact }}."
      translations:
        en: {subject: "[{{ severity.name }}] {{ stage.name }}", body: "Symptoms: {{ impact }}."}
    sms:
      body: "Kubik: {{ impact }}"
      translations:
        en: "Kubik: {{ impact }}"
    default:
      body: "{{ severity.name }}: {{ impact }}."
      translations:
        en: "{{ severity.name }}: {{ impact }}!"
  resolved:
    default: "Rozwiązane."
"""


def _channels_plan(tmp_path: Path) -> str:
    path = tmp_path / "incplan.yaml"
    path.write_text(CHANNELS_PLAN, encoding="utf-8")
    return str(path)


def test_a_channel_posts_in_its_locales_joined_into_one_post(tmp_path: Path) -> None:
    plan = _channels_plan(tmp_path)
    code, out, err = run("notify", "--plan", plan, "-s", "investigating", "-S", "sev1", "--example", "-f", "text")
    assert (code, err) == (0, "")
    assert out == (
        "==> status_page (pl+en) <==\n"
        "[Krytyczny] Badamy / [Critical] Investigating\n\n"
        "Objawy: błędy płatności.\n\n---\n\nSymptoms: payment errors.\n\n"
        "==> sms (pl+en) <==\n"
        "Kubik: błędy płatności / Kubik: payment errors\n\n"
        "==> chat_en <==\n"
        "Critical: payment errors!\n\n"
        "==> chat <==\n"
        "Krytyczny: błędy płatności.\n"
    )
    code, out, _ = run("notify", "--plan", plan, "-s", "investigating", "-S", "sev1", "--example", "-f", "json")
    messages = {m["channel"]: m for m in json.loads(out)["messages"]}
    assert [(m["locale"], m["locales"]) for m in messages.values()] == [
        ("pl", ["pl", "en"]),
        ("pl", ["pl", "en"]),
        ("en", ["en"]),
        ("pl", ["pl"]),
    ]
    # The limit is the joined post's: 22 + 3 + 21 = 46 characters, UCS-2 (`ł`), 70 per segment.
    sms = messages["sms"]
    assert (sms["length"], sms["max_length"], sms["over_limit"]) == (46, 70, False)


def test_the_joined_post_is_measured_against_the_limit(tmp_path: Path) -> None:
    plan = _channels_plan(tmp_path)
    values = ["--var", "impact@pl=" + "ł" * 30, "--var", "impact@en=" + "x" * 30]
    code, out, _ = run(
        "notify", "--plan", plan, "-s", "investigating", "-S", "sev1", "-c", "sms", *values, "-f", "json"
    )
    assert code == 0
    sms = json.loads(out)["messages"][0]
    # Each language alone is 37 characters, within one UCS-2 segment; the post is 37 + 3 + 37.
    assert (sms["length"], sms["max_length"], sms["over_limit"]) == (77, 70, True)
    code, out, _ = run(
        "notify", "--plan", plan, "-s", "investigating", "-S", "sev1", "-c", "sms", *values, "-f", "text"
    )
    assert out == f"Kubik: {'ł' * 30} / Kubik: {'x' * 30}\n"


def test_locale_all_renders_every_language_and_one_locale_renders_one(tmp_path: Path) -> None:
    plan = _channels_plan(tmp_path)
    args = ("notify", "--plan", plan, "-s", "investigating", "-S", "sev1", "--example", "-f", "text")
    code, out, err = run(*args, "-c", "status_page", "-c", "chat_en", "--locale", "all")
    assert (code, err) == (0, "")
    assert out == (
        "==> status_page (pl) <==\n[Krytyczny] Badamy\n\nObjawy: błędy płatności.\n\n"
        "==> status_page (en) <==\n[Critical] Investigating\n\nSymptoms: payment errors.\n\n"
        "==> chat_en (pl) <==\nKrytyczny: błędy płatności.\n\n"
        "==> chat_en (en) <==\nCritical: payment errors!\n"
    )
    code, out, err = run(*args, "-c", "status_page", "--locale", "en")
    assert (code, out, err) == (0, "[Critical] Investigating\n\nSymptoms: payment errors.\n", "")
    # A message without a translation is shown once, in the default locale, and the gap is said.
    code, out, err = run(
        "notify", "--plan", plan, "-s", "resolved", "-S", "sev1", "-c", "chat", "-l", "all", "-f", "text"
    )
    assert (code, out) == (0, "Rozwiązane.\n")
    assert err == "warning: no `en` translation of the `resolved` message for `chat`\n"
    # A joined post leaves out a language the message lacks instead of repeating the default one.
    code, out, err = run("notify", "--plan", plan, "-s", "resolved", "-S", "sev1", "-c", "status_page", "-f", "text")
    assert (code, out) == (0, "Rozwiązane.\n")
    assert err == "warning: no `en` translation of the `resolved` message for `status_page`; its post is in `pl` only\n"


def test_a_joined_post_is_recorded_per_locale_and_delivered_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .servers import Reply, http_server

    plan = _channels_plan(tmp_path)
    incident = "2026-11-27-platnosci"
    assert run("incident", "open", "--plan", plan, "-t", "Płatności", "-S", "sev1", "--var", "impact@pl=błędy", "--var", "impact@en=errors", now="2026-11-27T10:00:00+01:00")[0] == 0  # fmt: skip
    code, _, err = run("notify", "--plan", plan, "-i", incident, "-c", "status_page", "--posted", now="2026-11-27T10:05:00+01:00")  # fmt: skip
    assert code == 0, err
    assert (
        "- {at: '2026-11-27T10:05:00+01:00', type: notified, stage: investigating, channel: status_page, locale: pl,"
        " posted: true, subject: '[Krytyczny] Badamy / [Critical] Investigating', body: \"Objawy: błędy.\\n\\n---\\n\\nSymptoms:"
        " errors.\", texts: {pl: {subject: '[Krytyczny] Badamy', body: 'Objawy: błędy.'}, en: {subject: '[Critical] Investigating',"
        " body: 'Symptoms: errors.'}}}\n"
    ) in _record(tmp_path, incident)
    # The report shows the post as it went out.
    code, out, _ = run("report", incident, "--plan", plan, "-f", "markdown")
    assert "> Objawy: błędy.\n>\n> ---\n>\n> Symptoms: errors.\n" in out

    code, _, err = run("notify", "--plan", plan, "-i", incident, "-l", "all", "--posted")
    assert code == 2
    assert err.startswith(
        "error: --locale all shows every language for review; --posted records what each channel posts\n"
    )

    with http_server() as server:
        server.on("POST", "/hook", Reply(200, b"ok"))
        monkeypatch.setenv("CHAT_EN_WEBHOOK", f"{server.base}/hook")
        code, out, err = run("notify", "--plan", plan, "-i", incident, "-c", "chat_en", "-c", "sms", "--send", "--yes", now="2026-11-27T10:06:00+01:00")  # fmt: skip
        assert code == 0, err
        assert [r.json() for r in server.got("POST", "/hook")] == [{"text": "Critical: errors!"}]
    assert "post by hand: sms" in out


def test_the_status_site_shows_each_reader_their_part_of_a_joined_post(tmp_path: Path) -> None:
    plan = _channels_plan(tmp_path)
    incident = "2026-11-27-platnosci"
    assert run("incident", "open", "--plan", plan, "-t", "Płatności", "-S", "sev1", "--var", "impact@pl=błędy", "--var", "impact@en=errors", now="2026-11-27T10:00:00+01:00")[0] == 0  # fmt: skip
    assert run("notify", "--plan", plan, "-i", incident, "-c", "status_page", "--posted", now="2026-11-27T10:05:00+01:00")[0] == 0  # fmt: skip
    code, _, err = run(
        "site", "build", "--plan", plan, "--out", str(tmp_path / "public"), now="2026-11-27T10:10:00+01:00"
    )
    assert code == 0, err
    polish = (tmp_path / "public/incidents" / f"{incident}.html").read_text(encoding="utf-8")
    english = (tmp_path / "public/en/incidents" / f"{incident}.html").read_text(encoding="utf-8")
    assert "Objawy: błędy." in polish and "Symptoms" not in polish
    assert "Symptoms: errors." in english and "Objawy" not in english


def test_show_and_export_say_which_languages_a_channel_posts_in(tmp_path: Path) -> None:
    plan = _channels_plan(tmp_path)
    wide = runner.invoke(app, ["--color", "never", "show", "channels", "--plan", plan], env={"COLUMNS": "200"})
    assert wide.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in wide.stdout.splitlines() if line.count("│") > 3}
    assert "pl + en (jeden wpis)" in rows["Strona statusu"]  # a Polish-first plan: incplan's words in Polish
    assert "│ en " in rows["Chat (English)"]
    assert "│ pl " in rows["Czat"]
    code, out, _ = run("export", "--plan", plan, "--format", "markdown")
    assert code == 0
    assert "| Kanał | Rodzaj | Odbiorcy | Języki | Odpowiada | Dostęp | Wysyłka |" in out
    assert "| **SMS** | SMS | klienci | pl + en (jeden wpis) |" in out
    code, out, _ = run("export", "--plan", plan, "--format", "markdown", "--locale", "en")
    assert code == 0
    assert "| Channel | Type | Audience | Languages | Owner | Access | Delivery |" in out
    assert "| **SMS** | sms | customers | pl + en (one post) |" in out
    code, out, _ = run("show", "channels", "--plan", plan, "-f", "json")
    assert code == 0
    assert json.loads(out)["sms"]["locales"] == ["pl", "en", "pl"]


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        (
            "locales: []",
            "26:14: error E102 `channels.sms.locales`: list should have at least 1 item after validation, not 0",
        ),
        ("locales: [de]", "26:15: error E206 channel `sms` posts in `de`, which `organization.locales` does not list"),
        ("locales: [PL]", "26:15: error E106 `channels.sms.locales[0]`: `PL` is not a locale tag"),
        ("locales: pl", "26:14: error E102 `channels.sms.locales`: input should be a valid list, got `pl`"),
        ("locale_separator: 5", "27:23: error E102 `channels.sms.locale_separator`: input should be a valid string"),
    ],
)
def test_bad_channel_locales_are_plan_errors(setting: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / "incplan.yaml"
    key = setting.partition(":")[0]
    old = '    locale_separator: " / "\n' if key == "locale_separator" else "    locales: [pl, en, pl]\n"
    path.write_text(CHANNELS_PLAN.replace(old, f"    {setting}\n"), encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert f"{path}:{says}" in out
    assert "1 file checked: 1 error," in out
