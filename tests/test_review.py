"""`incplan diff` on real git histories made here (fixed author and dates, so commit ids and
outputs are stable), and its hostile cases. Outputs are golden files under tests/golden/diff/;
rewrite them with `pytest --update-goldens` and review the change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

HERE = Path(__file__).parent
PLAN = (HERE / "review" / "plan.yaml").read_text(encoding="utf-8")
GOLDEN = HERE / "golden" / "diff"
runner = CliRunner()

# Each commit of the scripted history: (name, old text, new text) applied to incplan.yaml.
HISTORY = [
    ("cadence", "    update_every: 15m\n", "    update_every: 60m\n"),
    ("swap", 'people: ["@ola", "@piotr"]', 'people: ["@kasia", "@piotr"]'),
    ("polish", "badamy problem. Kolejna", "badamy problem z płatnościami. Kolejna"),
    (
        "api-base",
        "      page_id: kctbh9vrtdwd\n",
        "      page_id: kctbh9vrtdwd\n      api_base: https://statuspage-proxy.sklep.example/v1\n",
    ),
]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Plan Keeper")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "keeper@sklep.example")
        monkeypatch.setenv(f"GIT_{who}_DATE", "2026-11-27T10:00:00+00:00")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def history(tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: the plan, then one commit per change in HISTORY."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    plan = repo / "incplan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    commit(repo, "The plan")
    for name, old, new in HISTORY:
        text = plan.read_text(encoding="utf-8")
        assert old in text, name
        plan.write_text(text.replace(old, new, 1), encoding="utf-8")
        commit(repo, name)
    monkeypatch.chdir(repo)
    return repo


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run pytest --update-goldens"
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path}; rerun with --update-goldens to review"


def _revs(name: str) -> tuple[str, str]:
    """The commits before and after change `name`, counted back from HEAD."""
    back = len(HISTORY) - 1 - [n for n, _, _ in HISTORY].index(name)
    return f"HEAD~{back + 1}", f"HEAD~{back}" if back else "HEAD"


@pytest.mark.parametrize("name", [n for n, _, _ in HISTORY])
@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_each_commit_in_every_format(history: Path, name: str, fmt: str, ext: str, update_goldens: bool) -> None:
    code, out, err = run("diff", *_revs(name), "--format", fmt)
    assert code == 0, err
    assert err == ""
    if fmt == "json":
        json.loads(out)
    golden(f"{name}.{ext}", out, update_goldens)


def test_what_each_commit_means(history: Path) -> None:
    """The goldens hold the whole output; these are the lines a reviewer must not miss."""
    _, cadence, _ = run("diff", "HEAD~4", "HEAD~3")
    assert "    update every: 15m → 1h (less often)\n" in cadence
    assert "only the next-update time moves" in cadence
    _, swap, _ = run("diff", "HEAD~3", "HEAD~2")
    assert "    - people: @ola (Ola Kowalska)\n    + people: @kasia (Kasia Wiśniewska)\n" in swap
    _, swap_md, _ = run("diff", "HEAD~3", "HEAD~2", "-f", "markdown")
    assert "- @ola-kowalska `@ola` Ola Kowalska: removed from Incident Commander" in swap_md
    assert "- `@kasia` Kasia Wiśniewska (no `github:` login in the plan): added to Incident Commander" in swap_md
    assert "@pzielinski" not in swap_md  # Piotr's roles did not change: nobody pings him
    _, polish, _ = run("diff", "HEAD~2", "HEAD~1")
    assert "1 SMS segment, GSM-7 (limit 160) → 86 characters, 2 SMS segments, UCS-2 (limit 70) OVER LIMIT" in polish
    assert "+Sklep Nowak: badamy problem z płatnościami." in polish
    _, moved, _ = run("diff", "HEAD~1", "HEAD")
    assert "[RISKY: credential destination changed]" in moved


def test_fail_on_risky_only_for_a_credential_destination(history: Path) -> None:
    assert run("diff", "HEAD~1", "HEAD", "--fail-on", "risky")[0] == 1  # api_base moved
    assert run("diff", "HEAD~1", "HEAD")[0] == 0  # without --fail-on it only reports
    assert run("diff", "HEAD~4", "HEAD~3", "--fail-on", "risky")[0] == 0  # a looser cadence is not "risky"
    code, out, _ = run("diff", "HEAD~4", "HEAD", "--fail-on", "risky", "-f", "json")
    assert code == 1
    assert json.loads(out)["risky"] == ["status_page: credential destination changed"]


def test_default_base_is_the_merge_base_with_main_against_the_working_tree(history: Path) -> None:
    git(history, "checkout", "-q", "-b", "feature")
    (history / "incplan.yaml").write_text(PLAN.replace("first_update_within: 10m", "first_update_within: 20m"))
    commit(history, "later first update")
    git(history, "checkout", "-q", "main")
    (history / "other.txt").write_text("main moved on\n")
    commit(history, "unrelated")
    git(history, "checkout", "-q", "feature")
    plan = history / "incplan.yaml"
    plan.write_text(plan.read_text().replace("impact: major", "impact: minor"))  # uncommitted
    code, out, err = run("diff")
    assert code == 0, err
    base = git(history, "merge-base", "main", "HEAD").strip()
    assert out.startswith(f"Plan diff: main merge base ({base[:7]}) → working tree (incplan.yaml)\n")
    assert "    first update within: 10m → 20m (later)\n" in out
    assert "    impact: major → minor\n" in out
    # ...and everything the branch changed since the merge base, not what main did after it
    assert "api_base" in out


def test_two_plan_files_need_no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("old.yaml").write_text(PLAN)
    Path("new.yaml").write_text(PLAN.replace('"@kasia", "@ola"', '"@kasia", "@piotr"'))
    code, out, _ = run("diff", "old.yaml", "new.yaml")
    assert code == 0
    assert out.startswith("Plan diff: old.yaml → new.yaml\n")
    assert "  communications_lead (Communications Lead)\n    - people: @ola (Ola Kowalska)\n" in out


def test_no_default_branch_or_no_repository_say_what_to_give(tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    Path("incplan.yaml").write_text(PLAN)
    code, _, err = run("diff")
    assert code == 2
    assert err == (
        "error: not a git repository, so there is no default base to compare with\n"
        "  hint: give two plan files: incplan diff OLD.yaml NEW.yaml\n"
    )
    git(tmp_path, "init", "-q", "-b", "trunk")
    code, _, err = run("diff")
    assert code == 2
    assert "error: this repository has no commits yet" in err
    commit(tmp_path, "plan")
    code, _, err = run("diff")
    assert code == 2
    assert err == (
        "error: no default branch to compare with (no origin/HEAD, main or master)\n"
        "  hint: name the base: incplan diff HEAD~1, or incplan diff BRANCH\n"
    )
    assert run("diff", "trunk")[0] == 0  # naming the base works


@pytest.mark.parametrize("rev", ["no-such-branch", "--output=/tmp/x", "HEAD~99", "HEAD:../../etc/passwd"])
def test_a_revision_that_does_not_exist(history: Path, rev: str) -> None:
    code, out, err = run("diff", rev, "HEAD") if rev.startswith("-") is False else run("diff", "--", rev, "HEAD")
    if rev.startswith("HEAD:"):
        assert code == 0  # a path that is not in the commit: that side has no plan
        assert "does not exist at `HEAD`" in out
        return
    assert code == 2
    assert "is neither a plan file nor a git revision" in err
    assert "Traceback" not in out + err


def test_a_plan_broken_at_one_side_is_said_not_crashed(history: Path) -> None:
    plan = history / "incplan.yaml"
    plan.write_text(plan.read_text() + "roles: {}\n")  # a duplicate key
    commit(history, "broken")
    code, out, err = run("diff", "HEAD~1", "HEAD")
    assert code == 1
    assert "head: `HEAD:incplan.yaml` is not a usable plan: 1 error (line " in out
    assert "duplicate key `roles`" in out
    assert err.startswith("error: `HEAD:incplan.yaml` is not a usable plan")
    code, out, _ = run("diff", "HEAD", "HEAD~1", "-f", "json")
    assert code == 0  # a change that repairs a broken plan is fine to merge
    assert json.loads(out)["base"]["ok"] is False


def test_a_file_that_is_not_a_plan(history: Path) -> None:
    Path("notes.yaml").write_text("- just\n- a list\n")
    code, out, err = run("diff", "incplan.yaml", "notes.yaml", "-f", "markdown")
    assert code == 1
    assert "> **Cannot compare:** head: `notes.yaml` is not a usable plan" in out
    assert "the top level is a list" in out
    assert "Traceback" not in out + err


def test_a_plan_missing_at_the_base_revision(history: Path) -> None:
    code, out, _ = run("diff", "HEAD~4:missing.yaml", "HEAD")
    assert code == 0
    assert "base: `missing.yaml` does not exist at `HEAD~4`" in out


def test_huge_templates_are_stopped_by_the_sandbox(history: Path) -> None:
    plan = history / "incplan.yaml"
    huge = "{% for i in range(1000) %}{% for j in range(1000) %}xxxxxxxx{% endfor %}{% endfor %}"
    plan.write_text(plan.read_text().replace("Dowodzi: {{", huge + " {{", 1))
    code, out, _ = run("diff", "HEAD", "-f", "json")
    assert code == 0
    changed = json.loads(out)["messages"]
    assert [(m["channel"], m["locale"]) for m in changed] == [("chat_internal", "pl")]
    assert changed[0]["after"]["error"] == (
        "the `investigating` message for `chat_internal` fails to render: output is longer than 100,000 characters"
    )


def test_the_readme_shows_real_output(tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """README "Reviewing a plan change": the same branch, the same output (commit ids aside)."""
    import re

    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```console\n$ incplan diff\n", 1)[1].split("```", 1)[0]
    git(tmp_path, "init", "-q", "-b", "main")
    plan = tmp_path / "incplan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    commit(tmp_path, "The plan")
    git(tmp_path, "checkout", "-q", "-b", "review-me")
    text = PLAN
    for _, old, new in HISTORY:
        text = text.replace(old, new, 1)
    plan.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("diff")
    assert code == 0
    commit_id = re.compile(r"\([0-9a-f]{7}\)")
    assert commit_id.sub("(…)", out) == commit_id.sub("(…)", shown)
