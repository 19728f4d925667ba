"""SMS through Twilio's Messages API: one form-encoded POST (`To`, `From`, `Body`) per recipient
to /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth with the account SID and
auth token. Twilio answers 201 with the message `sid`."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from incplan.delivery.base import (
    DeliveryFailed,
    Job,
    PreparedRequest,
    Receipt,
    Secrets,
    Transport,
    require_tls,
    vendor_id,
)
from incplan.delivery.http import json_object, send
from incplan.delivery.sms import recipients, segment_note, text
from incplan.plan.models import TwilioDelivery


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    settings = job.settings_as(TwilioDelivery)
    sid = secrets.get(settings.account_sid_env)
    token = secrets.get(settings.auth_token_env)
    numbers = recipients(settings, secrets)
    base = require_tls(settings.api_base, "`api_base`").rstrip("/")
    url = f"{base}/2010-04-01/Accounts/{quote(sid, safe='')}/Messages.json"
    credentials = secrets.remember_basic(sid, token)
    headers = {
        "Authorization": f"Basic {credentials}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    note = segment_note(job, len(numbers))
    return [
        PreparedRequest(
            "POST",
            url,
            headers,
            urlencode({"To": number, "From": settings.from_, "Body": text(job)}),
            secret_headers=("Authorization",),
            note=note,
        )
        for number in numbers
    ]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    sids: list[str] = []
    requests = prepare(job, secrets)
    for i, request in enumerate(requests):
        try:
            response = send(transport, request, secrets)
        except DeliveryFailed as exc:
            done = f" (sent to {i} of {len(requests)} recipients before)" if i else ""
            raise DeliveryFailed(f"{exc}{done}") from None
        sid = (json_object(response) or {}).get("sid")
        if sid is None:
            raise DeliveryFailed("Twilio answered without a message sid")
        # queued all the same; an id of another shape is not kept in the record
        sids.extend(s for s in [vendor_id(sid)] if s is not None)
    people = "recipient" if len(requests) == 1 else "recipients"
    return Receipt(",".join(sids) or None, f"SMS queued by Twilio for {len(requests)} {people}")
