"""Adapters by `delivery.kind`, imported only when used."""

from __future__ import annotations

import importlib
from types import ModuleType

ADAPTERS = {
    "statuspage": "incplan.delivery.statuspage",
    "slack": "incplan.delivery.slack",
    "teams": "incplan.delivery.teams",
    "email": "incplan.delivery.email",
    "webhook": "incplan.delivery.webhook",
    "twilio": "incplan.delivery.twilio",
    "smsapi": "incplan.delivery.smsapi",
}


def adapter(kind: str) -> ModuleType:
    return importlib.import_module(ADAPTERS[kind])
