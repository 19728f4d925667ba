"""The published JSON Schema: current, described, and in agreement with the loader.

Editors validate with the schema, `incplan check` with the loader: a plan must get the same
verdict from both. check-jsonschema (the real CLI) checks every bundled plan and rule case once;
the jsonschema library checks small variants around the coercions that used to disagree.
"""

from __future__ import annotations

import copy
import datetime
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from incplan.plan.load import validate
from incplan.plan.parse import parse_yaml
from incplan.plan.read import read_text
from incplan.plan.schema import plan_json_schema

from .conftest import ROOT

PUBLISHED = ROOT / "schema" / "incplan.schema.json"
PLANS = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("plans/*.yaml")])
CASES = sorted(ROOT.glob("tests/cases/*/*/*.yaml"))


def incplan(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "incplan", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_published_schema_is_what_incplan_schema_prints(tmp_path: Path) -> None:
    printed = incplan("schema")
    assert printed.returncode == 0
    assert printed.stdout == PUBLISHED.read_text(encoding="utf-8"), "run `incplan schema -o schema/incplan.schema.json`"
    assert incplan("schema", "-o", "-").stdout == printed.stdout
    written = incplan("schema", "-o", str(tmp_path / "plan.schema.json"))
    assert (written.returncode, written.stdout) == (0, "")
    assert (tmp_path / "plan.schema.json").read_text(encoding="utf-8") == printed.stdout


def test_bundled_plans_point_at_the_published_schema() -> None:
    modelines = {
        plan: first
        for plan in PLANS
        if (first := plan.read_text(encoding="utf-8").splitlines()[0]).startswith("# yaml-language-server:")
    }
    assert ROOT / "plans/incplan.yaml" in modelines
    for plan, first in modelines.items():
        assert (plan.parent / first.partition("$schema=")[2]).resolve() == PUBLISHED, plan


def test_every_property_has_a_description() -> None:
    undescribed: list[str] = []
    count = 0

    def walk(node: Any, where: str) -> None:
        nonlocal count
        if isinstance(node, dict):
            for name, spec in node.get("properties", {}).items():
                count += 1
                if not spec.get("description"):
                    undescribed.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(plan_json_schema(), "#")
    assert count > 90
    assert undescribed == []


def _as_json(data: Any) -> Any:
    """What a YAML-reading schema validator sees: dates as ISO text (as check-jsonschema does)."""
    if isinstance(data, dict):
        return {str(k): _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(v) for v in data]
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


def loader_verdict(text: str | None) -> bool | None:
    """True/False from the loader's schema stage; None when the bytes or the YAML are refused."""
    if text is None:
        return None
    data, problems = parse_yaml(text, "plan.yaml")
    if problems:
        return None
    _, diagnostics = validate(data, "plan.yaml")
    return not diagnostics


VALIDATOR = jsonschema.Draft7Validator(plan_json_schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def schema_verdict(text: str) -> bool:
    data, _ = parse_yaml(text, "plan.yaml")
    return VALIDATOR.is_valid(_as_json(data))


def test_check_jsonschema_agrees_with_the_loader_on_every_plan_and_case() -> None:
    verdicts = {str(path): loader_verdict(read_text(path, str(path))[0]) for path in [*PLANS, *CASES]}
    parsed = sorted(path for path, verdict in verdicts.items() if verdict is not None)
    assert len(parsed) > 60
    done = subprocess.run(
        [Path(sys.executable).parent / "check-jsonschema", "--schemafile", str(PUBLISHED), "-o", "json", *parsed],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    refused = {error["filename"] for error in report["errors"]} | {
        error["filename"] for error in report.get("parse_errors", [])
    }
    disagree = [(path, verdicts[path]) for path in parsed if verdicts[path] == (path in refused)]
    assert disagree == [], "\n".join(f"{p}: loader says {v}" for p, v in disagree)
    assert any(not verdicts[path] for path in parsed) and any(verdicts[path] for path in parsed)


MINIMAL = (ROOT / "examples/minimal.yaml").read_text(encoding="utf-8")
DELIVERY = (ROOT / "examples/delivery.yaml").read_text(encoding="utf-8")


def _dump(data: dict[str, Any]) -> str:
    import io

    from ruamel.yaml import YAML

    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return stream.getvalue()


def _variant(base: str, change: Callable[[dict[str, Any]], None]) -> str:
    data, _ = parse_yaml(base, "plan.yaml")
    data = copy.deepcopy(data)
    change(data)
    return _dump(data)


def _stage(data: dict[str, Any]) -> dict[str, Any]:
    return next(iter(data["stages"].values()))  # type: ignore[no-any-return]


def _channel(data: dict[str, Any]) -> dict[str, Any]:
    return next(iter(data["channels"].values()))  # type: ignore[no-any-return]


def _email(data: dict[str, Any]) -> dict[str, Any]:
    return next(c["delivery"] for c in data["channels"].values() if c.get("delivery", {}).get("kind") == "email")  # type: ignore[no-any-return]


def _message(data: dict[str, Any]) -> dict[str, Any]:
    stage = next(iter(data["templates"]))
    channel = next(iter(data["templates"][stage]))
    body = data["templates"][stage][channel]
    data["templates"][stage][channel] = message = body if isinstance(body, dict) else {"body": body}
    return message  # type: ignore[no-any-return]


VARIANTS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "final-true": (MINIMAL, lambda d: _stage(d).update(final=True)),
    "final-yes-text": (MINIMAL, lambda d: _stage(d).update(final="yes")),
    "final-1": (MINIMAL, lambda d: _stage(d).update(final=1)),
    "required-text": (
        MINIMAL,
        lambda d: d.setdefault("variables", {}).update(x={"description": "x", "required": "no"}),
    ),
    "max-length-500": (MINIMAL, lambda d: _channel(d).update(max_length=500)),
    "max-length-text": (MINIMAL, lambda d: _channel(d).update(max_length="500")),
    "max-length-zero": (MINIMAL, lambda d: _channel(d).update(max_length=0)),
    "max-length-float": (MINIMAL, lambda d: _channel(d).update(max_length=1.5)),
    "port-587": (DELIVERY, lambda d: _email(d).update(port=587)),
    "port-text": (DELIVERY, lambda d: _email(d).update(port="587")),
    "port-too-big": (DELIVERY, lambda d: _email(d).update(port=70000)),
    "translation-body-alone": (MINIMAL, lambda d: _message(d).update(translations={"pl": "tekst"})),
    "translation-mapping": (MINIMAL, lambda d: _message(d).update(translations={"pl": {"body": "tekst"}})),
    "translation-bad-locale": (MINIMAL, lambda d: _message(d).update(translations={"Polish": "tekst"})),
    "translation-number": (MINIMAL, lambda d: _message(d).update(translations={"pl": 5})),
    "message-number": (MINIMAL, lambda d: _message(d).update(body=5)),
    "locales-empty": (MINIMAL, lambda d: d["organization"].update(locales=[])),
    "locales-bad": (MINIMAL, lambda d: d["organization"].update(locales=["EN"])),
    "timezone-typo": (MINIMAL, lambda d: d["organization"].update(timezone="Europe/Warsw")),
    "timezone-ok": (MINIMAL, lambda d: d["organization"].update(timezone="Poland")),
    "version-text": (MINIMAL, lambda d: d.update(version="1")),
    "version-2": (MINIMAL, lambda d: d.update(version=2)),
    "name-number": (MINIMAL, lambda d: d["organization"].update(name=5)),
    "unknown-key": (MINIMAL, lambda d: d.update(colour="red")),
    "owner-no-at": (MINIMAL, lambda d: d.update(owner="alice")),
    "review-every-text": (MINIMAL, lambda d: d.update(review_every="90 days")),
    "review-every-number": (MINIMAL, lambda d: d.update(review_every=90)),
    "reviewed-text": (MINIMAL, lambda d: d.update(reviewed="last week")),
    "reviewed-date": (MINIMAL, lambda d: d.update(reviewed=datetime.date(2026, 9, 1))),
    "update-every-map": (
        MINIMAL,
        lambda d: next(iter(d["severities"].values())).update(update_every={"investigating": "30m"}),
    ),
    "impact-bad": (MINIMAL, lambda d: next(iter(d["severities"].values())).update(impact="huge")),
    "severities-empty": (MINIMAL, lambda d: d.update(severities={})),
    "lint-level-bad": (MINIMAL, lambda d: d.update(lint={"rules": {"review-overdue": "loud"}})),
    "lint-level-ok": (MINIMAL, lambda d: d.update(lint={"rules": {"review-overdue": "warning"}})),
    "delivery-unknown-kind": (MINIMAL, lambda d: _channel(d).update(delivery={"kind": "pager"})),
    "env-name-lowercase": (DELIVERY, lambda d: _email(d).update(password_env="smtp_password")),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_schema_and_loader_agree_on_small_variants(name: str) -> None:
    base, change = VARIANTS[name]
    text = _variant(base, change)
    assert loader_verdict(text) == schema_verdict(text)


def test_coercions_that_would_surprise_are_refused_by_both() -> None:
    verdicts = {name: loader_verdict(_variant(*VARIANTS[name])) for name in VARIANTS}
    assert {name: verdicts[name] for name in ("final-yes-text", "max-length-text", "port-text", "required-text")} == {
        "final-yes-text": False,
        "max-length-text": False,
        "port-text": False,
        "required-text": False,
    }
    assert verdicts["translation-body-alone"] is True
    assert verdicts["timezone-typo"] is False
