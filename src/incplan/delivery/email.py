"""Email over SMTP: a text part, plus an HTML part when the channel's format is html.

`security: starttls` (default) upgrades with a verifying TLS context, `ssl` connects over TLS,
`none` sends in the clear (only for a relay on the same host or network). Transient failures
(connection errors, 4xx replies) are retried with the same Message-ID.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from incplan.delivery.base import DeliveryFailed, Job, Outcome, PreparedRequest, Secrets, is_loopback

TIMEOUT = 15.0
ATTEMPTS = 4


def _plain(markup: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


def one_line(text: str) -> str:
    """A header value on one line: a line break in a variable (`--var` with a newline) is folded
    into a space, so it can never start a header of its own (`Bcc:` injection)."""
    return " ".join(re.split(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+", text)).strip()


def message(job: Job) -> EmailMessage:
    settings = job.settings
    msg = EmailMessage()
    msg["From"] = one_line(settings.from_)
    msg["To"] = ", ".join(one_line(a) for a in settings.to)
    msg["Subject"] = one_line(job.subject or job.incident_title)
    msg["Date"] = formatdate(localtime=False)
    domain = settings.from_.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(idstring=job.incident_id, domain=domain)
    if job.format == "html":
        msg.set_content(_plain(job.body))
        msg.add_alternative(job.body, subtype="html")
    else:
        msg.set_content(job.body)
    return msg


def check_destination(settings: Any) -> None:
    """A password goes over TLS, or in the clear to a relay on this machine only (SPEC §8)."""
    credentials = settings.username_env or settings.password_env
    if credentials and settings.security == "none" and not is_loopback(settings.host):
        raise DeliveryFailed(
            f"SMTP login to `{settings.host}` with `security: none` would send the password in the clear; "
            "use `security: starttls` or `ssl` (plain SMTP with a login is allowed to this machine only)"
        )


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    settings = job.settings
    check_destination(settings)
    if settings.username_env:
        secrets.get(settings.username_env)
    if settings.password_env:
        secrets.get(settings.password_env)
    msg = message(job)
    headers = {"From": msg["From"], "To": msg["To"], "Subject": msg["Subject"]}
    url = f"smtp://{settings.host}:{settings.port} (security: {settings.security})"
    part = msg.get_body(("plain",))
    return [PreparedRequest("SMTP", url, headers, part.get_content() if part is not None else "")]


def deliver(job: Job, secrets: Secrets, client: Any = None) -> Outcome:
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

    from incplan.delivery.http import TIMING

    settings = job.settings
    check_destination(settings)
    username = secrets.get(settings.username_env) if settings.username_env else None
    password = secrets.get(settings.password_env) if settings.password_env else None
    msg = message(job)

    def transient(exc: BaseException) -> bool:
        if isinstance(exc, smtplib.SMTPResponseException):
            return 400 <= exc.smtp_code < 500
        return isinstance(
            exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError
        )

    try:
        for attempt in Retrying(
            retry=retry_if_exception(transient),
            wait=wait_exponential_jitter(max=8.0, jitter=0.5),
            sleep=TIMING.wait,
            stop=stop_after_attempt(ATTEMPTS),
            reraise=True,
        ):
            with attempt:
                _send(settings, msg, username, password)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or exc.reason or "verification failed"
        raise DeliveryFailed(f"TLS certificate of `{settings.host}` not trusted ({reason}); not retried") from None
    except smtplib.SMTPAuthenticationError:
        raise DeliveryFailed("the SMTP server refused the username or password") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(secrets.mask(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(secrets.mask(f"SMTP failed: {type(exc).__name__}: {exc}")) from None
    return Outcome(job.channel, True, ref=str(msg["Message-ID"]), detail=f"emailed {msg['To']}")


def _send(settings: Any, msg: EmailMessage, username: str | None, password: str | None) -> None:
    context = ssl.create_default_context()  # verifies the certificate and the host name
    if settings.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with server:
        if settings.security == "starttls":
            server.starttls(context=context)
        if username is not None and password is not None:
            server.login(username, password)
        server.send_message(msg)
