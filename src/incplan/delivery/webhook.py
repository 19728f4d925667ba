"""A JSON POST signed as Standard Webhooks do it: `webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. Retries keep the same
`webhook-id`, so a receiver can drop a repeat.

The payload is the Standard Webhooks envelope `{"type": "incident.updated", "timestamp", "data"}`.
The secret is base64, with or without `whsec_`, padded or not (as the reference library takes it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import TypedDict

from incplan.delivery.base import DeliveryFailed, Job, PreparedRequest, Receipt, Secrets, Transport, require_tls
from incplan.delivery.http import send
from incplan.plan.models import WebhookDelivery

EVENT_TYPE = "incident.updated"


class IncidentData(TypedDict):
    incident_id: str
    incident_title: str
    stage: str
    final: bool
    severity: str | None
    impact: str | None
    channel: str
    locale: str
    subject: str | None
    body: str


class Envelope(TypedDict):
    """The Standard Webhooks envelope."""

    type: str
    timestamp: str
    data: IncidentData


def signing_key(secret: str) -> bytes:
    raw = secret.strip().removeprefix("whsec_")
    raw += "=" * (-len(raw) % 4)  # unpadded base64 is common in secrets copied from dashboards
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = b""
    if not key:
        raise DeliveryFailed("the webhook secret is not base64 (with or without `whsec_`)")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(signing_key(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(job: Job, timestamp: int) -> Envelope:
    """The Standard Webhooks envelope: what happened, when (ISO 8601, UTC), and its data."""
    from datetime import UTC, datetime

    return {
        "type": EVENT_TYPE,
        "timestamp": datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "incident_id": job.incident_id,
            "incident_title": job.incident_title,
            "stage": job.stage,
            "final": job.stage_final,
            "severity": job.severity,
            "impact": job.impact,
            "channel": job.channel,
            "locale": job.locale,
            "subject": job.subject,
            "body": job.body,
        },
    }


def prepare(
    job: Job, secrets: Secrets, *, msg_id: str | None = None, timestamp: int | None = None
) -> list[PreparedRequest]:
    settings = job.settings_as(WebhookDelivery)
    url = require_tls(secrets.get_url(settings.url_env), f"the URL in `{settings.url_env}`")
    secret = secrets.get(settings.secret_env)
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    timestamp = timestamp or int(time.time())
    body = json.dumps(payload(job, timestamp), ensure_ascii=False, separators=(",", ":"))
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    return [PreparedRequest("POST", url, headers, body, secret_headers=("webhook-signature",), url_is_secret=True)]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    request = prepare(job, secrets)[0]
    send(transport, request, secrets)  # a retry keeps the same webhook-id
    return Receipt(request.headers["webhook-id"], "webhook accepted")
