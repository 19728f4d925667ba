"""Records in git: nothing but records where `git add incidents/` looks, and two clones that
append to one record merge without a conflict through `incplan merge-record` (real git)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT
from .writers import Writers

ID = "2026-11-27-checkout-errors"
INCPLAN = str(Path(sys.executable).parent / "incplan")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def sh(cwd: Path, *args: str, now: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("INCPLAN_NOW", None)
    if now:
        env["INCPLAN_NOW"] = now
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if ok:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def incplan(cwd: Path, *args: str, now: str) -> subprocess.CompletedProcess[str]:
    """A command a responder types, in-process (what git runs, the merge driver, is the installed
    `incplan` in a process of its own)."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(app, ["--color", "never", *args], env={**GIT_ENV, "INCPLAN_NOW": now})
    done = subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)
    assert done.returncode == 0, (args, done.stdout, done.stderr, result.exception)
    return done


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A team repository made as the README says: `incplan init`, then the printed git config."""
    work = tmp_path / "a"
    work.mkdir()
    sh(work, "git", "init", "-q", "-b", "main")
    out = incplan(work, "init", "--org", "Acme", now="2026-11-27T09:00:00+01:00").stdout
    config = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("records merge in git"))
    assert config == 'git config merge.incplan-record.driver "incplan merge-record %O %A %B"'
    sh(work, "sh", "-c", config)
    shutil.copy(ROOT / "plans/incplan.yaml", work / "incplan.yaml")  # real people, so commands run clean
    return work


def test_git_add_incidents_sees_only_records(repo: Path) -> None:
    assert (repo / ".gitignore").read_text() == "/.incplan/\n"
    assert (repo / ".gitattributes").read_text() == "incidents/*.yaml merge=incplan-record\n"
    incplan(
        repo, "incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00"
    )
    incplan(repo, "incident", "update", ID, "--note", "looking", now="2026-11-27T10:05:00+01:00")
    incplan(repo, "incident", "assign", ID, "tech_lead", "@bob", now="2026-11-27T10:06:00+01:00")
    # unknown ids leave nothing behind either
    for args in (["update", "2026-01-01-nope", "--note", "x"], ["assign", "2026-01-01-nope", "tech_lead", "@bob"]):
        with contextlib.chdir(repo):
            assert CliRunner().invoke(app, ["incident", *args]).exit_code == 2
    assert sorted(p.name for p in (repo / "incidents").iterdir()) == [f"{ID}.yaml"]
    sh(repo, "git", "add", "incidents/")
    sh(repo, "git", "add", ".")
    staged = sh(repo, "git", "diff", "--cached", "--name-only").stdout.split()
    assert staged == [".gitattributes", ".gitignore", f"incidents/{ID}.yaml", "incplan.yaml"]


def test_a_killed_writer_leaves_nothing_git_would_add(repo: Path) -> None:
    incplan(
        repo, "incident", "open", "--title", "Checkout errors", "--severity", "sev2", now="2026-11-27T10:02:00+01:00"
    )
    writers = Writers(repo, f"{ID}.yaml", note_size=20000)
    for attempt in range(8):
        writer = writers.start(repo / "incidents" / f"{ID}.yaml")
        time.sleep(attempt * 0.02)  # let it write a while longer: then kill it mid-way
        writers.kill(writer)
    writers.close()
    assert sorted(p.name for p in (repo / "incidents").iterdir()) == [f"{ID}.yaml"]
    sh(repo, "git", "add", ".")
    staged = sh(repo, "git", "diff", "--cached", "--name-only").stdout.split()
    assert staged == [".gitattributes", ".gitignore", f"incidents/{ID}.yaml", "incplan.yaml"]
    assert sh(repo, "git", "status", "--porcelain", "--ignored").stdout.splitlines()[-1] == "!! .incplan/"


# ------------------------------------------------------------------ two responders, two clones


def _events(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.lstrip().startswith("- {at:")]


def _clones(repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The record opened and pushed from clone A; B clones it; both have the driver set up."""
    incplan(repo, "incident", "open", "--title", "Checkout errors", "--severity", "sev2", "--var", "service=checkout",
            "--var", "impact=payment errors", now="2026-11-27T10:02:00+01:00")  # fmt: skip
    record = repo / "incidents" / f"{ID}.yaml"
    record.write_text("# Incident channel: #inc-checkout\n" + record.read_text())
    sh(repo, "git", "add", ".")
    sh(repo, "git", "commit", "-qm", "open")
    origin = tmp_path / "origin.git"
    sh(tmp_path, "git", "clone", "-q", "--bare", str(repo), str(origin))
    sh(repo, "git", "remote", "add", "origin", str(origin))
    sh(repo, "git", "fetch", "-q", "origin")
    sh(repo, "git", "branch", "-q", "--set-upstream-to=origin/main")
    other = tmp_path / "b"
    sh(tmp_path, "git", "clone", "-q", str(origin), str(other))
    sh(other, "git", "config", "merge.incplan-record.driver", "incplan merge-record %O %A %B")
    return repo, other


def test_two_clones_append_and_merge_without_conflict(repo: Path, tmp_path: Path) -> None:
    a, b = _clones(repo, tmp_path)
    # A: a note and a stage change, pushed first
    incplan(a, "incident", "update", ID, "--note", "error rate 12%", now="2026-11-27T10:06:00+01:00")
    incplan(
        a, "incident", "update", ID, "--stage", "identified", "--note", "bad deploy", now="2026-11-27T10:20:00+01:00"
    )
    sh(a, "git", "commit", "-qam", "A: identified")
    sh(a, "git", "push", "-q", "origin", "main")
    # B: the first customer update posted, a comment by hand, and a note
    incplan(
        b, "notify", "--incident", ID, "--posted", "-c", "status_page", "-f", "text", now="2026-11-27T10:09:00+01:00"
    )
    record_b = b / "incidents" / f"{ID}.yaml"
    record_b.write_text(
        record_b.read_text().replace("title: Checkout errors\n", "title: Checkout errors  # customer words\n")
    )
    incplan(b, "incident", "update", ID, "--note", "support has 40 tickets", now="2026-11-27T10:25:00+01:00")
    sh(b, "git", "commit", "-qam", "B: first update")
    pulled = sh(b, "git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert "CONFLICT" not in pulled.stdout + pulled.stderr
    assert sh(b, "git", "status", "--porcelain").stdout == ""
    text = record_b.read_text()
    assert text.startswith("# Incident channel: #inc-checkout\nversion: 1\n")
    assert "title: Checkout errors  # customer words\n" in text
    assert _events(record_b) == [
        "- {at: '2026-11-27T10:02:00+01:00', type: opened, severity: sev2, stage: investigating}",
        "- {at: '2026-11-27T10:02:00+01:00', type: variables, values: {service: checkout, impact: payment errors}}",
        "- {at: '2026-11-27T10:06:00+01:00', type: note, text: error rate 12%}",
        "- {at: '2026-11-27T10:09:00+01:00', type: notified, stage: investigating, channel: status_page, locale: en, posted: true, subject: 'Investigating: checkout is degraded', body: \"We are investigating reports of payment errors affecting checkout.\\nWe will post the next update by Nov 27, 2026, 10:39 CET.\"}",
        "- {at: '2026-11-27T10:20:00+01:00', type: stage, stage: identified, note: bad deploy}",
        "- {at: '2026-11-27T10:25:00+01:00', type: note, text: support has 40 tickets}",
    ]
    # the merged record is valid and means what both sides did
    status = incplan(b, "incident", "status", ID, now="2026-11-27T10:30:00+01:00").stdout
    assert "Identified" in status and "last customer update  2026-11-27 10:09 CET (21m ago)" in status
    # and A pulls B's merge: a fast-forward, the same file
    sh(b, "git", "push", "-q", "origin", "main")
    sh(a, "git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert (a / "incidents" / f"{ID}.yaml").read_text() == text


def test_a_title_changed_differently_on_both_sides_is_a_conflict_git_shows(repo: Path, tmp_path: Path) -> None:
    a, b = _clones(repo, tmp_path)
    for clone, title, minute in ((a, "Checkout down", "10"), (b, "Payments failing", "11")):
        record = clone / "incidents" / f"{ID}.yaml"
        record.write_text(record.read_text().replace("title: Checkout errors", f"title: {title}"))
        incplan(
            clone, "incident", "update", ID, "--note", f"renamed to {title}", now=f"2026-11-27T10:{minute}:00+01:00"
        )
        sh(clone, "git", "commit", "-qam", title)
    sh(a, "git", "push", "-q", "origin", "main")
    pulled = sh(b, "git", "pull", "--no-rebase", "--no-edit", "origin", "main", ok=False)
    assert pulled.returncode == 1
    assert f"CONFLICT (content): Merge conflict in incidents/{ID}.yaml" in pulled.stdout
    assert "incplan merge-record: conflict: `title` changed differently on both sides" in pulled.stderr
    text = (b / "incidents" / f"{ID}.yaml").read_text()
    assert "<<<<<<< ours\ntitle: Payments failing\n=======\ntitle: Checkout down\n>>>>>>> theirs\n" in text
    assert sh(b, "git", "diff", "--name-only", "--diff-filter=U").stdout.split() == [f"incidents/{ID}.yaml"]
    # the events merged all the same: both notes are there once
    assert text.count("renamed to") == 2


@pytest.mark.parametrize("who_deletes", ["theirs", "ours"])
def test_an_event_deleted_by_hand_on_one_side_stays_deleted(repo: Path, tmp_path: Path, who_deletes: str) -> None:
    """Three-way, per event: an event in the common ancestor that one side removed and the other
    kept unchanged stays removed; one side's correction of an event replaces it; what either
    side appended is kept."""
    a, b = _clones(repo, tmp_path)
    for clone in (a,):
        incplan(
            clone, "incident", "update", ID, "--note", "pasted into the wrong incident", now="2026-11-27T10:04:00+01:00"
        )
        incplan(clone, "incident", "update", ID, "--note", "eror rate 12%", now="2026-11-27T10:05:00+01:00")
        sh(clone, "git", "commit", "-qam", "notes")
        sh(clone, "git", "push", "-q", "origin", "main")
    sh(b, "git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    deleter, keeper = (a, b) if who_deletes == "theirs" else (b, a)
    # the deleting side removes one note and corrects another, by hand
    record = deleter / "incidents" / f"{ID}.yaml"
    text = record.read_text()
    wrong = next(line for line in text.splitlines(keepends=True) if "pasted into the wrong incident" in line)
    record.write_text(text.replace(wrong, "").replace("eror rate", "error rate"))
    sh(deleter, "git", "commit", "-qam", "remove a note that belongs elsewhere")
    # the other side appends, without touching either note
    incplan(keeper, "incident", "update", ID, "--stage", "identified", now="2026-11-27T10:20:00+01:00")
    sh(keeper, "git", "commit", "-qam", "identified")
    first, second = (deleter, keeper) if who_deletes == "theirs" else (keeper, deleter)
    sh(first, "git", "push", "-q", "origin", "main")
    pulled = sh(second, "git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert "CONFLICT" not in pulled.stdout + pulled.stderr
    merged = second / "incidents" / f"{ID}.yaml"
    assert _events(merged) == [
        "- {at: '2026-11-27T10:02:00+01:00', type: opened, severity: sev2, stage: investigating}",
        "- {at: '2026-11-27T10:02:00+01:00', type: variables, values: {service: checkout, impact: payment errors}}",
        "- {at: '2026-11-27T10:05:00+01:00', type: note, text: error rate 12%}",
        "- {at: '2026-11-27T10:20:00+01:00', type: stage, stage: identified}",
    ]
    assert merged.read_text().startswith("# Incident channel: #inc-checkout\n")
    report = incplan(second, "report", ID, now="2026-11-27T10:30:00+01:00").stdout
    assert "wrong incident" not in report and "eror" not in report


# ------------------------------------------------------------------ the driver on its own

HEAD = "version: 1\nid: x\ntitle: T\nopened_at: '2026-11-27T10:00:00+01:00'\nevents:\n"
OPENED = "- {at: '2026-11-27T10:00:00+01:00', type: opened, severity: sev2, stage: investigating}\n"


def merge(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[int, str, str]:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    done = sh(tmp_path, INCPLAN, "merge-record", *paths, ok=False)
    return done.returncode, (tmp_path / "ours").read_text(), done.stderr


def test_same_event_on_both_sides_is_kept_once_and_layouts_mix(tmp_path: Path) -> None:
    note = "- {at: '2026-11-27T10:05:00+01:00', type: note, text: same}\n"
    # theirs indents its list and writes times in UTC, unquoted: the same instants
    theirs = (
        HEAD
        + "  - {at: 2026-11-27T09:00:00+00:00, type: opened, severity: sev2, stage: investigating}\n"
        + "  - {at: 2026-11-27T09:05:00+00:00, type: note, text: same}\n"
        + "  # their comment\n"
        + "  - {at: 2026-11-27T09:03:00+00:00, type: note, text: theirs}\n"
    )
    code, merged, _ = merge(tmp_path, HEAD + OPENED, HEAD + OPENED + note.rstrip("\n"), theirs)
    assert code == 0
    assert merged == (
        HEAD + OPENED + "# their comment\n" + "- {at: 2026-11-27T09:03:00+00:00, type: note, text: theirs}\n" + note
    )


def test_a_damaged_side_falls_back_to_a_line_merge_with_markers(tmp_path: Path) -> None:
    ours = HEAD + OPENED + "- {at: '2026-11-27T10:05:00+01:00', type: [note\n"
    theirs = HEAD + OPENED + "- {at: '2026-11-27T10:06:00+01:00', type: note, text: fine}\n"
    code, merged, err = merge(tmp_path, HEAD + OPENED, ours, theirs)
    assert code == 1
    assert "<<<<<<< ours\n" in merged and ">>>>>>> theirs\n" in merged
    assert err.startswith("incplan merge-record: conflict: ")


def test_deleted_events_are_judged_against_the_ancestor(tmp_path: Path) -> None:
    def note(minute: str, text: str) -> str:
        return f"- {{at: '2026-11-27T10:{minute}:00+01:00', type: note, text: {text}}}\n"

    base = HEAD + OPENED + note("05", "a") + note("06", "b") + note("06", "b")
    ours = HEAD + OPENED + note("06", "b") + note("06", "b") + note("09", "mine")  # removed a
    theirs = HEAD + OPENED + note("05", "a") + note("06", "b")  # removed one of the two b
    code, merged, _ = merge(tmp_path, base, ours, theirs)
    assert code == 0
    assert merged == HEAD + OPENED + note("06", "b") + note("09", "mine")
    # both sides removed the same event: gone; without a common ancestor nothing counts as removed
    code, merged, _ = merge(tmp_path, base, HEAD + OPENED + note("06", "b"), HEAD + OPENED + note("06", "b"))
    assert (code, merged) == (0, HEAD + OPENED + note("06", "b"))
    code, merged, _ = merge(tmp_path, "", HEAD + OPENED, HEAD + OPENED + note("05", "a"))
    assert (code, merged) == (0, HEAD + OPENED + note("05", "a"))


# ------------------------------------------------------------------ hostile versions


def _bomb() -> str:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(levels) + "\n"


def _hostile(kind: str, text: str) -> str:
    """THEIRS made hostile: what the attacker trial pushed."""
    if kind == "alias-bomb":
        return text.replace("events:\n", _bomb() + "events:\n")
    if kind == "deep":
        return text + "- {at: '2026-11-27T10:07:00+01:00', type: note, text: " + "[" * 10_000 + "]" * 10_000 + "}\n"
    if kind == "huge":
        line = "- {at: '2026-11-27T10:07:00+01:00', type: note, text: " + "x" * 1000 + "}\n"
        return text + line * (9 * 1024)  # 9 MiB: over the 8 MiB a record may have
    if kind == "far-future":
        return text + "- {at: '9999-12-31T23:59:00-14:00', type: note, text: far}\n"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["alias-bomb", "deep", "huge", "far-future"])
def test_a_hostile_theirs_is_a_conflict_git_shows_never_ours_alone(repo: Path, tmp_path: Path, kind: str) -> None:
    """The driver reads every version as records are read (capped, the YAML caps); one it cannot
    read fails the merge with one line, and the result is git's line merge: their lines are in
    it, and git lists the file as unmerged, so `git add` never keeps OURS without their events."""
    a, b = _clones(repo, tmp_path)
    record_a = a / "incidents" / f"{ID}.yaml"
    incplan(a, "incident", "update", ID, "--note", "their note", now="2026-11-27T10:05:00+01:00")
    record_a.write_text(_hostile(kind, record_a.read_text()))
    sh(a, "git", "commit", "-qam", "hostile")
    sh(a, "git", "push", "-q", "origin", "main")
    incplan(b, "incident", "update", ID, "--note", "our note", now="2026-11-27T10:06:00+01:00")
    sh(b, "git", "commit", "-qam", "ours")
    ours = (b / "incidents" / f"{ID}.yaml").read_text()
    pulled = sh(b, "git", "pull", "--no-rebase", "--no-edit", "origin", "main", ok=False)
    assert pulled.returncode == 1, pulled.stdout + pulled.stderr
    assert f"CONFLICT (content): Merge conflict in incidents/{ID}.yaml" in pulled.stdout
    driver = [line for line in pulled.stderr.splitlines() if line.startswith("incplan")]
    assert len(driver) == 1, pulled.stderr
    assert driver[0].startswith("incplan merge-record: conflict: ")
    assert "merged line by line" in driver[0]
    assert "Traceback" not in pulled.stderr
    assert sh(b, "git", "diff", "--name-only", "--diff-filter=U").stdout.split() == [f"incidents/{ID}.yaml"]
    merged = (b / "incidents" / f"{ID}.yaml").read_text()
    assert merged != ours
    assert "their note" in merged and "our note" in merged
    assert "<<<<<<< ours\n" in merged


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("alias-bomb", "THEIRS` is damaged; fix it by hand"),
        ("deep", "THEIRS` is damaged; fix it by hand"),
        ("huge", "THEIRS` cannot be read: the file is larger than 8192 KiB"),
        ("far-future", "THEIRS is not a valid incident record (1 problems)"),
    ],
)
def test_the_driver_says_which_version_it_cannot_read(tmp_path: Path, kind: str, why: str) -> None:
    base = HEAD + OPENED
    code, merged, err = merge(tmp_path, base, base + "- {at: '2026-11-27T10:06:00+01:00', type: note, text: our}\n",
                              _hostile(kind, base))  # fmt: skip
    assert code == 1
    assert len(err.splitlines()) == 1, err
    assert why in err
    assert "our}" in merged


# ------------------------------------------------------------------ line ends

BREAKS = "\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e\r"  # all that str.splitlines() cuts at, besides \n


def _note(minute: int, text: str) -> dict[str, object]:
    from datetime import datetime, timedelta

    at = datetime.fromisoformat("2026-11-27T10:00:00+01:00") + timedelta(minutes=minute)
    return {"at": at, "type": "note", "text": text}


def _record(*events: dict[str, object]) -> str:
    from incplan.incidents.store import event_line

    return HEAD + OPENED + "".join(event_line(e) for e in events)


def _texts(text: str) -> list[object]:
    from ruamel.yaml import YAML

    return [e.get("text") for e in YAML(typ="safe", pure=True).load(text)["events"]]


@settings(max_examples=150, deadline=None)
@given(
    mine=st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(BREAKS), max_size=30),
    theirs=st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(BREAKS), max_size=30),
)
def test_any_text_merged_stays_byte_identical_per_event(mine: str, theirs: str) -> None:
    """Only \\n ends a line of a record: a text holding U+2028, \\x85 or \\x0c (which
    str.splitlines() takes for line ends) merges like any other, every event once, in time
    order, each line exactly as written on its side."""
    from incplan.incidents.merge import merge_texts
    from incplan.incidents.store import event_line

    shared = _note(1, "shared " + mine)
    ours = _record(shared, _note(3, mine), _note(5, "plain note"))
    their = _record(shared, _note(2, theirs), _note(4, theirs + "\u2028second"))
    result = merge_texts(_record(shared), ours, their)
    assert (result.conflicts, result.added) == ([], 2)
    events = [shared, _note(2, theirs), _note(3, mine), _note(4, theirs + "\u2028second"), _note(5, "plain note")]
    assert result.text == HEAD + OPENED + "".join(event_line(e) for e in events)
    assert _texts(result.text) == [None, *(e["text"] for e in events)]


def test_a_note_with_u2028_merges_in_git(repo: Path, tmp_path: Path) -> None:
    """The attacker trial's case, through git and the CLI: a clean merge, each note once, in order."""
    a, b = _clones(repo, tmp_path)
    incplan(a, "incident", "update", ID, "--note", "plain note", now="2026-11-27T10:04:00+01:00")
    record_a = a / "incidents" / f"{ID}.yaml"
    record_a.write_text(
        record_a.read_text() + "- {at: '2026-11-27T10:05:00+01:00', type: note, text: 'first\u2028second'}\n"
    )
    sh(a, "git", "commit", "-qam", "notes")
    sh(a, "git", "push", "-q", "origin", "main")
    incplan(b, "incident", "update", ID, "--note", "ours", now="2026-11-27T10:06:00+01:00")
    sh(b, "git", "commit", "-qam", "ours")
    pulled = sh(b, "git", "pull", "--no-rebase", "--no-edit", "origin", "main")
    assert "CONFLICT" not in pulled.stdout + pulled.stderr
    merged = (b / "incidents" / f"{ID}.yaml").read_text()
    assert _texts(merged)[-3:] == ["plain note", "first\u2028second", "ours"]
    assert "- {at: '2026-11-27T10:05:00+01:00', type: note, text: 'first\u2028second'}\n" in merged


@pytest.mark.parametrize("text", [*BREAKS, "first\u2028second", "?0", "? x", "?"])
def test_the_writer_keeps_one_event_per_line_and_the_text_exact(text: str) -> None:
    """A character YAML 1.1 takes for a line break is written as its escape (ruamel would write it
    raw and indent after it); a text starting with `?` is quoted (ruamel wrote `?0` plain, and
    no reader took the record back: `--note '?0'` damaged it)."""
    from ruamel.yaml import YAML

    from incplan.incidents.store import event_line

    line = event_line(_note(1, text))
    assert line.count("\n") == 1 and line.endswith("}\n"), repr(line)
    for loader in (YAML(typ="safe", pure=True), YAML(typ="safe"), YAML(typ="rt")):
        assert loader.load(line)[0]["text"] == text
