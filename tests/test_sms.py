"""SMS delivery against a real HTTP server on 127.0.0.1 that checks each request as the vendor
documents it: Twilio's Messages API (form-encoded `To`, `From`, `Body`, HTTP Basic auth with the
account SID and auth token, one message per recipient) and SMSAPI.pl's `sms.do` (form-encoded
`to`, `from`, `message`, `encoding`, `format=json`, Bearer token)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT
from .servers import FakeService, Reply, Request, serve

runner = CliRunner()
SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "twilio-auth-t0ken-s3cr3t"
SMSAPI_TOKEN = "smsapi-oauth-t0ken-s3cr3t"
ID = "2026-11-27-payments-failing"
NUMBERS = ["+48600100200", "+48600100201"]


@dataclass
class Gateway(FakeService):
    """What the fake gateways answer and what they received (method, path, headers, form)."""

    answers: list[tuple[int, Any, dict[str, str]] | None] = field(default_factory=list)  # queued (None: usual)
    problems: list[str] = field(default_factory=list)

    @property
    def received(self) -> list[tuple[str, str, dict[str, str], dict[str, list[str]]]]:
        return [(r.method, r.path, r.headers, r.form()) for r in self.server.received]

    def __call__(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(405, {"message": "method not allowed"})
        form = request.form()
        queued = self.answers.pop(0) if self.answers else None
        if request.header("Content-Type") != "application/x-www-form-urlencoded":
            self.problems.append(f"content type {request.header('Content-Type')}")
        if request.path == f"/twilio/2010-04-01/Accounts/{SID}/Messages.json":
            expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
            if request.header("Authorization") != expected:
                return Reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
            if queued:
                return Reply(*queued)
            n = len(self.server.received)
            return Reply(201, {"sid": f"SM{n:032d}", "status": "queued", "to": form["To"][0]})
        if request.path == "/smsapi/sms.do":
            if request.header("Authorization") != f"Bearer {SMSAPI_TOKEN}":
                return Reply(200, {"error": 101, "message": "Authorization failed"})
            if queued:
                return Reply(*queued)
            numbers = form["to"][0].split(",")
            listed = [{"id": f"SA{i}", "number": n, "status": "QUEUE", "parts": 1} for i, n in enumerate(numbers)]
            return Reply(200, {"count": len(listed), "list": listed})
        return Reply(404, {"message": "no such resource"})


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    with serve(Gateway()) as gw:
        yield gw, gw.server.base


def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delivery: str) -> Path:
    """The bilingual shop plan with `delivery` on its SMS channel."""
    plan = (ROOT / "examples/bilingual-sms.yaml").read_text()
    start = plan.index("    delivery:  # `incplan notify")
    plan = plan[:start] + plan[plan.index("  chat_internal:", start) :]
    anchor = "    access: SMS gateway panel; login in the company password manager.\n"
    assert anchor in plan
    plan = plan.replace(anchor, anchor + delivery)
    (tmp_path / "incplan.yaml").write_text(plan)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("SMSAPI_TOKEN", SMSAPI_TOKEN)
    return tmp_path


def twilio(base: str) -> str:
    return (
        "    delivery:\n      kind: twilio\n      account_sid_env: TWILIO_ACCOUNT_SID\n"
        "      auth_token_env: TWILIO_AUTH_TOKEN\n      from: '+15005550006'\n"
        f"      to: ['{NUMBERS[0]}', '{NUMBERS[1]}']\n      api_base: {base}/twilio\n"
    )


def smsapi(base: str | None, recipients: str = "to_env: SMS_CUSTOMERS") -> str:
    return (
        "    delivery:\n      kind: smsapi\n      token_env: SMSAPI_TOKEN\n      from: SklepNowak\n"
        f"      {recipients}\n" + (f"      api_base: {base}/smsapi\n" if base else "")
    )


def run(*args: str, now: str = "2026-11-27T10:05:00+01:00") -> tuple[int, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def open_incident(impact: str = "payment errors") -> None:
    code, out = run(
        "incident", "open", "--title", "Payments failing", "--severity", "sev1", "--var", f"impact={impact}",
        now="2026-11-27T10:00:00+01:00",
    )  # fmt: skip
    assert code == 0, out


def rendered(now: str = "2026-11-27T10:05:00+01:00") -> str:
    """The SMS text incplan renders for the incident now (time formats belong to the locale)."""
    code, out = run("notify", "--incident", ID, "-c", "sms", "-f", "json", now=now)
    assert code == 0, out
    return str(json.JSONDecoder().raw_decode(out)[0]["messages"][0]["body"])


def refs(team: Path) -> list[str]:
    from ruamel.yaml import YAML

    record = YAML(typ="safe").load((team / "incidents" / f"{ID}.yaml").read_text())
    return [e["ref"] for e in record["events"] if e["type"] == "notified"]


def no_secret(text: str) -> None:
    for secret in (TOKEN, SMSAPI_TOKEN, base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()):
        assert secret not in text


def test_twilio_sends_one_form_encoded_message_per_recipient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str]
) -> None:
    gw, base = gateway
    team = shop(tmp_path, monkeypatch, twilio(base))
    open_incident()
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 0, out
    assert "sms: SMS queued by Twilio for 2 recipients" in out
    body = rendered()
    assert body.startswith("Sklep Nowak: we are investigating payment errors. Next update by ")
    assert [(m, p, f) for m, p, _, f in gw.received] == [
        (
            "POST",
            f"/twilio/2010-04-01/Accounts/{SID}/Messages.json",
            {"To": [n], "From": ["+15005550006"], "Body": [body]},
        )
        for n in NUMBERS
    ]
    assert gw.problems == []
    record = (team / "incidents" / f"{ID}.yaml").read_text()
    assert refs(team) == [f"SM{1:032d},SM{2:032d}"]
    no_secret(out + record)


def test_twilio_retries_a_5xx_and_never_a_rejected_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str]
) -> None:
    gw, base = gateway
    shop(tmp_path, monkeypatch, twilio(base))
    open_incident()
    gw.answers = [
        (503, {"message": "Service Unavailable"}, {"Retry-After": "0"}),  # first recipient, first try
        None,  # first recipient, second try: accepted
        (400, {"code": 21211, "message": "The 'To' number +48600100201 is not a valid phone number."}, {}),
    ]
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 1
    assert [f["To"][0] for _, _, _, f in gw.received] == [NUMBERS[0], NUMBERS[0], NUMBERS[1]]
    assert "sms: FAILED: HTTP 400: " in out and "21211" in out
    assert "(sent to 1 of 2 recipients before)" in out
    no_secret(out)


def test_smsapi_sends_to_every_recipient_at_once_with_its_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str]
) -> None:
    gw, base = gateway
    team = shop(tmp_path, monkeypatch, smsapi(base))
    monkeypatch.setenv("SMS_CUSTOMERS", " +48600100200, +48600100201 ")
    open_incident(impact="błędy płatności")  # Polish letters: the SMS is UCS-2
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 0, out
    assert "sms: SMS sent by SMSAPI to 2 recipients" in out
    (method, path, headers, form), *rest = gw.received
    assert (method, path, rest, gw.problems) == ("POST", "/smsapi/sms.do", [], [])
    assert form == {
        "to": ["48600100200,48600100201"],
        "from": ["SklepNowak"],
        "message": [rendered()],
        "encoding": ["utf-8"],
        "format": ["json"],
    }
    assert headers["Authorization"] == f"Bearer {SMSAPI_TOKEN}"
    assert refs(team) == ["SA0,SA1"]

    gw.server.received.clear()
    code, out = run("incident", "update", ID, "--stage", "identified", now="2026-11-27T10:10:00+01:00")
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms", now="2026-11-27T10:11:00+01:00")
    assert code == 0, out
    form = gw.received[0][3]
    assert form["nounicode"] == ["1"]  # a GSM-7 text must stay GSM-7
    assert form["message"] == [rendered("2026-11-27T10:11:00+01:00")]
    assert form["message"][0].startswith("Sklep Nowak: cause found, fix in progress.")


def test_smsapi_error_answered_with_200_is_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str]
) -> None:
    gw, base = gateway
    shop(tmp_path, monkeypatch, smsapi(base, "to: ['+48600100200']"))
    monkeypatch.setenv("SMSAPI_TOKEN", "a-revoked-token-value")
    open_incident()
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 1
    assert "sms: FAILED: SMSAPI error 101: Authorization failed" in out
    assert "a-revoked-token-value" not in out
    assert len(gw.received) == 1


def test_dry_run_shows_segments_and_masks_tokens_and_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str]
) -> None:
    gw, base = gateway
    shop(tmp_path, monkeypatch, smsapi(base))
    monkeypatch.setenv("SMS_CUSTOMERS", "+48600100200,+48600100201")
    open_incident(impact="błędy płatności")
    code, out = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "sms")
    assert code == 0, out
    assert gw.received == []
    from incplan.templates.limits import sms_segments

    segments, encoding, units = sms_segments(rendered())
    assert (segments, encoding) == (2, "UCS-2")
    note = f"# 2 SMS segments, UCS-2, {units} characters; 2 recipients\n"
    assert out.startswith(
        f"==> sms <==\n{note}POST {base}/smsapi/sms.do\n"
        "Authorization: ***\nContent-Type: application/x-www-form-urlencoded\n\nto=***%2C***&from=SklepNowak&message="
    )
    assert "48600100200" not in out
    no_secret(out)

    shop(tmp_path, monkeypatch, twilio(base))
    code, out = run("notify", "--incident", ID, "--send", "--dry-run", "-c", "sms")
    assert code == 0, out
    assert out.count(f"{note}POST ") == 2
    assert "To=%2B48600100200&From=%2B15005550006&Body=Sklep+Nowak" in out  # numbers listed in the plan are not secret
    no_secret(out)


def test_a_missing_recipient_variable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str]
) -> None:
    gw, base = gateway
    shop(tmp_path, monkeypatch, smsapi(base))
    monkeypatch.delenv("SMS_CUSTOMERS", raising=False)
    open_incident()
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 1
    assert "sms: FAILED: environment variable `SMS_CUSTOMERS` is not set" in out
    monkeypatch.setenv("SMS_CUSTOMERS", "+48600100200,600100201")
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert "must hold comma-separated E.164 numbers like +48600100200 (1 of 2 are not)" in out
    assert "600100201" not in out
    assert gw.received == []


@pytest.mark.parametrize(
    ("recipients", "message"),
    [
        (
            "to: ['+48600100200']\n      to_env: SMS_CUSTOMERS",
            "give the recipients as `to` (E.164 numbers) or `to_env`",
        ),
        ("api_base: https://x", "give the recipients as `to` (E.164 numbers) or `to_env`"),
        (
            "to: ['600 100 200']",
            "not an E.164 phone number; write it like `+48600100200` (no spaces), got `600 100 200`",
        ),
    ],
)
def test_check_refuses_bad_recipients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recipients: str, message: str
) -> None:
    team = shop(tmp_path, monkeypatch, smsapi(None, recipients))
    result = runner.invoke(app, ["check", str(team / "incplan.yaml"), "--format", "json"])
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert result.exit_code == 1
    assert any(message in d["message"] and "channels.sms.delivery" in d["message"] for d in found), [
        d["message"] for d in found
    ]


@pytest.mark.parametrize(
    ("delivery", "answer", "said"),
    [
        ("twilio", (201, [], {}), "sms: FAILED: Twilio answered without a message sid"),
        ("twilio", (201, "<html>queued</html>", {}), "sms: FAILED: Twilio answered without a message sid"),
        ("smsapi", (200, "<html>ok</html>", {}), "sms: FAILED: SMSAPI answered with something other than a JSON object"),
        ("smsapi", (200, [1, 2], {}), "sms: FAILED: SMSAPI answered with something other than a JSON object"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_the_vendors_is_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str], delivery: str, answer: Any, said: str
) -> None:
    gw, base = gateway
    shop(tmp_path, monkeypatch, twilio(base) if delivery == "twilio" else smsapi(base, "to: ['+48600100200']"))
    open_incident()
    gw.answers = [answer]
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 1
    assert said in out
    assert len(gw.received) == 1  # a 2xx is never sent again


@pytest.mark.parametrize("delivery", ["twilio", "smsapi"])
def test_a_message_id_that_is_not_an_id_is_never_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway: tuple[Gateway, str], delivery: str
) -> None:
    """Attack trial 3: a server's id goes into the record (and git) only in the shape vendors give."""
    gw, base = gateway
    shop(tmp_path, monkeypatch, twilio(base) if delivery == "twilio" else smsapi(base, "to: ['+48600100200']"))
    open_incident()
    evil = "../x\x1b]0;pwn\x07"
    answer = {"sid": evil} if delivery == "twilio" else {"count": 1, "list": [{"id": evil, "number": "48600100200"}]}
    gw.answers = [(201 if delivery == "twilio" else 200, answer, {})] * 2
    code, out = run("notify", "--incident", ID, "--send", "--yes", "-c", "sms")
    assert code == 0, out
    people = "2 recipients" if delivery == "twilio" else "1 recipient"
    assert f"sms: SMS {'queued by Twilio for' if delivery == 'twilio' else 'sent by SMSAPI to'} {people}\n" in out
    record = (tmp_path / "incidents" / f"{ID}.yaml").read_text()
    assert "delivered: true" in record and "ref:" not in record and "pwn" not in record
