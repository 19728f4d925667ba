"""Shell completion of the plan's own names, installed on every command's parameters by name,
so that a command gets it by naming its option `--stage`, `--severity`, `--channel`, ..."""

from __future__ import annotations

from collections.abc import Callable

# parameter name (as the command function spells it) -> kind of name it takes
KIND_BY_PARAMETER = {
    "stage": "stage",
    "severity": "severity",
    "channel": "channel",
    "locale": "locale",
    "role": "role",
    "person": "person",
    "incident": "incident",
    "incident_id": "incident",
    "section": "section",
}


def install(command: object) -> None:
    """Give every parameter named like a plan name a completer (commands, options: Typer's).
    Walked by attribute: click's classes or, from Typer 0.2x, the copy of click Typer ships."""
    for param in getattr(command, "params", []):
        kind = KIND_BY_PARAMETER.get(param.name or "")
        if kind is not None and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = _completer(kind, assigns="=" in (param.metavar or ""))
    for sub in getattr(command, "commands", {}).values():
        install(sub)


def _completer(kind: str, *, assigns: bool) -> Callable[[object, object, str], list[str]]:
    def complete(ctx: object, param: object, incomplete: str) -> list[str]:
        from incplan.completion import names

        plan = _plan_option(ctx)
        if assigns and "=" in incomplete:  # --role ROLE=@handle
            role, _, _ = incomplete.partition("=")
            offered = [f"{role}={handle}" for handle in names("person", plan)]
        elif assigns:
            offered = [f"{name}=" for name in names(kind, plan)]
        else:
            offered = names(kind, plan)
        return [name for name in offered if name.startswith(incomplete)]

    return complete


def _plan_option(ctx: object) -> str | None:
    while ctx is not None:
        plan = (getattr(ctx, "params", None) or {}).get("plan")
        if isinstance(plan, str) and plan:
            return plan
        ctx = getattr(ctx, "parent", None)
    return None
