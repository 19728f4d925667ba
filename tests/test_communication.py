"""init, notify, preview, export, show, classify: what a responder sees, exactly."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT
from .strict_html import parse_html

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"
PLAN = str(ROOT / "plans/incplan.yaml")
BILINGUAL = str(ROOT / "examples/bilingual-sms.yaml")


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path}; rerun with --update-goldens to review"


# ------------------------------------------------------------------ init


@pytest.mark.parametrize("locales", [["en"], ["pl"], ["en", "pl"]], ids="-".join)
def test_init_golden_and_passes_check(locales: list[str], tmp_path: Path, update_goldens: bool) -> None:
    target = tmp_path / "incplan.yaml"
    args = ["init", str(target), "--org", "Acme", "--timezone", "Europe/Warsaw"]
    for locale in locales:
        args += ["--locale", locale]
    code, out, _ = run(*args)
    assert code == 0
    config = 'git config merge.incplan-record.driver "incplan merge-record %O %A %B"'
    assert out == (  # in the plan's first language, as its comments
        (
            f"wrote {target}\n"
            f"added to {tmp_path / '.gitattributes'}: incidents/*.yaml merge=incplan-record\n"
            f"added to {tmp_path / '.gitignore'}: /.incplan/\n"
            f"records merge in git after: {config}\n"
            f"next: replace the placeholder people, then run `incplan check {target}`\n"
        )
        if locales[0] == "en"
        else (
            f"zapisano {target}\n"
            f"dopisano do {tmp_path / '.gitattributes'}: incidents/*.yaml merge=incplan-record\n"
            f"dopisano do {tmp_path / '.gitignore'}: /.incplan/\n"
            f"rejestry incydentów łączą się w git po: {config}\n"
            f"dalej: zastąp przykładowe osoby prawdziwymi, potem uruchom `incplan check {target}`\n"
        )
    )
    golden(f"init-{'-'.join(locales)}.yaml", target.read_text(encoding="utf-8"), update_goldens)
    code, out, _ = run("check", str(target), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["summary"]["errors"] == 0
    # Only placeholders warn: four people and the status page address, each saying what to replace.
    assert {d["code"] for d in report["diagnostics"]} == {"W401"}
    assert len(report["diagnostics"]) == 5


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    target.write_text("mine\n")
    code, _, err = run("init", str(target))
    assert code == 2
    assert err == f"error: `{target}` already exists\n  hint: pass --force to overwrite it, or give another PATH\n"
    assert target.read_text() == "mine\n"
    assert run("init", str(target), "--force")[0] == 0
    assert target.read_text().startswith("# yaml-language-server: $schema=")


def test_init_in_an_empty_folder_writes_incplan_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "--org", "Acme")[0] == 0
    assert (tmp_path / "incplan.yaml").is_file()
    # ... and every other command finds it there
    code, out, _ = run("notify", "--stage", "investigating", "--severity", "sev2", "--example", "--format", "text")
    assert code == 0
    assert "We are investigating reports of errors when creating orders affecting the public API." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--locale", "de"], "error: no built-in content for locale `de`"),
        (["--timezone", "Mars/Olympus"], "error: `Mars/Olympus` is not an IANA timezone"),
    ],
)
def test_init_bad_options(args: list[str], message: str, tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "x.yaml"), *args)
    assert code == 2
    assert err.splitlines()[0] == message
    assert not (tmp_path / "x.yaml").exists()


def test_init_refuses_a_timezone_check_would_refuse(tmp_path: Path) -> None:
    """`Factory` loads (tzdata ships it) but is no IANA zone a plan may name: init used to write
    a plan that `check` then failed with E105."""
    from zoneinfo import ZoneInfo

    ZoneInfo("Factory")  # loadable here, so only the plan's own list can refuse it
    code, _, err = run("init", str(tmp_path / "x.yaml"), "--timezone", "Factory")
    assert (code, err) == (
        2,
        "error: `Factory` is not an IANA timezone\n  hint: use a name like Europe/Warsaw or UTC\n",
    )
    assert not (tmp_path / "x.yaml").exists()


# ------------------------------------------------------------------ notify


def test_notify_text_is_ready_to_paste() -> None:
    code, out, err = run(
        "notify", "--plan", PLAN, "--stage", "resolved", "--channel", "status_page", "--format", "text",
        "--var", "service=the Acme API", "--var", "impact=errors",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "Resolved: the Acme API\n\n"
        "This incident is resolved: the Acme API is working normally since Nov 27, 2026, 12:00 CET.\n"
        "No customer data was lost or exposed. We will publish a post-incident review\n"
        "at https://status.acme.example within five business days.\n"
    )


def test_notify_json_shape() -> None:
    code, out, _ = run(
        "notify", "--plan", BILINGUAL, "--stage", "investigating", "--severity", "sev1", "--example", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert (data["stage"], data["severity"], data["locale"]) == ("investigating", "sev1", "en")
    assert [m["channel"] for m in data["messages"]] == ["status_page", "sms", "chat_internal"]
    sms = data["messages"][1]
    assert sms == {
        "channel": "sms",
        "audience": "customers",
        "locale": "en",
        "locales": ["en"],
        "subject": None,
        "body": "Sklep Nowak: we are investigating payment errors. Next update by Nov 27, 2026, 12:15 CET.",
        "length": 89,
        "max_length": 160,
        "over_limit": False,
    }


def test_notify_polish_sms_counts_ucs2_segments() -> None:
    code, out, _ = run(
        "notify", "--plan", BILINGUAL, "--stage", "identified", "--channel", "chat_internal", "--severity", "sev1",
        "--example", "--locale", "pl", "--format", "json",
    )  # fmt: skip
    assert code == 0
    message = json.loads(out)["messages"][0]
    assert message["body"] == "Znamy przyczynę problemu i naprawiamy go. Kolejna informacja do 27 lis 2026, 12:30 CET."
    assert message["max_length"] == 40000


def test_notify_rich_shows_length_against_limit() -> None:
    code, out, _ = run(
        "notify",
        "--plan",
        BILINGUAL,
        "--stage",
        "investigating",
        "--severity",
        "sev1",
        "--example",
        "-c",
        "sms",
        "-l",
        "pl",
        "-f",
        "rich",  # the default on a terminal; piped output is plain text
    )
    assert code == 0
    assert "SMS to business customers · customers · sms" in out
    # "Sklep Nowak: badamy problem. Kolejna informacja do 27 lis 2026, 12:15 CET." by hand: 74
    assert "74 characters, 1 SMS segment, GSM-7 (limit 160)" in out


def test_notify_markdown() -> None:
    code, out, _ = run(
        "notify",
        "--plan",
        PLAN,
        "--stage",
        "identified",
        "--severity",
        "sev2",
        "--example",
        "-f",
        "markdown",
        "-c",
        "chat_internal",
    )
    assert code == 0
    assert out.startswith("### #incidents in Slack (internal)\n\nUpdate on the Acme API: we found the cause")
    assert out.endswith("_145 characters (limit 40,000)_\n")


def test_user_values_are_printed_literally() -> None:
    code, out, _ = run(
        "notify", "--plan", PLAN, "--stage", "investigating", "-c", "social", "--severity", "sev1", "-f", "text",
        "--var", "service={{ 7*7 }}", "--var", "impact={% for x in range(3) %}boom{% endfor %}",
    )  # fmt: skip
    assert code == 0
    assert "{{ 7*7 }}" in out and "49" not in out
    assert "{% for x in range(3) %}boom{% endfor %}" in out


def test_notify_lists_every_missing_input_at_once() -> None:
    code, out, err = run("notify", "--plan", PLAN, "--stage", "investigating", "--channel", "status_page")
    assert (code, out) == (2, "")
    assert err == (
        "error: missing inputs for these messages:\n"
        "  severity  the incident's severity, the messages use it: sev1 (Critical), sev2 (Major), sev3 (Minor)\n"
        "            --severity sev1\n"
        "  service   The affected service, in customers' words (e.g. the Acme API)\n"
        '            --var service="the Acme API"\n'
        "  impact    What customers experience (e.g. errors when creating orders)\n"
        '            --var impact="errors when creating orders"\n'
        "  hint: pass them with the flags shown, or --example to fill variables from their examples\n"
    )


@pytest.mark.parametrize(
    ("args", "first_line", "hint"),
    [
        (["--stage", "investigatng"], "error: unknown stage `investigatng`", "did you mean `investigating`?"),
        (["--stage", "resolved", "--severity", "sev9"], "error: unknown severity `sev9`", "valid: sev1, sev2, sev3"),
        (
            ["--stage", "resolved", "--channel", "statuspage"],
            "error: unknown channel `statuspage`",
            "did you mean `status_page`?",
        ),
        (["--stage", "resolved", "-c", "email", "--locale", "de"], "error: unknown locale `de`", "valid: en"),
        (
            ["--stage", "resolved", "-c", "email", "--var", "servce=x"],
            "error: unknown variable `servce`",
            "did you mean `service`?",
        ),
        (["--stage", "resolved", "-c", "email", "--var", "novalue"], "error: `--var novalue` is not NAME=VALUE", ""),
        (["--stage", "resolved", "-c", "email", "-f", "yaml"], "error: unknown format `yaml`", "choose one of"),
    ],
)
def test_notify_usage_errors(args: list[str], first_line: str, hint: str) -> None:
    code, out, err = run("notify", "--plan", PLAN, *args)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == first_line
    assert hint in err


def test_notify_vars_file_yaml_and_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "vars.yaml"
    yaml_file.write_text("service: checkout\nimpact: slow payments\n")
    json_file = tmp_path / "vars.json"
    json_file.write_text(json.dumps({"service": "checkout", "impact": "slow payments"}))
    for path in (yaml_file, json_file):
        code, out, _ = run(
            "notify",
            "--plan",
            PLAN,
            "--stage",
            "investigating",
            "-c",
            "social",
            "--severity",
            "sev1",
            "--vars",
            str(path),
            "-f",
            "text",
        )
        assert code == 0
        assert out.startswith("We're investigating slow payments affecting checkout.")
    # --var wins over the file
    code, out, _ = run(
        "notify",
        "--plan",
        PLAN,
        "--stage",
        "investigating",
        "-c",
        "social",
        "--severity",
        "sev1",
        "--vars",
        str(yaml_file),
        "--var",
        "service=cart",
        "-f",
        "text",
    )
    assert out.startswith("We're investigating slow payments affecting cart.")


def test_notify_bad_vars_file(tmp_path: Path) -> None:
    bad = tmp_path / "vars.yaml"
    bad.write_text("service: [unclosed\n")
    code, _, err = run("notify", "--plan", PLAN, "--stage", "resolved", "--vars", str(bad))
    assert code == 2
    assert err.startswith(f"error: {bad}:2:1: ")
    code, _, err = run("notify", "--plan", PLAN, "--stage", "resolved", "--vars", str(tmp_path / "nope.yaml"))
    assert (code, err.splitlines()[0]) == (2, f"error: variables file `{tmp_path / 'nope.yaml'}` not found")


def test_missing_translation_falls_back_with_a_warning(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    source = Path(BILINGUAL).read_text()
    # drop the Polish chat message so that the fallback is needed
    start = source.index("    chat_internal:\n      body:")
    end = source.index("  identified:\n    sms:")
    plan.write_text(source[:start] + '    chat_internal: "{{ severity.name }}: {{ impact }}."\n' + source[end:])
    code, out, err = run(
        "notify",
        "--plan",
        str(plan),
        "--stage",
        "investigating",
        "-c",
        "chat_internal",
        "--severity",
        "sev1",
        "--example",
        "-l",
        "pl",
        "-f",
        "text",
    )
    assert code == 0
    assert out == "Critical: payment errors.\n"
    assert err == "warning: no `pl` translation of the `investigating` message for `chat_internal`; using `en`\n"


def test_plan_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("notify", "--stage", "resolved")
    assert code == 2
    assert err.startswith(
        "error: no plan found; tried --plan, INCPLAN_PLAN, ./incplan.yaml and ./plans/ up to the repository root\n"
    )
    (tmp_path / "plans").mkdir()
    shutil.copy(ROOT / "examples/minimal.yaml", tmp_path / "plans" / "team.yaml")
    code, out, _ = run("notify", "--stage", "resolved", "--severity", "sev1", "-f", "text")
    assert (code, out) == (0, "The problem is fixed. No customer data was lost.\n")
    monkeypatch.setenv("INCPLAN_PLAN", str(tmp_path / "missing.yaml"))
    assert run("notify", "--stage", "resolved")[0] == 2


def test_broken_plan_exits_1_with_its_errors(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text((ROOT / "tests/cases/unknown-key/bad/typo.yaml").read_text())
    code, out, err = run("notify", "--plan", str(plan), "--stage", "resolved", "--severity", "sev1")
    assert (code, out) == (1, "")
    assert err == (  # the channel's error stops the message that needs it (plan.usable)
        f"{plan}:28:5: error E101 unknown key `acess` in `channels.status_page`\n"
        "error: `channels.status_page` has 1 error, and this command needs it\n"
        "  hint: fix it and run the command again, or name only the other channels with --channel"
        f" (`incplan check {plan}` lists every problem)\n"
    )


# ------------------------------------------------------------------ preview


def _tree(folder: Path) -> str:
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts.append(f"=== {path.relative_to(folder).as_posix()}\n{path.read_text(encoding='utf-8')}")
    return "".join(parts)


def test_preview_files_golden(tmp_path: Path, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCPLAN_NOW")  # previews use their fixed clock for stable diffs
    out = tmp_path / "rendered"
    code, stdout, _ = run("preview", "--plan", BILINGUAL, "--out", str(out))
    assert (code, stdout) == (0, f"wrote 18 messages to {out}\n")
    golden("preview-bilingual.txt", _tree(out), update_goldens)
    # a message that disappears from the plan disappears from the folder
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        Path(BILINGUAL)
        .read_text()
        .replace("channels: [status_page, sms, chat_internal]", "channels: [status_page, chat_internal]")
    )
    code, stdout, _ = run("preview", "--plan", str(plan), "--out", str(out))
    assert (code, stdout) == (0, f"wrote 12 messages to {out}, removed 6 stale\n")
    assert not list(out.rglob("sms.*"))


def test_preview_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run("preview", "--plan", BILINGUAL, "--out", str(tmp_path))
    assert code == 2
    assert "holds no earlier preview" in err
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ------------------------------------------------------------------ export


def test_export_markdown_golden(update_goldens: bool) -> None:
    code, out, _ = run("export", "--plan", PLAN)
    assert code == 0
    golden("export-plan.md", out, update_goldens)


def test_export_html_is_valid_self_contained_and_escaped(tmp_path: Path, update_goldens: bool) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        Path(BILINGUAL).read_text().replace("name: Sklep Nowak", 'name: "Sklep <script>alert(1)</script> & Co"')
    )
    target = tmp_path / "plan.html"
    assert run("export", "--plan", str(plan), "--format", "html", "--output", str(target))[0] == 0
    html = target.read_text(encoding="utf-8")
    tags = {element.tag for element in parse_html(html).iter()}
    assert {"html", "head", "title", "style", "body", "h1", "h2", "table"} <= tags
    assert "script" not in tags and "link" not in tags
    assert "Sklep &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "http" not in html.split("<body>")[0]  # no external resources in the head
    for section in (
        "1. Defining an incident",
        "2. Roles and responsibilities",
        "3. Communication channels",
        "4. Stages and their messages",
        "5. Values",
    ):
        assert section in html
    code, out, _ = run("export", "--plan", BILINGUAL, "--format", "html")
    assert code == 0
    golden("export-bilingual.html", out, update_goldens)


# ------------------------------------------------------------------ show and classify


def test_show_playbook_names_people_channels_and_first_command() -> None:
    code, out, _ = run("show", "sev2", "--plan", PLAN)
    assert code == 0
    assert out.startswith("sev2: Major\nA core feature broken or slow for some customers.\n")
    assert (
        "First customer update within 20m; then Investigating every 30m, Identified every 1h, Monitoring every 1h."
        in out
    )
    assert "Alice Nowak" in out and "+48 600 000 001" in out
    assert "Public status page" in out and "Communications Lead" in out
    # runs as printed, with placeholders (not example values) for what the first message needs
    assert out.endswith(
        "First message:\n  incplan notify -s investigating -S sev2 "
        f"--var 'service=<service>' --var 'impact=<impact>' -t '<title>' --plan {PLAN}\n"
    )


def test_show_sections_and_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run("show", "channels", "--plan", PLAN)
    assert code == 0 and 'Admin login in the Ops password vault, item "Status page".' in out
    code, _, err = run("show", "sevv1", "--plan", PLAN)
    assert code == 2
    assert "did you mean `sev1`?" in err


def test_classify_with_flags() -> None:
    code, out, _ = run(
        "classify", "--plan", PLAN, "--no", "data_exposed", "--no", "full_outage", "--yes", "core_degraded"
    )
    assert code == 0
    assert out.startswith(
        "Incident: sev2 (yes to: Is a core feature (sign-in, API writes, billing) broken or slow for some customers?)\nsev2: Major\n"
    )


def test_classify_interactive_answers() -> None:
    code, out, err = run("classify", "--plan", PLAN, input="n\nn\nn\ny\n")
    assert code == 0
    assert "Incident: sev3 (yes to: Is a non-core feature degraded, with a workaround?)\n" in out
    assert "Has customer data been lost, corrupted or exposed? [data_exposed] [y/N]" in err


def test_classify_not_an_incident() -> None:
    code, out, _ = run(
        "classify",
        "--plan",
        PLAN,
        "-n",
        "data_exposed",
        "-n",
        "full_outage",
        "-n",
        "core_degraded",
        "-n",
        "minor_degraded",
    )
    assert code == 0
    assert out.startswith("Not an incident.\n")
    assert "  • Planned maintenance announced in advance\n" in out


def test_classify_never_asks_what_cannot_change_the_answer(tmp_path: Path) -> None:
    # data_exposed (sev1) comes before full_outage (sev1): with --yes full_outage it is sev1 either way
    code, out, err = run("classify", "--plan", PLAN, "--yes", "full_outage", "-f", "json", input="")
    assert (code, err) == (0, "")
    assert json.loads(out)["severity"] == "sev1"
    assert json.loads(out)["answers"] == {"full_outage": True}
    # with --yes core_degraded (sev2) both sev1 questions can still change it: both are asked
    code, out, err = run("classify", "--plan", PLAN, "--yes", "core_degraded", "-f", "json", input="n\nn\n")
    assert code == 0
    assert err.count("[y/N]") == 2
    answers = json.loads(out[out.index("{") :])["answers"]  # (the runner echoes the typed answers first)
    assert answers == {"data_exposed": False, "full_outage": False, "core_degraded": True}
    # skipped only when nothing between it and the "yes" could stop the walk at another severity
    plan = tmp_path / "plan.yaml"
    plan.write_text(Path(PLAN).read_text().replace(
        "    - id: full_outage\n",
        "    - id: partial\n      question: Is it partly broken?\n      severity: sev2\n    - id: full_outage\n",
    ))  # fmt: skip
    code, out, err = run("classify", "--plan", str(plan), "--yes", "full_outage", "-f", "json", input="n\nn\n")
    assert code == 0
    assert err.count("[y/N]") == 2  # data_exposed (sev1, or sev2 if partial is yes), then partial
    answers = json.loads(out[out.index("{") :])["answers"]
    assert answers == {"data_exposed": False, "partial": False, "full_outage": True}
    code, out, err = run("classify", "--plan", str(plan), "--no", "partial", "--yes", "full_outage", "-f", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["answers"] == {"partial": False, "full_outage": True}


def test_classify_errors() -> None:
    code, _, err = run("classify", "--plan", PLAN, "--yes", "full_outag")
    assert code == 2 and "did you mean `full_outage`?" in err
    code, _, err = run("classify", "--plan", PLAN, "--no", "data_exposed", input="")
    assert code == 2
    assert "error: no answer for `full_outage`" in err


def test_every_command_has_help() -> None:
    for command in ("check", "rules", "schema", "init", "notify", "preview", "export", "show", "classify"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Usage" in out, command


def test_installed_entry_point_runs_notify(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "incplan", "notify", "--stage", "investigating", "--severity", "sev1", "--example", "-f", "text", "-c", "social"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("We're investigating errors when creating orders affecting the Acme API.")


def test_preview_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("keep")
    code, _, err = run("preview", "--plan", BILINGUAL, "--out", str(target))
    assert (code, err.splitlines()[0]) == (2, f"error: `{target}` is a file, not a folder")
    assert target.read_text() == "keep"


def test_classify_without_criteria_says_so() -> None:
    code, _, err = run("classify", "--plan", str(ROOT / "examples/minimal.yaml"))
    assert (code, err.splitlines()[0]) == (2, "error: the plan has no criteria to classify with")


def test_severity_without_channels_says_which(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text((ROOT / "examples/minimal.yaml").read_text().replace("channels: [status_page]", "channels: []"))
    code, out, err = run("notify", "--plan", str(plan), "--stage", "investigating", "--severity", "sev1")
    assert (code, out) == (1, "")
    assert err == "warning: severity `sev1` routes to no channel; name channels with --channel\n"


def test_a_plan_with_a_dangling_reference_is_refused_for_use(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        (ROOT / "examples/minimal.yaml")
        .read_text()
        .replace("channels: [status_page]", "channels: [status_page, pager]")
    )
    code, out, err = run("notify", "--plan", str(plan), "--stage", "investigating", "--severity", "sev1", "--example")
    assert (code, out) == (1, "")
    assert err == (
        f"{plan}:16:29: error E203 channel `pager` is not declared\n"
        f"error: the plan `{plan}` has 1 error; `incplan check {plan}` lists them\n"
    )


# ------------------------------------------------------------------ free text and punctuation

UPDATE = "Retrying with backoff succeeds."


def _init_plan(tmp_path: Path, locales: list[str]) -> Path:
    target = tmp_path / "-".join(locales) / "incplan.yaml"
    target.parent.mkdir()
    args = ["init", str(target), "--org", "Orbit"]
    for locale in locales:
        args += ["--locale", locale]
    assert run(*args)[0] == 0
    return target


def _messages(plan: Path, stage: str, *args: str) -> list[dict[str, object]]:
    code, out, err = run("notify", "--plan", str(plan), "-s", stage, "-S", "sev1", "--example", "-f", "json", *args)
    assert code == 0, err
    return list(json.loads(out)["messages"])


@pytest.mark.parametrize("locales", [["en"], ["pl"], ["en", "pl"]], ids="-".join)
def test_init_plans_show_the_update_text_in_every_customer_message(locales: list[str], tmp_path: Path) -> None:
    """`notify --update TEXT` was recorded as posted while no template of an init plan used
    `{{ update.text }}`: every customer message of every stage shows it now (sev1 routes to
    every channel), and leaves no trace of it without --update."""
    plan = _init_plan(tmp_path, locales)
    for stage in ("investigating", "identified", "monitoring", "resolved", "postmortem"):
        plain = _messages(plan, stage)
        shown = _messages(plan, stage, "--update", UPDATE, "-l", "all")
        customers = [m for m in shown if m["audience"] == "customers"]
        assert {m["channel"] for m in customers} == {"status_page", "email", "social", "help_center"}
        assert {m["locale"] for m in customers} == set(locales)
        for message in customers:
            assert str(message["body"]).count(UPDATE) == 1, (stage, message["channel"], message["locale"])
        # placed as a line or a sentence of its own: without it, the message is as before
        same = _messages(plan, stage, "--update", UPDATE)
        for before, after in zip(plain, same, strict=True):
            if after["audience"] == "customers":
                assert str(after["body"]).replace(f" {UPDATE}", "").replace(f"{UPDATE}\n", "") == before["body"]


def test_an_init_plan_records_the_update_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new user's steps: init, open, notify --posted --update."""
    monkeypatch.chdir(tmp_path)
    assert run("init", "--org", "Orbit")[0] == 0
    rid = "2026-11-30-api-errors"
    monkeypatch.setenv("INCPLAN_NOW", "2026-11-30T09:00:00+01:00")
    assert run("incident", "open", "-t", "API errors", "-S", "sev2", "--var", "service=the API",
               "--var", "impact=errors")[0] == 0  # fmt: skip
    monkeypatch.setenv("INCPLAN_NOW", "2026-11-30T09:10:00+01:00")
    code, out, err = run("notify", "-i", rid, "-c", "status_page", "--posted", "--update", UPDATE, "-f", "text")
    assert code == 0, err
    assert out == (
        "Investigating: the API is degraded\n\n"
        "We are investigating reports of errors affecting the API.\n"
        f"{UPDATE}\n"
        "We will post the next update by Nov 30, 2026, 08:40 UTC.\n"
    )
    record = (tmp_path / "incidents" / f"{rid}.yaml").read_text(encoding="utf-8")
    assert f"affecting the API.\\n{UPDATE}\\nWe will post" in record
    assert record.rstrip().endswith(f"update: {UPDATE}}}")


def _unpunctuated(message: dict[str, object]) -> list[str]:
    """Lines that end a sentence without punctuation: those before a line that starts a new one
    (a capital letter, or a new paragraph) and the last one. A line may end with a link; an
    email's last line is its signature."""
    import re

    lines = [line.strip() for line in re.sub(r"<[^>]+>", "", str(message["body"])).splitlines()]
    if message["channel"] == "email":
        lines = lines[:-1] if lines[-1] else lines[:-2]
    found = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        ends = not following or following[0].isupper()
        if line and ends and not line.endswith((".", "!", "?", ":", ",", ")")) and not re.search(r"https://\S+$", line):
            found.append(line)
    return found


@pytest.mark.parametrize("optional", ["given", "empty"])
@pytest.mark.parametrize("plan", ["plans/incplan.yaml", "init-en", "init-pl"])
def test_every_customer_message_is_punctuated_with_and_without_optional_values(
    plan: str, optional: str, tmp_path: Path
) -> None:
    """`We have identified the cause of payment errors affecting checkout` had no full stop
    when `cause` was unset."""
    path = ROOT / plan if plan.endswith(".yaml") else _init_plan(tmp_path, [plan.removeprefix("init-")])
    empty = ["--var", "workaround="] + (["--var", "cause="] if plan.endswith(".yaml") else [])
    for stage in ("investigating", "identified", "monitoring", "resolved"):
        for message in _messages(path, stage, *(empty if optional == "empty" else [])):
            if message["audience"] == "customers":
                assert _unpunctuated(message) == [], (stage, message["channel"])
