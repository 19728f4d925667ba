"""smtplib's client, telling two things smtplib keeps to itself: whether the end of the mail (the
final "." of DATA) has gone out, after which a lost answer means the mail may have been
delivered and must not be sent again; and every form of the credentials it sends (the base64
of AUTH PLAIN's `\\0user\\0password`, each AUTH LOGIN line, the CRAM-MD5 answer), so that a
server echoing one in an error is masked like the password itself. Imported only by email
delivery (smtplib loads ssl)."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Callable
from typing import Any

from incplan.delivery.base import Secrets


class Conversation(smtplib.SMTP):
    def __init__(self, secrets: Secrets, **options: Any) -> None:
        super().__init__(**options)
        self.secrets = secrets
        self.mail_sent = False  # the final "." of DATA went out: the server may have the mail
        self._in_data = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:  # smtplib's: bytes or str (typeshed's buffer type is private)
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.mail_sent = True

    def auth(
        self, mechanism: str, authobject: Callable[..., str], *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        def remembered(challenge: bytes | None = None) -> str:
            answer = authobject() if challenge is None else authobject(challenge)
            if answer is not None:
                encoded = base64.b64encode(answer.encode("ascii")).decode()
                for form in (answer, encoded, encoded.rstrip("=")):
                    self.secrets.remember(form)
            return answer

        return super().auth(mechanism, remembered, initial_response_ok=initial_response_ok)


class SslConversation(Conversation, smtplib.SMTP_SSL):
    """The same over TLS from the start (`security: ssl`)."""
