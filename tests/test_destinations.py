"""Where credentials go (SPEC §8) is decided once (plan/destinations.py) for the three that ask:
`check` (rule credential-destination), delivery (which refuses before sending) and `diff` (which
flags a changed destination). Each case is put to all of them: what `check` calls an error,
delivery refuses; what it only warns about (another host, this machine), delivery sends."""

from __future__ import annotations

import re
import typing
from datetime import datetime
from pathlib import Path

import pytest

from incplan.delivery.base import DeliveryFailed, Job, Secrets, Transport, require_tls
from incplan.delivery.email import check_destination
from incplan.lint.runner import lint_file
from incplan.plan.models import Delivery, EmailDelivery

from .conftest import ROOT
from .servers import FakeClock

PLAN = (ROOT / "examples/delivery.yaml").read_text()


def verdicts(tmp_path: Path, now: datetime, plan: str) -> list[tuple[str, str]]:
    (tmp_path / "plan.yaml").write_text(plan)
    report = lint_file(tmp_path / "plan.yaml", now=now)
    return [(str(d.severity.value), d.message) for d in report.diagnostics if d.name == "credential-destination"]


def delivery_refuses(call: typing.Callable[[], object]) -> str | None:
    try:
        call()
    except DeliveryFailed as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    ("api_base", "lint", "refused"),
    [
        ("https://api.statuspage.io/v1", None, None),  # the vendor's own, written out
        ("https://status-proxy.corp.example/v1", "warning", None),
        ("http://127.0.0.1:8080/v1", "warning", None),  # a test double on this machine
        ("http://[::1]:8080/v1", "warning", None),
        ("http://status-proxy.corp.example/v1", "error", "is plain http to `status-proxy.corp.example`"),
        ("ftp://status-proxy.corp.example/v1", "error", "is not a valid http(s) URL"),
        ("htp://x", "error", "is not a valid http(s) URL"),
        ("https://[::1/v1", "error", "is not a valid URL"),
        # check passed these two and delivery refused them: they now agree
        ("https://api.statuspage.io:99999/v1", "error", "is not a valid URL"),
        ("https://api.statuspage.io:https/v1", "error", "is not a valid URL"),
        ("https://status proxy.example/v1", "error", "holds spaces or control characters"),
        ("https:///v1", "error", "is not a valid http(s) URL"),
    ],
)
def test_check_errors_exactly_where_delivery_refuses(
    tmp_path: Path, now: datetime, api_base: str, lint: str | None, refused: str | None
) -> None:
    plan = PLAN.replace("      page_id: kctbh9vrtdwd\n", f"      page_id: kctbh9vrtdwd\n      api_base: '{api_base}'\n")
    found = verdicts(tmp_path, now, plan)
    assert [severity for severity, _ in found] == ([lint] if lint else [])
    said = delivery_refuses(lambda: require_tls(api_base, "`api_base`"))
    if refused is None:
        assert said is None
    else:
        assert said is not None and said.startswith(f"`api_base` {refused}"), said
        assert "`status_page`" in found[0][1], found


@pytest.mark.parametrize(
    ("host", "security", "login", "lint"),
    [
        ("smtp.orbit.example", "starttls", True, None),
        ("smtp.orbit.example", "ssl", True, None),
        ("smtp.orbit.example", "none", False, None),  # nothing secret goes out
        ("smtp.orbit.example", "none", True, "error"),
        ("127.0.0.1", "none", True, "warning"),  # a relay on this machine
        ("localhost", "none", True, "warning"),
    ],
)
def test_smtp_logins_in_the_clear_agree(
    tmp_path: Path, now: datetime, host: str, security: str, login: bool, lint: str | None
) -> None:
    plan = PLAN.replace("host: smtp.orbit.example", f"host: {host}").replace(
        "security: starttls", f"security: {security}"
    )
    if not login:
        plan = re.sub(r"\n\s+username_env: SMTP_USER\n\s+password_env: SMTP_PASSWORD", "", plan)
    found = verdicts(tmp_path, now, plan)
    assert [severity for severity, _ in found] == ([lint] if lint else [])
    settings = EmailDelivery.model_validate(
        {"kind": "email", "host": host, "security": security, "from": "a@b.example", "to": ["c@d.example"]}
        | ({"username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD"} if login else {})
    )
    said = delivery_refuses(lambda: check_destination(settings))
    assert (said is not None) == (lint == "error"), said


def test_every_kind_says_which_settings_decide_where_its_credential_goes() -> None:
    """`diff` flags a change of exactly these (and a change of kind)."""
    from incplan.plan.destinations import ROUTES
    from incplan.review.diff import credential_destination_fields

    union = typing.get_args(Delivery)[0]
    models = {typing.get_args(m.model_fields["kind"].annotation)[0]: m for m in typing.get_args(union)}
    assert set(ROUTES) == set(models)
    assert {kind: credential_destination_fields(kind) for kind in models} == {
        "statuspage": ("api_base",),
        "twilio": ("api_base",),
        "smsapi": ("api_base",),
        "slack": ("webhook_url_env",),
        "teams": ("webhook_url_env",),
        "webhook": ("url_env",),
        "email": ("host", "port", "security"),
    }
    for kind, route in ROUTES.items():
        assert set(route.fields) <= set(models[kind].model_fields), kind


def test_a_job_of_one_kind_is_never_handed_to_another_kinds_adapter() -> None:
    from incplan.delivery import slack

    settings = EmailDelivery.model_validate(
        {"kind": "email", "host": "h", "from": "a@b.example", "to": ["c@d.example"]}
    )
    job = Job(
        "email", "Email", "email", settings, "investigating", False, None, None, "i", "t", None, "b", "text", "en"
    )
    with pytest.raises(TypeError, match="`email` settings of `email` given to the SlackDelivery adapter"):
        slack.prepare(job, Secrets())


# ---------------------------------------------------------------- malformed destinations (issue 9 item 9)

BAD_API_BASES = ["https://[::1", "htp://x", "https://exa_mple..com/v1", "https://api.example:99999", ""]
SMS_ENV = {"TWILIO_ACCOUNT_SID": "AC0123456789abcdef", "TWILIO_AUTH_TOKEN": "token-s3cr3t", "SMSAPI_TOKEN": "token-s3cr3t",
           "STATUSPAGE_API_KEY": "sp-key-s3cr3t"}  # fmt: skip
SETTINGS = {
    "statuspage": {"kind": "statuspage", "api_key_env": "STATUSPAGE_API_KEY", "page_id": "p1"},
    "twilio": {"kind": "twilio", "account_sid_env": "TWILIO_ACCOUNT_SID", "auth_token_env": "TWILIO_AUTH_TOKEN",
               "from": "+15005550006", "to": ["+48600100200"]},
    "smsapi": {"kind": "smsapi", "token_env": "SMSAPI_TOKEN", "to": ["+48600100200"]},
}  # fmt: skip


def job_for(settings: dict[str, object]) -> Job:
    from pydantic import TypeAdapter

    delivery = TypeAdapter(Delivery).validate_python(settings)
    return Job("ch", "Channel", delivery.kind, delivery, "investigating", False, "sev1", "major", "2026-11-27-x",
               "Payments failing", None, "We are investigating.", "text", "en")  # fmt: skip


def refused_before_sending(job: Job, fake_time: FakeClock) -> str:
    """The reason delivery gives; nothing was sent (no HTTP client was ever made) and nothing waited."""
    from incplan.delivery.registry import adapter

    with Transport() as transport:
        with pytest.raises(DeliveryFailed) as failed:
            adapter(job.kind).deliver(job, Secrets(), transport)
        assert transport._client is None
    with pytest.raises(DeliveryFailed) as shown:
        adapter(job.kind).prepare(job, Secrets())  # what --dry-run says
    assert str(shown.value) == str(failed.value)
    assert fake_time.slept == []
    return str(failed.value)


@pytest.mark.parametrize("api_base", BAD_API_BASES)
@pytest.mark.parametrize("kind", ["statuspage", "twilio", "smsapi"])
def test_a_malformed_api_base_is_an_error_in_check_and_refused_at_once(
    monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock, kind: str, api_base: str
) -> None:
    for name, value in SMS_ENV.items():
        monkeypatch.setenv(name, value)
    reason = refused_before_sending(job_for({**SETTINGS[kind], "api_base": api_base}), fake_time)
    assert re.fullmatch(r"`api_base` is not a valid (http\(s\) )?URL.*; it must look like https://host/path", reason), (
        reason
    )


def test_check_calls_every_malformed_api_base_an_error(tmp_path: Path, now: datetime) -> None:
    for api_base in BAD_API_BASES:
        plan = PLAN.replace(
            "      page_id: kctbh9vrtdwd\n", f"      page_id: kctbh9vrtdwd\n      api_base: '{api_base}'\n"
        )
        found = verdicts(tmp_path, now, plan)
        assert len(found) == 1 and found[0][0] == "error", (api_base, found)
        assert re.fullmatch(r"`api_base` of `status_page` (is not a valid|holds) .*", found[0][1]), found


@pytest.mark.parametrize(
    ("numbers", "reason"),
    [
        ("", "environment variable `SMS_TO` is not set"),
        (" , ", "environment variable `SMS_TO` must hold comma-separated E.164 numbers like +48600100200"),
        ("600100200", "environment variable `SMS_TO` must hold comma-separated E.164 numbers like +48600100200 (1 of 1 are not)"),
        ("+48 600 100 200", "environment variable `SMS_TO` must hold comma-separated E.164 numbers like +48600100200 (1 of 1 are not)"),
        ("+48600100200;+48600100201", "environment variable `SMS_TO` must hold comma-separated E.164 numbers like +48600100200 (1 of 1 are not)"),
        ("+48600100200,\x1b[2J", "environment variable `SMS_TO` must hold comma-separated E.164 numbers like +48600100200 (1 of 2 are not)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("kind", ["twilio", "smsapi"])
def test_malformed_recipients_are_refused_at_once_never_named(
    monkeypatch: pytest.MonkeyPatch, fake_time: FakeClock, kind: str, numbers: str, reason: str
) -> None:
    for name, value in {**SMS_ENV, "SMS_TO": numbers}.items():
        monkeypatch.setenv(name, value)
    settings = {k: v for k, v in SETTINGS[kind].items() if k != "to"} | {"to_env": "SMS_TO"}
    assert refused_before_sending(job_for(settings), fake_time) == reason


@pytest.mark.parametrize(
    "host", ["", "smtp..example", "smtp example", "-smtp.example", "smtp.example/x", "smtp.example:25"]
)
def test_a_malformed_smtp_host_is_an_error_in_check_and_refused_at_once(
    tmp_path: Path, now: datetime, fake_time: FakeClock, host: str
) -> None:
    """An empty host would have made smtplib connect to this machine; the others would have
    been retried as network errors."""
    from pydantic import ValidationError

    plan = PLAN.replace("host: smtp.orbit.example", f"host: '{host}'")
    (tmp_path / "plan.yaml").write_text(plan)
    found = [d for d in lint_file(tmp_path / "plan.yaml", now=now).diagnostics if d.severity.value == "error"]
    assert [d.message.split(":")[0] for d in found] == ["`channels.email.delivery.host`"], found
    assert "not a host name" in found[0].message
    with pytest.raises(ValidationError, match="not a host name"):
        EmailDelivery.model_validate({"kind": "email", "host": host, "from": "a@b.example", "to": ["c@d.example"]})
    settings = EmailDelivery.model_construct(kind="email", host=host, port=587, from_="a@b.example", to=["c@d.example"],
                                             security="starttls", username_env=None, password_env=None)  # fmt: skip
    job = job_for({"kind": "email", "host": "smtp.example", "from": "a@b.example", "to": ["c@d.example"]})
    job.settings = settings  # as a settings copy (roster's) could hold it, unvalidated
    assert refused_before_sending(job, fake_time) == f"the SMTP host `{host}` is not a host name"


@pytest.mark.parametrize(
    "sender",
    ["status@orbit.example, ceo@orbit.example", "Status <a@orbit.example> <b@orbit.example>", "status",
     "a@orbit.example\\r\\nBcc: all@orbit.example", "", "Status <>"],
)  # fmt: skip
def test_an_email_sender_is_one_address(tmp_path: Path, now: datetime, sender: str) -> None:
    """`from` is one sender, bare or with a display name: a list in it made a From header of
    several addresses, and a line break in it a second header."""
    plan = PLAN.replace("from: status@orbit.example", f'from: "{sender}"')
    assert plan != PLAN
    (tmp_path / "plan.yaml").write_text(plan)
    found = [d for d in lint_file(tmp_path / "plan.yaml", now=now).diagnostics if d.severity.value == "error"]
    # (a line break is also E001, a control character in the plan)
    assert [d.message.split(", got ")[0] for d in found if d.code != "E001"] == [
        "`channels.email.delivery.from`: not one sender; write an address like `status@orbit.example`, or "
        "`Orbit Status <status@orbit.example>`"
    ]


@pytest.mark.parametrize(
    "sender", ["status@orbit.example", "Orbit Status <status@orbit.example>", '"Orbit, Inc." <s@orbit.example>']
)
def test_a_sender_with_a_display_name_is_one(tmp_path: Path, now: datetime, sender: str) -> None:
    plan = PLAN.replace("from: status@orbit.example", f"from: '{sender}'")
    (tmp_path / "plan.yaml").write_text(plan)
    assert [d for d in lint_file(tmp_path / "plan.yaml", now=now).diagnostics if d.severity.value == "error"] == []
