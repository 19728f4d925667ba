"""Microsoft Teams through a Workflows webhook: the message as an Adaptive Card."""

from __future__ import annotations

import json
from typing import Any

from incplan.delivery.base import Job, Outcome, PreparedRequest, Secrets, require_tls
from incplan.delivery.http import send


def card(job: Job) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if job.subject:
        blocks.append({"type": "TextBlock", "text": job.subject, "weight": "Bolder", "size": "Medium", "wrap": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": blocks,
    }
    if job.mention_id:
        # An Adaptive Card mention: `<at>Name</at>` in the text plus an entity naming the person.
        tag = f"<at>{job.mention_name}</at>"
        blocks.insert(0, {"type": "TextBlock", "text": tag, "wrap": True})
        mentioned = {"id": job.mention_id, "name": job.mention_name}
        content["msteams"] = {"entities": [{"type": "mention", "text": tag, "mentioned": mentioned}]}
    elif job.mention_name:
        blocks.insert(0, {"type": "TextBlock", "text": job.mention_name, "wrap": True})
    blocks.append({"type": "TextBlock", "text": job.body, "wrap": True})
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}
        ],
    }


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    url = require_tls(secrets.get_url(job.settings.webhook_url_env), f"the URL in `{job.settings.webhook_url_env}`")
    body = json.dumps(card(job), ensure_ascii=False)
    return [PreparedRequest("POST", url, {"Content-Type": "application/json"}, body, url_is_secret=True)]


def deliver(job: Job, secrets: Secrets, client: Any) -> Outcome:
    send(client, prepare(job, secrets)[0], secrets)
    return Outcome(job.channel, True, detail="posted to Teams")
