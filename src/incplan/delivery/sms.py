"""What the SMS adapters share: the recipients (listed in the plan, or from an environment
variable so that a customer list need not live in git), and the segment count a dry run shows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from incplan.delivery.base import DeliveryFailed, Job, Secrets
from incplan.plan.names import E164_PATTERN

if TYPE_CHECKING:
    from incplan.plan.models import SmsapiDelivery, TwilioDelivery

_E164 = re.compile(E164_PATTERN)


def recipients(settings: TwilioDelivery | SmsapiDelivery, secrets: Secrets) -> list[str]:
    """The E.164 numbers to text. Numbers from `to_env` are masked wherever shown, like secrets."""
    if settings.to:
        return list(settings.to)
    numbers = [n.strip() for n in secrets.get(settings.to_env).split(",") if n.strip()]
    bad = [n for n in numbers if not _E164.fullmatch(n)]
    if bad or not numbers:
        # The numbers are personal data: say how many are wrong, never which.
        raise DeliveryFailed(
            f"environment variable `{settings.to_env}` must hold comma-separated E.164 numbers like +48600100200"
            + (f" ({len(bad)} of {len(numbers)} are not)" if bad else "")
        )
    secrets.seen.update(numbers)
    secrets.seen.update(n.removeprefix("+") for n in numbers)
    return numbers


def text(job: Job) -> str:
    """An SMS has no subject line: the body is the message."""
    return job.body


def segment_note(job: Job, count: int) -> str:
    from incplan.templates.limits import sms_segments

    segments, encoding, units = sms_segments(text(job))
    plural = "s" if segments != 1 else ""
    people = "recipient" if count == 1 else "recipients"
    return f"{segments} SMS segment{plural}, {encoding}, {units} characters; {count} {people}"
