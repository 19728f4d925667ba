"""The hygiene rules' fast pattern search finds exactly what the plain regular expressions find.

`_Pattern` drops a leading `\\b` (which stops the regex engine from scanning for the literal) and
checks the boundary by hand, and rules texts out with a `quick` pattern first: both must be
invisible in the results, for every text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incplan.lint.rules.hygiene import _SECRETS, _Pattern, _placeholder_in, _secret_kinds

# The patterns as they were written before the fast search (the reference).
PLAIN = [re.compile(("\\b" if p.boundary else "") + p.pattern.pattern, p.pattern.flags) for _label, p in _SECRETS]
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|[Ll]orem [Ii]psum")

# Fragments that make matches, near-matches and boundaries likely.
FRAGMENTS = [
    "xoxb-",
    "xoxp-",
    "ghp_",
    "github_pat_",
    "AKIA",
    "ASIA",
    "sk_live_",
    "pk_test_",
    "rk_live_",
    "AIza",
    "eyJ",
    ".",
    "whsec_",
    "https://",
    "HTTP://",
    "ftp://",
    "user:",
    "pass@",
    "@",
    "?token=",
    "&sig=",
    "webhook.office.com/",
    "WEBHOOK.OFFICE.COM/",
    "logic.azure.com",
    "powerplatform.com/",
    "sig=",
    "discord.com/api/webhooks/",
    "DiscordApp.com/api/webhooks/",
    "hooks.slack.com/services/",
    "-----BEGIN RSA PRIVATE KEY-----",
    "1234567890",
    "ABCDEFGHIJKLMNOP",
    "abcdefghij0123456789",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "_",
    "a",
    "é",
    "ł",
    "٣",
    "K",
    "ſ",
    "İ",
    " ",
    "\n",
    "/",
    "-",
    "TODO",
    "TBD",
    "FIXME",
    "XXX",
    "Lorem ipsum",
    "lorem Ipsum",
    "x",
]
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join)


def _span(match: re.Match[str] | None) -> tuple[int, int, str] | None:
    return None if match is None else (match.start(), match.end(), match.group(0))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_each_pattern_finds_what_the_plain_regex_finds(text: str) -> None:
    for plain, (label, fast) in zip(PLAIN, _SECRETS, strict=True):
        assert _span(fast.search(text)) == _span(plain.search(text)), label
        if plain.search(text):
            assert fast.may_be_in(text), label


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=6))
def test_kinds_of_many_texts_are_the_kinds_of_each(values: list[str]) -> None:
    expected = [next((label for plain, (label, _) in zip(PLAIN, _SECRETS, strict=True) if plain.search(v)), None)
                for v in values]  # fmt: skip
    assert _secret_kinds(values) == expected


@settings(max_examples=300, deadline=None)
@given(texts)
def test_placeholders_are_found_as_before(text: str) -> None:
    assert _span(_placeholder_in(text)) == _span(PLACEHOLDER.search(text))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("xoxb-1234567890", "xoxb-1234567890"),
        ("axoxb-1234567890", None),  # inside a word: no boundary
        ("_xoxb-1234567890", None),  # `_` is a word character
        ("éxoxb-1234567890", None),  # so is a letter beyond ASCII
        ("-xoxb-1234567890", "xoxb-1234567890"),
        ("axoxb-1234567890 xoxp-abcdefghij", "xoxp-abcdefghij"),  # the first candidate fails, the next is found
        ("HTTPS://Admin:S3cret@db.internal/", "HTTPS://Admin:S3cret@"),
        ("https://webhooK.office.com/x", "webhooK.office.com/x"),  # a Kelvin sign is a `k` to re.I
        ("TODOS and TODO", "TODO"),
    ],
)
def test_boundaries_and_cases(text: str, found: str | None) -> None:
    matches = [p.search(text) for _, p in _SECRETS] + [_placeholder_in(text)]
    first = next((m.group(0) for m in matches if m is not None), None)
    assert first == found


def test_a_boundary_free_pattern_is_searched_as_written() -> None:
    pattern = _Pattern(r"k_(live|test)_\w+", quick="k_")
    assert not pattern.boundary
    assert _span(pattern.search("sk_live_abc")) == (1, 11, "k_live_abc")
