"""SMS through SMSAPI.pl's REST API: one form-encoded POST to /sms.do for every recipient at
once (`to` comma-separated), `from` (a registered sender name; without it SMSAPI sends "eco"),
`message`, `encoding` (the character set of our request, UTF-8), `format=json`; Bearer token.

SMSAPI chooses GSM-7 or UCS-2 from the text itself; for a text that fits GSM-7 we add
`nounicode=1`, so that a stray character can never silently double the number of segments
billed. SMSAPI reports some errors with HTTP 200 and `{"error": code, "message": ...}`."""

from __future__ import annotations

from urllib.parse import urlencode

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
from incplan.plan.models import SmsapiDelivery
from incplan.templates.limits import sms_encoding


def form(job: Job, numbers: list[str]) -> dict[str, str]:
    settings = job.settings_as(SmsapiDelivery)
    fields = {"to": ",".join(n.removeprefix("+") for n in numbers)}
    if settings.from_:
        fields["from"] = settings.from_
    fields["message"] = text(job)
    fields["encoding"] = "utf-8"
    if sms_encoding(text(job)) == "GSM-7":
        fields["nounicode"] = "1"
    fields["format"] = "json"
    return fields


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    settings = job.settings_as(SmsapiDelivery)
    token = secrets.get(settings.token_env)
    numbers = recipients(settings, secrets)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}
    url = f"{require_tls(settings.api_base, '`api_base`').rstrip('/')}/sms.do"
    body = urlencode(form(job, numbers))
    return [PreparedRequest("POST", url, headers, body, ("Authorization",), note=segment_note(job, len(numbers)))]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    response = send(transport, prepare(job, secrets)[0], secrets)
    answer = json_object(response)
    if answer is None:
        raise DeliveryFailed("SMSAPI answered with something other than a JSON object")
    if "error" in answer:
        raise DeliveryFailed(secrets.mask(f"SMSAPI error {answer.get('error')}: {answer.get('message', '')}".strip()))
    listed = answer.get("list")
    sent = [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
    ids = [i for i in (vendor_id(item.get("id")) for item in sent) if i is not None]  # other shapes not kept
    people = "recipient" if len(sent) == 1 else "recipients"
    return Receipt(",".join(ids) or None, f"SMS sent by SMSAPI to {len(sent)} {people}")
