"""Microsoft Teams through a Workflows webhook: the message as an Adaptive Card."""

from __future__ import annotations

import json
from typing import Literal, NotRequired, TypedDict

from incplan.delivery.base import Job, PreparedRequest, Receipt, Secrets, Transport, require_tls
from incplan.delivery.http import send
from incplan.plan.models import TeamsDelivery


class TextBlock(TypedDict):
    type: Literal["TextBlock"]
    text: str
    wrap: bool
    weight: NotRequired[str]
    size: NotRequired[str]


class Mentioned(TypedDict):
    id: str
    name: str


class Mention(TypedDict):
    type: Literal["mention"]
    text: str
    mentioned: Mentioned


class TeamsExtras(TypedDict):
    entities: list[Mention]


AdaptiveCard = TypedDict(
    "AdaptiveCard",
    {
        "$schema": str,
        "type": Literal["AdaptiveCard"],
        "version": str,
        "body": list[TextBlock],
        "msteams": NotRequired[TeamsExtras],
    },
)


class Attachment(TypedDict):
    contentType: str
    contentUrl: None
    content: AdaptiveCard


class CardMessage(TypedDict):
    type: Literal["message"]
    attachments: list[Attachment]


def card(job: Job) -> CardMessage:
    blocks: list[TextBlock] = []
    if job.subject:
        blocks.append({"type": "TextBlock", "text": job.subject, "weight": "Bolder", "size": "Medium", "wrap": True})
    content: AdaptiveCard = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": blocks,
    }
    if job.mention_id:
        # An Adaptive Card mention: `<at>Name</at>` in the text plus an entity naming the person.
        tag = f"<at>{job.mention_name}</at>"
        blocks.insert(0, {"type": "TextBlock", "text": tag, "wrap": True})
        mentioned: Mentioned = {"id": job.mention_id, "name": job.mention_name}
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
    settings = job.settings_as(TeamsDelivery)
    url = require_tls(secrets.get_url(settings.webhook_url_env), f"the URL in `{settings.webhook_url_env}`")
    body = json.dumps(card(job), ensure_ascii=False)
    return [PreparedRequest("POST", url, {"Content-Type": "application/json"}, body, url_is_secret=True)]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    send(transport, prepare(job, secrets)[0], secrets)
    return Receipt(None, "posted to Teams")
