"""Every delivery kind and its adapter, in one table; an adapter's module (and what it needs:
httpx, ssl, smtplib) is imported only when a channel of its kind is delivered or shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incplan.delivery.base import Adapter

KINDS = ("statuspage", "slack", "teams", "email", "webhook", "twilio", "smsapi")


def adapter(kind: str) -> Adapter:
    """The adapter of `delivery.kind`; mypy checks that each module implements `Adapter`."""
    match kind:
        case "statuspage":
            from incplan.delivery import statuspage

            return statuspage
        case "slack":
            from incplan.delivery import slack

            return slack
        case "teams":
            from incplan.delivery import teams

            return teams
        case "email":
            from incplan.delivery import email

            return email
        case "webhook":
            from incplan.delivery import webhook

            return webhook
        case "twilio":
            from incplan.delivery import twilio

            return twilio
        case "smsapi":
            from incplan.delivery import smsapi

            return smsapi
    raise KeyError(f"no delivery adapter for kind `{kind}`")
