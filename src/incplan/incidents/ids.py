"""Incident ids: the opening day and an ASCII slug of the title, from any script."""

from __future__ import annotations

import re

MAX_SLUG = 48  # characters; ids stay readable in file names, URLs and chat
FALLBACK = "incident"


def slugify(title: str) -> str:
    """`Płatności nie przechodzą` -> `platnosci-nie-przechodza`; `incident` when nothing usable is left.

    Transliteration comes from text-unidecode's tables (Latin with diacritics, Cyrillic, Greek,
    CJK, Arabic...), never from a hand-written table; our rules only decide what a slug looks
    like: lowercase ASCII letters and digits joined by single hyphens, cut at a word boundary.
    """
    if not title.isascii():  # its tables map ASCII to itself, and loading them costs ~7 ms
        from text_unidecode import unidecode

        title = unidecode(title)
    ascii_text = title.lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            if not slug:  # one very long word: cut it rather than lose it
                slug = word[:MAX_SLUG]
            break
        slug = candidate
    return slug or FALLBACK
