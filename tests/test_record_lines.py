"""The line reader of records (`incidents/lines.py`) gives ruamel's data for every text it takes.

Texts are made from the pieces records are made of and from the pieces that change YAML's
meaning (comments, indicators, escapes, words YAML resolves, odd spacing); whatever the reader
accepts must be exactly what the YAML loader gives, and it must accept what incplan writes.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from incplan.incidents import lines
from incplan.incidents.store import event_line
from incplan.plan.parse import parse_yaml

SCALARS = [
    "sev1", "note", "Checked dashboard 12", "../plan.yaml", "a.b/c", "Zażółć gęślą", "x-y_z", "ok.",
    "'2026-11-27T10:02:00+01:00'", "'it''s'", "''", '""', '"a\\"b"', '"\\u00e9\\x41\\t\\n"', '"\\e[2J"',
    '"\\ud800"', '"\\q"', "'@alice'", "'#5'", "true", "False", "NULL", "null", "~", "yes", "no", "on", "7",
    "0", "007", "-5", "2026-11-27-payments-fail", "2026-11-27-5", "2026-11-27-x y", "2026-11-27T10:02", "1.5", ".inf", ".5", "1e3", "0x1F", "2026-11-27", "2026-11-27T10:02:00+01:00",
    "a #b", "a#b", "a: b", "a:b", "a  b", "a ", "[x]", "{y}", "*ref", "&anc x", "!!str x", "|", ">", "%x",
    "@x", "`x`", "?x", "-x", "x,y", "x}", "\\x", "é", "a\tb",
]  # fmt: skip
KEYS = ["at", "type", "stage", "text", "by", "on", "true", "Type", "a_b", "x1", "1x", "'q'", "at"]
scalar = st.sampled_from(SCALARS)
key = st.sampled_from(KEYS)


@st.composite
def flow_mapping(draw: st.DrawFn, depth: int = 0) -> str:
    pairs = []
    for _ in range(draw(st.integers(0, 4))):
        value = (
            draw(flow_mapping(depth + 1)) if depth < 2 and draw(st.booleans()) and draw(st.booleans()) else draw(scalar)
        )
        pairs.append(f"{draw(key)}:{draw(st.sampled_from([' ', ' ', '  ', '']))}{value}")
    sep = draw(st.sampled_from([", ", ", ", ",", " , "]))
    return "{" + sep.join(pairs) + draw(st.sampled_from(["", "", ",", " "])) + "}"


@st.composite
def record(draw: st.DrawFn) -> str:
    out = []
    for name in draw(
        st.lists(st.sampled_from(["version", "id", "title", "plan", "opened_at", "kind", "true"]), max_size=5)
    ):
        out.append(f"{name}: {draw(scalar)}")
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(["events:", "events: []", "events:  ", "events: x"])))
        indent = draw(st.sampled_from(["", "", "  ", " "]))
        for _ in range(draw(st.integers(0, 5))):
            out.append(draw(st.sampled_from([indent, indent, "", "   "])) + "- " + draw(flow_mapping()))
            if draw(st.integers(0, 9)) == 0:
                out.append(
                    draw(
                        st.sampled_from(["# a comment", "  # indented", "", "x: 1", "---", "...", "- a", "  - {a: b}"])
                    )
                )
    text = "\n".join(out)
    return text + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))


def _yaml(text: str) -> object:
    data, problems = parse_yaml(text, "r.yaml")
    return ("problems", [p.code for p in problems]) if problems else data


@settings(max_examples=1500, deadline=None)
@given(record())
def test_what_the_reader_takes_it_reads_as_yaml_does(text: str) -> None:
    data = lines.parse(text)
    if data is not None:
        assert data == _yaml(text)


@settings(max_examples=300, deadline=None)
@given(record(), st.integers(0, 400), st.sampled_from(list("'\"#:{}[], \n-\\&*!|>%@`~\t\x00é")))
def test_a_mutated_record_is_read_as_yaml_reads_it_or_refused(text: str, at: int, char: str) -> None:
    at = min(at, len(text))
    mutated = text[:at] + char + text[at:]
    data = lines.parse(mutated)
    if data is not None:
        assert data == _yaml(mutated)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["at", "type", "text", "stage", "by", "body", "posted", "components"]),
        st.one_of(
            st.text(max_size=30),
            st.booleans(),
            st.integers(-10, 10),
            st.dictionaries(st.sampled_from(["api", "db"]), st.text(max_size=8), max_size=2),
        ),
        min_size=1,
    )
)
def test_event_lines_incplan_writes_are_read_as_yaml_reads_them(event: dict[str, object]) -> None:
    """What `event_line` writes (ruamel's own dumper) is read alike, or refused; the everyday
    events below are always taken."""
    text = "version: 1\nevents:\n" + event_line(event)
    data = lines.parse(text)
    if data is not None:
        assert data == _yaml(text)


def test_records_as_incplan_writes_them_are_taken() -> None:
    events = [
        {"at": "2026-11-27T10:00:00+01:00", "type": "opened", "severity": "sev1", "stage": "investigating", "by": "@alice"},
        {"at": "2026-11-27T10:05:00+01:00", "type": "note", "text": 'it\'s a "note": with [brackets], {braces} & #hash'},
        {"at": "2026-11-27T10:06:00+01:00", "type": "components", "components": {"api": "major_outage"}},
        {"at": "2026-11-27T10:07:00+01:00", "type": "notified", "stage": "identified", "channel": "status_page",
         "locale": "pl", "posted": True, "subject": "Zidentyfikowano: błędy", "body": "Line one.\nLine two.\tTab"},
    ]  # fmt: skip
    header = "version: 1\nid: 2026-11-27-payments-fail-2\ntitle: \"Payments fail: 'quoted' [x] {y} #z\"\nplan: ../plan.yaml\n"
    text = header + "opened_at: '2026-11-27T10:00:00+01:00'\nevents:\n" + "".join(event_line(e) for e in events)
    data = lines.parse(text)
    assert data is not None
    assert data == _yaml(text)
    assert data["events"][1]["text"] == events[1]["text"]
    assert data["events"][3]["body"] == "Line one.\nLine two.\tTab"


def test_what_only_yaml_can_read_is_left_to_it() -> None:
    for text in [
        "version: 1\nevents:\n- {at: x, type: note, text: a} # comment\n",
        "version: 1\nopened_at: 2026-11-27T10:00:00+01:00\n",  # a time YAML resolves itself
        "version: 1\nevents:\n- at: x\n  type: note\n",  # block mappings
        "version: 1\nevents:\n- {at: x, text: 'two\n  lines'}\n",
        "version: 1\nid: &a x\n",
        "version: 1\nversion: 2\n",
        "%YAML 1.1\n---\nversion: 1\n",
        "",
    ]:
        assert lines.parse(text) is None, text


def test_appending_to_a_record_in_this_layout_proves_itself_by_the_new_lines(tmp_path: Path) -> None:
    """`incident update` on a record in incplan's layout reads only the new lines to prove the
    append keeps the meaning; the file it writes is the old text plus those lines, and the YAML
    loader reads it as the record returned."""
    from incplan.incidents.store import append_events, read_record

    path = tmp_path / "incidents" / "r.yaml"
    path.parent.mkdir()
    head = "version: 1\nid: r\ntitle: T\nopened_at: '2026-11-27T10:00:00+01:00'\nevents:\n"
    first = "- {at: '2026-11-27T10:00:00+01:00', type: opened, severity: sev1, stage: investigating}\n"
    path.write_text(head + first, encoding="utf-8")
    notes = ['it\'s "quoted": [x] {y} #z', "ł" * 5000, "two\nlines\tand a tab", "true", "2026-11-27"]
    for i, note in enumerate(notes):
        before = path.read_text(encoding="utf-8")
        at = f"2026-11-27T10:0{i + 1}:00+01:00"
        record = append_events(path, lambda _r, at=at, note=note: [{"at": at, "type": "note", "text": note}])
        after = path.read_text(encoding="utf-8")
        assert after.startswith(before) and after.count("\n") >= before.count("\n") + 1
        assert read_record(path)[0] == record
        assert record.events[-1].text == note  # type: ignore[union-attr]


def test_status_and_remind_load_no_jinja2(tmp_path: Path) -> None:
    """Times in `status` and `remind` come from `localize`, not the template engine: Jinja2 (and
    its sandbox) stay out of the commands a team runs every minute."""
    import os
    import shutil
    import subprocess
    import sys

    from .conftest import NOW, ROOT

    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    env = {**os.environ, "INCPLAN_NOW": NOW}
    opened = subprocess.run(
        [sys.executable, "-m", "incplan", "incident", "open", "-t", "Checkout errors", "-S", "sev2"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    for command in (["incident", "status"], ["incident", "remind", "--within", "5m"]):
        probe = (
            "import sys\nfrom incplan.__main__ import main\n"
            f"sys.argv = ['incplan', *{command!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', 'jinja2' in sys.modules, 'incplan.templates.sandbox' in sys.modules, file=sys.stderr)\n"
        )
        done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Checkout errors" in done.stdout or "no customer update due" in done.stdout, done.stdout
        assert "LOADED False False" in done.stderr, command
