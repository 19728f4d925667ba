"""`incplan site build`: the static status site as people and machines read it.

The records below plant marker strings everywhere customers must never look (notes, internal
channel messages, people, variables): no file of the site may contain one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .strict_html import parse_html

runner = CliRunner()
NOW = "2026-11-27T12:00:00+01:00"
MARKERS = ("MARKER-NOTE", "MARKER-INTERNAL-CHAT", "MARKER-PERSON", "MARKER-VARIABLE", "MARKER-EMAIL", "MARKER-UPDATE")

PLAN = """\
version: 1
organization:
  name: Acme Cloud
  product: Acme API
  status_page_url: https://status.acme.example
  timezone: Europe/Warsaw
  locales: [en, pl]
owner: "@alice"
people:
  alice: {name: Alice MARKER-PERSON, email: alice@acme.example}
  bob: {name: Bob Lee, email: MARKER-EMAIL@acme.example}
definition:
  incident: An unplanned event that disrupts a customer-facing service.
severities:
  sev1: {name: Critical, impact: critical, first_update_within: 10m, update_every: 15m, channels: [status_page, chat_internal], roles: [incident_commander]}
  sev2: {name: Major, impact: minor, first_update_within: 30m, update_every: 1h, channels: [status_page], roles: [incident_commander]}
roles:
  incident_commander: {name: Incident Commander, people: ["@alice", "@bob"]}
channels:
  status_page: {name: Status page, type: status_page, audience: customers, owner: incident_commander, access: vault}
  email: {name: Email, type: email, audience: customers, owner: incident_commander, access: vault, format: html}
  chat_internal: {name: "#incidents", type: chat, audience: internal, owner: incident_commander, access: everyone}
components:
  api: {name: Public API, description: REST and GraphQL, group: Core}
  dashboard: {name: Dashboard, group: Core}
  billing: {name: Billing, translations: {pl: {name: Płatności}}}
stages:
  investigating: {name: Investigating, translations: {pl: {name: Badamy}}}
  identified: {name: Identified, translations: {pl: {name: Znamy przyczynę}}}
  monitoring: {name: Monitoring}
  resolved: {name: Resolved, final: true}
variables:
  impact: {description: What customers see, example: errors}
templates:
  investigating:
    default: "We are investigating {{ impact }}. Next update by {{ next_update }}."
  identified:
    default: "Found it. Next update by {{ next_update }}."
  monitoring:
    default: "Fixed, watching. Next update by {{ next_update }}."
  resolved:
    default: "Resolved. No data was lost."
"""


def record(rid: str, title: str, opened: str, events: list[str]) -> str:
    lines = [f"version: 1\nid: {rid}\ntitle: {title}\nplan: ../incplan.yaml\nopened_at: '{opened}'\nevents:"]
    lines += [f"  - {e}" for e in events]
    return "\n".join(lines) + "\n"


ACTIVE = "2026-11-27-dashboard-down"
RESOLVED = "2026-11-17-api-slow"
OLD = "2026-03-02-billing-errors"


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "incplan.yaml").write_text(PLAN)
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    sp = "type: notified, channel: status_page, posted: true"
    (incidents / f"{ACTIVE}.yaml").write_text(
        record(ACTIVE, "Dashboard <b>down</b> & slow", "2026-11-27T10:00:00+01:00", [
            "{at: '2026-11-27T10:00:00+01:00', type: opened, severity: sev1, stage: investigating, by: '@alice'}",
            "{at: '2026-11-27T10:01:00+01:00', type: assigned, role: incident_commander, person: '@alice'}",
            "{at: '2026-11-27T10:01:00+01:00', type: variables, values: {impact: MARKER-VARIABLE}}",
            "{at: '2026-11-27T10:02:00+01:00', type: components, components: {dashboard: major_outage, api: degraded_performance}}",
            f"{{at: '2026-11-27T10:05:00+01:00', {sp}, stage: investigating, locale: en, subject: 'Investigating: dashboard', body: \"First <script>alert(1)</script> update.\\n\\nSecond paragraph.\"}}",
            f"{{at: '2026-11-27T10:05:00+01:00', {sp}, stage: investigating, locale: pl, subject: 'Badamy: panel', body: 'Pierwsza aktualizacja po polsku.'}}",
            "{at: '2026-11-27T10:05:00+01:00', type: notified, channel: chat_internal, posted: true, stage: investigating, locale: en, body: MARKER-INTERNAL-CHAT}",
            "{at: '2026-11-27T10:20:00+01:00', type: note, text: MARKER-NOTE}",
            "{at: '2026-11-27T10:30:00+01:00', type: stage, stage: identified, note: MARKER-NOTE}",
            f"{{at: '2026-11-27T10:31:00+01:00', {sp}, stage: identified, locale: en, body: Second update found the cause., update: MARKER-UPDATE}}",
            "{at: '2026-11-27T10:31:30+01:00', type: notified, channel: email, posted: true, stage: identified, locale: en, body: '<p>MARKER-EMAIL html</p>'}",
        ])
    )  # fmt: skip
    (incidents / f"{RESOLVED}.yaml").write_text(
        record(RESOLVED, "API slow", "2026-11-17T09:00:00+01:00", [
            "{at: '2026-11-17T09:00:00+01:00', type: opened, severity: sev2, stage: investigating}",
            "{at: '2026-11-17T09:01:00+01:00', type: components, components: {api: partial_outage}}",
            f"{{at: '2026-11-17T09:10:00+01:00', {sp}, stage: investigating, locale: en, body: API is slow for some.}}",
            "{at: '2026-11-17T11:00:00+01:00', type: stage, stage: resolved}",
            f"{{at: '2026-11-17T11:01:00+01:00', {sp}, stage: resolved, locale: en, body: API is fast again.}}",
        ])
    )  # fmt: skip
    (incidents / f"{OLD}.yaml").write_text(
        record(OLD, "Billing errors", "2026-03-02T09:00:00+01:00", [
            "{at: '2026-03-02T09:00:00+01:00', type: opened, severity: sev2, stage: investigating}",
            f"{{at: '2026-03-02T09:10:00+01:00', {sp}, stage: investigating, locale: en, body: Invoices fail.}}",
            "{at: '2026-03-02T10:00:00+01:00', type: stage, stage: resolved}",
        ])
    )  # fmt: skip
    (incidents / "2026-11-26-internal-only.yaml").write_text(
        record("2026-11-26-internal-only", "MARKER-INTERNAL-CHAT secret outage", "2026-11-26T09:00:00+01:00", [
            "{at: '2026-11-26T09:00:00+01:00', type: opened, severity: sev1, stage: investigating}",
            "{at: '2026-11-26T09:01:00+01:00', type: components, components: {billing: major_outage}}",
            "{at: '2026-11-26T09:05:00+01:00', type: notified, channel: chat_internal, posted: true, stage: investigating, body: MARKER-INTERNAL-CHAT}",
        ])
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--color", "never", "site", "build", *args], env={"INCPLAN_NOW": NOW})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_site_has_every_page_and_nothing_internal(team: Path) -> None:
    code, out = build("--out", "public")
    assert code == 0, out
    assert (
        out
        == "built 19 files in public/ (19 written, 0 unchanged): 3 incidents, 0 maintenances\nopen public/index.html\n"
    )
    site = files(team / "public")
    assert sorted(site) == sorted(
        [
            "style.css",
            *(
                f"{p}{page}"
                for p in ("", "pl/")
                for page in (
                    "index.html",
                    "history.html",
                    "feed.atom",
                    f"incidents/{ACTIVE}.html",
                    f"incidents/{RESOLVED}.html",
                    f"incidents/{OLD}.html",
                )
            ),
            *(
                f"api/v2/{name}.json"
                for name in ("summary", "status", "components", "incidents", "scheduled-maintenances")
            ),
            "api/v2/incidents/unresolved.json",
        ]
    )
    for name, content in site.items():
        text = content.decode("utf-8")
        for marker in MARKERS:
            assert marker not in text, (name, marker)
        assert "internal-only" not in text, name
        if name.endswith(".html"):
            assert "<script" not in text, name
        assert "Alice" not in text and "Bob" not in text and "Incident Commander" not in text, name

    index = site["index.html"].decode()
    assert '<html lang="en">' in index
    assert "Dashboard &lt;b&gt;down&lt;/b&gt; &amp; slow" in index
    assert "Major system outage" in index
    assert "First &lt;script&gt;alert(1)&lt;/script&gt; update.</p>" in index
    assert index.index("Second update found the cause.") < index.index("Second paragraph.")  # newest first
    assert '<a href="pl/index.html" hreflang="pl" lang="pl">Polski</a>' in index
    assert ">API slow</a>" not in index  # resolved: on the history page and in the bars only
    polish = site["pl/index.html"].decode()
    assert '<html lang="pl">' in polish and "Poważna awaria" in polish
    assert "Pierwsza aktualizacja po polsku." in polish
    assert (
        '<strong>Znamy przyczynę</strong> <time datetime="2026-11-27T10:31:00.000+01:00">27 lis 2026, 10:31 CET</time>'
        in polish
    )
    assert '<th scope="row">Płatności</th>' in polish and "Płatności" not in index
    # an update never written in Polish shows the English text, marked as English
    assert '<div lang="en">\n<div class="body">\n<p>Second update found the cause.</p>' in polish
    assert 'href="../style.css"' in polish and 'href="../index.html" hreflang="en"' in polish
    history = site["history.html"].decode()
    assert history.index("November 2026") < history.index("March 2026")
    assert "API slow" in history and "Billing errors" in history
    assert "Listopad 2026" in site["pl/history.html"].decode()


def test_components_and_ninety_day_bars(team: Path) -> None:
    assert build("--out", "public")[0] == 0
    index = (team / "public/index.html").read_text()
    rows = re.findall(r'<tr>\n<th scope="row">(.*?)</tr>', index, re.S)
    assert [re.sub(r"<.*", "", r, flags=re.S) for r in rows] == ["Public API", "Dashboard", "Billing"]
    api, dashboard, billing = rows
    assert '<span aria-hidden="true">!</span> Degraded performance</span>' in api
    assert '<span aria-hidden="true">✕</span> Major outage</span>' in dashboard
    assert '<span aria-hidden="true">✓</span> Operational</span>' in billing  # an internal-only incident is not public
    for row in rows:
        assert row.count("<rect ") == 90
    days = re.findall(r'<rect class="d-(\w+)"[^>]*><title>([^<]*)</title>', api)
    assert days[-1] == ("minor", "Nov 27, 2026: Degraded performance (Dashboard &lt;b&gt;down&lt;/b&gt; &amp; slow)")
    assert days[-11] == ("major", "Nov 17, 2026: Partial outage (API slow)")
    assert [lvl for lvl, _ in days].count("none") == 88
    assert 'aria-label="Public API, last 90 days: 2 with incidents or maintenance"' in api
    assert '<tr class="group"><th scope="rowgroup" colspan="3">Core</th></tr>' in index


def test_every_page_is_strict_html_and_every_link_resolves(team: Path) -> None:
    assert build("--out", "public")[0] == 0
    public = team / "public"
    for page in sorted(public.rglob("*.html")):
        tree = parse_html(page.read_text(encoding="utf-8"))
        assert tree.find("head/title") is not None
        assert [h.tag for h in tree.iter() if h.tag in ("h1",)] == ["h1"], page
        for link in re.findall(r'(?:href|src)="([^"]*)"', page.read_text()):
            assert not link.startswith(("/", "http:", "https:", "file:")), (page, link)  # works from file://
            assert (page.parent / link.split("#")[0]).resolve().is_file(), (page, link)


def test_feeds_are_atom_with_one_entry_per_customer_update(team: Path) -> None:
    import feedparser

    assert build("--out", "public", "--base-url", "https://status.acme.example/")[0] == 0
    stages = {"en": ("Identified", "Investigating"), "pl": ("Znamy przyczynę", "Badamy")}
    for prefix, lang in (("", "en"), ("pl/", "pl")):
        feed = feedparser.parse((team / "public" / prefix / "feed.atom").read_bytes())
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert feed.version == "atom10"
        assert feed.feed.language == lang
        identified, investigating = stages[lang]
        assert [e.title for e in feed.entries] == [
            f"Dashboard <b>down</b> & slow: {identified}",
            f"Dashboard <b>down</b> & slow: {investigating}",
            "API slow: Resolved",
            f"API slow: {investigating}",
            f"Billing errors: {investigating}",
        ]
        first = feed.entries[0]
        assert first.link == f"https://status.acme.example/{prefix}incidents/{ACTIVE}.html"
        assert first.content[0].value == "Second update found the cause."
        assert len({e.id for e in feed.entries}) == 5
    polish = feedparser.parse((team / "public/pl/feed.atom").read_bytes())
    assert polish.entries[1].content[0].value == "Badamy: panel\n\nPierwsza aktualizacja po polsku."


# The public shapes of Statuspage's API v2 (status.atlassian.com/api), key sets and types.
PAGE = {"id": str, "name": str, "url": str, "time_zone": str, "updated_at": str}
STATUS = {"indicator": str, "description": str}
COMPONENT = {
    "id": str, "name": str, "status": str, "created_at": str, "updated_at": str, "position": int,
    "description": (str, type(None)), "showcase": bool, "start_date": (str, type(None)), "group_id": (str, type(None)),
    "page_id": str, "group": bool, "only_show_if_degraded": bool,
}  # fmt: skip
UPDATE = {
    "id": str, "status": str, "body": str, "incident_id": str, "created_at": str, "updated_at": str,
    "display_at": str, "affected_components": (list, type(None)), "deliver_notifications": bool,
    "custom_tweet": (str, type(None)), "tweet_id": (str, type(None)),
}  # fmt: skip
INCIDENT = {
    "id": str, "name": str, "status": str, "created_at": str, "updated_at": str, "monitoring_at": (str, type(None)),
    "resolved_at": (str, type(None)), "impact": str, "shortlink": str, "started_at": str, "page_id": str,
    "incident_updates": list, "components": list,
}  # fmt: skip
MAINTENANCE = {**INCIDENT, "scheduled_for": str, "scheduled_until": (str, type(None))}


def shaped(value: Any, shape: dict[str, Any], extra: set[str] | frozenset[str] = frozenset()) -> None:
    assert set(value) - extra == set(shape), set(value) ^ set(shape)
    for key, kind in shape.items():
        assert isinstance(value[key], kind), (key, value[key])


def test_json_has_statuspage_public_shapes(team: Path) -> None:
    assert build("--out", "public")[0] == 0
    api = team / "public/api/v2"
    summary = json.loads((api / "summary.json").read_text())
    assert set(summary) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    shaped(summary["page"], PAGE)
    shaped(summary["status"], STATUS)
    assert summary["status"] == {"indicator": "critical", "description": "Major system outage"}
    for component in summary["components"]:
        shaped(component, COMPONENT, {"components"} if component["group"] else set())
    assert [(c["id"], c["status"], c["group_id"]) for c in summary["components"]] == [
        ("group-core", "major_outage", None),
        ("api", "degraded_performance", "group-core"),
        ("dashboard", "major_outage", "group-core"),
        ("billing", "operational", None),
    ]
    assert [i["id"] for i in summary["incidents"]] == [ACTIVE]
    incidents = json.loads((api / "incidents.json").read_text())
    assert set(incidents) == {"page", "incidents"}
    assert [i["id"] for i in incidents["incidents"]] == [ACTIVE, RESOLVED, OLD]
    for incident in incidents["incidents"]:
        shaped(incident, INCIDENT)
        for update in incident["incident_updates"]:
            shaped(update, UPDATE)
    active = incidents["incidents"][0]
    assert (active["status"], active["impact"], active["resolved_at"]) == ("identified", "critical", None)
    assert [u["body"] for u in active["incident_updates"]] == [
        "Second update found the cause.",
        "Investigating: dashboard\n\nFirst <script>alert(1)</script> update.\n\nSecond paragraph.",
    ]
    assert active["incident_updates"][1]["affected_components"] == [
        {"code": "api", "name": "Public API", "old_status": "operational", "new_status": "degraded_performance"},
        {"code": "dashboard", "name": "Dashboard", "old_status": "operational", "new_status": "major_outage"},
    ]
    resolved = incidents["incidents"][1]
    assert (resolved["status"], resolved["impact"], resolved["resolved_at"]) == (
        "resolved", "minor", "2026-11-17T11:00:00.000+01:00",
    )  # fmt: skip
    maintenances = json.loads((api / "scheduled-maintenances.json").read_text())
    assert maintenances == {"page": summary["page"], "scheduled_maintenances": []}


def test_rebuild_is_byte_identical_and_writes_nothing(team: Path) -> None:
    assert build("--out", "one")[0] == 0
    assert build("--out", "two")[0] == 0
    assert files(team / "one") == files(team / "two")
    before = {p: p.stat().st_mtime_ns for p in (team / "one").rglob("*")}
    code, out = build("--out", "one")
    assert code == 0
    assert out.startswith("built 19 files in one/ (0 written, 19 unchanged)")
    assert before == {p: p.stat().st_mtime_ns for p in (team / "one").rglob("*")}


def test_never_writes_through_a_symlink_out_of_the_folder(team: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    public = team / "public"
    public.mkdir()
    (public / "incidents").symlink_to(outside, target_is_directory=True)
    code, out = build("--out", "public")
    assert code == 2
    assert (
        "error: `public/incidents` is a symlink; incplan writes the site only to regular files inside `public`" in out
    )
    assert list(outside.iterdir()) == [] and [p.name for p in public.iterdir()] == ["incidents"]
    (public / "incidents").unlink()
    (public / "index.html").symlink_to(outside / "index.html")
    code, out = build("--out", "public")
    assert code == 2 and "`public/index.html` is a symlink" in out
    assert list(outside.iterdir()) == []


def test_without_components_one_row_stands_for_the_product(team: Path) -> None:
    plan = (team / "incplan.yaml").read_text()
    start = plan.index("components:\n")
    plan = plan[:start] + plan[plan.index("stages:\n") :]
    (team / "incplan.yaml").write_text(plan)
    for path in (team / "incidents").glob("*.yaml"):
        path.write_text(
            "\n".join(line for line in path.read_text().splitlines() if "type: components" not in line) + "\n"
        )
    assert build("--out", "public")[0] == 0
    index = (team / "public/index.html").read_text()
    rows = re.findall(r'<tr>\n<th scope="row">(.*?)</tr>', index, re.S)
    assert len(rows) == 1 and rows[0].startswith("Acme API")
    assert '<span aria-hidden="true">✕</span> Major outage</span>' in rows[0]
    summary = json.loads((team / "public/api/v2/summary.json").read_text())
    assert [c["id"] for c in summary["components"]] == ["service"]


def test_bad_base_url_and_a_file_as_out_are_usage_errors(team: Path) -> None:
    code, out = build("--base-url", "status.acme.example")
    assert code == 2 and "error: --base-url `status.acme.example` is not an http(s) address" in out
    (team / "taken").write_text("")
    code, out = build("--out", "taken")
    assert code == 2 and "error: `taken` is not a folder" in out


def site_bytes(team: Path) -> dict[Path, bytes]:
    return {p.relative_to(team): p.read_bytes() for p in sorted((team / "public").rglob("*")) if p.is_file()}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder of this test's own, so its site cache file can be found."""
    folder = tmp_path / "private-cache"
    monkeypatch.setenv("INCPLAN_CACHE_DIR", str(folder))
    return folder


def site_cache_file(cache_dir: Path) -> Path:
    (found,) = (cache_dir / "site").glob("*/*.json")
    return found


def uncached(team: Path, monkeypatch: pytest.MonkeyPatch) -> dict[Path, bytes]:
    """The site as a build with no cache at all makes it."""
    with monkeypatch.context() as m:
        m.setenv("INCPLAN_NO_CACHE", "1")
        assert build("--out", "public")[0] == 0
    pages = site_bytes(team)
    import shutil

    shutil.rmtree(team / "public")
    return pages


def test_rebuild_sees_a_changed_record_and_keeps_its_cache_out_of_the_repository_and_site(
    team: Path, cache_dir: Path
) -> None:
    assert build("--out", "public")[0] == 0
    assert site_cache_file(cache_dir).is_file()
    assert not (team / ".incplan/site-cache.json").exists()
    assert not any("cache" in p.name for p in team.rglob("*") if "private-cache" not in p.parts)
    path = team / "incidents" / f"{OLD}.yaml"
    path.write_text(
        path.read_text()
        + "  - {at: '2026-03-02T10:01:00+01:00', type: notified, channel: status_page, posted: true, stage: resolved, locale: en, body: Invoices work again.}\n"
    )
    code, out = build("--out", "public")
    assert code == 0 and "(5 written, 14 unchanged)" in out, out  # its pages and feeds (2 + 2), incidents.json
    assert "Invoices work again." in (team / f"public/incidents/{OLD}.html").read_text()
    site_cache_file(cache_dir).write_text("{not json")
    assert build("--out", "public")[0] == 0


def test_a_warm_rebuild_takes_each_unchanged_record_from_the_private_cache(team: Path, cache_dir: Path) -> None:
    """Seen through what the cache says: an entry edited in the user's own cache is what the
    next build shows, so that build did not parse the record again."""
    assert build("--out", "public")[0] == 0
    cache = site_cache_file(cache_dir)
    data = json.loads(cache.read_text())
    (entry,) = [e for e in data["records"].values() if e is not None and e["id"] == RESOLVED]
    entry["title"] = "Title from the warm cache"
    cache.write_text(json.dumps(data))
    assert build("--out", "public")[0] == 0
    assert "Title from the warm cache" in (team / f"public/incidents/{RESOLVED}.html").read_text()


def forge_committed_cache(team: Path) -> None:
    """What an attacker commits, keyed as the old incplan read `.incplan/site-cache.json`: the
    plan's bytes and incplan's version, each record by its sha256."""
    import hashlib

    from incplan import __version__

    key = hashlib.sha256((team / "incplan.yaml").read_bytes() + f"\0{__version__}\0{1}".encode()).hexdigest()
    forged = {
        "id": "x\x1b]0;pwn\x07",
        "kind": "incident",
        "title": "FORGED TITLE \x1b[2J\u202e",
        "impact": "catastrophic",
        "stage": "investigating",
        "status": "investigating",
        "final": False,
        "opened_at": "2026-11-27T10:00:00+01:00",
        "resolved_at": None,
        "updates": [
            {
                "at": "2026-11-27T10:05:00+01:00",
                "stage": "investigating",
                "status": "investigating",
                "texts": {"en": ["en", None, "FORGED: all customer data was exposed"]},
            }
        ]
        * 1000,
        "components": {},
        "history": {},
        "stage_times": {},
        "scheduled_for": None,
        "scheduled_until": None,
    }
    records = {hashlib.sha256(p.read_bytes()).hexdigest(): forged for p in sorted((team / "incidents").glob("*.yaml"))}
    (team / ".incplan").mkdir(exist_ok=True)
    (team / ".incplan/site-cache.json").write_text(json.dumps({"key": key, "records": records}))


def test_a_committed_site_cache_changes_nothing_in_the_site(
    team: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = uncached(team, monkeypatch)
    forge_committed_cache(team)
    for _ in range(2):  # a cold build, then a warm one
        code, out = build("--out", "public")
        assert code == 0, out
        assert site_bytes(team) == clean
    assert b"FORGED" not in b"".join(clean.values())


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_committed_site_cache_that_is_a_device_or_a_fifo_is_never_opened(
    team: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    import os
    import subprocess
    import sys

    clean = uncached(team, monkeypatch)
    (team / ".incplan").mkdir()
    if kind == "fifo":
        os.mkfifo(team / "fifo")
        (team / ".incplan/site-cache.json").symlink_to(team / "fifo")
    else:
        (team / ".incplan/site-cache.json").symlink_to("/dev/zero")
    env = {**os.environ, "INCPLAN_NOW": NOW, "NO_COLOR": "1"}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "incplan", "site", "build", "--out", "public"],
            cwd=team,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert site_bytes(team) == clean
    assert (team / ".incplan/site-cache.json").is_symlink()  # left alone, never written through


DAMAGE: dict[str, Any] = {
    "unknown impact": lambda e: e.update(impact="catastrophic"),
    "unknown component status": lambda e: e.update(components={"api": "on_fire"}),
    "unknown kind": lambda e: e.update(kind="party"),
    "unsafe id": lambda e: e.update(id="../../escaped"),
    "raw escape in a title": lambda e: e.update(title="t\x1b[2J"),
    "raw escape in a body": lambda e: e["updates"][0]["texts"]["en"].__setitem__(2, "b\x9b31m"),
    "number as title": lambda e: e.update(title=42),
    "updates not a list": lambda e: e.update(updates={"not": "a list"}),
    "final not a bool": lambda e: e.update(final="yes"),
    "far date": lambda e: e.update(opened_at="0001-01-01T00:00:00+00:00"),
    "no texts": lambda e: e["updates"][0].update(texts={}),
    "missing field": lambda e: e.pop("history"),
    "entry is a list": None,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_in_the_private_cache_is_parsed_again(
    team: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    clean = uncached(team, monkeypatch)
    assert build("--out", "public")[0] == 0
    cache = site_cache_file(cache_dir)
    data = json.loads(cache.read_text())
    (digest,) = [d for d, e in data["records"].items() if e is not None and e["id"] == RESOLVED]
    if DAMAGE[damage] is None:
        data["records"][digest] = [1, 2]
    else:
        DAMAGE[damage](data["records"][digest])
    cache.write_text(json.dumps(data))
    import shutil

    shutil.rmtree(team / "public")
    code, out = build("--out", "public")
    assert code == 0, out
    assert site_bytes(team) == clean
    assert json.loads(cache.read_text())["records"][digest]["impact"] in ("major", "minor", "critical")


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"format":2,"records":' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"format":2,"records":{"x":' + "9" * 5000 + "}}",
        '{"format":2,"records":[]}',
        "\x00\xff binary",
        "",
    ],
    ids=["deep", "deep records", "huge number", "records a list", "binary", "empty"],
)
def test_a_damaged_private_cache_file_is_rebuilt(
    team: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    clean = uncached(team, monkeypatch)
    assert build("--out", "public")[0] == 0
    cache = site_cache_file(cache_dir)
    cache.write_text(raw, encoding="utf-8", errors="surrogateescape")
    import shutil

    shutil.rmtree(team / "public")
    code, out = build("--out", "public")
    assert code == 0, out
    assert site_bytes(team) == clean
    assert json.loads(cache.read_text())["format"] == 2  # rebuilt


@pytest.mark.parametrize("locale", ["en", "pl", "de", "pt-BR"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long"])
def test_site_times_read_as_message_times(locale: str, fmt: str) -> None:
    from datetime import UTC, datetime, timedelta

    from incplan.localize import format_datetime
    from incplan.site.timefmt import format_moment

    for hours in (0, 7, 13, 2000, 4400):  # both sides of a DST change, a year ahead
        moment = datetime(2026, 3, 1, 9, 5, tzinfo=UTC) + timedelta(hours=hours)
        for zone in ("Europe/Warsaw", "America/New_York", "UTC"):
            assert format_moment(moment, zone, locale, fmt) == format_datetime(moment, zone, locale, fmt)
