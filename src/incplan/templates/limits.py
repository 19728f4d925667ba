"""Channel length limits: SMS segments (GSM-7 vs UCS-2), X's weighted length, defaults by type."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incplan.wording import Words

# GSM 03.38 basic character set; the extension table costs two septets per character.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
X_URL_WEIGHT = 23
DEFAULT_LIMITS = {"social": 280, "chat": 40_000}
STATUS_PAGE_SUBJECT_LIMIT = 255


@dataclass(frozen=True, slots=True)
class Measure:
    length: int  # in the channel's own unit
    max_length: int | None
    unit: str = "characters"
    detail: str = ""  # e.g. "2 SMS segments, UCS-2" (English: `--format json` gives it)
    segments: int = 0  # an SMS's segments and their encoding, for `describe` in any language
    encoding: str = ""

    @property
    def over_limit(self) -> bool:
        return self.max_length is not None and self.length > self.max_length

    def describe(self, channel_type: str, w: Words | None = None) -> str:
        """`136 characters`, `160 characters, 2 SMS segments, UCS-2 (limit 306) OVER LIMIT`;
        pl `160 znaków, 2 segmenty SMS, UCS-2 (limit: 306) PRZEKRACZA LIMIT` (English without `w`)."""
        if w is None:
            from incplan.wording import words

            w = words("en")
        text = w.count("measure.characters", self.length)
        if self.segments and channel_type == "sms":
            text += f", {w.count('measure.segments', self.segments)}, {self.encoding}"
        if self.max_length is not None:
            text += " " + w("measure.limit", limit=w.number(self.max_length))
        if self.over_limit:
            text += " " + w["measure.over"]
        return text


def sms_encoding(text: str) -> str:
    return "GSM-7" if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text) else "UCS-2"


def sms_segments(text: str) -> tuple[int, str, int]:
    """(segments, encoding, length in that encoding's units)."""
    encoding = sms_encoding(text)
    if encoding == "GSM-7":
        units = sum(2 if c in _GSM_EXTENSION else 1 for c in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    segments = 1 if units <= single else math.ceil(units / multi)
    return segments, encoding, units


def x_length(text: str) -> int:
    """X (Twitter) weighted length: every URL counts as 23 characters."""
    return len(_URL.sub("x" * X_URL_WEIGHT, text))


def measure(channel_type: str, text: str, max_length: int | None) -> Measure:
    if channel_type == "sms":
        segments, encoding, units = sms_segments(text)
        per_segment = 160 if encoding == "GSM-7" else 70
        limit = max_length if max_length is not None else per_segment
        detail = f"{segments} SMS segment{'s' if segments != 1 else ''}, {encoding}"
        return Measure(units, limit, "characters", detail, segments, encoding)
    if channel_type == "social":
        return Measure(x_length(text), max_length or DEFAULT_LIMITS["social"], "characters", "URLs count 23")
    return Measure(len(text), max_length or DEFAULT_LIMITS.get(channel_type))
