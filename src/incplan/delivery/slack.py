"""Slack incoming webhook: `{"text": ...}` with `& < >` escaped; a 200 "ok" is success."""

from __future__ import annotations

import json

from incplan.delivery.base import DeliveryFailed, Job, PreparedRequest, Receipt, Secrets, Transport, require_tls
from incplan.delivery.http import send
from incplan.plan.models import SlackDelivery


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    settings = job.settings_as(SlackDelivery)
    url = require_tls(secrets.get_url(settings.webhook_url_env), f"the URL in `{settings.webhook_url_env}`")
    text = (f"*{escape(job.subject)}*\n" if job.subject else "") + escape(job.body)
    if job.mention_name:
        # `<@U…>` is Slack's mention syntax (the member id is checked to be letters and digits);
        # a handle without an id is shown as text.
        who = f"<@{job.mention_id}>" if job.mention_id.isalnum() else escape(job.mention_name)
        text = f"{who} {text}"
    body = json.dumps({"text": text}, ensure_ascii=False)
    return [PreparedRequest("POST", url, {"Content-Type": "application/json"}, body, url_is_secret=True)]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    response = send(transport, prepare(job, secrets)[0], secrets)
    if response.text.strip() != "ok":
        raise DeliveryFailed(f"Slack answered {response.text.strip()[:100]!r} instead of 'ok'")
    return Receipt(None, "posted to Slack")
