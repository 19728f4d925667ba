"""Hostile plans shared by the tests and `bench/hostile.py` (which prints their cost)."""

from __future__ import annotations

LOOP = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    "{{ severity.name }} on {{ channel.name }}"
)


def plan(investigating: str, *, channels: int = 1, severities: int = 1) -> str:
    """A valid plan whose `investigating` default message is `investigating` (a template)."""
    chans = [f"c{i}" for i in range(channels)]
    sevs = [f"sev{i + 1}" for i in range(severities)]
    lines = [
        "version: 1",
        "organization: {name: Tiny Co}",
        "people:",
        "  ana: {name: Ana Silva, email: ana@tiny.example}",
        "definition: {incident: Anything that stops customers.}",
        "severities:",
    ]
    for sev in sevs:
        lines.append(
            f"  {sev}: {{name: {sev.upper()}, first_update_within: 15m, update_every: 30m, "
            f"roles: [ic], channels: [{', '.join(chans)}]}}"
        )
    lines += ["roles:", '  ic: {name: Incident Commander, people: ["@ana"]}', "channels:"]
    for ch in chans:
        lines.append(f"  {ch}: {{name: Chat {ch}, type: chat, audience: internal, owner: ic, access: SSO}}")
    lines += [
        "stages:",
        "  investigating: {name: Investigating}",
        "  resolved: {name: Resolved, final: true}",
        "templates:",
        "  investigating:",
        f"    default: {_quote(investigating)}",
        "  resolved:",
        "    default: The problem is fixed.",
    ]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


MEMORY_CASES = {
    "replace": "{{ ('a'*100000)|replace('a','a'*100000) }}",
    "percent": "{{ '%999999999d' % 1 }}",
    "center": "{{ 'x'|center(1000000000) }}",
}
# Attack trial, finding 1: C-level loops over data built cheaply from shared references, which
# the CPU timer cannot interrupt (check ran 57.8 s of CPU, 20-25 s and 7 s before the item limits).
C_LOOP_CASES = {
    "sum-of-lists": "{% set a = [[1,2,3,4,5,6,7,8,9,10]]*100000 %}{{ a|sum(start=[])|length }}",
    "sum-of-short-lists": "{% set a = [[1]]*100000 %}{{ a|sum(start=[])|length }}",
    "sum-of-a-few-lists": "{{ [[1], [2]]|sum(start=[])|length }}",
    "compare-nested": "{% set b = [[1]*100000]*100000 %}{% set c = [[1]*100000]*100000 %}{{ b == c }}",
    "literal-doubling": (
        "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
        "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}"
    ),
    "nesting-doubling": (
        "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
        "{% set ns.a = ns.a + [ns.a] %}{% set ns.b = ns.b + [ns.b] %}{% endfor %}{{ ns.a == ns.b }}"
    ),
    "dict-doubling": (
        "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
        "{% set ns.a = dict(x=ns.a, y=ns.a) %}{% set ns.b = dict(x=ns.b, y=ns.b) %}{% endfor %}{{ ns.a == ns.b }}"
    ),
    "count-nested": "{% set b = [[1]*1000]*99 %}{{ [b,b,b,b,b,b,b,b,b,b,b,b]|length }}",
}
SLOW_PLAN = plan(LOOP, channels=10, severities=5)
