"""Reports as Markdown, HTML (inline SVG charts: no script, no network) and terminal text, in
the report's language: names from the plan, incplan's words from `wording`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

from incplan.documents import Verbatim, markdown_lines
from incplan.reports.compute import IncidentReport, PeriodReport
from incplan.reports.figures import IncidentFigures

if TYPE_CHECKING:
    from incplan.wording import Words


def _words(locale: str) -> Words:
    from incplan.wording import words

    return words(locale)


def share(value: float | None, w: Words | None = None) -> str:
    return (w or _words("en"))["n/a"] if value is None else f"{value * 100:.0f}%"


def status_word(status: str, w: Words | None = None) -> str:
    """`met`, `MISSED`, `pending (not yet due)`, `n/a (no customer channel)`, in the words of `w`."""
    return (w or _words("en")).get(f"judged.{status}", status)


def first_update_line(r: IncidentReport, w: Words | None = None) -> str:
    """The summary's first-update line, the same in every format."""
    w = w or _words(r.locale)
    target = w.span(r.first_update_target_s)
    status = status_word(r.first_update_status, w)
    if r.time_to_first_update_s is None:
        return w("report.first_update_none", target=target, status=status)
    return w("report.first_update", after=w.span(r.time_to_first_update_s), target=target, status=status)


def cadence_phrase(r: IncidentReport, w: Words | None = None) -> str:
    """`kept`, `2 late updates`, `MISSED (no customer update)`, or why it is not judged."""
    w = w or _words(r.locale)
    if r.cadence_met is None:
        return status_word(r.cadence_status, w)
    if r.cadence_met:
        return w["judged.kept"]
    if r.time_to_first_update_s is None:  # its one breach: the first update, never posted
        return w["judged.no_update"]
    return w.count("judged.late_updates", len(r.breaches))


def severity_phrase(r: IncidentReport, strong: str = "", w: Words | None = None) -> str:
    """`severity sev2 (Major)`; after a change, the most severe and the one at the end, each
    named for what it is (`strong`: Markdown's `**` around each severity)."""
    w = w or _words(r.locale)
    highest = f"{strong}{r.severity} ({r.severity_name}){strong}"
    if r.last_severity == r.severity:
        return w("report.severity_of", severity=highest)
    when = w["report.at_resolution"] if r.resolved_at else w["report.now"]
    last = f"{strong}{r.last_severity} ({r.last_severity_name}){strong}"
    return w("report.severity_changed", highest=highest, when=when, last=last)


def first_update_cell(r: IncidentFigures, w: Words | None = None) -> str:
    """`25m (20m) LATE`, `none (20m) LATE`: the first update against its target, in a table row
    (the same in every format: colour alone never says late)."""
    w = w or _words("en")
    if r.time_to_first_update_s is not None:
        taken = w.span(r.time_to_first_update_s)
    else:
        taken = w["n/a"] if r.first_update_status == "not_applicable" else w["report.none"]
    marks = {"missed": w["period.late"], "pending": w["period.pending"], "not_applicable": w["n/a"]}
    mark = marks.get(r.first_update_status)
    return f"{taken} ({w.span(r.first_update_target_s)})" + (f" {mark}" if mark else "")


def how_sent(message: Mapping[str, object], w: Words | None = None) -> str:
    w = w or _words("en")
    if message["delivered"]:
        return w["sent.delivered"]
    return w["sent.by_hand"] if message["posted"] else w("sent.failed", error=message["error"])


def quote(text: str) -> Verbatim:
    """A Markdown block quote of the text that went out, line for line (escaped)."""
    return Verbatim("\n".join(f"> {line}" if line else ">" for line in markdown_lines(text)))


def item(text: str) -> Verbatim:
    """Text of one Markdown list item: escaped, its later lines indented to stay in the item."""
    return Verbatim("\n  ".join(markdown_lines(text)))


def _time(tz: str, w: Words) -> Callable[[datetime | None], str]:
    from incplan.localize import format_time

    def fmt(moment: datetime | None) -> str:
        return format_time(moment, tz) if moment else w["n/a"]

    return fmt


def _context_words(function: Callable[..., str]) -> Callable[..., str]:
    """A filter that speaks the report's language: it reads the words from the template's context."""
    from jinja2 import pass_context

    @pass_context
    def spoken(context: Mapping[str, object], value: object) -> str:
        return function(value, context["w"])

    return spoken


def _human(value: float | None, w: Words) -> str:
    return w.span(value)


# Our own templates' filters; record and plan text are data (escaped in HTML and Markdown), never templates.
_FILTERS = (
    ("human", _context_words(_human)),
    ("share", _context_words(share)),
    ("status", _context_words(status_word)),
    ("quote", quote),
    ("item", item),
    ("how_sent", _context_words(how_sent)),
)


def _render(name: str, html: bool, locale: str, **context: object) -> str:
    from incplan import __version__, documents

    css = ""
    if html:
        from markupsafe import Markup

        css = Markup(resources.files("incplan.reports").joinpath("_style.css").read_text(encoding="utf-8"))  # ours
    w = _words(locale)
    return documents.render(
        "incplan.reports",
        name,
        "html" if html else "markdown",
        _FILTERS,
        version=__version__,
        css=css,
        w=w,
        lang=locale,
        first_update_line=lambda r: first_update_line(r, w),
        cadence_phrase=lambda r: cadence_phrase(r, w),
        severity_phrase=lambda r, strong="": severity_phrase(r, strong, w),
        first_update_cell=lambda r: first_update_cell(r, w),
        **context,
    )


def incident_markdown(report: IncidentReport) -> str:
    w = _words(report.locale)
    return _render("incident.md.j2", False, report.locale, r=report, t=_time(report.timezone, w))


def incident_text(report: IncidentReport) -> str:
    """The report as plain text for a terminal or a plain-text email: the Markdown report's
    content without its markup (no tables, quotes or emphasis)."""
    from incplan import __version__

    w = _words(report.locale)
    t = _time(report.timezone, w)
    human = w.span
    lines = [w("report.title", title=report.title)]
    lines.append(f"{report.id} · {severity_phrase(report, '', w)} · {w('report.generated', version=__version__)}")
    lines += ["", w["report.summary"]]
    lines.append(f"  {w['report.opened']}: {t(report.opened_at)}")
    lines.append(f"  {w['report.resolved']}: {t(report.resolved_at) if report.resolved_at else w['report.not_yet']}")
    lines.append(f"  {w['report.time_to_resolve']}: {human(report.time_to_resolve_s)}")
    lines.append(f"  {first_update_line(report, w)}")
    lines.append(f"  {w['report.cadence']}: {cadence_phrase(report, w)}")
    lines += ["", w["report.key_times"], f"  {t(report.opened_at)}  {w['report.opened_event']}"]
    lines += [f"  {t(at)}  {name}" for _, name, at in report.stages[1:]]
    if len(report.severities) > 1:
        lines += ["", w["report.severity_history"]]
        lines += [f"  {t(at)}  {sev}" for sev, at in report.severities]
    lines += ["", w["report.communication"]]
    if report.breaches:
        lines.append(f"  {w['report.late_intro']}")
        for b in report.breaches:
            posted = t(b.posted_at) if b.posted_at else w["report.never"]
            late = human(b.late_by.total_seconds())
            lines.append("  " + w("report.late_line", due=t(b.due_at), posted=posted, late=late))
    else:
        lines.append(f"  {w['report.on_time']}")
    lines += ["", w["report.messages"]]
    for m in report.messages:
        lines.append(f"  {t(m['at'])} · {m['stage_name']} · {m['channel_name']} ({how_sent(m, w)})")
        text = (m["subject"] + "\n\n" if m["subject"] else "") + (m["body"] or "")
        if not m["body"]:
            text += w["report.not_recorded_text"]
        lines += [f"    {line}".rstrip() for line in text.splitlines()]
        lines.append("")
    if not report.messages:
        lines += [f"  {w['report.no_messages']}", ""]
    lines.append(w["report.roles"])
    for role, handles in report.roles.items():
        people = ", ".join(f"{report.people.get(h, h)} ({h})" for h in handles)
        lines.append(f"  {report.role_names[role]}: {people}")
    if not report.roles:
        lines.append(f"  {w['report.no_roles']}")
    lines += ["", w["report.timeline"]]
    lines += [f"  {t(e.at)}  {e.text}" for e in report.timeline]
    todo = f"  {w['report.to_be_written']}"
    lines += ["", w["report.root_cause"], todo, "", w["report.went_well"], todo]
    lines += ["", w["report.follow_up"], f"  {w['report.to_be_written_actions']}"]
    return "\n".join(lines) + "\n"


def incident_html(report: IncidentReport) -> str:
    from markupsafe import Markup

    w = _words(report.locale)
    chart = Markup(timeline_svg(report))
    return _render("incident.html.j2", True, report.locale, r=report, t=_time(report.timezone, w), chart=chart)


def period_markdown(report: PeriodReport, tz: str) -> str:
    return _render("period.md.j2", False, report.locale, p=report, t=_time(tz, _words(report.locale)))


def period_html(report: PeriodReport, tz: str) -> str:
    from markupsafe import Markup

    return _render(
        "period.html.j2",
        True,
        report.locale,
        p=report,
        t=_time(tz, _words(report.locale)),
        severity_chart=Markup(severity_svg(report)),
        first_update_chart=Markup(first_update_svg(report)),
    )


def period_text(report: PeriodReport, tz: str) -> str:
    w = _words(report.locale)
    t = _time(tz, w)
    human = w.span
    lines = []
    since = w("period.since", since=report.since) if report.since else w["period.from_start"]
    until = w("period.until", until=report.until) if report.until else w["period.to_now"]
    lines.append(w("period.heading", since=since, until=until, n=len(report.incidents)))
    lines.append(f"  {w['period.by_severity']}: " + ", ".join(f"{s} {n}" for s, n in report.by_severity.items()))
    resolve = w(
        "period.resolve", median=human(report.median_time_to_resolve_s), p90=human(report.p90_time_to_resolve_s)
    )
    lines.append(f"  {resolve}")
    lines.append("  " + w("period.first", median=human(report.median_time_to_first_update_s)))
    first, kept = share(report.first_update_met_share, w), share(report.cadence_met_share, w)
    lines.append("  " + w("period.shares", first=first, cadence=kept))
    if report.pending or report.not_applicable:
        lines.append("  " + w("period.left_out", pending=report.pending, none=report.not_applicable))
    if report.incidents:
        lines.append("")
        rows = [
            (r.id, r.severity, t(r.opened_at), first_update_cell(r, w), str(r.breach_count), human(r.time_to_resolve_s))
            for r in report.incidents
        ]
        heads = [w[f"period.col_{c}"] for c in ("id", "severity", "opened", "first", "breaches", "resolved")]
        # Columns at least as wide as English always had them (sev 5, opened 21, first update 23,
        # breaches 8), wider where a heading or a value needs it.
        least = [0, 5, 21, 23, 8, 0]
        widths = [max(least[i], len(heads[i]), *(len(row[i]) for row in rows)) for i in range(5)]

        def line(cells: tuple[str, ...] | list[str], head: bool = False) -> str:
            breaches = f"{cells[4]:<{widths[4]}}" if head else f"{cells[4]:>{widths[4]}}"
            return (
                f"{cells[0]:<{widths[0]}}  {cells[1]:<{widths[1]}} {cells[2]:<{widths[2]}} "
                f"{cells[3]:<{widths[3]}} {breaches}  {cells[5]}"
            ).rstrip()

        lines.append(line(heads, head=True))
        lines += [line(row) for row in rows]
    if report.maintenances:
        lines.append("")
        lines.append(w("period.maintenance_heading", n=len(report.maintenances)))
        for m in report.maintenances:
            window = (
                w("period.window", start=t(m.scheduled_for), end=t(m.scheduled_until))
                if m.scheduled_for
                else t(m.opened_at)
            )
            done = w("period.completed", time=t(m.resolved_at)) if m.resolved_at else w["period.not_completed"]
            lines.append(f"  {m.id}  {window}  {done}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ SVG charts


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="system-ui, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def severity_svg(report: PeriodReport) -> str:
    counts = report.by_severity
    width, bar_h, gap, left = 560, 22, 10, 90
    height = max(1, len(counts)) * (bar_h + gap) + 10
    top = max(counts.values(), default=0) or 1
    body = []
    for i, (sev, n) in enumerate(counts.items()):
        y = 5 + i * (bar_h + gap)
        w = int((width - left - 60) * n / top)
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(sev)}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar_h}" fill="#1d4ed8"/>')
        body.append(f'<text x="{left + w + 6}" y="{y + 15}">{n}</text>')
    return _svg(width, height, body, _words(report.locale)["period.per_severity"])


def first_update_svg(report: PeriodReport) -> str:
    words = _words(report.locale)
    rows = [r for r in report.incidents if r.time_to_first_update_s is not None or r.first_update_target_s]
    width, bar_h, gap, left = 760, 18, 8, 230
    height = max(1, len(rows)) * (bar_h + gap) + 30
    scale_max = max([*(r.time_to_first_update_s or 0 for r in rows), *(r.first_update_target_s or 0 for r in rows), 60])
    span = width - left - 70

    def x(seconds: float) -> int:
        return left + int(span * seconds / scale_max)

    body = []
    for i, r in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        label = r.id if len(r.id) <= 32 else r.id[:31] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        if r.time_to_first_update_s is not None:
            color = "#15803d" if r.first_update_met else "#b42318"
            body.append(
                f'<rect x="{left}" y="{y}" width="{x(r.time_to_first_update_s) - left}" '
                f'height="{bar_h}" fill="{color}"/>'
            )
            body.append(
                f'<text x="{x(r.time_to_first_update_s) + 6}" y="{y + 13}">'
                f"{escape(words.span(r.time_to_first_update_s))}</text>"
            )
        else:
            body.append(f'<text x="{left + 4}" y="{y + 13}" fill="#b42318">{escape(words["period.no_update"])}</text>')
        if r.first_update_target_s:
            tx = x(r.first_update_target_s)
            body.append(f'<line x1="{tx}" x2="{tx}" y1="{y - 3}" y2="{y + bar_h + 3}" stroke="#111" stroke-width="2"/>')
    legend_y = height - 8
    legend = escape(words["period.chart_first_legend"])
    body.append(f'<text x="{left}" y="{legend_y}" fill="#5b6475">{legend}</text>')
    return _svg(width, height, body, words["period.chart_first"])


def timeline_svg(report: IncidentReport) -> str:
    words = _words(report.locale)
    start = report.opened_at
    end = max([start, *(m["at"] for m in report.messages), *(e.at for e in report.timeline)])
    if report.resolved_at is not None:
        end = max(end, report.resolved_at)
    total = max((end - start).total_seconds(), 60)
    width, left, right = 760, 70, 70
    span = width - left - right

    def x(moment: datetime) -> float:
        return float(left + span * (moment - start).total_seconds() / total)

    body = [f'<line x1="{left}" x2="{width - right}" y1="40" y2="40" stroke="#1d2330" stroke-width="2"/>']
    for _stage, name, at in report.stages:
        body.append(f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="30" y2="50" stroke="#1d4ed8" stroke-width="2"/>')
        body.append(f'<text x="{x(at):.1f}" y="22" text-anchor="middle" fill="#1d4ed8">{escape(name)}</text>')
    for m in report.messages:
        color = "#15803d" if m["delivered"] or m["posted"] else "#b42318"
        body.append(f'<circle cx="{x(m["at"]):.1f}" cy="62" r="4" fill="{color}"/>')
    for b in report.breaches:
        body.append(
            f'<rect x="{x(b.due_at):.1f}" y="70" '
            f'width="{max(2.0, x(b.posted_at or end) - x(b.due_at)):.1f}" height="6" fill="#b42318"/>'
        )
    body.append(f'<text x="{left}" y="96" fill="#5b6475">{escape(words["report.chart_legend"])}</text>')
    return _svg(width, 104, body, words["report.chart"])
