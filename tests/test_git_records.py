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
