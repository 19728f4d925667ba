"""diff-comment/post.sh, the step of the diff-comment action, run for real with incplan and git
and a stand-in `gh` on PATH that keeps the pull request's comments in a JSON file: the first
push adds one comment, later pushes edit that same comment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .test_review import HISTORY, PLAN, commit, git, git_env  # noqa: F401  (git_env is a fixture)

ROOT = Path(__file__).resolve().parent.parent
FAKE_GH = """#!{python}
import json, sys
from pathlib import Path
state = Path({state!r})
comments = json.loads(state.read_text()) if state.exists() else []
args = sys.argv[1:]
with open({log!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
def body():
    value = args[args.index("-F") + 1]
    assert value.startswith("body=@"), value
    return Path(value[len("body=@"):]).read_text()
if "--jq" in args:  # list, filtered as post.sh asks: comments starting with the marker
    for c in comments:
        if c["body"].startswith("<!-- incplan-diff -->"):
            print(c["id"])
elif "PATCH" in args:
    number = int(args[args.index("PATCH") + 1].rsplit("/", 1)[1])
    next(c for c in comments if c["id"] == number)["body"] = body()
else:
    comments.append({{"id": 1000 + len(comments), "body": body()}})
state.write_text(json.dumps(comments))
"""


@pytest.fixture
def pull_request(tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "incplan.yaml").write_text(PLAN, encoding="utf-8")
    commit(repo, "The plan")
    git(repo, "checkout", "-q", "-b", "change")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(
        FAKE_GH.format(python=sys.executable, state=str(tmp_path / "comments.json"), log=str(tmp_path / "gh.log"))
    )
    gh.chmod(0o755)
    incplan = shutil.which("incplan", path=str(Path(sys.executable).parent))
    assert incplan is not None
    (bin_dir / "incplan").symlink_to(incplan)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("GITHUB_REPOSITORY", "sklep/plans")
    monkeypatch.setenv("PR", "7")
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    monkeypatch.delenv("INCPLAN_NOW", raising=False)
    return repo


def push(repo: Path, change: tuple[str, str, str], fail_on: str = "never") -> subprocess.CompletedProcess[str]:
    _, old, new = change
    plan = repo / "incplan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    commit(repo, change[0])
    env = {**os.environ, "INCPLAN_FAIL_ON": fail_on}
    return subprocess.run(
        ["bash", str(ROOT / "diff-comment" / "post.sh")], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def comments(repo: Path) -> list[dict[str, object]]:
    return list(json.loads((repo.parent / "comments.json").read_text()))


def test_one_comment_added_then_updated_on_every_push(pull_request: Path) -> None:
    first = push(pull_request, HISTORY[1])  # swap the incident commander
    assert first.returncode == 0, first.stderr
    assert first.stdout == "added a comment\n"
    [comment] = comments(pull_request)
    assert str(comment["body"]).startswith("<!-- incplan-diff -->\n### Plan diff: `main merge base (")
    assert "- @ola-kowalska `@ola` Ola Kowalska: removed from Incident Commander" in str(comment["body"])
    second = push(pull_request, HISTORY[0])  # and loosen the cadence
    assert second.returncode == 0, second.stderr
    assert second.stdout == "updated comment 1000\n"
    [comment] = comments(pull_request)  # still one comment, now about both changes
    assert "update every: `15m` → `1h`" in str(comment["body"])
    assert "removed from Incident Commander" in str(comment["body"])


def test_fail_on_risky_posts_first_then_fails(pull_request: Path) -> None:
    result = push(pull_request, HISTORY[3], fail_on="risky")  # api_base moved
    assert result.returncode == 1
    [comment] = comments(pull_request)
    assert "credential destination changed" in str(comment["body"])
