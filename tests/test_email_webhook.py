"""Email and webhook conventions, checked with the tools receivers use: Python's email parser on
what a local aiosmtpd server received, and the Standard Webhooks reference library."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from incplan.delivery import email, webhook
from incplan.delivery.base import DeliveryFailed, Job, Secrets, Transport
from incplan.plan.models import EmailDelivery, WebhookDelivery

from .servers import FakeClock, Mailbox, local_ca, parse_mail, smtp_server

POLISH = "Badamy problem z płatnościami; następna informacja o 10:30."


class SevenBitMailbox(Mailbox):
    """A server that does not offer 8BITMIME (old relays, some appliances)."""

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [r for r in responses if "8BITMIME" not in r.upper()]


class RefusingMailbox(Mailbox):
    """Answers the first DATA commands with the replies queued in `refusals`, then accepts;
    `tried` keeps every message offered, accepted or not."""

    def __init__(self, *refusals: str) -> None:
        super().__init__()
        self.refusals = list(refusals)
        self.tried: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tried.append(parse_mail(envelope.original_content))
        if self.refusals:
            return self.refusals.pop(0)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def eight_bit_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        yield mailbox, port


@pytest.fixture
def seven_bit_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = SevenBitMailbox()
    with smtp_server(mailbox) as port:
        yield mailbox, port


def job(
    port: int, stage: str = "investigating", body: str = POLISH, fmt: str = "text", security: str = "none", **extra: Any
) -> Job:
    settings = EmailDelivery.model_validate(
        {
            "kind": "email",
            "host": "127.0.0.1",
            "port": port,
            "security": security,
            "from": "status@acme.example",
            "to": ["ops@acme.example"],
        }
    )
    fields: dict[str, Any] = {
        "channel": "email",
        "channel_name": "Email",
        "kind": "email",
        "settings": settings,
        "stage": stage,
        "stage_final": stage == "resolved",
        "severity": "sev1",
        "impact": "major",
        "incident_id": "2026-11-27-payments",
        "incident_title": "Payments failing",
        "subject": f"{stage.title()}: payments failing",
        "body": body,
        "format": fmt,
        "locale": "pl",
        **extra,
    }
    return Job(**fields)


def test_seven_bit_server_gets_quoted_printable(seven_bit_server: tuple[Mailbox, int]) -> None:
    mailbox, port = seven_bit_server
    email.deliver(job(port), Secrets(), Transport())
    [received] = mailbox.messages
    assert received["Content-Transfer-Encoding"] == "quoted-printable"
    assert received.get_content().rstrip() == POLISH
    assert not any("8BITMIME" in option for option in mailbox.mail_options[0])


def test_html_parts_are_seven_bit_too(seven_bit_server: tuple[Mailbox, int]) -> None:
    mailbox, port = seven_bit_server
    email.deliver(job(port, body=f"<p>{POLISH}</p>", fmt="html"), Secrets(), Transport())
    [received] = mailbox.messages
    parts = [p for p in received.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert {p["Content-Transfer-Encoding"] for p in parts} == {"quoted-printable"}
    assert parts[1].get_content().rstrip() == f"<p>{POLISH}</p>"


def test_eight_bit_server_gets_8bit_with_body_8bitmime(eight_bit_server: tuple[Mailbox, int]) -> None:
    mailbox, port = eight_bit_server
    email.deliver(job(port), Secrets(), Transport())
    [received] = mailbox.messages
    assert received["Content-Transfer-Encoding"] == "8bit"
    assert received.get_content().rstrip() == POLISH
    assert "BODY=8BITMIME" in mailbox.mail_options[0]


def test_date_has_the_real_offset(eight_bit_server: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox, port = eight_bit_server
    monkeypatch.setenv("INCPLAN_NOW", "2026-11-27T10:02:00+01:00")
    email.deliver(job(port), Secrets(), Transport())
    monkeypatch.delenv("INCPLAN_NOW")
    email.deliver(job(port, body="later"), Secrets(), Transport())
    first, second = mailbox.messages
    assert first["Date"] == "Fri, 27 Nov 2026 10:02:00 +0100"
    assert not second["Date"].endswith("-0000")
    assert second["Date"].datetime.utcoffset() is not None


def test_stage_updates_are_one_thread(eight_bit_server: tuple[Mailbox, int]) -> None:
    mailbox, port = eight_bit_server
    for stage in ("investigating", "identified", "resolved"):
        email.deliver(job(port, stage=stage, body=f"{stage} update"), Secrets(), Transport())
    email.deliver(job(port, stage="resolved", body="resolved update"), Secrets(), Transport())  # a re-run
    email.deliver(job(port, stage="identified", body="a second update at this stage"), Secrets(), Transport())
    ids = [m["Message-ID"] for m in mailbox.messages]
    root = "<incident.2026-11-27-payments@acme.example>"
    assert {m["In-Reply-To"] for m in mailbox.messages} == {root}
    assert {m["References"] for m in mailbox.messages} == {root}
    assert ids[0].startswith("<2026-11-27-payments.investigating.pl.") and ids[0].endswith("@acme.example>")
    assert ids[2] == ids[3]  # the same message again is recognisably the same
    assert len(set(ids)) == 4  # every other update is a message of its own


def test_a_4xx_reply_is_retried_with_the_same_message_id(fake_time: FakeClock) -> None:
    mailbox = RefusingMailbox("421 try again later")
    with smtp_server(mailbox) as port:
        receipt = email.deliver(job(port), Secrets(), Transport())
    assert [m["Message-ID"] for m in mailbox.tried] == [receipt.ref, receipt.ref]
    assert len(mailbox.messages) == 1
    assert fake_time.slept == [1.25]  # the policy's first backoff, 1 s + jitter


def test_a_5xx_reply_is_never_retried(fake_time: FakeClock) -> None:
    mailbox = RefusingMailbox("550 mailbox unavailable")
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as failed:
        email.deliver(job(port), Secrets(), Transport())
    assert str(failed.value) == "SMTP 550: b'mailbox unavailable'"
    assert (len(mailbox.tried), mailbox.messages, fake_time.slept) == (1, [], [])


def test_a_server_that_keeps_deferring_is_given_up_after_five_attempts(fake_time: FakeClock) -> None:
    mailbox = RefusingMailbox(*["421 busy"] * 9)
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as failed:
        email.deliver(job(port), Secrets(), Transport())
    assert str(failed.value) == "SMTP failed after 5 attempts: SMTP 421: b'busy'"
    assert len(mailbox.tried) == 5 and mailbox.messages == []
    assert fake_time.slept == [1.25, 2.25, 4.25, 8.25]


def test_an_untrusted_certificate_is_never_retried(tmp_path: Path, fake_time: FakeClock) -> None:
    ca = local_ca(tmp_path)  # SSL_CERT_FILE is not set to it: nobody trusts it
    mailbox = Mailbox()
    with smtp_server(mailbox, starttls=ca.server_context) as port, pytest.raises(DeliveryFailed) as failed:
        email.deliver(job(port, security="starttls"), Secrets(), Transport())
    assert re.fullmatch(r"TLS certificate of `127\.0\.0\.1` not trusted \(.*\); not retried", str(failed.value))
    assert (mailbox.messages, fake_time.slept) == ([], [])


# ------------------------------------------------------------------ webhooks

KEY = b"partner-signing-key-0123456789!"  # 31 bytes: base64 of it needs padding
PADDED = base64.b64encode(KEY).decode()


def webhook_job() -> Job:
    settings = WebhookDelivery.model_validate({"kind": "webhook", "url_env": "HOOK_URL", "secret_env": "HOOK_SECRET"})
    return Job(
        channel="partner",
        channel_name="Partner webhook",
        kind="webhook",
        settings=settings,
        stage="identified",
        stage_final=False,
        severity="sev1",
        impact="major",
        incident_id="2026-11-27-payments",
        incident_title="Payments failing",
        subject="Identified",
        body=POLISH,
        format="text",
        locale="pl",
    )


@pytest.mark.parametrize(
    "secret",
    ["whsec_" + PADDED, PADDED, "whsec_" + PADDED.rstrip("="), PADDED.rstrip("=")],
    ids=["whsec-padded", "padded", "whsec-unpadded", "unpadded"],
)
def test_webhook_verifies_with_the_reference_library(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    assert PADDED.endswith("=")
    monkeypatch.setenv("HOOK_URL", "https://partner.example/hook")
    monkeypatch.setenv("HOOK_SECRET", secret)
    [request] = webhook.prepare(webhook_job(), Secrets())
    verified = Webhook("whsec_" + PADDED).verify(request.body, dict(request.headers))
    assert verified == json.loads(request.body)
    assert verified["type"] == "incident.updated"
    assert set(verified) == {"type", "timestamp", "data"}
    assert verified["timestamp"].endswith("Z")
    assert verified["data"]["incident_id"] == "2026-11-27-payments"
    assert verified["data"]["body"] == POLISH


def test_a_secret_that_is_not_base64_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", "https://partner.example/hook")
    monkeypatch.setenv("HOOK_SECRET", "whsec_not base64!")
    with pytest.raises(DeliveryFailed, match="not base64"):
        webhook.prepare(webhook_job(), Secrets())
