"""What every adapter shares: the job, the prepared request (shown by --dry-run), secrets from
the environment only, and the outcome recorded in the incident."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

MASK = "***"


class DeliveryFailed(Exception):
    """One channel could not be delivered; the others go on."""


@dataclass
class Job:
    """One message for one channel, and what the adapter needs to know about the incident."""

    channel: str
    channel_name: str
    kind: str
    settings: Any  # the channel's pydantic delivery model
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
    that it can be masked anywhere it might appear (errors, dry runs)."""

    seen: set[str] = field(default_factory=set)

    def get(self, name: str | None) -> str:
        if not name:
            raise DeliveryFailed("no environment variable is named for this secret")
        value = os.environ.get(name)
        if not value:
            raise DeliveryFailed(f"environment variable `{name}` is not set")
        self.seen.add(value)
        return value

    def mask(self, text: str) -> str:
        for value in sorted(self.seen, key=len, reverse=True):
            if value:
                text = text.replace(value, MASK)
        return text


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
        url = _mask_url(self.url) if self.url_is_secret else self.url
        lines = [f"# {self.note}"] if self.note else []
        lines.append(f"{self.method} {secrets.mask(url)}")
        for key, value in self.headers.items():
            lines.append(f"{key}: {MASK if key in self.secret_headers else secrets.mask(value)}")
        lines.append("")
        lines.append(secrets.mask(self.body))
        return "\n".join(lines)


def _mask_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{MASK}" if parts.scheme else MASK
