"""The public API (`incplan.load_plan`, `incplan.render_message`) as a library user calls it, on
the bundled plan, with the exact texts it returns and the errors it raises."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import incplan
from incplan.diagnostics import UsageError
from incplan.plan.models import Plan
from incplan.templates.compose import MissingInputs, RenderedMessage, TemplateFailure, compose
from incplan.templates.context import IncidentInfo

from .conftest import ROOT

NOW = datetime(2026, 11, 27, 10, 2, tzinfo=ZoneInfo("Europe/Warsaw"))
INCIDENT = IncidentInfo(id="2026-11-27-api-errors", title="API errors", started_at=NOW - timedelta(minutes=5))
VALUES = {"service": "the Acme API", "impact": "errors on every request"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    source = incplan.load_plan(ROOT / "plans/incplan.yaml")
    assert source.plan is not None, source.diagnostics
    return source.plan


def test_render_message_gives_the_status_page_announcement_of_the_bundled_plan(plan: Plan) -> None:
    message = incplan.render_message(
        plan,
        stage="investigating",
        channel="status_page",
        severity="sev1",
        variables=VALUES,
        incident=INCIDENT,
        now=NOW,
    )
    # sev1's impact is critical: "unavailable"; the next update is 15 minutes on (sev1's
    # investigating cadence): 10:02 + 15m = 10:17 CET; the optional workaround is empty.
    assert message == RenderedMessage(
        "Investigating: the Acme API is unavailable",
        "We are investigating reports of errors on every request affecting the Acme API.\n"
        "We will post the next update by Nov 27, 2026, 10:17 CET.",
    )


def test_render_message_escapes_values_in_html_and_leaves_the_subject_plain(plan: Plan) -> None:
    message = incplan.render_message(
        plan,
        stage="investigating",
        channel="email",
        severity="sev2",
        variables={**VALUES, "impact": "<b>slow</b> pages", "workaround": "retry"},
        incident=INCIDENT,
        now=NOW,
    )
    assert message is not None
    assert message.subject == "[Major] Acme API: <b>slow</b> pages"  # an email subject is never HTML
    assert message.body == (
        "<p>Hello,</p>\n"
        "<p>Since Nov 27, 2026, 09:57 CET, some customers have been experiencing &lt;b&gt;slow&lt;/b&gt; pages on the Acme API.\n"
        "Our engineers are investigating.</p>\n"
        "<p>Meanwhile: retry</p>\n"
        '<p>Follow updates at <a href="https://status.acme.example">https://status.acme.example</a>.\n'
        "Next update by Nov 27, 2026, 10:32 CET.</p>\n"  # sev2 investigating: every 30m
        "<p>The Acme Cloud team</p>"
    )


def test_render_message_is_what_compose_renders_for_that_channel(plan: Plan) -> None:
    """One set of steps: what `notify` shows for a channel is what the library returns."""
    composed = compose(
        plan,
        stage="identified",
        now=NOW,
        severity="sev1",
        channels=["social"],
        title=INCIDENT.title,
        variables={**VALUES, "cause": "a full disk"},
        incident_id=INCIDENT.id,
        started_at=INCIDENT.started_at,
    ).messages[0]
    message = incplan.render_message(
        plan,
        stage="identified",
        channel="social",
        severity="sev1",
        variables={**VALUES, "cause": "a full disk"},
        incident=INCIDENT,
        now=NOW,
    )
    assert message == RenderedMessage(composed.subject, composed.body)
    assert message.body == (  # the stage's `default` message: social has none of its own
        "Update on the Acme API: we found the cause and are working on a fix. "
        "Next update by Nov 27, 2026, 10:32 CET. Details: https://status.acme.example"
    )


def test_render_message_names_every_missing_input_at_once(plan: Plan) -> None:
    with pytest.raises(MissingInputs) as raised:
        incplan.render_message(
            plan, stage="investigating", channel="status_page", severity=None, variables={}, incident=INCIDENT, now=NOW
        )
    error = raised.value
    assert [m.name for m in error.missing] == ["severity", "service", "impact"]
    assert error.message == "missing inputs for these messages:"
    assert error.details[2:4] == [
        "service   The affected service, in customers' words (e.g. the Acme API)",
        '          --var service="the Acme API"',
    ]


def test_render_message_refuses_names_the_plan_does_not_declare(plan: Plan) -> None:
    with pytest.raises(UsageError, match="unknown channel `statuspage`") as raised:
        incplan.render_message(
            plan,
            stage="investigating",
            channel="statuspage",
            severity="sev1",
            variables=VALUES,
            incident=INCIDENT,
            now=NOW,
        )
    assert raised.value.hint.startswith("did you mean `status_page`?")


def test_render_message_is_none_for_a_channel_the_stage_has_no_message_for(plan: Plan) -> None:
    data = copy.deepcopy(incplan.load_plan(ROOT / "plans/incplan.yaml").data)
    del data["templates"]["identified"]["default"]
    without = Plan.model_validate(data)
    found = incplan.render_message(
        without, stage="identified", channel="social", severity="sev1", variables=VALUES, incident=INCIDENT, now=NOW
    )
    assert found is None


def test_render_message_says_which_template_fails(plan: Plan) -> None:
    data = copy.deepcopy(incplan.load_plan(ROOT / "plans/incplan.yaml").data)
    data["templates"]["investigating"]["social"] = "{{ service.missing_attribute.deeper }}"
    broken = Plan.model_validate(data)
    with pytest.raises(TemplateFailure, match="the `investigating` message for `social` fails to render"):
        incplan.render_message(
            broken,
            stage="investigating",
            channel="social",
            severity="sev1",
            variables=VALUES,
            incident=INCIDENT,
            now=NOW,
        )
