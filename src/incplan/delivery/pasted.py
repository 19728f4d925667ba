"""Secrets pasted into text: the value of a secret environment variable that the plan's delivery
uses (`api_key_env`, `webhook_url_env`, `password_env`, ...; not `to_env`, a list of numbers)
never goes into a record or a message.

Text typed on the command line (a title, `--note`, `--update`, a `--var` value or `--by`) that
holds one is refused where it is typed (exit 2, naming the variable, never the value); a message
that holds one anyway (a record edited by hand) is not sent, and `--dry-run` says so, so a dry
run and a real send always agree. "Holds" means the value in any form delivery masks
(`Secrets.remember`: URL-quoted or not, JSON-escaped), or a URL's secret parts: its path from any
segment on, a last segment of 16 characters or more, its query and password. A single segment
that looks like an id (`T0001ABCD`, 8+ characters with a digit) is masked in output but not
refused here, and a word (`services`, `workflows`) is neither. Notify, remind and roster all hold
back such a message (`delivery.run.hold_back`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from incplan.delivery.base import DeliveryFailed, Secrets, split_url
from incplan.diagnostics import UsageError

if TYPE_CHECKING:
    from incplan.plan.models import Plan

# recipients (personal data, masked when shown) and a login name are not credentials: an SMTP
# user name like `apikey` or `status@orbit.example` may well be written in a message
NOT_SECRET = frozenset({"to_env", "username_env"})
URL_KEYS = frozenset({"webhook_url_env", "url_env"})


def plan_secrets(plan: Plan) -> dict[str, str]:
    """Every form of every secret the plan's delivery reads from the environment -> its variable."""
    found: dict[str, str] = {}
    for channel in plan.channels.values():
        if channel.delivery is None:
            continue
        for key, name in channel.delivery:
            if not key.endswith("_env") or key in NOT_SECRET or not isinstance(name, str) or not os.environ.get(name):
                continue
            secrets = Secrets()
            value = secrets.get(name)
            if key in URL_KEYS:
                # the URL's secret parts as a whole (never one path segment: a webhook URL's
                # `services` or `workflows` is a word people write)
                try:
                    parts = split_url(value, name)
                except DeliveryFailed:
                    parts = None
                path = parts.path.strip("/").split("/") if parts else []
                # the path from any segment on (`B0001/<secret>`), the last segment if it is long
                # enough to be a token, the query and the password
                tails = ["/".join(path[i:]) for i in range(len(path) - 1)] + [s for s in path[-1:] if len(s) >= 16]
                for part in [*tails, *((parts.query, parts.password) if parts else ())]:
                    if part and len(part) >= 8:
                        secrets.remember(part)
            for form in secrets.seen:
                found.setdefault(form, name)
    return found


def holding(text: str | None, secrets: Mapping[str, str]) -> str | None:
    """The variable whose secret `text` holds, if any (the longest form first)."""
    if not text:
        return None
    for form in sorted(secrets, key=len, reverse=True):
        if form in text:
            return secrets[form]
    return None


def refuse_pasted(
    plan: Plan,
    *,
    title: str | None = None,
    note: str | None = None,
    update: str | None = None,
    variables: Mapping[str, str] | None = None,
    by: str | None = None,
) -> None:
    """A `UsageError` (exit 2, before anything is written or sent) when typed text holds a secret."""
    typed = [("--title", title), ("--note", note), ("--update", update), ("--by", by)]
    typed += [(f"--var {name}", value) for name, value in (variables or {}).items()]
    if not any(text for _, text in typed):
        return
    secrets = plan_secrets(plan)
    for option, text in typed:
        name = holding(text, secrets)
        if name is not None:
            raise UsageError(
                f"{option} holds the value of `{name}`, a secret the plan's delivery uses; it is never stored or sent",
                hint="take it out (and if it was pasted anywhere else, rotate it)",
            )


def withheld(name: str) -> str:
    """Why a message holding the secret of `name` is not sent."""
    return f"the message holds the value of `{name}`, a secret the plan's delivery uses; not sent"


def masked(text: str | None, secrets: Mapping[str, str]) -> str | None:
    """`text` with every secret form written `***` (what a record keeps of a message not sent)."""
    if not text:
        return text
    for form in sorted(secrets, key=len, reverse=True):
        text = text.replace(form, "***")
    return text
