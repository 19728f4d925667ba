"""What every adapter shares: the `Adapter` protocol it implements, the job it is given, the
prepared request (shown by --dry-run), secrets from the environment only, the transport it sends
through, and what it hands back (`Receipt`; the run records an `Outcome` in the incident)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from incplan.delivery import retry

if TYPE_CHECKING:
    from types import TracebackType
    from urllib.parse import SplitResult

    import httpx

    from incplan.plan.models import Delivery

MASK = "***"
S = TypeVar("S")
# A vendor's id for something we sent (a Statuspage incident, a Twilio message): letters and
# digits, as every vendor we deliver to makes them (Statuspage: `p31zjtct2jer`). An id from a
# record or a server is used, kept or shown only in that shape: one that is not could point a
# request at another page or path, or put terminal escapes in a record.
VENDOR_ID = re.compile(r"[A-Za-z0-9]{1,64}")


class DeliveryFailed(Exception):
    """One channel could not be delivered; the others go on."""


@dataclass
class Job:
    """One message for one channel: the channel's delivery settings, the composed message, and
    what the adapter needs to know about the incident."""

    channel: str
    channel_name: str
    kind: str
    settings: Delivery  # the channel's `delivery:` block
    stage: str
    stage_final: bool
    severity: str | None
    impact: str | None
    incident_id: str
    incident_title: str
    subject: str | None
    body: str
    format: str
    locale: str
    previous_ref: str | None = None  # e.g. the status page incident created at an earlier stage
    components: dict[str, str] = field(default_factory=dict)  # the record's component id -> status
    scheduled_for: datetime | None = None  # a scheduled maintenance's window
    scheduled_until: datetime | None = None
    # Whom a chat post addresses (roster messages): the name shown, and the chat's own id for a
    # real mention (a Slack member id, a Teams sign-in); empty for ordinary channel posts.
    mention_name: str = ""
    mention_id: str = ""
    held_back: str = ""  # why this message is not sent (it holds a secret: delivery/pasted.py)

    def settings_as(self, kind: type[S]) -> S:
        """The settings, as the adapter of their kind expects them."""
        if not isinstance(self.settings, kind):
            raise TypeError(f"`{self.settings.kind}` settings of `{self.channel}` given to the {kind.__name__} adapter")
        return self.settings


def vendor_id(value: object) -> str | None:
    """`value` if it is an id of the shape vendors give (`VENDOR_ID`), else None."""
    return value if isinstance(value, str) and VENDOR_ID.fullmatch(value) else None


def shown_id(value: object) -> str:
    """An id that is not one, as an error may quote it: escaped, and cut short."""
    from incplan.controls import printable

    text = value if isinstance(value, str) else repr(value)
    text = printable(text[:40] + ("..." if len(text) > 40 else ""), one_line=True)
    return f"`{text}`"


@dataclass(frozen=True)
class Receipt:
    """What an adapter hands back for a delivery that went through: the vendor's id for it (a
    status page incident, message ids) and one line for the user."""

    ref: str | None
    detail: str


@dataclass
class Transport:
    """What adapters reach the world through: the retry policy, the clock, and one HTTP client
    for the whole run, made on first use (a run that only sends email never loads httpx)."""

    policy: retry.RetryPolicy = field(default_factory=lambda: retry.POLICY)
    timing: retry.Timing = field(default_factory=lambda: retry.TIMING)
    _client: httpx.Client | None = field(default=None, repr=False)

    def http(self) -> httpx.Client:
        if self._client is None:
            from incplan.delivery._client import client

            self._client = client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class Adapter(Protocol):
    """A delivery kind (`delivery.kind`): a module with these two functions, listed in
    `registry.adapter`. `prepare` builds the exact requests without sending anything (--dry-run
    shows them); `deliver` sends them through `transport` and raises `DeliveryFailed` with a
    reason a user can act on (secrets are masked by the caller)."""

    def prepare(self, job: Job, secrets: Secrets) -> list[PreparedRequest]: ...

    def deliver(self, job: Job, secrets: Secrets, transport: Transport) -> Receipt: ...


@dataclass
class Outcome:
    channel: str
    delivered: bool
    ref: str | None = None
    error: str | None = None
    detail: str = ""


@dataclass
class Secrets:
    """Secrets from the environment variables the plan names; every value read is remembered so
    that it can be masked anywhere it might appear (errors, dry runs, server answers, records)."""

    seen: set[str] = field(default_factory=set)

    def get(self, name: str | None, *, secret: bool = True) -> str:
        """The value of the variable `name`; remembered for masking unless it is no `secret`
        (a login name)."""
        if not name:
            raise DeliveryFailed("no environment variable is named for this secret")
        value = os.environ.get(name)
        if not value:
            raise DeliveryFailed(f"environment variable `{name}` is not set")
        if secret:
            self.remember(value)
        return value

    def remember(self, value: str) -> None:
        """`value` and the forms a server or a library may echo it in (URL-quoted or unquoted,
        JSON-escaped slashes)."""
        from urllib.parse import quote, unquote

        for form in (value, quote(value, safe=""), quote(value), unquote(value), value.replace("/", "\\/")):
            if len(form) >= 4:
                self.seen.add(form)

    def get_url(self, name: str | None) -> str:
        """A URL from the environment whose path and userinfo are secret (a Slack or Teams
        webhook, a partner's endpoint): each part is masked wherever it shows up later."""
        url = self.get(name)
        parts = split_url(url, f"the URL in `{name}`")
        if parts.password:
            self.remember(parts.password)
        if parts.username and parts.password:
            self.remember(f"{parts.username}:{parts.password}")
            from urllib.parse import unquote

            self.remember_basic(unquote(parts.username), unquote(parts.password))
        path = parts.path.strip("/")
        if path:
            segments = path.split("/")
            self.remember(path)
            for i in range(1, len(segments) - 1):  # the path from any later segment on: `B0001/<secret>`
                self.remember("/".join(segments[i:]))
            # and each segment that looks like a token or an id (a digit in it, or 14+ letters), never
            # a word people also write in messages (`services`, `workflows`, `notifications`)
            for segment in segments:
                if len(segment) >= 8 and (not segment.isalpha() or len(segment) >= 14):
                    self.remember(segment)
        if parts.query:
            self.remember(parts.query)
        return url

    def remember_basic(self, user: str, password: str) -> str:
        """The `Basic` credentials of HTTP authentication, remembered so that a server echoing
        its Authorization header back in an error never shows them."""
        import base64

        credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.remember(credentials)
        return credentials

    def mask(self, text: str) -> str:
        for value in sorted(self.seen, key=len, reverse=True):
            if value:
                text = text.replace(value, MASK)
        return mask_userinfo(text)


@dataclass
class PreparedRequest:
    """An HTTP request, or an email, exactly as it will be sent (secrets masked when shown)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    secret_headers: tuple[str, ...] = ()
    url_is_secret: bool = False
    note: str = ""  # shown above the request by --dry-run, e.g. an SMS's segment count

    def shown(self, secrets: Secrets) -> str:
        url = mask_url(self.url) if self.url_is_secret else self.url
        lines = [f"# {self.note}"] if self.note else []
        lines.append(f"{self.method} {secrets.mask(url)}")
        for key, value in self.headers.items():
            lines.append(f"{key}: {MASK if key in self.secret_headers else secrets.mask(value)}")
        lines.append("")
        lines.append(secrets.mask(self.body))
        return "\n".join(lines)


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def mask_userinfo(text: str) -> str:
    """`https://user:pass@host/` -> `https://***@host/` anywhere in a text."""
    return _USERINFO.sub(rf"\g<1>{MASK}@", text)


def mask_url(url: str) -> str:
    """A secret URL as it may be shown: scheme, host and port; never userinfo, path or query."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return MASK
    if not parts.scheme or not host:
        return MASK
    shown_host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown_host}{f':{port}' if port else ''}/{MASK}"


def split_url(url: str, what: str) -> SplitResult:
    """`url` taken apart, or a `DeliveryFailed` naming `what` (never the URL: it may be a secret)."""
    from incplan.plan.destinations import URL_HINT, BadURL, parse_url

    try:
        return parse_url(url)
    except BadURL as exc:
        raise DeliveryFailed(f"{what} {exc.reason}; {URL_HINT}") from None


def require_tls(url: str, what: str) -> str:
    """A secret goes out only over TLS (https), except to this machine (plan/destinations.py).
    Returns the URL; refuses with a `DeliveryFailed` that names `what`, never the URL."""
    from incplan.plan.destinations import URL_HINT, BadURL, destination

    try:
        where = destination(url)
    except BadURL as exc:
        raise DeliveryFailed(f"{what} {exc.reason}; {URL_HINT}") from None
    if not where.allowed:
        raise DeliveryFailed(
            f"{what} is plain http to `{where.host}`; incplan sends credentials only over https "
            "(plain http is allowed to this machine only)"
        )
    return url
