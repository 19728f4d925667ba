"""Every language, all the way: slugs, scaffold text, localized times, translated names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app
from incplan.incidents.ids import slugify

from .conftest import ROOT

runner = CliRunner()


def run(*args: str, now: str | None = None) -> tuple[int, str, str]:
    env = {"INCPLAN_NOW": now} if now else {}
    result = runner.invoke(app, ["--color", "never", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Płatności nie przechodzą", "platnosci-nie-przechodza"),
        ("Zażółć gęślą jaźń", "zazolc-gesla-jazn"),
        ("Платежи не проходят", "platezhi-ne-prokhodiat"),
        ("Πληρωμές αποτυγχάνουν", "pleromes-apotugkhanoun"),
        ("支付失败", "zhi-fu-shi-bai"),
        ("Ärger über Straße", "arger-uber-strasse"),
        ("API: 5xx on /v1/orders!!", "api-5xx-on-v1-orders"),
        ("🔥🔥🔥", "incident"),
        ("   ", "incident"),
        # Cut at a word boundary, never mid-word.
        ("Checkout errors for customers paying with cards issued outside the EU", "checkout-errors-for-customers-paying-with-cards"),
        ("x" * 60, "x" * 48),
    ],
)
def test_slug_is_ascii_and_readable(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_incident_id_transliterates_a_polish_title(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(
        "incident", "open", "--title", "Płatności nie przechodzą", "--severity", "sev2", now="2026-11-27T10:17:00+01:00"
    )
    assert code == 0, err
    assert (tmp_path / "incidents/2026-11-27-platnosci-nie-przechodza.yaml").is_file()
    code, _, err = run("incident", "open", "--title", "Платежи не проходят", "--severity", "sev2")
    assert code == 0, err
    assert (tmp_path / "incidents/2026-11-27-platezhi-ne-prokhodiat.yaml").is_file()
