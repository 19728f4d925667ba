"""Email over SMTP: a text part, plus an HTML part when the channel's format is html.

`security: starttls` (default) upgrades with a verifying TLS context, `ssl` connects over TLS,
`none` sends in the clear (only for a relay on the same host or network). Transient failures
(connection errors, 4xx replies) are retried as `retry.py` says, with the same Message-ID.

Conventions mail clients rely on (SPEC §8): every update of an incident is a reply in one thread
(`In-Reply-To`/`References` name the incident's thread root, derived from its id, so no earlier
message needs to be looked up); a Message-ID is stable for one incident, stage, locale and text,
so a retry or a re-run is recognised as the same message while a second update at the same stage
is a new one; `Date` carries the real UTC offset; bodies are 7-bit (quoted-printable) unless the
server offers 8BITMIME.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
from email.message import EmailMessage
from email.utils import format_datetime

from incplan.delivery import retry
from incplan.delivery.base import DeliveryFailed, Job, PreparedRequest, Receipt, Secrets, Transport, shown_id
from incplan.plan.destinations import is_loopback, one_address, smtp_login_in_clear, valid_host
from incplan.plan.models import EmailDelivery

TIMEOUT = 15.0  # seconds, every socket operation (the conversation's deadline may cut it shorter)


def _plain(markup: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


def one_line(text: str) -> str:
    """A header value on one line: a line break in a variable (`--var` with a newline) is folded
    into a space, so it can never start a header of its own (`Bcc:` injection)."""
    return " ".join(re.split(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+", text)).strip()


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _domain(job: Job) -> str:
    domain = one_line(job.settings_as(EmailDelivery).from_).rpartition("@")[2].strip("<> ")
    return _ID_UNSAFE.sub("-", domain) or "incplan.invalid"


def thread_root(job: Job) -> str:
    """The incident's thread: every update replies to it."""
    return f"<incident.{_ID_UNSAFE.sub('-', job.incident_id)}@{_domain(job)}>"


def message_id(job: Job) -> str:
    text = f"{job.subject or job.incident_title}\x00{job.body}".encode()
    digest = hashlib.sha256(text).hexdigest()[:12]
    parts = (job.incident_id, job.stage, job.locale, digest)
    return f"<{'.'.join(_ID_UNSAFE.sub('-', p) for p in parts)}@{_domain(job)}>"


def _date() -> str:
    from incplan import clock

    moment = clock.current()
    if not os.environ.get("INCPLAN_NOW"):
        moment = moment.astimezone()  # the machine's own offset, never the "unknown" -0000
    return format_datetime(moment)


def message(job: Job, *, eight_bit: bool = False) -> EmailMessage:
    """The email; `eight_bit` when the server offers 8BITMIME, else every part is 7-bit safe."""
    settings = job.settings_as(EmailDelivery)
    msg = EmailMessage()
    msg["From"] = one_line(settings.from_)
    msg["To"] = ", ".join(one_line(a) for a in settings.to)
    msg["Subject"] = one_line(job.subject or job.incident_title)
    msg["Date"] = _date()
    msg["Message-ID"] = message_id(job)
    msg["In-Reply-To"] = thread_root(job)
    msg["References"] = thread_root(job)

    def encoding(text: str) -> str | None:
        return None if eight_bit or text.isascii() else "quoted-printable"

    if job.format == "html":
        plain = _plain(job.body)
        msg.set_content(plain, cte=encoding(plain))
        msg.add_alternative(job.body, subtype="html", cte=encoding(job.body))
    else:
        msg.set_content(job.body, cte=encoding(job.body))
    return msg


def check_destination(settings: EmailDelivery) -> None:
    """A real host; a password goes over TLS, or in the clear to a relay on this machine only
    (SPEC §8)."""
    if not valid_host(settings.host):  # never tried: an empty host would be this machine
        raise DeliveryFailed(f"the SMTP host `{settings.host}` is not a host name")
    # each recipient one address, as the plan's check says: never a list smtplib would split
    for address in settings.to:
        if not one_address(address):
            raise DeliveryFailed(f"the recipient {shown_id(address)} is not one email address; nothing sent")
    if smtp_login_in_clear(settings) and not is_loopback(settings.host):
        raise DeliveryFailed(
            f"SMTP login to `{settings.host}` with `security: none` would send the password in the clear; "
            "use `security: starttls` or `ssl` (plain SMTP with a login is allowed to this machine only)"
        )


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    settings = job.settings_as(EmailDelivery)
    check_destination(settings)
    if settings.username_env:
        secrets.get(settings.username_env, secret=False)  # a login name; its AUTH forms are masked
    if settings.password_env:
        secrets.get(settings.password_env)
    msg = message(job)
    headers = {"From": msg["From"], "To": msg["To"], "Subject": msg["Subject"]}
    url = f"smtp://{settings.host}:{settings.port} (security: {settings.security})"
    part = msg.get_body(("plain",))
    return [PreparedRequest("SMTP", url, headers, part.get_content() if part is not None else "")]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    import smtplib  # here, not at the top: smtplib loads ssl, which a dry run does not need

    settings = job.settings_as(EmailDelivery)
    check_destination(settings)
    username = secrets.get(settings.username_env, secret=False) if settings.username_env else None
    password = secrets.get(settings.password_env) if settings.password_env else None
    msg = message(job)

    def once(_attempt: int) -> None:
        # each conversation within its deadline, cut to what is left of the delivery's time
        deadline = retry.time_left(transport.policy.smtp_deadline)
        try:
            _send(settings, job, username, password, deadline, secrets)
        except MaybeDelivered as exc:
            raise DeliveryFailed(
                f"the SMTP server did not confirm the mail after it was sent ({exc}); it may have been delivered, "
                "so it is not sent again"
            ) from None
        except SmtpDeadline:
            # nothing was sent yet: like a timeout, worth another attempt
            raise retry.Retry(
                "SMTP failed", f": no complete SMTP conversation within {round(deadline, 1):g} s"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            if retry.smtp_transient(exc):
                raise retry.Retry("SMTP failed", f": {_reason(exc)}") from None
            raise DeliveryFailed(_refusal(exc, settings)) from None

    try:
        retry.attempt(once, policy=transport.policy, timing=transport.timing)
    except retry.GaveUp as exc:
        raise DeliveryFailed(secrets.mask(str(exc))) from None
    except DeliveryFailed as exc:
        raise DeliveryFailed(secrets.mask(str(exc))) from None
    return Receipt(str(msg["Message-ID"]), f"emailed {msg['To']}")


def _reason(exc: BaseException) -> str:
    import smtplib

    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
    return f"{type(exc).__name__}: {exc}"


def _refusal(exc: BaseException, settings: EmailDelivery) -> str:
    """Why a failure that is not worth another attempt ended the delivery."""
    import smtplib

    refused = retry.tls_refused(exc)
    if refused is not None:
        reason = refused.verify_message or refused.reason or "verification failed"
        return f"TLS certificate of `{settings.host}` not trusted ({reason}); not retried"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the SMTP server refused the username or password"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reason(exc)
    return f"SMTP failed: {type(exc).__name__}: {exc}"


class SmtpDeadline(Exception):
    """The SMTP conversation ran past its deadline before the mail was sent."""


class MaybeDelivered(Exception):
    """The mail was sent (the final "." of DATA went out) but no answer came: the server may have
    it, so it is never sent again (a second copy with the same Message-ID)."""


def _send(
    settings: EmailDelivery, job: Job, username: str | None, password: str | None, deadline: float, secrets: Secrets
) -> None:
    """One SMTP conversation within `deadline` seconds, however slowly the server drips its
    replies: at the deadline a timer shuts the socket down, which wakes any read."""
    import smtplib
    import socket
    import ssl
    import threading

    from incplan.delivery._smtp import Conversation, SslConversation

    context = ssl.create_default_context()  # verifies the certificate and the host name
    if settings.security == "ssl":
        server: Conversation = SslConversation(secrets, timeout=TIMEOUT, context=context)
    else:
        server = Conversation(secrets, timeout=TIMEOUT)
    # connected below, once the timer is armed; smtplib takes the TLS server name from `_host`
    server._host = settings.host  # type: ignore[attr-defined]
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = getattr(server, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(deadline, cut)  # real seconds: the socket waits for real
    timer.daemon = True
    timer.start()
    try:
        server.connect(settings.host, settings.port)
        if settings.security == "starttls":
            server.starttls(context=context)
        if username is not None and password is not None:
            server.login(username, password)
        server.ehlo_or_helo_if_needed()
        eight_bit = server.has_extn("8bitmime")
        msg = message(job, eight_bit=eight_bit)
        needs_8bit = any(part.get("Content-Transfer-Encoding") == "8bit" for part in msg.walk())
        # to the plan's addresses only, never to what a header might be read as (one address each)
        recipients = [one_line(a) for a in settings.to]
        server.send_message(msg, to_addrs=recipients, mail_options=("BODY=8BITMIME",) if needs_8bit else ())
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()
    except smtplib.SMTPResponseException:
        raise  # the server answered: whatever it said, we know it
    except Exception as exc:
        if server.mail_sent:
            reason = f"no answer within {round(deadline, 1):g} s" if expired.is_set() else _reason(exc)
            raise MaybeDelivered(reason) from None
        if expired.is_set():
            raise SmtpDeadline from None
        raise
    finally:
        timer.cancel()
        server.close()
