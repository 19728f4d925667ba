"""Names a shell completes from the plan: stages, severities, channels, locales, roles, people,
incident ids. Read from the raw YAML (a plan with errors still completes); never raises."""

from __future__ import annotations

import contextlib
from pathlib import Path

KINDS = ("stage", "severity", "channel", "locale", "role", "person", "incident", "section")
SECTIONS = ("definition", "severities", "roles", "channels", "stages", "values")


def _plan(explicit: str | None) -> tuple[Path, dict[str, object]] | None:
    from incplan.plan.discover import find_plan
    from incplan.plan.parse import parse_yaml
    from incplan.plan.read import read_text

    path = find_plan(None if explicit in (None, "-") else explicit)
    text, _ = read_text(path, str(path))
    if text is None:
        return None
    data, _ = parse_yaml(text, str(path))
    return (path, data) if isinstance(data, dict) else None


def _keys(data: dict[str, object], section: str) -> list[str]:
    value = data.get(section)
    return [str(k) for k in value] if isinstance(value, dict) else []


def names(kind: str, plan: str | None = None) -> list[str]:
    """The plan's names of one kind, in plan order; [] when there is no readable plan."""
    found: list[str] = []
    with contextlib.suppress(Exception):  # completion must never print a traceback in a shell
        loaded = _plan(plan)
        if loaded is None:
            return []
        path, data = loaded
        if kind in ("stage", "severity", "channel", "role"):
            found = _keys(data, {"stage": "stages", "severity": "severities"}.get(kind, kind + "s"))
        elif kind == "person":
            found = ["@" + name for name in _keys(data, "people")]
        elif kind == "locale":
            organization = data.get("organization")
            locales = organization.get("locales") if isinstance(organization, dict) else None
            found = [str(x) for x in locales] if isinstance(locales, list) else ["en"]
        elif kind == "section":
            found = [*SECTIONS, *_keys(data, "severities")]
        elif kind == "incident":
            found = _incident_ids(path, data)
    return found


def _incident_ids(plan_path: Path, data: dict[str, object]) -> list[str]:
    configured = data.get("incidents_dir")
    folder = Path(configured) if isinstance(configured, str) and configured else Path("incidents")
    folder = folder if folder.is_absolute() else plan_path.parent / folder
    if not folder.is_dir():
        return []
    records = (p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    # Newest first: the incident being worked on is usually the latest one.
    return [p.stem for p in sorted(records, key=lambda p: p.stem, reverse=True)]
