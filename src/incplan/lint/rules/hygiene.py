"""Plan hygiene: secrets, placeholders, overdue review. Secrets and placeholders are looked for in
the raw data, so they are found even in a plan that fails the schema."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import replace

from incplan.diagnostics import Anchor, Diagnostic, PathPart, Severity
from incplan.lint.context import LintContext
from incplan.lint.declare import rule

E, W = Severity.ERROR, Severity.WARNING


class _Pattern:
    r"""A pattern that starts with `\b`, searched fast with the same results.

    Python's regex engine scans straight for a pattern's literal first characters, but not when
    the pattern starts with `\b` or a case-insensitive letter: then it tries a match at every
    position (100-300 µs per plan and pattern, against 2-10 µs). So the rest is searched and the
    boundary checked by hand (`\b` before a word character means no word character before it),
    and `quick`, a literal-led pattern that every match contains, rules most texts out first."""

    __slots__ = ("boundary", "pattern", "quick")

    def __init__(self, pattern: str, flags: int = 0, *, quick: str | None = None) -> None:
        self.boundary = pattern.startswith(r"\b")
        self.pattern = re.compile(pattern.removeprefix(r"\b"), flags)
        self.quick = re.compile(quick, flags) if quick is not None else None

    def search(self, text: str) -> re.Match[str] | None:
        pos = 0
        while (match := self.pattern.search(text, pos)) is not None:
            start = match.start()
            if not self.boundary or start == 0 or not _is_word(text[start - 1]):
                return match
            pos = start + 1
        return None

    def may_be_in(self, text: str) -> bool:
        """False only if `search` would find nothing (cheaper than `search`)."""
        return (self.quick.search(text) if self.quick is not None else self.search(text)) is not None


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what `\w` matches in a str pattern


_SECRETS = [
    ("a Slack token", _Pattern(r"\bxox[abeoprs]-[A-Za-z0-9-]{10,}")),
    ("a Slack webhook URL", _Pattern(r"hooks\.slack\.com/(services|workflows|triggers)/\S+")),
    (
        "a Microsoft Teams / Power Automate webhook URL",
        _Pattern(
            r"(webhook\.office\.com/\S+|logic\.azure\.com\S*sig=|powerplatform\.com/\S*sig=)",
            re.I,
            quick=r"\.(com/|azure\.com)",
        ),
    ),
    ("a Discord webhook URL", _Pattern(r"discord(app)?\.com/api/webhooks/\d+/\S+", re.I, quick=r"/api/webhooks/")),
    ("a GitHub token", _Pattern(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
    ("an AWS access key", _Pattern(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Stripe key", _Pattern(r"\b[rsp]k_(live|test)_[A-Za-z0-9]{16,}", quick=r"k_(live|test)_")),
    ("a Google API key", _Pattern(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a private key", _Pattern(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a JSON web token", _Pattern(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+")),
    ("a webhook signing secret", _Pattern(r"\bwhsec_[A-Za-z0-9+/=]{16,}")),
    (
        "a URL with a password in it",
        _Pattern(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I, quick=r"://[^/\s:@]+:[^/\s@]+@"),
    ),
    (
        "a URL with a token in its query",
        _Pattern(
            r"https?://\S+[?&](token|sig|signature|key|api_key|apikey|secret|access_token)=[^&\s]{8,}",
            re.I,
            quick=r"://\S+[?&](token|sig|signature|key|api_key|apikey|secret|access_token)=[^&\s]{8,}",
        ),
    ),
]
_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api_?key|credential|webhook_url)$", re.I)
_PLACEHOLDER_WORD = _Pattern(r"\b(TODO|TBD|FIXME|XXX)\b")
_LOREM = re.compile(r"[Ll]orem [Ii]psum")
_EXAMPLE_DOMAIN = re.compile(r"[@./](example\.(com|org|net))\b", re.I)


def _placeholder_in(text: str) -> re.Match[str] | None:
    """The first `TODO`, `TBD`, `FIXME`, `XXX` (as a word) or lorem ipsum in `text`."""
    found = [m for m in (_PLACEHOLDER_WORD.search(text), _LOREM.search(text)) if m is not None]
    return min(found, key=lambda m: m.start()) if found else None


def _secret_kinds(texts: list[str]) -> list[str | None]:
    """The kind of secret in each text. Each pattern first looks at all texts joined (one regex
    pass per pattern instead of one per pattern and value); texts are looked at one by one only
    for the patterns that may be there."""
    blob = "\n".join(texts)
    kinds: list[str | None] = [None] * len(texts)
    for label, pattern in _SECRETS:
        if not pattern.may_be_in(blob):
            continue
        for i, text in enumerate(texts):
            if kinds[i] is None and pattern.search(text):
                kinds[i] = label
    return kinds


@functools.lru_cache(maxsize=1024)
def _is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key)) and not key.endswith("_env")


def _all_strings(ctx: LintContext) -> list[tuple[tuple[PathPart, ...], str | None, str]]:
    """Every string value of the plan, walked once for all hygiene rules."""
    if ctx.shared.strings is None:
        ctx.shared.strings = list(_strings(ctx.data))
    return ctx.shared.strings


def _strings(node: object, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[tuple[PathPart, ...], str | None, str]]:
    """(path, key, text) for every string value, iteratively deep."""
    stack: list[tuple[object, tuple[PathPart, ...]]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if isinstance(value, str):
                    yield (*where, str(key)), str(key), value
                else:
                    stack.append((value, (*where, str(key))))
        elif isinstance(current, list):
            for i, value in enumerate(current):
                if isinstance(value, str):
                    last = where[-1] if where else None
                    yield (*where, i), str(last) if last is not None else None, value
                else:
                    stack.append((value, (*where, i)))


def _secret_in(text: str) -> str | None:
    for _label, pattern in _SECRETS:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def _keys(node: object, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    """(path, key) for every mapping key, iteratively deep."""
    stack: list[tuple[object, tuple[PathPart, ...]]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                yield (*where, str(key)), str(key)
                stack.append((value, (*where, str(key))))
        elif isinstance(current, list):
            stack.extend((value, (*where, i)) for i, value in enumerate(current))


@rule("E401", "secret-in-plan", E, data_only=True)
def secret_in_plan(ctx: LintContext) -> Iterator[Diagnostic]:
    """A token, API key, password or private webhook URL in the plan; name an environment variable instead."""
    found = _all_strings(ctx)
    kinds = _secret_kinds([text for _, _, text in found])
    # what was flagged is masked in every diagnostic of the file (the runner does it): CI logs are public
    flagged = ctx.shared.secrets
    keys = list(_keys(ctx.data))
    for (key_path, name), kind in zip(keys, _secret_kinds([name for _, name in keys]), strict=True):
        secret = _secret_in(name) if kind else None
        if secret:
            flagged.add(secret)
            yield secret_in_plan.at(
                f"`{'.'.join(str(p) for p in key_path)}` is a key that looks like a secret",
                path=key_path,
                anchor=Anchor.KEY,
                hint="remove it and rotate it; the plan names environment variables, never their values",
            )
    for (path, key, text), what in zip(found, kinds, strict=True):
        if what is None and key and _is_secret_key(key) and text.strip():
            what = f"a `{key}` value"
            flagged.add(text.strip())
        elif what:
            flagged.add(_secret_in(text) or text)
        if what:
            # Never echo the value: this message goes to CI logs.
            yield secret_in_plan.at(
                f"`{'.'.join(str(p) for p in path)}` looks like {what}",
                path=path,
                hint="remove it, rotate it, and name the environment variable that holds it (`*_env` keys)",
            )


@rule("W401", "placeholder", W, data_only=True)
def placeholder(ctx: LintContext) -> Iterator[Diagnostic]:
    """Placeholders left in the plan: TODO, TBD, FIXME, lorem ipsum, people at example.com."""
    found = _all_strings(ctx)
    # One search over all values first: most plans have no placeholder left at all.
    any_placeholder = _PLACEHOLDER_WORD.may_be_in(blob := "\n".join(text for _, _, text in found)) or bool(
        _LOREM.search(blob)
    )
    for path, _key, text in found:
        if path and path[0] == "lint":
            continue
        if not any_placeholder and path[:1] not in (("people",), ("organization",)):
            continue
        match = _placeholder_in(text)
        if match:
            yield placeholder.at(
                f"`{'.'.join(str(p) for p in path)}` still says `{match.group(0)}`",
                path=path,
                hint="replace the placeholder with the real value",
            )
        elif path[:1] in (("people",), ("organization",)) and (m := _EXAMPLE_DOMAIN.search(text)):
            person = path[0] == "people"
            yield placeholder.at(
                f"`{'.'.join(str(p) for p in path)}` is a placeholder address at `{m.group(1)}`",
                path=path,
                hint="replace the placeholder person with a real member of the team"
                if person
                else "put your organization's real address here",
            )


# Info by default: the calendar, not the pull request, made it overdue, and `check --strict` in CI
# must not turn unrelated changes red on day 91. `lint.rules: {review-overdue: warning}` enforces it.
@rule("W501", "review-overdue", Severity.INFO)
def review_overdue(ctx: LintContext) -> Iterator[Diagnostic]:
    """The plan's last review (`reviewed`) is older than `review_every`."""
    plan = ctx.valid
    if plan.review_every is None:
        return
    if plan.reviewed is None:
        yield review_overdue.at(
            "the plan sets `review_every` but was never `reviewed`",
            path=("review_every",),
            hint="review it with the team and set `reviewed:` to today's date",
        )
        return
    try:
        due = plan.reviewed + plan.review_every
    except OverflowError:
        return  # reviewed near the year 9999: not due within any calendar Python has
    if due < ctx.today:
        yield review_overdue.at(
            f"review overdue since {due.isoformat()} ({(ctx.today - due).days} days)",
            path=("reviewed",),
            hint="review the plan with the team, then set `reviewed:` to today's date",
        )


@rule("W502", "unknown-rule", W, aliases=("unknown-ignore",), data_only=True)
def unknown_rule(ctx: LintContext) -> Iterator[Diagnostic]:
    """`lint.ignore` or `lint.rules` names a rule that does not exist (a typo changes nothing).

    Called `unknown-ignore` before `lint.rules` existed; that name still works."""
    lint = ctx.data.get("lint")
    if not isinstance(lint, dict) or not ctx.rule_keys:  # no registry given: nothing to compare with
        return
    ignore = lint.get("ignore")
    for i, name in enumerate(ignore if isinstance(ignore, list) else []):
        if isinstance(name, str) and name.lower() not in ctx.rule_keys:
            yield unknown_rule.at(
                f"`lint.ignore` names unknown rule `{name}`",
                path=("lint", "ignore", i),
                hint="`incplan rules` lists every code and name",
            )
    levels = lint.get("rules")
    for name in levels if isinstance(levels, dict) else {}:
        if isinstance(name, str) and name.lower() not in ctx.rule_keys:
            yield unknown_rule.at(
                f"`lint.rules` names unknown rule `{name}`",
                path=("lint", "rules", name),
                anchor=Anchor.KEY,
                hint="`incplan rules` lists every code and name",
            )


@rule("E402", "credential-destination", E)
def credential_destination(ctx: LintContext) -> Iterator[Diagnostic]:
    """A credential sent somewhere other than the vendor's own host (warning) or without TLS (error)."""
    from incplan.plan.destinations import BadURL, destination, is_loopback, plan_url, smtp_login_in_clear, vendor_host

    for name, channel in ctx.valid.channels.items():
        delivery = channel.delivery
        if delivery is None:
            continue
        where: tuple[PathPart, ...] = ("channels", name, "delivery")
        if delivery.kind == "email":
            if smtp_login_in_clear(delivery):
                local = is_loopback(delivery.host)
                found = credential_destination.at(
                    f"`{name}` logs in to `{delivery.host}` with `security: none`: the password travels in the clear"
                    + (" (allowed to this machine only)" if local else ""),
                    path=(*where, "security"),
                    hint="use `security: starttls` or `ssl`",
                )
                yield found if not local else replace(found, severity=W)
            continue
        named = plan_url(delivery)
        if named is None:
            continue  # the kind's own default, or the URL comes from the environment
        api_base, default = named
        try:
            target = destination(api_base)
        except BadURL as exc:
            yield credential_destination.at(
                f"`api_base` of `{name}` {exc.reason}",
                path=(*where, "api_base"),
                hint=f"remove it to use {default}",
            )
            continue
        if not target.tls:
            found = credential_destination.at(
                f"`{name}` sends its {delivery.kind} credentials over plain http to `{target.host}`"
                + (" (allowed to this machine only)" if target.loopback else ""),
                path=(*where, "api_base"),
                hint=f"use https; without `api_base` the credentials go to {default}",
            )
            yield found if not target.loopback else replace(found, severity=W)
            continue
        if target.host != vendor_host(default):
            yield replace(
                credential_destination.at(
                    f"`{name}` sends its {delivery.kind} credentials to `{target.host}`, not to {vendor_host(default)}",
                    path=(*where, "api_base"),
                    hint="make sure this host is yours (a proxy or a test double); plans arrive in pull requests",
                ),
                severity=W,
            )


RULES = (
    secret_in_plan,
    placeholder,
    review_overdue,
    unknown_rule,
    credential_destination,
)
