"""The site's files from its model: HTML pages per locale (our own templates, autoescaped), one
style sheet, an Atom feed per locale and Statuspage-shaped JSON. Every link is relative, so the
site works from `file://` and from any folder of any host; nothing depends on the clock but
the `now` the model was built with, so the same inputs give the same bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from typing import TYPE_CHECKING

from incplan.localize import zone as named_zone
from incplan.site.model import DAYS, IMPACT_OF_STATUS, STATUS_OF_IMPACT, ComponentRow, Entry, Site, Update
from incplan.site.texts import language_name, month_name, published_only, words

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from jinja2 import Template

    from incplan.json_types import JSONObject

ICONS = {"none": "✓", "minor": "!", "major": "▲", "critical": "✕", "maintenance": "⚙"}
LEVEL_OF_STATUS = IMPACT_OF_STATUS
FEED_LIMIT = 500  # customer updates in a feed: the newest, as feed readers poll (years of them would be megabytes)
API_LIMIT = 50  # incidents.json and scheduled-maintenances.json list the 50 newest, as Statuspage does
BAR_STEP, BAR_WIDTH, BAR_HEIGHT = 8, 6, 28


@dataclass
class Files:
    """Relative path -> content, in a stable order."""

    files: dict[str, bytes]


def _templates() -> dict[str, Template]:
    from incplan import documents

    return {
        name: documents.template("incplan.site", f"templates/{name}.html.j2", "html")
        for name in ("layout", "updates", "index", "incident", "history")
    }


class _Locale:
    """Paths, words and time formats of one language's pages."""

    def __init__(self, site: Site, locale: str) -> None:
        self.site = site
        self.code = locale
        self.prefix = "" if locale == site.default_locale else f"{locale}/"
        self.w = words(locale)

    def when(self, moment: datetime) -> str:
        from incplan.site.timefmt import format_moment

        return format_moment(moment, self.site.timezone, self.code, self.site.time_format)

    def day(self, day: date) -> str:
        from incplan.site.timefmt import format_day

        return format_day(day, self.code)


def build_files(site: Site) -> Files:
    templates = _templates()
    files: dict[str, bytes] = {"style.css": (resources.files("incplan.site") / "templates" / "style.css").read_bytes()}
    for code in site.locales:
        loc = _Locale(site, code)
        pages = _pages(site, loc, templates)
        for path, html in pages.items():
            files[path] = html.encode("utf-8", "backslashreplace")
        files[f"{loc.prefix}feed.atom"] = atom(site, loc)
    for path, payload in statuspage_json(site).items():
        files[path] = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
    return Files(files)


def _root(path: str) -> str:
    return "../" * path.count("/")


def _page(site: Site, loc: _Locale, templates: dict[str, Template], path: str, title: str, content: str) -> str:
    from markupsafe import Markup

    root = _root(path)
    languages = []
    for code in site.locales:
        other = "" if code == site.default_locale else f"{code}/"
        languages.append(
            {
                "code": code,
                "name": language_name(code),
                "href": root + other + path.removeprefix(loc.prefix),
                "current": code == loc.code,
            }
        )
    # Only the pages that list everything say when the site last changed: an incident's page
    # then changes only with that incident, and a rebuild rewrites only what changed.
    listing = path.endswith(("index.html", "history.html"))
    updated = loc.w["updated"].format(time=loc.when(site.updated_at)) if site.updated_at and listing else ""
    return str(
        templates["layout"].render(
            lang=loc.code,
            page_title=title,
            root=root,
            languages=languages,
            org=site.org_name,
            w=loc.w,
            content=Markup(content),  # rendered by our own autoescaping templates just before
            home_href=f"{root}{loc.prefix}index.html",
            history_href=f"{root}{loc.prefix}history.html",
            feed_href=f"{root}{loc.prefix}feed.atom",
            updated=updated,
        )
    )


def _paragraphs(text: str) -> list[list[str]]:
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return [[line for line in block.strip("\n").split("\n")] for block in blocks]


def _updates(site: Site, loc: _Locale, templates: dict[str, Template], entry: Entry) -> str:
    items = []
    for update in entry.updates:
        text = update.text(loc.code, site.default_locale)
        other = text.locale != loc.code
        items.append(
            {
                "stage_name": _stage_name(site, update.stage, loc.code),
                "iso": _iso(update.at, site),
                "when": loc.when(update.at),
                "subject": text.subject,
                "paragraphs": _paragraphs(text.body),
                "lang": text.locale if other else "",
                "note": published_only(loc.code, text.locale) if other else "",
            }
        )
    return str(templates["updates"].render(updates=items))


def _stage_name(site: Site, stage: str, locale: str) -> str:
    return site.stage_names.get(stage, {}).get(locale) or stage


def _component_names(site: Site, entry: Entry, locale: str) -> list[str]:
    names = {row.id: row.name[locale] for row in site.rows}
    return [names[c] for c in entry.history if c in names]


def _entry_view(
    site: Site, loc: _Locale, templates: dict[str, Template], entry: Entry, root: str, updates: bool = True
) -> dict[str, object]:
    from markupsafe import Markup

    level = entry.impact
    return {
        "title": entry.title,
        "href": f"{root}{loc.prefix}incidents/{entry.id}.html",
        "level": level,
        "icon": ICONS[level],
        "impact": loc.w[f"impact.{level}"],
        "stage_name": _stage_name(site, entry.stage, loc.code),
        "opened": loc.when(entry.opened_at),
        "opened_iso": _iso(entry.opened_at, site),
        "resolved": loc.when(entry.resolved_at) if entry.resolved_at else "",
        "resolved_iso": _iso(entry.resolved_at, site) if entry.resolved_at else "",
        "window": _window(entry, loc),
        "affected": _component_names(site, entry, loc.code),
        "updates": Markup(_updates(site, loc, templates, entry)) if updates else "",
    }


def _window(entry: Entry, loc: _Locale) -> str:
    if entry.scheduled_for is None:
        return ""
    end = loc.when(entry.scheduled_until) if entry.scheduled_until else "…"
    return loc.w["window"].format(start=loc.when(entry.scheduled_for), end=end)


def _bar(site: Site, loc: _Locale, row: ComponentRow) -> str:
    from markupsafe import Markup, escape

    bad = sum(1 for d in row.days if d.level != "none")
    name = row.name[loc.code]
    label = loc.w["bar_label"].format(name=name, count=bad)
    rects = []
    for i, day in enumerate(row.days):
        what = loc.w[f"day.{day.level}"]
        title = f"{loc.day(day.day)}: {what}" + (f" ({'; '.join(day.titles)})" if day.titles else "")
        rects.append(
            f'<rect class="d-{day.level}" x="{i * BAR_STEP}" y="0" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" rx="1">'
            f"<title>{escape(title)}</title></rect>"
        )
    svg = (
        f'<svg viewBox="0 0 {DAYS * BAR_STEP - (BAR_STEP - BAR_WIDTH)} {BAR_HEIGHT}" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">' + "".join(rects) + "</svg>"
    )
    return Markup(svg)


def _pages(site: Site, loc: _Locale, templates: dict[str, Template]) -> dict[str, str]:
    pages = {}
    title = loc.w["title"].format(org=site.org_name)
    path = f"{loc.prefix}index.html"
    root = _root(path)
    level = site.indicator
    groups: list[tuple[str | None, str, list[dict[str, str]]]] = []  # consecutive rows of one group
    for row in site.rows:
        view = {
            "name": row.name[loc.code],
            "description": row.description[loc.code],
            "level": LEVEL_OF_STATUS[row.status],
            "icon": ICONS[LEVEL_OF_STATUS[row.status]],
            "status": loc.w[f"status.{row.status}"],
            "bar": _bar(site, loc, row),
        }
        if groups and groups[-1][0] == row.group:
            groups[-1][2].append(view)
        else:
            groups.append((row.group, row.group_name.get(loc.code, ""), [view]))
    maintenance = [e for e in site.entries if e.kind == "maintenance" and e.active]
    maintenance.sort(key=lambda e: (e.scheduled_for or e.opened_at, e.id))
    index = templates["index"].render(
        page_title=title,
        w=loc.w,
        overall={"level": level, "icon": ICONS[level], "text": loc.w[f"indicator.{level}"]},
        incidents=[_entry_view(site, loc, templates, e, root) for e in site.active("incident")],
        maintenance=[_entry_view(site, loc, templates, e, root) for e in maintenance],
        groups=[{"name": name, "rows": rows} for _, name, rows in groups],
        legend=[
            {"level": lvl, "text": loc.w[f"day.{lvl}"]} for lvl in ("none", "minor", "major", "critical", "maintenance")
        ],
        history_href=f"{root}{loc.prefix}history.html",
    )
    pages[path] = _page(site, loc, templates, path, title, str(index))

    path = f"{loc.prefix}history.html"
    root = _root(path)
    months: dict[tuple[int, int], list[dict[str, object]]] = {}
    zone = named_zone(site.timezone)
    for entry in sorted(site.entries, key=lambda e: (e.scheduled_for or e.opened_at, e.id), reverse=True):
        local = (entry.scheduled_for or entry.opened_at).astimezone(zone)  # a maintenance: when it happens
        listed = _entry_view(site, loc, templates, entry, root, updates=False)  # the history lists titles only
        months.setdefault((local.year, local.month), []).append(listed)
    history = templates["history"].render(
        page_title=loc.w["history"],
        w=loc.w,
        months=[
            {"key": f"{y}-{m:02d}", "name": month_name(loc.code, y, m), "entries": entries}
            for (y, m), entries in months.items()
        ],
    )
    pages[path] = _page(site, loc, templates, path, f"{loc.w['history']} · {site.org_name}", str(history))

    for entry in site.entries:
        path = f"{loc.prefix}incidents/{entry.id}.html"
        root = _root(path)
        body = templates["incident"].render(
            w=loc.w,
            e=_entry_view(site, loc, templates, entry, root),
            home_href=f"{root}{loc.prefix}index.html",
            history_href=f"{root}{loc.prefix}history.html",
        )
        pages[path] = _page(site, loc, templates, path, f"{entry.title} · {site.org_name}", str(body))
    return pages


def _iso(moment: datetime | None, site: Site) -> str | None:
    """Statuspage's time form: ISO 8601 in the page's zone, with milliseconds."""
    if moment is None:
        return None
    return moment.astimezone(named_zone(site.timezone)).isoformat(timespec="milliseconds")


# ---------------------------------------------------------------- Atom (RFC 4287)

ATOM = "http://www.w3.org/2005/Atom"


def _absolute(site: Site, path: str) -> str:
    return f"{site.url.rstrip('/')}/{path}" if site.url else path


def _tag(site: Site, what: str) -> str:
    """A permanent, deterministic id (RFC 4151 tag URI) that does not move with the host."""
    authority = site.page_id or "status"
    return f"tag:{authority}.status.incplan,2026:{what}"


def atom(site: Site, loc: _Locale) -> bytes:
    import xml.etree.ElementTree as ET

    ET.register_namespace("", ATOM)

    from incplan.controls import xml_text

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        # A hand-edited record may hold what XML cannot (U+FFFE): shown as its escape, the
        # feed stays well-formed.
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            node.text = xml_text(text)
        return node

    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": loc.code})
    sub(feed, "id", _tag(site, f"feed/{loc.code}"))
    sub(feed, "title", loc.w["title"].format(org=site.org_name))
    stamp = site.updated_at or datetime(1970, 1, 1, tzinfo=UTC)
    sub(feed, "updated", _rfc3339(stamp))
    author = sub(feed, "author")
    sub(author, "name", site.org_name)
    sub(feed, "link", rel="alternate", type="text/html", href=_absolute(site, f"{loc.prefix}index.html"))
    sub(feed, "link", rel="self", type="application/atom+xml", href=_absolute(site, f"{loc.prefix}feed.atom"))
    entries: list[tuple[datetime, Entry, int, Update]] = []
    for entry in site.entries:
        for n, update in enumerate(reversed(entry.updates), start=1):
            entries.append((update.at, entry, n, update))
    entries.sort(key=lambda t: (t[0], t[1].id, t[2]), reverse=True)
    for at, entry, n, update in entries[:FEED_LIMIT]:
        text = update.text(loc.code, site.default_locale)
        node = sub(feed, "entry")
        sub(node, "id", _tag(site, f"{entry.id}/{n}"))
        stage = _stage_name(site, update.stage, loc.code)
        sub(node, "title", f"{entry.title}: {stage}")
        sub(node, "updated", _rfc3339(at))
        sub(node, "published", _rfc3339(at))
        sub(
            node,
            "link",
            rel="alternate",
            type="text/html",
            href=_absolute(site, f"{loc.prefix}incidents/{entry.id}.html"),
        )
        content = (f"{text.subject}\n\n" if text.subject else "") + text.body
        attrs = {"type": "text"}
        if text.locale != loc.code:
            attrs["xml:lang"] = text.locale
        sub(node, "content", content, **attrs)
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="unicode").encode("utf-8", "backslashreplace")
        + b"\n"
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- Statuspage public API v2 shapes


def statuspage_json(site: Site) -> dict[str, JSONObject]:
    page: JSONObject = {
        "id": site.page_id,
        "name": site.org_name,
        "url": site.url,
        "time_zone": site.timezone,
        "updated_at": _iso(site.updated_at or site.now, site),
    }
    words_en = words(site.default_locale)
    status = {"indicator": site.indicator, "description": words_en[f"indicator.{site.indicator}"]}
    components = _components(site)
    incidents = [e for e in site.entries if e.kind == "incident"]
    maintenances = [e for e in site.entries if e.kind == "maintenance"]
    active_maintenance = sorted(
        (e for e in maintenances if e.active), key=lambda e: (e.scheduled_for or e.opened_at, e.id)
    )
    return {
        "api/v2/summary.json": {
            "page": page,
            "components": components,
            "incidents": [_incident(site, e) for e in incidents if e.active],
            "scheduled_maintenances": [_incident(site, e) for e in active_maintenance],
            "status": status,
        },
        "api/v2/status.json": {"page": page, "status": status},
        "api/v2/components.json": {"page": page, "components": components},
        "api/v2/incidents.json": {"page": page, "incidents": [_incident(site, e) for e in incidents[:API_LIMIT]]},
        "api/v2/incidents/unresolved.json": {
            "page": page,
            "incidents": [_incident(site, e) for e in incidents if e.active],
        },
        "api/v2/scheduled-maintenances.json": {
            "page": page,
            "scheduled_maintenances": [_incident(site, e) for e in maintenances[:API_LIMIT]],
        },
    }


def _component(site: Site, row: ComponentRow, position: int, group_id: str | None) -> JSONObject:
    created = _iso(datetime(1970, 1, 1, tzinfo=UTC), site)
    return {
        "id": row.id,
        "name": row.name[site.default_locale],
        "status": row.status,
        "created_at": created,
        "updated_at": _iso(site.updated_at or site.now, site),
        "position": position,
        "description": row.description[site.default_locale] or None,
        "showcase": True,
        "start_date": None,
        "group_id": group_id,
        "page_id": site.page_id,
        "group": False,
        "only_show_if_degraded": False,
    }


_WORST_FIRST = ("major_outage", "partial_outage", "degraded_performance", "under_maintenance", "operational")


def _components(site: Site) -> list[JSONObject]:
    """Statuspage's components: a group's own entry (its worst member's status) before its first."""
    from incplan.incidents.ids import slugify

    out: list[JSONObject] = []
    groups: dict[str, JSONObject] = {}
    members: dict[str, list[ComponentRow]] = {}
    for row in site.rows:
        group_id = f"group-{slugify(row.group)}" if row.group else None
        item = _component(site, row, len(out) + 1, group_id)
        if row.group and group_id is not None:
            if group_id not in groups:
                groups[group_id] = {
                    **item,
                    "id": group_id,
                    "name": row.group,
                    "description": None,
                    "group_id": None,
                    "group": True,
                    "components": [],  # filled below, as is the status
                }
                members[group_id] = []
                out.append(groups[group_id])
            members[group_id].append(row)
            item["position"] = len(out) + 1
        out.append(item)
    for group_id, rows in members.items():
        groups[group_id]["components"] = [r.id for r in rows]
        groups[group_id]["status"] = min((r.status for r in rows), key=_WORST_FIRST.index)
    return out


def _incident(site: Site, entry: Entry) -> JSONObject:
    names = {row.id: row.name[site.default_locale] for row in site.rows}
    affected = [c for c in entry.history if c in names]
    rows = {row.id: row for row in site.rows}
    updates: list[JSONObject] = []
    previous: dict[str, str] = {}
    chronological = list(reversed(entry.updates))
    for n, update in enumerate(chronological, start=1):
        text = update.text(site.default_locale, site.default_locale)
        body = (f"{text.subject}\n\n" if text.subject else "") + text.body
        changed = []
        for component in affected:
            now_status = _status_at(entry, component, update.at)
            if now_status != previous.get(component, "operational"):
                changed.append(
                    {
                        "code": component,
                        "name": names[component],
                        "old_status": previous.get(component, "operational"),
                        "new_status": now_status,
                    }
                )
                previous[component] = now_status
        updates.append(
            {
                "id": f"{entry.id}-{n}",
                "status": update.status,
                "body": body,
                "incident_id": entry.id,
                "created_at": _iso(update.at, site),
                "updated_at": _iso(update.at, site),
                "display_at": _iso(update.at, site),
                "affected_components": changed or None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
    updates.reverse()
    item: JSONObject = {
        "id": entry.id,
        "name": entry.title,
        "status": entry.status,
        "created_at": _iso(entry.opened_at, site),
        "updated_at": _iso(entry.updated_at, site),
        "monitoring_at": _iso(entry.stage_times.get("monitoring"), site),
        "resolved_at": _iso(entry.resolved_at, site),
        "impact": entry.impact,
        "shortlink": _absolute(site, f"incidents/{entry.id}.html"),
        "started_at": _iso(entry.opened_at, site),
        "page_id": site.page_id,
        "incident_updates": updates,
        "components": [
            {**_component(site, rows[c], i + 1, None), "status": entry.components.get(c, "operational")}
            for i, c in enumerate(affected)
        ],
    }
    if entry.kind == "maintenance":
        item["scheduled_for"] = _iso(entry.scheduled_for or entry.opened_at, site)
        item["scheduled_until"] = _iso(entry.scheduled_until, site)
    return item


def _status_at(entry: Entry, component: str, moment: datetime) -> str:
    status = "operational"
    for at, value in entry.history.get(component, []):
        if at <= moment:
            status = value
    return status


__all__ = ["STATUS_OF_IMPACT", "Files", "build_files"]
