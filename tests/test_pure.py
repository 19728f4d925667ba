"""Pure functions tested directly, each figure calculated by hand in the comment beside it: SMS
segments, X's length, nearest rank, durations, positions, and the update cadence (SPEC §7)
including the one-minute merge window and an incident resolved, then reopened."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from incplan.diagnostics import Anchor
from incplan.incidents.models import Record
from incplan.incidents.state import MERGE_WINDOW, Breach, cadence, customer_updates, fold
from incplan.plan.durations import humanize, parse_duration, plan_notation
from incplan.plan.load import load_plan
from incplan.plan.models import Plan
from incplan.plan.positions import Positions
from incplan.reports.compute import nearest_rank
from incplan.templates.limits import measure, sms_segments, x_length

from .conftest import ROOT

# ------------------------------------------------------------------ SMS segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (1, "GSM-7", 0)),
        ("a" * 160, (1, "GSM-7", 160)),  # one segment holds 160 septets
        ("a" * 161, (2, "GSM-7", 161)),  # concatenated: 153 each, ceil(161 / 153) = 2
        ("a" * 306, (2, "GSM-7", 306)),  # 2 x 153
        ("a" * 307, (3, "GSM-7", 307)),
        ("€" * 80, (1, "GSM-7", 160)),  # the extension table costs two septets: 80 x 2 = 160
        ("€" * 81, (2, "GSM-7", 162)),
        ("a" * 159 + "[", (2, "GSM-7", 161)),  # 159 + 2
        ("ł" * 70, (1, "UCS-2", 70)),  # one non-GSM character: UCS-2, 70 per segment
        ("ł" * 71, (2, "UCS-2", 71)),  # concatenated: 67 each, ceil(71 / 67) = 2
        ("ł" * 134, (2, "UCS-2", 134)),  # 2 x 67
        ("ł" * 135, (3, "UCS-2", 135)),
        ("😀" * 35, (1, "UCS-2", 70)),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, (2, "UCS-2", 72)),
        ("Zażółć gęślą jaźń", (1, "UCS-2", 17)),
        ("Ünicode? ñ, ä, à, Ø: all GSM", (1, "GSM-7", 28)),
    ],
    ids=lambda v: repr(v)[:20] if isinstance(v, str) else None,
)
def test_sms_segments(text: str, expected: tuple[int, str, int]) -> None:
    assert sms_segments(text) == expected


def test_measure_per_channel_type() -> None:
    sms = measure("sms", "ł" * 71, None)
    assert (sms.length, sms.max_length, sms.detail, sms.over_limit) == (71, 70, "2 SMS segments, UCS-2", True)
    sms = measure("sms", "a" * 300, 306)  # the plan allows two GSM-7 segments
    assert (sms.length, sms.max_length, sms.detail, sms.over_limit) == (300, 306, "2 SMS segments, GSM-7", False)
    # X counts every URL as 23: 4 + 23 + 1 + 23 = 51
    text = "see https://status.acme.example/incidents/2026-11-27-api-errors?utm=x or http://a.b"
    assert x_length(text) == len("see ") + 23 + len(" or ") + 23 == 54
    social = measure("social", "x" * 281, None)
    assert (social.length, social.max_length, social.over_limit) == (281, 280, True)
    chat = measure("chat", "x" * 40_000, None)
    assert (chat.max_length, chat.over_limit) == (40_000, False)
    assert measure("email", "x" * 10**6, None).max_length is None


def test_a_length_is_described_once_for_notify_preview_and_diff() -> None:
    # 71 UCS-2 characters need 2 segments (70 per segment); 1,000 is written with its comma
    assert (
        measure("sms", "ł" * 71, None).describe("sms") == "71 characters, 2 SMS segments, UCS-2 (limit 70) OVER LIMIT"
    )
    assert measure("sms", "a" * 300, 306).describe("sms") == "300 characters, 2 SMS segments, GSM-7 (limit 306)"
    assert measure("social", "x" * 281, None).describe("social") == "281 characters (limit 280) OVER LIMIT"
    assert measure("email", "x" * 1000, None).describe("email") == "1,000 characters"
    assert measure("chat", "x" * 12_345, None).describe("chat") == "12,345 characters (limit 40,000)"


# ------------------------------------------------------------------ nearest rank


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.9, None),
        ([7], 0.9, 7),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),  # rank ceil(0.9 x 10) = 9
        (list(range(1, 12)), 0.9, 10),  # rank ceil(9.9) = 10
        ([30, 10, 20], 0.5, 20),  # sorted first; rank ceil(1.5) = 2
        ([4, 1, 3, 2], 0.5, 2),  # rank ceil(2.0) = 2: the lower middle, never an average
        ([5, 1, 9], 1.0, 9),
        ([5, 1, 9], 0.0, 1),  # rank 0 is clamped to the first
        ([60, 60, 3600, 60], 0.9, 3600),  # rank ceil(3.6) = 4
    ],
)
def test_nearest_rank(values: list[int], q: float, expected: int | None) -> None:
    assert nearest_rank(values, q) == expected


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("1h", 3600),
        ("1h30m", 5400),
        ("2d", 172_800),
        ("1d2h3m4s", 86_400 + 7200 + 180 + 4),  # 93,784
        (" 5m ", 300),
        ("0m", 0),
        ("90m", 5400),  # not normalized on input
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "m", "30", "1.5h", "-5m", "1h1d", "1H", "5 m", "1w", "١٥m"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration; write it like `30s`, `15m`, `1h30m` or `2d`"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59.9, "59s"), (5400, "1h30m"), (3600, "1h"), (93_784, "1d2h3m4s"), (86_400 + 60, "1d1m")],
)
def test_plan_notation_writes_what_parse_reads(seconds: float, text: str) -> None:
    assert plan_notation(timedelta(seconds=seconds)) == text
    assert parse_duration(text) == timedelta(seconds=int(seconds))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "n/a"),
        (0, "0s"),
        (45, "45s"),
        (59.6, "1m"),  # rounded to 60 s
        (300, "5m"),
        (330, "5m30s"),
        (305, "5m05s"),
        (3600, "1h00m"),
        (3900, "1h05m"),
        (47 * 3600 + 59 * 60, "47h59m"),  # hours up to two days
        (48 * 3600, "2d0h"),
        (3 * 86400 + 4 * 3600 + 59 * 60, "3d4h"),  # minutes dropped from two days on
        (-90, "-1m30s"),
        (timedelta(minutes=25), "25m"),
    ],
)
def test_humanize(value: timedelta | float | None, text: str) -> None:
    assert humanize(value) == text


# ------------------------------------------------------------------ positions

POSITIONED = """\
version: 1
people:
  ana: {name: Ana, email: ana@x.example}
roles:
  lead:
    people: ["@ana", "@ben"]
templates:
  investigating:
    default: |
      First line
        {{ broken
empty:
"""


@pytest.mark.parametrize(
    ("path", "anchor", "inner", "expected"),
    [
        (("version",), Anchor.VALUE, 0, (1, 10)),  # `version: 1`: the value starts at column 10
        (("version",), Anchor.KEY, 0, (1, 1)),
        (("people", "ana", "email"), Anchor.VALUE, 0, (3, 27)),  # inside the flow mapping
        (("people", "ana"), Anchor.KEY, 0, (3, 3)),
        (("roles", "lead", "people", 1), Anchor.VALUE, 0, (6, 22)),  # the second list item
        (("roles", "lead", "missing"), Anchor.VALUE, 0, (6, 5)),  # deepest existing parent: `people`'s value
        (("roles", "lead", "str", "people"), Anchor.VALUE, 0, (6, 13)),  # `str` is a union tag, skipped
        (("templates", "investigating", "default"), Anchor.VALUE, 2, (11, 9)),  # 2nd line of the block
        (("empty",), Anchor.VALUE, 0, (12, 1)),  # a null value: its key
        (("nowhere", "at", "all"), Anchor.VALUE, 0, (1, 1)),
    ],
)
def test_positions(path: tuple[str | int, ...], anchor: Anchor, inner: int, expected: tuple[int, int]) -> None:
    assert Positions(POSITIONED).locate(path, anchor, inner) == expected


def test_positions_of_text_ruamel_cannot_load_are_the_first_character() -> None:
    assert Positions("a: [unclosed\n").locate(("a",), Anchor.VALUE) == (1, 1)


# ------------------------------------------------------------------ cadence (SPEC §7)
# plans/incplan.yaml, sev2: first update within 20m; investigating every 30m, identified 60m;
# `resolved` is final. Customer channels: status_page, email, social; chat_internal is internal.


@pytest.fixture(scope="module")
def plan() -> Plan:
    loaded = load_plan(ROOT / "plans/incplan.yaml").plan
    assert loaded is not None
    return loaded


def at(hhmmss: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-27T{hhmmss}+00:00")


def posted(hhmmss: str, channel: str = "status_page", **extra: Any) -> dict[str, Any]:
    return {"type": "notified", "at": at(hhmmss), "stage": "investigating", "channel": channel, "posted": True} | extra


def stage(hhmmss: str, name: str) -> dict[str, Any]:
    return {"type": "stage", "at": at(hhmmss), "stage": name}


def record(*events: dict[str, Any], severity: str = "sev2") -> Record:
    opened = {"type": "opened", "at": at("10:00:00"), "severity": severity, "stage": "investigating"}
    return Record.model_validate(
        {"version": 1, "id": "r", "title": "R", "opened_at": at("10:00:00"), "events": [opened, *events]}
    )


def test_updates_within_a_minute_count_once(plan: Plan) -> None:
    state = fold(
        record(
            posted("10:10:00"),
            posted("10:10:30", "email"),  # 30 s later on another channel: the same update
            posted("10:11:00", "social"),  # exactly one minute after the first: still the same
            posted("10:11:01"),  # 61 s after the first: a new update
            posted("10:11:50", "email"),  # 49 s after 10:11:01: merged into it
            posted("10:12:30", "chat_internal"),  # internal: never a customer update
            posted("10:12:40", "email", posted=False),  # neither posted nor delivered: did not reach anyone
            posted("10:30:00", "nowhere"),  # a channel the plan no longer has
        ),
        plan,
    )
    assert timedelta(minutes=1) == MERGE_WINDOW
    assert customer_updates(state, plan) == [at("10:10:00"), at("10:11:01")]


def test_the_window_is_measured_from_the_first_post_of_a_cluster(plan: Plan) -> None:
    # 10:00:50 is within a minute of 10:00:00, 10:01:40 only of 10:00:50: the window does not
    # slide, so posts every 50 s are not one endless update
    state = fold(record(posted("10:10:00"), posted("10:10:50"), posted("10:11:40"), posted("10:12:30")), plan)
    assert customer_updates(state, plan) == [at("10:10:00"), at("10:11:40")]


def test_the_next_update_is_due_from_the_first_post_of_a_cluster(plan: Plan) -> None:
    state = fold(record(posted("10:05:00"), posted("10:05:45", "email")), plan)
    result = cadence(state, plan, at("10:20:00"))
    assert result.updates == [at("10:05:00")]
    assert result.next_due == at("10:35:00")  # 10:05:00 + 30m, not 10:05:45 + 30m
    assert (result.first_due, result.first_status, result.cadence_status) == (at("10:20:00"), "met", "met")


def test_cadence_follows_the_stage_in_force_at_the_previous_update(plan: Plan) -> None:
    state = fold(record(posted("10:05:00"), stage("10:20:00", "identified"), posted("10:30:00")), plan)
    # due 10:35 after the 10:05 update (investigating: 30m); posted 10:30; then identified: 60m
    result = cadence(state, plan, at("11:00:00"))
    assert (result.breaches, result.next_due, result.cadence_status) == ([], at("11:30:00"), "met")
    late = cadence(state, plan, at("11:45:00"))
    assert late.breaches == [Breach(at("11:30:00"), None, timedelta(minutes=15))]
    assert (late.next_due, late.cadence_status) == (at("11:30:00"), "missed")


def test_a_resolved_incident_owes_no_update(plan: Plan) -> None:
    state = fold(record(posted("10:05:00"), stage("10:30:00", "resolved"), posted("10:31:00")), plan)
    result = cadence(state, plan, at("14:00:00"))
    assert state.resolved_at == at("10:30:00")
    assert (result.next_due, result.breaches, result.cadence_status) == (None, [], "met")


def test_reopened_after_the_resolution_message_an_update_is_due_one_cadence_after_reopening(plan: Plan) -> None:
    events = [posted("10:05:00"), stage("10:30:00", "resolved"), posted("10:31:00"), stage("11:00:00", "investigating")]
    state = fold(record(*events), plan)
    assert state.resolved_at is None  # open again
    # the 10:31 message went out at a final stage, which sets no cadence; the reopening does:
    # investigating, sev2: 11:00 + 30m
    pending = cadence(state, plan, at("11:20:00"))
    assert (pending.next_due, pending.breaches, pending.cadence_status) == (at("11:30:00"), [], "met")
    overdue = cadence(state, plan, at("11:45:00"))
    assert overdue.breaches == [Breach(at("11:30:00"), None, timedelta(minutes=15))]
    assert (overdue.next_due, overdue.cadence_status) == (at("11:30:00"), "missed")
    # an update after reopening starts the usual chain: 11:10 + 30m
    answered = cadence(fold(record(*events, posted("11:10:00")), plan), plan, at("11:20:00"))
    assert (answered.next_due, answered.breaches) == (at("11:40:00"), [])


def test_reopened_without_a_resolution_message_the_old_due_time_is_void(plan: Plan) -> None:
    # due 10:35 after the 10:05 update, but resolved at 10:20: nothing was owed at 10:35; reopened
    # at 11:00 (identified, sev2: 60m) the next update is due 12:00, not overdue since 10:35
    events = [posted("10:05:00"), stage("10:20:00", "resolved"), stage("11:00:00", "identified")]
    result = cadence(fold(record(*events), plan), plan, at("11:30:00"))
    assert (result.next_due, result.breaches, result.cadence_status) == (at("12:00:00"), [], "met")


def test_reopened_and_resolved_again(plan: Plan) -> None:
    # resolved 10:30, reopened 11:00 (due 11:30), nothing posted, resolved again 11:40: one breach
    # from 11:30 to 11:40; the second resolution message at 11:41 sets no cadence
    events = [
        posted("10:05:00"),
        stage("10:30:00", "resolved"),
        posted("10:31:00"),
        stage("11:00:00", "investigating"),
        stage("11:40:00", "resolved"),
        posted("11:41:00"),
    ]
    state = fold(record(*events), plan)
    result = cadence(state, plan, at("15:00:00"))
    assert state.resolved_at == at("11:40:00")
    assert result.breaches == [Breach(at("11:30:00"), at("11:41:00"), timedelta(minutes=11))]
    assert (result.next_due, result.cadence_status) == (None, "missed")


def test_a_severity_change_after_reopening_uses_the_new_severity(plan: Plan) -> None:
    # reopened 11:00 as sev2 (due 11:30); raised to sev1 at 11:05, the due time stays the one set
    # at the reopening; the 11:10 update is then followed by sev1's 15m: 11:25
    events = [
        posted("10:05:00"),
        stage("10:30:00", "resolved"),
        posted("10:31:00"),
        stage("11:00:00", "investigating"),
        {"type": "severity", "at": at("11:05:00"), "severity": "sev1"},
    ]
    assert cadence(fold(record(*events), plan), plan, at("11:06:00")).next_due == at("11:30:00")
    later = cadence(fold(record(*events, posted("11:10:00")), plan), plan, at("11:20:00"))
    assert later.next_due == at("11:25:00")
