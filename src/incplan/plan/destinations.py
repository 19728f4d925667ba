"""Where a channel's credentials go (SPEC §8 "Where credentials go"), decided in one place for
the three that ask: `check` (rule `credential-destination`), delivery (which refuses before it
sends) and `diff` (which flags a changed destination).

- Which settings decide it: `ROUTES[kind].fields`.
- Where it goes: a URL the plan names (`api_base`, with the vendor's own as default), a URL
  from the environment (a webhook), or an SMTP host.
- Whether TLS: a credential goes only over https, or in the clear to this machine (a test double,
  a local relay); an SMTP login only with `security: starttls` or `ssl`, or to this machine.
- A URL that is not a valid http(s) URL is refused as such, never tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib.parse import SplitResult

    from incplan.plan.models import Delivery, EmailDelivery

URL_HINT = "it must look like https://host/path"


@dataclass(frozen=True)
class Route:
    """Which settings of a delivery kind decide where its credential goes."""

    fields: tuple[str, ...]  # a change of any of them can hand the credential to someone else
    url_field: str | None = None  # the plan's own URL setting, whose default is the vendor's


ROUTES: dict[str, Route] = {
    "statuspage": Route(("api_base",), url_field="api_base"),
    "twilio": Route(("api_base",), url_field="api_base"),
    "smsapi": Route(("api_base",), url_field="api_base"),
    "slack": Route(("webhook_url_env",)),  # the URL itself is a secret, in the environment
    "teams": Route(("webhook_url_env",)),
    "webhook": Route(("url_env",)),
    "email": Route(("host", "port", "security")),
}


class BadURL(ValueError):
    """Why a URL is not one a credential can be sent to; `reason` completes "the URL in X ..."."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_url(url: str) -> SplitResult:
    """`url` taken apart, or `BadURL` (whose reason never repeats the URL: it may be a secret)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises for a port that is not a number or out of range)
    except ValueError:
        raise BadURL("is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadURL("is not a valid http(s) URL")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise BadURL("holds spaces or control characters")
    if not valid_host(parts.hostname):
        raise BadURL("is not a valid URL (its host is not a host name)")
    return parts


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


_ADDRESS = re.compile(r"[^\s@,;:<>()\[\]\\\"]+@[^\s@,;:<>()\[\]\\\"]+")


def one_address(value: str) -> bool:
    """Whether `value` is one bare email address (`mia@orbit.example`): never a list
    (`a@x, b@y`), a display name or anything a mail header could read as more than one."""
    return bool(_ADDRESS.fullmatch(value))


def one_sender(value: str) -> bool:
    """Whether `value` is one sender for a `From` header: a bare address or one with a display
    name (`Orbit Status <status@orbit.example>`), never a list or a line break."""
    from email.utils import getaddresses

    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    found = getaddresses([value])
    return len(found) == 1 and one_address(found[0][1])


def valid_host(host: str) -> bool:
    """An IP address, or a DNS name (letters, digits, `-`, `_`, internationalized labels): never
    something that would only fail later as a network error (`a..b`, `-x-`, `%`)."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    name = host.lower().removesuffix(".")
    if not name or len(name) > 253:
        return False
    for label in name.split("."):
        if not label.isascii():
            try:
                label = label.encode("idna").decode("ascii")
            except UnicodeError:
                return False
        if not _LABEL.fullmatch(label):
            return False
    return True


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: a test server or a relay on this machine."""
    import ipaddress

    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Destination:
    """Where a URL would take a credential."""

    host: str
    tls: bool
    loopback: bool

    @property
    def allowed(self) -> bool:
        return self.tls or self.loopback


def destination(url: str) -> Destination:
    """The destination of `url`, or `BadURL`."""
    parts = parse_url(url)
    host = parts.hostname or ""
    return Destination(host, parts.scheme.lower() == "https", is_loopback(host))


def plan_url(settings: Delivery) -> tuple[str, str] | None:
    """(the URL, the vendor's default) when the plan itself names where the credential goes,
    instead of leaving the vendor's default; None otherwise (a default, or a URL in the
    environment, or SMTP)."""
    field = ROUTES[settings.kind].url_field
    if field is None or field not in settings.model_fields_set:
        return None
    default = type(settings).model_fields[field].default
    return str(getattr(settings, field)), str(default)


def vendor_host(default: str) -> str | None:
    from urllib.parse import urlsplit

    return urlsplit(default).hostname


def smtp_login_in_clear(settings: EmailDelivery) -> bool:
    """An SMTP login (user name or password) over `security: none`."""
    return bool(settings.username_env or settings.password_env) and settings.security == "none"
