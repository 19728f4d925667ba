"""Issue 8, item 3: no template makes a render take more than 1 s of CPU or 256 MB (SPEC §3),
whatever path it takes, and `check` of one plan stays within its budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from incplan.lint.runner import lint_file

from .conftest import LIMIT_MIB, assert_clean, run_cli
from .plans import C_LOOP_CASES, LOOP, MEMORY_CASES, SLOW_PLAN, plan

# Each of these would build gigabytes, or spin for hours, without the limits.
HOSTILE = {
    **MEMORY_CASES,
    "str.center": "{{ 'x'.center(1000000000) }}",
    "str.ljust": "{{ 'x'.ljust(1000000000) }}",
    "str.zfill": "{{ 'x'.zfill(1000000000) }}",
    "str.expandtabs": "{{ 'a\\tb'.expandtabs(1000000000) }}",
    "str.replace": "{{ ('a'*100000).replace('a', 'a'*100000) }}",
    "str.translate": "{{ ('a'*100000).translate({97: 'b'*100000}) }}",
    "str.join": "{{ ('x'*99999).join(['a']*100000) }}",
    "str.format": "{{ '{:>999999999}'.format(1) }}",
    "str.format-nested-width": "{{ '{:>{w}}'.format(1, w=999999999) }}",
    "str.format_map": "{{ '{x:>999999999}'.format_map({'x': 1}) }}",
    "percent-star": "{{ '%*d' % (999999999, 1) }}",
    "percent-precision": "{{ '%.999999999f' % 1.0 }}",
    "filter-format": "{{ '%999999999s'|format('x') }}",
    "filter-indent": "{{ ('a'*100000)|indent(100000) }}",
    "filter-wordwrap": "{{ ('a '*50000)|wordwrap(1, wrapstring='x'*1000) }}",
    "filter-join": "{{ range(100000)|map('string')|join('x'*1000) }}",
    "filter-batch": "{{ [1]|batch(1000000000, 'x')|list|length }}",
    "filter-truncate": "{{ 'x'|truncate(10, end='y'*99999) ~ ('y'*99999)|truncate(10, end='y'*99999)*11 }}",
    "concat-doubling": (
        "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"
    ),
    "plus-doubling": (
        "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}"
    ),
    "list-doubling": (
        "{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}"
    ),
    "bigint-squaring": (
        "{% set ns = namespace(n=9) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n > 1 }}"
    ),
    "bigint-power": "{{ ((9**100)**100)**100 }}",
    "lipsum": "{{ lipsum(1000000000) }}",
    "range": "{{ range(1000000000)|list|length }}",
    "nested-loops": LOOP,
    "recursion": "{% macro m(n) %}{{ m(n+1) }}{% endmacro %}{{ m(0) }}",
    **C_LOOP_CASES,
    # nothing above it is guarded: only the memory limit stops it. Strings of 500 KB reach it in
    # ~500 rounds (~0.15 s of CPU); with 100 KB ones the 2,500 list copies the guards weigh took
    # 0.6-0.9 s, and on a loaded machine the CPU limit stopped it first
    "many-medium-strings": (
        "{% set s = 'x'*99999 %}{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
        "{% set ns.l = ns.l + [s ~ s ~ s ~ s ~ s ~ i] %}{% endfor %}{{ ns.l|length }}"
    ),
}

PROBE = textwrap.dedent(
    """
    import json, sys, time
    from incplan.templates.cache import compile_template
    from incplan.templates.render import RenderError, render

    results = {}
    for name, source in json.loads(sys.stdin.read()).items():
        started = time.process_time()
        try:
            results[name] = ["rendered", render(compile_template(source), {})[:80]]
        except RenderError as exc:
            results[name] = [type(exc).__name__, str(exc)]
        results[name].append(time.process_time() - started)
    print(json.dumps(results))
    """
)


def test_every_path_is_stopped_within_the_limits() -> None:
    """All cases in one child process: each is refused, and the child's peak memory stays
    under the limit (what one render may add comes on top of ~40 MB of Python)."""
    env = {**os.environ, "INCPLAN_NO_CACHE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", PROBE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
    )
    out, _ = child.communicate(json.dumps(HOSTILE), timeout=300)
    _, _, usage = os.wait4(child.pid, 0) if child.returncode is None else (0, 0, None)
    results = json.loads(out)
    outcomes = {name: result[:2] for name, result in results.items()}
    for name, (kind, message) in outcomes.items():
        assert kind in ("RenderError", "LimitError"), (name, kind, message)
    assert outcomes["replace"] == [
        "RenderError",
        "refused by the sandbox: filter `replace` would build 10,000,000,000 characters, over the limit of 1,000,000",
    ]
    assert outcomes["nested-loops"] == ["LimitError", "rendering used more than 1 s of CPU time"]
    assert outcomes["many-medium-strings"] == ["LimitError", "rendering needed more than 256 MB of memory"]
    assert outcomes["recursion"] == ["RenderError", "template recursion too deep"]
    refused = "refused by the sandbox: "
    assert outcomes["sum-of-lists"] == [
        "RenderError",
        refused + "`*` would build 1,100,000 items (nested ones counted), over the limit of 100,000",
    ]
    assert outcomes["sum-of-short-lists"][1] == (
        refused + "`*` would build 200,000 items (nested ones counted), over the limit of 100,000"
    )
    assert outcomes["sum-of-a-few-lists"][1] == refused + "`sum` adds numbers only, and its start is a list"
    assert outcomes["compare-nested"][1] == (
        refused + "`*` would build 10,000,100,000 items (nested ones counted), over the limit of 100,000"
    )
    # [a, a] holds 2 x (1 + a's) items: 3 x 2**n - 2 after n rounds, over the million at n = 19
    assert outcomes["literal-doubling"][1] == (
        refused + "a literal would build 1,572,862 items (nested ones counted), over the limit of 1,000,000"
    )
    # a + [a]: 2 x a's + 1, so 2**(n+1) - 1: 2**20 - 1 at n = 19
    assert outcomes["nesting-doubling"][1] == (
        refused + "`+` would build 1,048,575 items (nested ones counted), over the limit of 1,000,000"
    )
    # dict(x=a, y=a): 2 keys + 2 x (1 + a's), so 5 x 2**n - 4: at n = 18, 1,310,716
    assert outcomes["dict-doubling"][1] == (
        refused + "dict would build 1,310,716 items (nested ones counted), over the limit of 1,000,000"
    )
    # 12 x (99 x (1 + 1,000) + 1) = 1,189,200
    assert outcomes["count-nested"][1] == (
        refused + "a literal would build 1,189,200 items (nested ones counted), over the limit of 1,000,000"
    )
    del usage  # communicate() reaps the child: its peak is measured by the CLI tests below


def _baseline(*args: str) -> float:
    """Peak memory of the same command on a plan that renders a normal message: a render may
    add up to the limit to what Python and incplan need anyway."""
    benign = Path(args[-1])
    benign.write_text(plan("We are looking into it. {{ org.name }}"))
    return run_cli(*args, env={"INCPLAN_NO_CACHE": "1"}).peak_mib


@pytest.mark.parametrize("name", [*MEMORY_CASES, "many-medium-strings", "sum-of-lists"])
def test_check_reports_a_diagnostic_within_the_memory_limit(name: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(plan(HOSTILE[name]))
    result = run_cli("check", str(path), "--format", "json", env={"INCPLAN_NO_CACHE": "1"})
    assert_clean(result, 1)
    found = [(d["line"], d["code"]) for d in json.loads(result.out)["diagnostics"]]
    assert (17, "E303") in found
    assert result.peak_mib - _baseline("check", str(tmp_path / "benign.yaml")) < LIMIT_MIB, result.peak_mib


@pytest.mark.parametrize(
    "args",
    [["notify", "--stage", "investigating", "--severity", "sev1", "--example"], ["preview"]],
    ids=lambda a: a[0],
)
@pytest.mark.parametrize("name", ["replace", "many-medium-strings", "sum-of-lists"])
def test_commands_stop_a_huge_render_with_an_error(args: list[str], name: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(plan(HOSTILE[name]))
    result = run_cli(*args, "--plan", str(path), env={"INCPLAN_NO_CACHE": "1"})
    assert_clean(result, 1)
    assert "would build" in result.err or "256 MB" in result.err
    assert result.peak_mib - _baseline(*args, "--plan", str(tmp_path / "benign.yaml")) < LIMIT_MIB, result.peak_mib


def test_the_slow_plan_renders_its_looping_template_once(tmp_path: Path) -> None:
    """10 channels x 5 severities x a default message that loops: 100 s before, because each
    of the 50 renders ran into the time limit; now the first one does and the rest are skipped."""
    path = tmp_path / "plan.yaml"
    path.write_text(SLOW_PLAN)
    assert len(SLOW_PLAN) < 2_000
    result = run_cli("check", str(path), "--format", "json", timeout=120)
    assert_clean(result, 1)
    errors = [d for d in json.loads(result.out)["diagnostics"] if d["code"] == "E303"]
    assert [(e["line"], e["message"]) for e in errors] == [
        (
            30,
            "fails to render for severity `sev1` on channel `c0`: rendering used more than 1 s of CPU time",
        )
    ]


def test_the_plan_budget_becomes_a_diagnostic(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(plan("Investigating {{ severity.name }} on {{ channel.name }}", channels=3, severities=2))
    report = lint_file(path, now=now, budget=0)
    assert [(d.line, d.code, d.message) for d in report.diagnostics if d.code == "E303"] == [
        (19, "E303", "stopped rendering this plan's messages after 0 s; the rest were not checked")
    ]
    assert not [d for d in lint_file(path, now=now).diagnostics if d.code == "E303"]


def test_renders_are_deduplicated_by_what_the_template_reads(tmp_path: Path, now: datetime) -> None:
    """A default message reading only `org` is the same for 10 channels x 5 severities."""
    path = tmp_path / "plan.yaml"
    path.write_text(plan("{{ org.name }} is down. " + LOOP.replace("{{ severity.name }} on {{ channel.name }}", ""),
                         channels=10, severities=5))  # fmt: skip
    report = lint_file(path, now=now)
    assert [d.message for d in report.diagnostics if d.code == "E303"] == [
        "fails to render for severity `sev1` on channel `c0`: rendering used more than 1 s of CPU time"
    ]


SESSION_PROBE = textwrap.dedent(
    """
    import json, resource, signal, sys
    from incplan.templates import guards
    from incplan.templates.cache import compile_template
    from incplan.templates.render import RenderError, render

    before = (signal.getsignal(signal.SIGPROF), resource.getrlimit(resource.RLIMIT_AS))
    results = {}
    with guards.session():
        inside = signal.getsignal(signal.SIGPROF)
        for name, source in json.loads(sys.stdin.read()).items():
            try:
                results[name] = ["rendered", render(compile_template(source), {})[:80]]
            except RenderError as exc:
                results[name] = [type(exc).__name__, str(exc)]
        results["after the bombs"] = ["rendered", render(compile_template("{{ 6 * 7 }}"), {})]
    after = (signal.getsignal(signal.SIGPROF), resource.getrlimit(resource.RLIMIT_AS))
    results["restored"] = [after == before, inside is not before[0]]
    print(json.dumps(results))
    """
)


def test_renders_in_one_session_are_each_held_to_the_limits() -> None:
    """`check` renders a plan's messages in one session (one signal handler): every render in it
    is still stopped, compiling and rendering the next one still works (a memory bomb's limit is
    lifted after it), and the process gets its handler and memory limit back afterwards."""
    cases = {name: HOSTILE[name] for name in ("nested-loops", "many-medium-strings", "recursion", "str.center")}
    env = {**os.environ, "INCPLAN_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SESSION_PROBE], input=json.dumps(cases), capture_output=True, text=True, env=env,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["nested-loops"] == ["LimitError", "rendering used more than 1 s of CPU time"]
    assert results["many-medium-strings"] == ["LimitError", "rendering needed more than 256 MB of memory"]
    assert results["recursion"] == ["RenderError", "template recursion too deep"]
    assert results["str.center"][0] == "RenderError"
    assert results["after the bombs"] == ["rendered", "42"]
    assert results["restored"] == [True, True]


def _cpu_bound_plan() -> str:
    """Ten templates that each loop for about half a second, within the render limit."""
    loop = "{% for i in range(300) %}{% for j in range(60000) %}{% endfor %}{% endfor %}"
    return plan("Investigating.", channels=10).replace(
        "  investigating:\n",
        "  investigating:\n" + "".join(f'    c{i}: "{loop}{i} {{{{ org.name }}}}"\n' for i in range(10)),
        1,
    )


def test_check_is_stopped_by_its_cpu_backstop_with_a_clear_message(tmp_path: Path) -> None:
    """The last limit (`lint.backstop`): plans linted one by one are linted in a child that the
    kernel stops after INCPLAN_CHECK_CPU_SECONDS of CPU per plan (60 unless set); here 1 s."""
    path = tmp_path / "plan.yaml"
    path.write_text(_cpu_bound_plan())
    result = run_cli("check", str(path), env={"INCPLAN_NO_CACHE": "1", "INCPLAN_CHECK_CPU_SECONDS": "1"}, timeout=120)
    assert_clean(result, 2)
    assert result.out == ""
    assert result.err == (
        f"error: checking `{path}` used more than 1 s of CPU time and was stopped\n"
        "  hint: a template in it does something the render limits do not catch: please report it with the plan\n"
    )


def _tree_with_one_cpu_bound_plan(root: Path) -> Path:
    """30 plans (a tree large enough for the workers of both cores), the 17th CPU-bound."""
    from incplan.lint.runner import PARALLEL_FROM

    assert PARALLEL_FROM <= 30
    for n in range(30):
        (root / f"team-{n:02d}.yaml").write_text(_cpu_bound_plan() if n == 17 else plan("Investigating."))
    return root / "team-17.yaml"


def test_a_large_tree_is_held_to_the_cpu_backstop_too(tmp_path: Path) -> None:
    """A tree is linted by one worker per core; a worker stopped by the kernel ends the run with
    the same error, naming its plan, where the workers' pool used to wait for it forever."""
    bad = _tree_with_one_cpu_bound_plan(tmp_path)
    env = {"INCPLAN_NO_CACHE": "1", "INCPLAN_CHECK_CPU_SECONDS": "1"}
    result = run_cli("check", str(tmp_path), env=env, timeout=120)
    assert_clean(result, 2)
    assert result.err == (
        f"error: checking `{bad}` used more than 1 s of CPU time and was stopped\n"
        "  hint: a template in it does something the render limits do not catch: please report it with the plan\n"
    )


def test_the_workers_of_a_tree_hold_each_plan_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the library with two workers whatever the machine's cores: the error
    names the plan the stopped worker was on, not the one the other worker had begun."""
    from incplan.diagnostics import UsageError
    from incplan.lint.runner import lint_paths

    bad = _tree_with_one_cpu_bound_plan(tmp_path)
    monkeypatch.setenv("INCPLAN_CHECK_CPU_SECONDS", "1")
    _, reports = lint_paths([tmp_path], jobs=2, supervise=True)
    with pytest.raises(UsageError) as stop:
        list(reports)
    assert str(stop.value) == f"checking `{bad}` used more than 1 s of CPU time and was stopped"
    _, reports = lint_paths([tmp_path], jobs=2)  # without the limit, the same tree is linted whole
    assert [report.file for report in reports] == [str(tmp_path / f"team-{n:02d}.yaml") for n in range(30)]
