"""Issue 13: `check`'s result cache and the fast path before the Typer app.

A cached answer must be the answer: the same bytes on stdout and the same exit code as a run
without the cache and as the Typer command, for every format; a change to anything the result
depends on is a miss; a damaged, foreign or planted entry is never used, and never a crash.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli import fast
from incplan.cli.app import app
from incplan.lint import cache
from incplan.lint.runner import lint_moment

from .conftest import NOW, ROOT, ROOT_SHARING, share_cache_root
from .hostile.plans import LOOP
from .hostile.plans import plan as tiny_plan

FORMATS = ["text", "json", "github", "sarif"]
HEAVY = {"pydantic", "jinja2", "ruamel", "typer", "rich", "babel"}


def _findings_plan() -> str:
    """The repository's plan with an error (a role names nobody in `people`), a secret (masked
    in every message), and `review-overdue` raised to a warning (it depends on the date)."""
    text = (ROOT / "plans/incplan.yaml").read_text(encoding="utf-8")
    text = text.replace('people: ["@alice", "@bob"]', 'people: ["@alice", "@zed"]', 1)
    text = text.replace(
        "description: Service down for most customers,", "description: Token xoxb-1234567890abcdef. Service down,"
    )
    return text + "\nlint:\n  rules: {review-overdue: warning}\n"


RECORD = "version: 1\nid: x\ntitle: T\nopened_at: '2026-11-27T10:00:00+01:00'\nevents: []\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "findings.yaml").write_text(_findings_plan(), encoding="utf-8")
    (folder / "clean.yaml").write_text((ROOT / "plans/incplan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "record.yaml").write_text(RECORD, encoding="utf-8")  # an incident record: skipped
    (folder / "other.yaml").write_text("name: some other tool's file\nsteps: [1, 2]\n", encoding="utf-8")
    return folder


def _cli(args: list[str], cache_dir: Path | None, cwd: Path, **env: str) -> tuple[int, str, str]:
    """The installed entry point (so the fast path) in a child process."""
    full = {**os.environ, "INCPLAN_NOW": NOW, "NO_COLOR": "1", **env}
    full.pop("INCPLAN_NO_CACHE", None)
    if cache_dir is None:
        full["INCPLAN_NO_CACHE"] = "1"
    else:
        full["INCPLAN_CACHE_DIR"] = str(cache_dir)
    done = subprocess.run(
        [sys.executable, "-m", "incplan", *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


def _typer(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("INCPLAN_NO_CACHE", "1")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in (cache_dir / "results").rglob("*.json") if p.is_file())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("plans_only", [False, True], ids=["all-yaml", "plans-only"])
def test_warm_cold_uncached_and_typer_print_the_same(
    fmt: str, plans_only: bool, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["check", "plans", "--format", fmt, *(["--plans-only"] if plans_only else [])]
    cache_dir = tmp_path / "cache"
    cold = _cli(args, cache_dir, tmp_path)
    assert _entries(cache_dir), "the first run stores its results"
    warm = _cli(args, cache_dir, tmp_path)
    uncached = _cli(args, None, tmp_path)
    typer_run = _typer(args, tmp_path, monkeypatch)
    assert cold == warm == uncached == typer_run
    code, out, _ = warm
    assert code == 1
    assert "E401" in out and "@zed" in out
    assert "xoxb-1234567890abcdef" not in out  # masked when linted, masked when cached
    if fmt == "json":
        assert json.loads(out)["files"] == (2 if plans_only else 3)


@pytest.mark.parametrize("named", [True, False], ids=["folder-named", "plan-discovered"])
def test_a_warm_check_imports_nothing_heavy(named: bool, tree: Path, tmp_path: Path) -> None:
    """The point of the cache and the fast path: no Typer, pydantic, Jinja2, ruamel or Babel;
    a bare `check` (the plans it discovers in ./plans/) too."""
    paths = [str(tree)] if named else []
    probe = (
        "import sys\nfrom incplan.__main__ import main\n"
        f"sys.argv = ['incplan', 'check', *{paths!r}, '--format', 'sarif']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))), file=sys.stderr)\n"
    )
    env = {**os.environ, "INCPLAN_NOW": NOW, "INCPLAN_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("INCPLAN_NO_CACHE", None)
    env.pop("INCPLAN_PLAN", None)
    runs = []
    for _ in range(2):
        runs.append(
            subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
        )
        # cold: linted for real, in the child held to a CPU limit (`lint.backstop`), which stored
        # the results; so Jinja2 and ruamel were imported there, not here
        assert _entries(tmp_path / "cache")
    assert runs[0].stdout == runs[1].stdout
    assert '"uri": "plans/findings.yaml"' in runs[0].stdout or named
    assert not {"jinja2", "ruamel", "typer"} & set(runs[0].stderr.split())  # `check` never builds the Typer app
    assert runs[1].stderr.strip() == ""


def test_a_bare_check_is_the_same_on_the_fast_path_and_in_typer(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PATH both answer for the plans discovered in ./plans/, never for other YAML."""
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n", encoding="utf-8")
    monkeypatch.delenv("INCPLAN_PLAN", raising=False)
    cold = _cli(["check"], tmp_path / "cache", tmp_path)
    warm = _cli(["check"], tmp_path / "cache", tmp_path)
    assert cold == warm == _typer(["check"], tmp_path, monkeypatch)
    code, out, _ = warm
    assert code == 1
    assert "plans/findings.yaml:" in out and "docker-compose" not in out
    assert out.endswith("3 files checked: 9 errors, 0 warnings\n")  # the record in plans/ is skipped


def _revise(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


# (what changes, the base arguments, how to change it: new args and env, or an edit of the plan)
CHANGES = {
    "content": (["check", "plans"], lambda t: _revise(t / "findings.yaml", '"@zed"', '"@bob"'), [], {}),
    "level-in-the-plan": (
        ["check", "plans"],
        lambda t: _revise(
            t / "findings.yaml", "{review-overdue: warning}", "{review-overdue: warning, unknown-person: info}"
        ),
        [],
        {},
    ),
    "ignore": (["check", "plans"], None, ["--ignore", "unknown-person"], {}),
    "plans-only": (["check", "plans"], None, ["--plans-only"], {}),
    "date": (["check", "plans"], None, [], {"INCPLAN_NOW": "2027-06-01T11:00:00+00:00"}),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_input_of_a_result_is_part_of_its_key(change: str, tree: Path, tmp_path: Path) -> None:
    args, edit, more, env = CHANGES[change]
    cache_dir = tmp_path / "cache"
    before = _cli(args, cache_dir, tmp_path)
    assert _cli(args, cache_dir, tmp_path) == before  # warm
    if edit is not None:
        edit(tree)
    changed = [*args, *more]
    after = _cli(changed, cache_dir, tmp_path, **env)
    assert after == _cli(changed, None, tmp_path, **env)
    assert after != before


def test_review_overdue_follows_the_date(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    args = ["check", str(tree / "findings.yaml")]
    assert "W501" not in _cli(args, cache_dir, tmp_path)[1]
    later = _cli(args, cache_dir, tmp_path, INCPLAN_NOW="2027-06-01T11:00:00+00:00")[1]
    assert "warning W501 review overdue since 2027-04-13 (49 days)" in later


def test_the_key_holds_the_code_and_its_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 11, 27, 12, tzinfo=UTC)

    def key(**options: object) -> str:
        cache.fingerprint.cache_clear()
        settings = {"ignore": [], "plans_only": False, "moment": moment, **options}
        return cache.ResultCache(Path("/nowhere"), **settings).key("version: 1\n")  # type: ignore[arg-type]

    base = key()
    assert key() == base
    assert key(ignore=["E101"]) != base
    assert key(ignore=[" e101 "]) == key(ignore=["E101"])  # as the registry reads names
    assert key(plans_only=True) != base
    assert key(moment=datetime(2026, 11, 28, 12, tzinfo=UTC)) != base
    for part, value in (
        ("__version__", "9.9.9"),
        ("_sources", lambda: ["src/incplan/lint/rules/hygiene.py 1 2"]),
        ("_distributions", lambda: ["site-packages babel-1.0.dist-info"]),
        ("_zones", lambda: ["/usr/share/zoneinfo/tzdata.zi 1 2"]),
    ):
        with monkeypatch.context() as patch:
            patch.setattr(cache, part, value)
            assert key() != base, part
    cache.fingerprint.cache_clear()


def test_the_fingerprint_sees_every_source_file_and_library() -> None:
    sources = cache._sources()
    assert any(s.split()[0].endswith("lint/rules/hygiene.py") for s in sources)
    assert len(sources) == len(list((ROOT / "src/incplan").rglob("*.py")))
    names = " ".join(cache._distributions())
    for library in ("babel-", "jinja2-", "pydantic-", "pydantic_core-", "ruamel"):
        assert library in names.lower()


def test_examples_render_at_noon_utc_today_unless_incplan_now(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lint_moment() == datetime.fromisoformat(NOW)
    monkeypatch.delenv("INCPLAN_NOW")
    today = datetime.now(UTC).date()
    moment = lint_moment()
    assert (moment.date(), moment.hour, moment.minute, moment.second, moment.microsecond) == (today, 12, 0, 0, 0)
    assert moment.tzinfo is UTC


def _warm(tree: Path, tmp_path: Path) -> tuple[Path, tuple[int, str, str]]:
    cache_dir = tmp_path / "cache"
    first = _cli(["check", str(tree / "findings.yaml")], cache_dir, tmp_path)
    assert first[0] == 1
    return cache_dir, first


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{",
        b"\xff\xfe not json",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": 1}',
        b"null",
        b" " * (5 * 1024 * 1024),
        "KEY_WRONG_SHAPE",
        "KEY_BAD_SEVERITY",
        "KEY_BAD_LINE",
        "OTHER_KEY",
        "SKIPPED_UNKNOWN_REASON",
        "REASON_NOT_SKIPPED",
    ],
    ids=[
        *("empty", "truncated", "binary", "deep", "no-key", "null", "huge", "shape", "severity", "line", "other-key"),
        *("skipped-unknown-reason", "reason-not-skipped"),
    ],
)
def test_a_damaged_entry_is_a_miss(payload: bytes | str, tree: Path, tmp_path: Path) -> None:
    cache_dir, first = _warm(tree, tmp_path)
    (entry,) = _entries(cache_dir)
    key = entry.stem
    row = ["E101", "unknown-key", "error", "m", 1, 1, [], ""]
    forged = {
        "KEY_WRONG_SHAPE": {"format": 1, "key": key, "skipped": False, "reason": "", "diagnostics": [row[:5]]},
        "KEY_BAD_SEVERITY": {
            "format": 1,
            "key": key,
            "skipped": False,
            "reason": "",
            "diagnostics": [[*row[:2], "fatal", *row[3:]]],
        },
        "KEY_BAD_LINE": {
            "format": 1,
            "key": key,
            "skipped": False,
            "reason": "",
            "diagnostics": [[*row[:4], "1", *row[5:]]],
        },
        "OTHER_KEY": {"format": 1, "key": "0" * 64, "skipped": False, "reason": "", "diagnostics": []},
        # a skip the reporter has no words for (it looked the reason up unguarded: KeyError)
        "SKIPPED_UNKNOWN_REASON": {"format": 1, "key": key, "skipped": True, "reason": "x", "diagnostics": []},
        "REASON_NOT_SKIPPED": {"format": 1, "key": key, "skipped": False, "reason": "record", "diagnostics": []},
    }
    entry.write_bytes(json.dumps(forged[payload]).encode() if isinstance(payload, str) else payload)
    assert _cli(["check", str(tree / "findings.yaml")], cache_dir, tmp_path) == first


def _plant_all_clear(cache_dir: Path) -> Path:
    """Replace the entry by a forged one that says the plan has no problems (its key kept)."""
    (entry,) = _entries(cache_dir)
    entry.write_text(json.dumps({"format": 1, "key": entry.stem, "skipped": False, "reason": "", "diagnostics": []}))
    return entry


@pytest.mark.parametrize("root", ["private", "root-symlink-to-a-private-folder"])
def test_a_planted_entry_would_be_believed_in_the_users_own_folder(root: str, tree: Path, tmp_path: Path) -> None:
    """Control for the test below: in a private folder, the planted entry is what check says."""
    cache_dir, _ = _warm(tree, tmp_path)
    _plant_all_clear(cache_dir)
    if root != "private":
        share_cache_root(cache_dir, root)
    assert _cli(["check", str(tree / "findings.yaml")], cache_dir, tmp_path) == (0, "1 file checked: no problems\n", "")


@pytest.mark.parametrize(
    "how",
    [
        "folder-writable-by-others",
        "subfolder-writable-by-group",
        "entry-writable-by-others",
        "folder-symlink",
        "entry-symlink",
        *ROOT_SHARING,
    ],
)
def test_an_entry_others_could_have_written_is_never_used(how: str, tree: Path, tmp_path: Path) -> None:
    cache_dir, first = _warm(tree, tmp_path)
    entry = _plant_all_clear(cache_dir)
    results = cache_dir / "results"
    if how.startswith("root-"):
        share_cache_root(cache_dir, how)
    elif how == "folder-writable-by-others":
        results.chmod(0o777)
    elif how == "subfolder-writable-by-group":
        entry.parent.chmod(0o770)
    elif how == "entry-writable-by-others":
        entry.chmod(0o666)
    elif how == "folder-symlink":
        results.rename(tmp_path / "elsewhere")
        results.symlink_to(tmp_path / "elsewhere")
    else:
        entry.rename(tmp_path / "planted.json")
        entry.symlink_to(tmp_path / "planted.json")
    assert _cli(["check", str(tree / "findings.yaml")], cache_dir, tmp_path) == first
    if how == "folder-writable-by-others":
        assert not [p for p in _entries(cache_dir) if p != entry], "nothing is stored in a shared folder either"


def test_a_result_that_depends_on_the_machine_is_not_stored(tmp_path: Path) -> None:
    """A render stopped by the CPU limit could finish on a faster or quieter machine."""
    path = tmp_path / "slow.yaml"
    path.write_text(tiny_plan(LOOP), encoding="utf-8")
    cache_dir = tmp_path / "cache"
    code, out, _ = _cli(["check", str(path)], cache_dir, tmp_path)
    assert code == 1 and "E303" in out and "CPU" in out
    assert _entries(cache_dir) == []


def test_standard_input_is_never_cached(tmp_path: Path) -> None:
    text = _findings_plan()
    env = {**os.environ, "INCPLAN_NOW": NOW, "INCPLAN_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("INCPLAN_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-m", "incplan", "check", "-"], input=text, capture_output=True, text=True, env=env
    )
    assert done.returncode == 1 and "<stdin>:" in done.stdout
    assert _entries(tmp_path / "cache") == []


# ---------------------------------------------------------------- the fast path's parser


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check"], fast.CheckOptions()),
        (["check", "a.yaml", "b"], fast.CheckOptions(paths=["a.yaml", "b"])),
        (["check", "-fjson", "x"], fast.CheckOptions(paths=["x"], format="json")),
        (["check", "-f", "sarif", "--format=github"], fast.CheckOptions(format="github")),
        (
            ["check", "--ignore", "W202", "--ignore=E101", "--strict"],
            fast.CheckOptions(ignore=["W202", "E101"], strict=True),
        ),
        (["check", "--plans-only", "-", "--", "--strict"], fast.CheckOptions(paths=["-", "--strict"], plans_only=True)),
        (["--color", "never", "check", "x"], fast.CheckOptions(paths=["x"], color="never")),
        (["--color=always", "check"], fast.CheckOptions(color="always")),
    ],
)
def test_the_fast_path_reads_what_typer_reads(argv: list[str], expected: fast.CheckOptions) -> None:
    assert fast.parse(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--help"],
        ["check", "-h"],
        ["--help", "check"],
        ["--version", "check"],
        ["check", "--fromat", "json"],
        ["check", "--strict=yes"],
        ["check", "--format"],
        ["check", "--format", "--strict"],
        ["--color", "sometimes", "check"],
        ["notify", "--stage", "check"],
        ["check", "-x"],
    ],
)
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert fast.parse(argv) is None


@pytest.mark.parametrize(
    "args",
    [
        ["check", "plans/findings.yaml", "--format", "yaml"],
        ["check", "plans/findings.yaml", "--ignore", "unknown-persn"],
        ["check", "missing.yaml"],
        ["check", "empty"],
        ["check", ""],
        ["--color", "never", "check", "plans/clean.yaml", "--strict"],
        ["check", "-fjson", "plans/clean.yaml"],
        ["check", "--fromat", "json", "plans/clean.yaml"],  # Typer answers for both
    ],
    ids=["bad-format", "bad-rule", "missing", "no-plans", "empty-path", "color", "short-format", "typo"],
)
def test_errors_and_codes_are_the_typer_commands(
    args: list[str], tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    assert _cli(args, tmp_path / "cache", tmp_path) == _typer(args, tmp_path, monkeypatch)


# ---------------------------------------------------------------- Babel's answers, kept for check


def _babel_files(cache_dir: Path) -> list[Path]:
    return sorted(p for p in (cache_dir / "localize").rglob("*.json") if p.is_file())


def test_a_cold_check_takes_times_from_the_kept_babel_answers(tree: Path, tmp_path: Path) -> None:
    """Examples render at one moment all day, so what Babel answered is kept: a plan checked for
    the first time (result cache empty) imports no Babel, and says what an uncached run says."""
    cache_dir = tmp_path / "cache"
    args = ["check", str(tree / "clean.yaml"), "--format", "json"]
    first = _cli(args, cache_dir, tmp_path)
    assert _babel_files(cache_dir)
    shutil.rmtree(cache_dir / "results")
    probe = (
        "import sys\nfrom incplan.__main__ import main\n"
        f"sys.argv = ['incplan', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('BABEL', 'babel' in sys.modules, 'pydantic' in sys.modules, file=sys.stderr)\n"
    )
    env = {**os.environ, "INCPLAN_NOW": NOW, "INCPLAN_CACHE_DIR": str(cache_dir)}
    env.pop("INCPLAN_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "BABEL False True" in done.stderr  # linted for real, times from the kept answers
    assert done.stdout == first[1] == _cli(args, None, tmp_path)[1]


def _forge_babel_answers(cache_dir: Path) -> None:
    """Every kept time becomes 300 characters long: the X channel's messages go over 280."""
    for path in _babel_files(cache_dir):
        answers = json.loads(path.read_text())
        path.write_text(json.dumps(dict.fromkeys(answers, "T" * 300)))
    shutil.rmtree(cache_dir / "results")


@pytest.mark.parametrize("how", ["private-control", "folder-writable-by-others", "damaged", *ROOT_SHARING])
def test_kept_babel_answers_are_trusted_only_from_a_private_folder(how: str, tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    args = ["check", str(tree / "clean.yaml")]
    first = _cli(args, cache_dir, tmp_path)
    assert first[0] == 0 and "W303" not in first[1]
    _forge_babel_answers(cache_dir)
    if how.startswith("root-"):
        share_cache_root(cache_dir, how)
    elif how == "folder-writable-by-others":
        (cache_dir / "localize").chmod(0o777)
    elif how == "damaged":
        for path in _babel_files(cache_dir):
            path.write_bytes(b'{"a": [' + b"[" * 50_000)
    again = _cli(args, cache_dir, tmp_path)
    if how == "private-control":
        assert "W303" in again[1]  # the forged answers were used: the plant is real
    else:
        assert again == first


def test_the_words_for_a_skip_are_the_reasons_a_cached_skip_may_give() -> None:
    from incplan.cli.reporting import SKIPPED

    assert set(cache._REASONS[True]) - {""} == set(SKIPPED)


WRONG_CODE = {
    "no-name": "x = 1",
    "root-not-callable": "name = None\nroot = 1\nblocks = {}\ndebug_info = ''",
    "named": "name = 'other'\ndef root(context, missing=None, environment=None):\n    yield ''\nblocks = {}\ndebug_info = ''",
    "raises": "raise KeyError('name')",
}


@pytest.mark.parametrize("wrong", list(WRONG_CODE))
def test_a_cached_template_that_is_wrong_code_is_compiled_again(wrong: str, tmp_path: Path) -> None:
    """A cached compiled template holding a valid code object that is not the template (in the
    user's own folder, so it is loaded): preview compiles from source, prints what a cold run
    prints, and the entry is replaced by the right one."""
    import marshal

    home = tmp_path / "private"
    home.mkdir(mode=0o700)
    cache_dir = home / "incplan"
    args = ["preview", "--plan", str(ROOT / "plans/incplan.yaml")]
    cold = _cli(args, None, tmp_path)
    assert cold[0] == 0 and cold[1], cold
    assert _cli(args, cache_dir, tmp_path) == cold
    entries = sorted(p for p in (cache_dir / "templates").rglob("*") if p.is_file())
    assert entries
    right = {p: p.read_bytes() for p in entries}
    for entry in entries:
        key, names, _ = marshal.loads(entry.read_bytes())
        entry.write_bytes(marshal.dumps((key, names, compile(WRONG_CODE[wrong], "<template>", "exec"))))
    assert _cli(args, cache_dir, tmp_path) == cold
    assert {p: p.read_bytes() for p in entries} == right
    assert _cli(args, cache_dir, tmp_path) == cold
