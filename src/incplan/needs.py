"""What each command used during an incident reads from the plan (`plan.usable`, rule 3).

A command calls these on a `UsablePlan` before it acts (or, when it only reads, before it
prints); each one stops the command with the errors of a set-aside entry it names. Every
command also needs `organization` (timezone, languages); the record commands need
`incidents_dir`.

- `notify`: the stage; the severity (given, or the record's); every channel it renders (given
  with `-c`, else the severity's and, with `-i`, every customer channel the incident reached;
  a set-aside channel it reached counts, since its audience is unknown); each channel's message
  for the stage (its own, else the stage's `default`, in the language asked) and what the
  message reads: variables, `roles.<id>` (the role and its people, assigned ones included),
  `people.<handle>`, the incident's components. A loop over `roles` or `people` reads them all.
- `classify`: each criterion it asks (a set-aside criterion before the first yes stops it, one
  after it does not matter), then the playbook of the severity; "not an incident" reads the
  definition's texts.
- the playbook (`classify`, `show SEVERITY`): the severity, every stage (the cadence line and
  the first stage), its roles with their people, its channels with their owners, and what
  `notify` needs for the first message it suggests.
- `incident open|update|assign`, `maintenance schedule|update`: every name given (severity,
  stage, or the plan's first stage, role, person, variables, components).
- `incident status|watch`, `report ID`: for each incident shown, every severity and stage it
  had (cadence, final stages), every channel it notified (audience decides what a customer
  update is), its roles and their people, its components. `incident list` and `report --all`:
  severities, stages and channels. `incident remind`: severities, stages, channels; with
  `--send` also the channels of the severity and the `reminder` message.
- `site build` (the public status page, rebuilt during incidents): every component and stage
  (incident and maintenance) it lists, and for each record what `incident list` needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from incplan.plan.models import MAINTENANCE

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from incplan.announce import NotifyOptions
    from incplan.incidents.models import Record
    from incplan.incidents.state import State
    from incplan.plan.models import Plan
    from incplan.plan.usable import Entry, UsablePlan
    from incplan.reports.figures import IncidentFigures

LEAVE_OUT = "fix it and run the command again, or name only the other channels with --channel"


def stage(kind: str, stage_id: str) -> Entry:
    return ("maintenance", "stages", stage_id) if kind == MAINTENANCE else ("stages", stage_id)


def severity(kind: str, severity_id: str) -> list[Entry]:
    """A maintenance's severity is its section's channels and cadence."""
    if kind == MAINTENANCE:
        return [("maintenance", key) for key in ("channels", "update_every", "first_update_within")]
    return [("severities", severity_id)]


def _templates(kind: str) -> Entry:
    return ("maintenance", "templates") if kind == MAINTENANCE else ("templates",)


def _raw(u: UsablePlan, path: Entry) -> object:
    node: object = u.data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _raw_keys(u: UsablePlan, section: str) -> list[str]:
    found = u.data.get(section)
    return [k for k in found if isinstance(k, str)] if isinstance(found, dict) else []


def base(u: UsablePlan, *, records: bool = True) -> None:
    u.require(("organization",), *([("incidents_dir",)] if records else []))


def given(
    u: UsablePlan,
    *,
    kind: str = "incident",
    stage_id: str | None = None,
    severity_id: str | None = None,
    role: str | None = None,
    person: str | None = None,
    people: Iterable[str] = (),
    variables: Iterable[str] = (),
    channels: Iterable[str] = (),
    components: Iterable[str] = (),
) -> None:
    """Names typed on the command line (`check_names` then reports the ones never declared)."""
    if not u.aside:
        return
    if stage_id:
        u.require(stage(kind, stage_id))
    if severity_id:
        u.require(*severity(kind, severity_id))
    if role:
        u.require(("roles", role))
    for handle in [person, *people]:
        if handle:
            u.require(("people", handle.removeprefix("@")))
    for name in variables:
        u.require(("variables", name.partition("@")[0]))
    for ch in channels:
        u.require(("channels", ch))
    for component in components:
        u.require(("components", component))


def first_stage(u: UsablePlan, kind: str = "incident") -> str | None:
    """The plan's first stage as written (a set-aside first stage is not replaced by the next)."""
    if kind == MAINTENANCE:
        u.require_section(("maintenance", "stages"))
    raw = _raw(u, ("maintenance", "stages") if kind == MAINTENANCE else ("stages",))
    first = next((k for k in raw if isinstance(k, str)), None) if isinstance(raw, dict) else None
    if first is not None:
        u.require(stage(kind, first))
    return first


# ---------------------------------------------------------------- messages


def messages(
    u: UsablePlan,
    view: Plan,
    *,
    kind: str,
    stage_id: str,
    channels: Iterable[str],
    locale: str | None = None,
    state: State | None = None,
) -> None:
    """Each channel, its message for the stage, and what that message reads."""
    for ch in channels:
        u.require(("channels", ch), hint=LEAVE_OUT)
        raw = _raw(u, (*_templates(kind), stage_id))
        key = ch if isinstance(raw, dict) and ch in raw else "default"
        u.require((*_templates(kind), stage_id, key), hint=LEAVE_OUT)
        spec = view.templates.get(stage_id, {}).get(key)
        if spec is None:
            continue
        sources = [spec.body, spec.subject]
        channel = view.channels.get(ch)
        if locale == "all":
            wanted = list(spec.translations)
        elif locale:
            wanted = [locale]
        else:  # the languages the channel posts in
            wanted = channel.posts_in(view.default_locale) if channel else []
        for loc in wanted:
            if loc in spec.translations:
                sources += [spec.translations[loc].body, spec.translations[loc].subject]
        for source in sources:
            if source:
                reads(u, source, state=state, hint=LEAVE_OUT)


def reads(u: UsablePlan, source: str, *, state: State | None = None, hint: str = "") -> None:
    """What one template reads: its variables, roles and their people, people, components."""
    from jinja2 import TemplateSyntaxError

    from incplan.templates.cache import compile_template

    try:
        names = set(compile_template(source).names)
    except TemplateSyntaxError:
        return  # the message itself fails, with its own error
    for name in names & set(_raw_keys(u, "variables")):
        u.require(("variables", name), hint=hint)
    if "roles" in names:
        wanted = _attributes(source, "roles")
        for role_id in _raw_keys(u, "roles") if wanted is None else sorted(wanted):
            role(u, role_id, assigned=(state.roles.get(role_id, []) if state else []), hint=hint)
    if "people" in names:
        wanted = _attributes(source, "people")
        for handle in _raw_keys(u, "people") if wanted is None else sorted(wanted):
            u.require(("people", handle), hint=hint)
    if "components" in names and state is not None:
        for component in state.components:
            u.require(("components", component), hint=hint)


def role(u: UsablePlan, role_id: str, *, assigned: Iterable[str] = (), hint: str = "") -> None:
    """A role is read with its people."""
    u.require(("roles", role_id), hint=hint)
    found = u.plan.roles.get(role_id)
    for handle in [*assigned, *(found.people if found else [])]:
        u.require(("people", handle.removeprefix("@")), hint=hint)


def _attributes(source: str, name: str) -> set[str] | None:
    """The attributes of `name` a template reads (`roles.incident_commander`,
    `roles["scribe"]`), or None when it reads `name` otherwise (a loop over every role)."""
    from jinja2 import nodes

    from incplan.templates.sandbox import environment

    try:
        ast = environment().parse(source)
    except Exception:
        return None
    found: set[str] = set()
    direct: set[int] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        inner = getattr(node, "node", None)
        if not (isinstance(inner, nodes.Name) and inner.name == name):
            continue
        if isinstance(node, nodes.Getattr):
            found.add(node.attr)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            found.add(node.arg.value)
        else:
            return None
        direct.add(id(inner))
    for used in ast.find_all(nodes.Name):
        if used.name == name and used.ctx == "load" and id(used) not in direct:
            return None
    return found


# ---------------------------------------------------------------- commands


def notify(u: UsablePlan, options: NotifyOptions, plan_path: Path) -> None:
    """`notify` (see the module docstring), before it composes, records or sends anything."""
    if not u.aside:
        return
    base(u, records=bool(options.incident))
    given(u, variables=options.variables, channels=options.channels)
    kind, state, view = "incident", None, u.plan
    stage_id, severity_id = options.stage, options.severity
    routed: list[str] = []
    if options.incident:
        from incplan.incidents.state import fold
        from incplan.incidents.store import incidents_dir, read_record_fast, record_path

        record = read_record_fast(record_path(incidents_dir(u.plan, plan_path), options.incident))
        kind, view = record.kind, u.plan.for_record(record)
        state = fold(record, view)
        stage_id, severity_id = stage_id or state.stage, severity_id or state.severity
        routed = reached(u, view, state)
    if stage_id is None:
        return  # `notify` asks for one
    u.require(stage(kind, stage_id))
    if severity_id:
        u.require(*severity(kind, severity_id))
        found = view.severities.get(severity_id)
        routed = [*(found.channels if found else []), *routed]
    channels = options.channels or list(dict.fromkeys(routed))
    messages(u, view, kind=kind, stage_id=stage_id, channels=channels, locale=options.locale, state=state)


def reached(u: UsablePlan, view: Plan, state: State) -> list[str]:
    """Customer channels the incident already reached (a set-aside one may be one of them)."""
    out = []
    for n in state.notifications:
        ch = view.channels.get(n.channel)
        if n.counts and (u.is_aside(("channels", n.channel)) or (ch is not None and ch.is_customer)):
            out.append(n.channel)
    return out


def playbook(u: UsablePlan, severity_id: str) -> None:
    """`show SEVERITY` and the end of `classify`."""
    if not u.aside or severity_id not in _raw_keys(u, "severities"):
        return  # an unknown name: the command says so
    base(u, records=False)
    u.require(("severities", severity_id))
    for stage_id in _raw_keys(u, "stages"):
        u.require(("stages", stage_id))
    found = u.plan.severities.get(severity_id)
    if found is None:
        return
    for role_id in found.roles:
        role(u, role_id)
    for ch in found.channels:
        u.require(("channels", ch))
        channel = u.plan.channels.get(ch)
        owner = channel.owner if channel else None
        if owner and owner.startswith("@"):
            u.require(("people", owner[1:]))
        elif owner:
            role(u, owner)
    first = first_stage(u)
    if first is not None:
        messages(u, u.plan, kind="incident", stage_id=first, channels=found.channels)


def classify_answers(u: UsablePlan, ids: Iterable[str]) -> None:
    """Before `classify` asks anything: its criteria as a whole, and `--yes ID`/`--no ID`
    naming a set-aside criterion (its errors, not "unknown criterion")."""
    if not u.aside:
        return
    u.require_section(("definition", "criteria"))
    raw = _raw(u, ("definition", "criteria"))
    wanted = set(ids)
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, dict) and item.get("id") in wanted:
            u.require(("definition", "criteria", i))


def not_an_incident(u: UsablePlan) -> None:
    u.require(("definition", "incident"), ("definition", "not_incident"), ("definition", "translations"))


def incident(u: UsablePlan, state: State, *, roles: bool = True, components: Iterable[str] | None = None) -> None:
    """One incident as `status`, `watch` and `report` show it (`list`: `roles=False`, no components)."""
    if not u.aside:
        return
    kind = state.kind
    for severity_id, _ in state.severities:
        u.require(*severity(kind, severity_id))
    for stage_id, _ in state.stages:
        u.require(stage(kind, stage_id))
    for n in state.notifications:
        u.require(("channels", n.channel))
    if roles:
        for role_id, handles in state.roles.items():
            role(u, role_id, assigned=handles)
    for component in state.components if components is None else components:
        u.require(("components", component))


def record(u: UsablePlan, found: Record) -> None:
    """`report ID`: the incident and every component its timeline names."""
    if not u.aside:
        return
    from incplan.incidents.models import ComponentsChanged
    from incplan.incidents.state import fold

    named = [c for e in found.events if isinstance(e, ComponentsChanged) for c in e.components]
    incident(u, fold(found, u.plan.for_record(found)), components=named)


def remind(u: UsablePlan, view: Plan, state: State, *, send: bool) -> None:
    if not u.aside:
        return
    incident(u, state, roles=False, components=())
    if send:
        found = view.severities.get(state.severity)
        for ch in found.channels if found else []:
            u.require(("channels", ch))
        u.require(("reminder",))
        if view.reminder is not None:
            for source in (view.reminder.body, view.reminder.subject):
                if source:
                    reads(u, source, state=state)


def opening(
    u: UsablePlan,
    severity_id: str,
    stage_id: str | None,
    variables: Iterable[str],
    roles: Iterable[tuple[str, str]],
    components: Iterable[str],
    by: str | None,
) -> None:
    """`incident open`: the names given, and the plan's first stage unless one is given."""
    if not u.aside:
        return
    given(
        u,
        stage_id=stage_id or first_stage(u),
        severity_id=severity_id,
        variables=variables,
        components=components,
        person=by,
        people=[person for _, person in roles],
    )
    for role_id, _ in roles:
        u.require(("roles", role_id))


def updating(
    u: UsablePlan,
    path: Path,
    stage_id: str | None,
    severity_id: str | None,
    variables: Iterable[str],
    components: Iterable[str],
    by: str | None,
) -> None:
    """`incident update` and `maintenance update`: the names given, a stage among the record's kind's."""
    if not u.aside:
        return
    kind = "incident"
    if stage_id:
        from incplan.incidents.store import read_record_fast

        kind = read_record_fast(path).kind
    given(
        u,
        kind=kind,
        stage_id=stage_id,
        severity_id=severity_id,
        variables=variables,
        components=components,
        person=by,
    )


def scheduling(u: UsablePlan, variables: Iterable[str], components: Iterable[str], by: str | None) -> None:
    """`maintenance schedule`: the maintenance stages (the first one opens it) and the names given."""
    if not u.aside:
        return
    first_stage(u, MAINTENANCE)
    given(u, variables=variables, components=components, person=by)


def report_row(u: UsablePlan, row: IncidentFigures) -> None:
    """`report --all`: the severities, stages and channels behind one incident's figures."""
    if not u.aside:
        return
    for severity_id in row.severities:
        u.require(*severity(row.kind, severity_id))
    for stage_id in row.stages:
        u.require(stage(row.kind, stage_id))
    for channel in row.channels:
        u.require(("channels", channel))


def watching(u: UsablePlan, plan_path: Path, now: datetime, incident_id: str | None) -> None:
    """`incident watch`, when it starts: each incident on the board, as `status` shows it."""
    if not u.aside:
        return
    from incplan.diagnostics import ProblemError
    from incplan.incidents.service import status_of, statuses
    from incplan.incidents.store import incidents_dir, record_path

    try:
        found = (
            [status_of(u.plan, record_path(incidents_dir(u.plan, plan_path), incident_id), now)]
            if incident_id
            else statuses(u.plan, plan_path, now, include_closed=False)[0]
        )
    except ProblemError:
        return  # a damaged record: the board says so
    for item in found:
        incident(u, item.state)


def site(u: UsablePlan, plan_path: Path) -> None:
    """`site build`, before it writes anything."""
    if not u.aside:
        return
    from incplan.diagnostics import ProblemError
    from incplan.incidents.state import fold
    from incplan.incidents.store import incidents_dir, list_records, read_record_fast

    for section in ("components", "stages"):
        for key in _raw_keys(u, section):
            u.require((section, key))
    u.require_section(("maintenance", "stages"))
    raw = _raw(u, ("maintenance", "stages"))
    for key in raw if isinstance(raw, dict) else ():
        u.require(("maintenance", "stages", key))
    for path in list_records(incidents_dir(u.plan, plan_path)):
        try:
            found = read_record_fast(path)
        except ProblemError:
            continue  # the site reports a damaged record beside the others
        incident(u, fold(found, u.plan.for_record(found)), roles=False, components=())
