"""incplan in other tools' hands: pre-commit runs the published hook in a scratch repository,
and the GitHub Action is what GitHub's schema accepts and its check step does what it says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from .conftest import ROOT

GIT = shutil.which("git")
BROKEN = (ROOT / "tests/cases/unknown-key/bad/typo.yaml").read_text(encoding="utf-8")
CLEAN = (ROOT / "examples/minimal.yaml").read_text(encoding="utf-8")
WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n"
COMPOSE = "version: '3'\nservices:\n  web: {image: nginx}\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run([GIT or "git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A git repository whose pre-commit config runs our published hook, as `language: system`
    with this interpreter (the hook's id, entry, types and serial setting are taken as published)."""
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = dict(hooks[0])
    hook["entry"] = hook["entry"].replace("incplan", f"{sys.executable} -m incplan", 1)
    hook["language"] = "system"
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "ci@example.test")
    git(repo, "config", "user.name", "CI")
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    with (repo / ".pre-commit-config.yaml").open("w") as handle:
        YAML(typ="safe", pure=True).dump(config, handle)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github/workflows/ci.yml").write_text(WORKFLOW)
    (repo / "docker-compose.yml").write_text(COMPOSE)
    (repo / "ops").mkdir()
    return repo


def pre_commit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.skipif(GIT is None, reason="pre-commit needs git")
def test_pre_commit_blocks_a_broken_plan_anywhere_and_passes_other_yaml(scratch: Path, tmp_path: Path) -> None:
    (scratch / "ops" / "comms-plan.yaml").write_text(BROKEN)
    failed = pre_commit(scratch, tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "ops/comms-plan.yaml:28:5: error E101 unknown key `acess` in `channels.status_page`" in failed.stdout
    assert "docker-compose" not in failed.stdout and "ci.yml" not in failed.stdout

    (scratch / "ops" / "comms-plan.yaml").write_text(CLEAN)
    passed = pre_commit(scratch, tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "incplan check" in passed.stdout and "Passed" in passed.stdout


@pytest.mark.skipif(GIT is None, reason="pre-commit needs git")
def test_pre_commit_with_only_other_yaml_passes(scratch: Path, tmp_path: Path) -> None:
    done = pre_commit(scratch, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_is_valid_for_github() -> None:
    validator = str(Path(sys.executable).parent / "check-jsonschema")
    done = subprocess.run(
        [validator, "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _action_step(step_id: str) -> dict[str, object]:
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return next(s for s in action["runs"]["steps"] if s.get("id") == step_id)  # type: ignore[no-any-return]


def test_action_paths_default_to_the_discovered_plan() -> None:
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["paths"]["default"] == ""  # "." linted every YAML file as a plan


@pytest.mark.parametrize("paths", ["plans", ""], ids=["paths-given", "paths-default"])
@pytest.mark.parametrize(("plan", "code"), [(CLEAN, "0"), (BROKEN, "1")], ids=["clean", "broken"])
def test_action_check_step_writes_sarif_and_its_exit_code(tmp_path: Path, plan: str, code: str, paths: str) -> None:
    """The check step's own script, run as the runner would (bash, inputs in env, GITHUB_OUTPUT);
    by default it checks the discovered plan and leaves the repository's other YAML alone."""
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "team.yaml").write_text(plan)
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/ci.yml").write_text(WORKFLOW)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "incplan").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m incplan "$@"\n')
    (tmp_path / "bin" / "incplan").chmod(0o755)
    step = _action_step("check")
    env = {
        **os.environ,
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "INCPLAN_PATHS": paths,
        "INCPLAN_STRICT": "true",
        "INCPLAN_SARIF": "incplan.sarif",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
    }
    env.pop("INCPLAN_PLAN", None)
    done = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output").read_text() == f"exit-code={code}\n"
    assert '"version": "2.1.0"' in (tmp_path / "incplan.sarif").read_text()
    if code == "1":
        assert done.stdout.startswith("::error file=plans/team.yaml,line=28,col=5,title=E101 unknown-key::")


def test_the_repositorys_mypy_hook_installs_every_library_the_code_imports() -> None:
    """pre-commit runs mypy in an environment holding only `additional_dependencies`: a library
    the code imports but the hook lacks makes the hook fail on every commit (it did for httpx,
    tenacity and filelock). Each one must be there, at the floor pyproject.toml declares."""
    import ast
    import importlib.metadata
    import re

    config = YAML(typ="safe").load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "mypy")
    declared = {re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower(): dep for dep in hook["additional_dependencies"]}

    imported: set[str] = set()
    for path in (ROOT / "src/incplan").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    by_module = importlib.metadata.packages_distributions()
    # what the declared libraries bring along (jinja2 markupsafe, typer click, httpx httpcore)
    brought = {"markupsafe", "pydantic_core", "pydantic-core", "click", "httpcore"}
    missing = []
    for module in sorted(imported - set(sys.stdlib_module_names) - {"incplan"}):
        dists = {d.lower() for d in by_module.get(module, [module])} - brought
        if dists and not dists & set(declared):  # a namespace (ruamel) needs one of its dists
            missing.append(module)
    assert {"httpx", "babel", "jinja2"} <= imported, "the import scan is broken"
    assert missing == []

    floors = {}
    for requirement in tomllib_load()["project"]["dependencies"]:
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()
        floors[name] = re.search(r">=\s*([^,;\s]+)", requirement).group(1)  # type: ignore[union-attr]
    for name, dep in declared.items():
        if name in floors:
            assert dep == f"{name}>={floors[name]}", f"the hook's `{dep}` differs from pyproject's floor"


def tomllib_load() -> dict[str, object]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
