"""Reports as Markdown, HTML (inline SVG charts: no script, no network) and terminal text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from html import escape
from importlib import resources

from incplan.plan.durations import humanize as human
from incplan.reports.compute import IncidentReport, PeriodReport
from incplan.reports.figures import IncidentFigures


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


STATUS_WORDS = {
    "met": "met",
    "missed": "MISSED",
    "pending": "pending (not yet due)",
    "not_applicable": "n/a (no customer channel)",
}


LATE_UPDATES = (
    "Customer updates that came late (the first due by its target, each next one a cadence after the one before):"
)


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def first_update_line(r: IncidentReport) -> str:
    """The summary's first-update line, the same in every format."""
    target = human(r.first_update_target_s)
    if r.time_to_first_update_s is None:
        return f"First customer update: none (target {target}): {status_word(r.first_update_status)}"
    return (
        f"First customer update after {human(r.time_to_first_update_s)} (target {target}): "
        f"{status_word(r.first_update_status)}"
    )


def cadence_phrase(r: IncidentReport) -> str:
    """`kept`, `2 late updates`, `MISSED (no customer update)`, or why it is not judged."""
    if r.cadence_met is None:
        return status_word(r.cadence_status)
    if r.cadence_met:
        return "kept"
    if r.time_to_first_update_s is None:  # its one breach: the first update, never posted
        return "MISSED (no customer update)"
    return f"{len(r.breaches)} late update" + ("s" if len(r.breaches) != 1 else "")


def severity_phrase(r: IncidentReport, strong: str = "") -> str:
    """`severity sev2 (Major)`; after a change, the most severe and the one at the end, each
    named for what it is (`strong`: Markdown's `**` around each severity)."""
    highest = f"{strong}{r.severity} ({r.severity_name}){strong}"
    if r.last_severity == r.severity:
        return f"severity {highest}"
    when = "at resolution" if r.resolved_at else "now"
    return f"highest severity {highest}, {when} {strong}{r.last_severity} ({r.last_severity_name}){strong}"


def first_update_cell(r: IncidentFigures) -> str:
    """`25m (20m) LATE`, `none (20m) LATE`: the first update against its target, in a table row
    (the same in every format: colour alone never says late)."""
    if r.time_to_first_update_s is not None:
        taken = human(r.time_to_first_update_s)
    else:
        taken = "n/a" if r.first_update_status == "not_applicable" else "none"
    mark = {"missed": " LATE", "pending": " pending", "not_applicable": " n/a"}.get(r.first_update_status, "")
    return f"{taken} ({human(r.first_update_target_s)}){mark}"


def how_sent(message: Mapping[str, object]) -> str:
    if message["delivered"]:
        return "delivered"
    return "posted by hand" if message["posted"] else f"failed: {message['error']}"


def quote(text: str) -> str:
    """A Markdown block quote of the text that went out, line for line."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


# Our own templates; record and plan text are data (escaped in HTML), never templates.
_FILTERS = (("human", human), ("share", share), ("status", status_word), ("quote", quote), ("how_sent", how_sent))


def _time(tz: str) -> Callable[[datetime | None], str]:
    from incplan.localize import format_time

    def fmt(moment: datetime | None) -> str:
        return format_time(moment, tz) if moment else "n/a"

    return fmt


def _render(name: str, html: bool, **context: object) -> str:
    from incplan import __version__, documents

    css = ""
    if html:
        from markupsafe import Markup

        css = Markup(resources.files("incplan.reports").joinpath("_style.css").read_text(encoding="utf-8"))  # ours
    return documents.render(
        "incplan.reports",
        name,
        "html" if html else "text",
        _FILTERS,
        version=__version__,
        css=css,
        first_update_line=first_update_line,
        cadence_phrase=cadence_phrase,
        late_updates=LATE_UPDATES,
        severity_phrase=severity_phrase,
        first_update_cell=first_update_cell,
        **context,
    )


def incident_markdown(report: IncidentReport) -> str:
    return _render("incident.md.j2", False, r=report, t=_time(report.timezone))


def incident_text(report: IncidentReport) -> str:
    """The report as plain text for a terminal or a plain-text email: the Markdown report's
    content without its markup (no tables, quotes or emphasis)."""
    t = _time(report.timezone)
    from incplan import __version__

    lines = [f"Post-incident report: {report.title}"]
    lines.append(f"{report.id} · {severity_phrase(report)} · generated by incplan {__version__}")
    lines += ["", "Summary"]
    lines.append(f"  Opened: {t(report.opened_at)}")
    lines.append(f"  Resolved: {t(report.resolved_at) if report.resolved_at else 'not yet'}")
    lines.append(f"  Time to resolve: {human(report.time_to_resolve_s)}")
    lines.append(f"  {first_update_line(report)}")
    lines.append(f"  Update cadence: {cadence_phrase(report)}")
    lines += ["", "Key times", f"  {t(report.opened_at)}  Opened"]
    lines += [f"  {t(at)}  {name}" for _, name, at in report.stages[1:]]
    if len(report.severities) > 1:
        lines += ["", "Severity history"]
        lines += [f"  {t(at)}  {sev}" for sev, at in report.severities]
    lines += ["", "Communication"]
    if report.breaches:
        lines.append(f"  {LATE_UPDATES}")
        for b in report.breaches:
            posted = t(b.posted_at) if b.posted_at else "never"
            lines.append(f"  due {t(b.due_at)}, posted {posted}, late by {human(b.late_by.total_seconds())}")
    else:
        lines.append("  Every customer update came within the cadence.")
    lines += ["", "Messages"]
    for m in report.messages:
        lines.append(f"  {t(m['at'])} · {m['stage']} · {m['channel']} ({how_sent(m)})")
        text = (m["subject"] + "\n\n" if m["subject"] else "") + (m["body"] or "")
        if not m["body"]:
            text += "(the text was not recorded)"
        lines += [f"    {line}".rstrip() for line in text.splitlines()]
        lines.append("")
    if not report.messages:
        lines += ["  No message was recorded.", ""]
    lines.append("Roles")
    for role, handles in report.roles.items():
        people = ", ".join(f"{report.people.get(h, h)} ({h})" for h in handles)
        lines.append(f"  {report.role_names[role]}: {people}")
    if not report.roles:
        lines.append("  No roles were assigned in the record.")
    lines += ["", "Timeline"]
    lines += [f"  {t(e.at)}  {e.text}" for e in report.timeline]
    lines += ["", "Root cause", "  To be written by the team.", "", "What went well", "  To be written by the team."]
    lines += ["", "Follow-up actions", "  To be written by the team (action, owner, due date)."]
    return "\n".join(lines) + "\n"


def incident_html(report: IncidentReport) -> str:
    from markupsafe import Markup

    chart = Markup(timeline_svg(report))
    return _render("incident.html.j2", True, r=report, t=_time(report.timezone), chart=chart)


def period_markdown(report: PeriodReport, tz: str) -> str:
    return _render("period.md.j2", False, p=report, t=_time(tz))


def period_html(report: PeriodReport, tz: str) -> str:
    from markupsafe import Markup

    return _render(
        "period.html.j2",
        True,
        p=report,
        t=_time(tz),
        severity_chart=Markup(severity_svg(report)),
        first_update_chart=Markup(first_update_svg(report)),
    )


def period_text(report: PeriodReport, tz: str) -> str:
    t = _time(tz)
    lines = []
    span = f"{report.since or 'start'} to {report.until or 'now'}"
    lines.append(f"Incidents {span}: {len(report.incidents)}")
    lines.append("  by severity: " + ", ".join(f"{s} {n}" for s, n in report.by_severity.items()))
    lines.append(
        f"  time to resolve: median {human(report.median_time_to_resolve_s)}, p90 {human(report.p90_time_to_resolve_s)}"
    )
    lines.append(f"  time to first customer update: median {human(report.median_time_to_first_update_s)}")
    lines.append(
        f"  first update on time: {share(report.first_update_met_share)};"
        f" cadence kept: {share(report.cadence_met_share)}"
    )
    if report.pending or report.not_applicable:
        lines.append(
            f"  left out of the shares: {report.pending} pending (first update not yet due),"
            f" {report.not_applicable} without a customer channel"
        )
    if report.incidents:
        lines.append("")
        width = max(len(r.id) for r in report.incidents)
        lines.append(f"{'id':<{width}}  sev   opened                first update (target)   breaches  resolved in")
        for r in report.incidents:
            lines.append(
                f"{r.id:<{width}}  {r.severity:<5} {t(r.opened_at):<21} {first_update_cell(r):<23} "
                f"{r.breach_count:>8}  {human(r.time_to_resolve_s)}"
            )
    if report.maintenances:
        lines.append("")
        lines.append(f"Scheduled maintenance (not in the figures above): {len(report.maintenances)}")
        for m in report.maintenances:
            window = f"{t(m.scheduled_for)} to {t(m.scheduled_until)}" if m.scheduled_for else t(m.opened_at)
            done = f"completed {t(m.resolved_at)}" if m.resolved_at else "not completed"
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
    return _svg(width, height, body, "Incidents per severity")


def first_update_svg(report: PeriodReport) -> str:
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
                f"{escape(human(r.time_to_first_update_s))}</text>"
            )
        else:
            body.append(f'<text x="{left + 4}" y="{y + 13}" fill="#b42318">no update</text>')
        if r.first_update_target_s:
            tx = x(r.first_update_target_s)
            body.append(f'<line x1="{tx}" x2="{tx}" y1="{y - 3}" y2="{y + bar_h + 3}" stroke="#111" stroke-width="2"/>')
    legend_y = height - 8
    body.append(
        f'<text x="{left}" y="{legend_y}" fill="#5b6475">bar: time to first customer update '
        f"(green on time, red late); black line: target</text>"
    )
    return _svg(width, height, body, "Time to first customer update per incident, against its target")


def timeline_svg(report: IncidentReport) -> str:
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
    for stage, name, at in report.stages:
        body.append(f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="30" y2="50" stroke="#1d4ed8" stroke-width="2"/>')
        body.append(f'<text x="{x(at):.1f}" y="22" text-anchor="middle" fill="#1d4ed8">{escape(name)}</text>')
        del stage
    for m in report.messages:
        color = "#15803d" if m["delivered"] or m["posted"] else "#b42318"
        body.append(f'<circle cx="{x(m["at"]):.1f}" cy="62" r="4" fill="{color}"/>')
    for b in report.breaches:
        body.append(
            f'<rect x="{x(b.due_at):.1f}" y="70" '
            f'width="{max(2.0, x(b.posted_at or end) - x(b.due_at)):.1f}" height="6" fill="#b42318"/>'
        )
    body.append(
        f'<text x="{left}" y="96" fill="#5b6475">blue: stages; dots: messages; red bars: late customer updates</text>'
    )
    return _svg(width, 104, body, "Incident timeline")
