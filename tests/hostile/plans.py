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
SLOW_PLAN = plan(LOOP, channels=10, severities=5)
