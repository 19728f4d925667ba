"""Rules whose problems are found while loading a file: YAML and schema (SPEC §5)."""

from __future__ import annotations

from incplan.diagnostics import Rule, Severity

E, W = Severity.ERROR, Severity.WARNING

YAML_SYNTAX = Rule("E001", "yaml-syntax", E, "The file is not valid YAML.")
DUPLICATE_KEY = Rule("E002", "duplicate-key", E, "A mapping has the same key twice; YAML would keep only one.")
TOO_MANY_ALIASES = Rule(
    "E003", "too-many-aliases", E, "More anchors or aliases than a plan needs (guards against alias bombs)."
)
FILE_TOO_LARGE = Rule("E004", "file-too-large", E, "The file is larger than a plan can reasonably be.")
NOT_UTF8 = Rule("E005", "not-utf8", E, "The file is not UTF-8 text.")
UNSAFE_TAG = Rule("E006", "yaml-tag", E, "A YAML tag such as `!!python/object`; plans are plain data.")
TOO_DEEP = Rule("E007", "too-deep", E, "Nesting deeper than any plan needs.")
NOT_A_PLAN = Rule("E008", "not-a-plan", E, "The file is empty or its top level is not a mapping.")
NOT_A_FILE = Rule(
    "W001", "not-a-regular-file", W, "A FIFO, device or socket where a plan file was expected; skipped, never read."
)

UNKNOWN_KEY = Rule("E101", "unknown-key", E, "A key the plan format does not know (with a did-you-mean hint).")
WRONG_TYPE = Rule("E102", "wrong-type", E, "A value of the wrong type or outside the allowed values.")
MISSING_KEY = Rule("E103", "missing-key", E, "A required key is missing.")
BAD_DURATION = Rule("E104", "bad-duration", E, "A duration that is not like `30s`, `15m`, `1h30m` or `2d`.")
BAD_TIMEZONE = Rule("E105", "bad-timezone", E, "A timezone that is not an IANA name.")
BAD_LOCALE = Rule("E106", "bad-locale", E, "A locale that is not a language tag like `en` or `pt-BR`.")

LOAD_RULES = (
    YAML_SYNTAX,
    DUPLICATE_KEY,
    TOO_MANY_ALIASES,
    FILE_TOO_LARGE,
    NOT_UTF8,
    UNSAFE_TAG,
    TOO_DEEP,
    NOT_A_PLAN,
    NOT_A_FILE,
    UNKNOWN_KEY,
    WRONG_TYPE,
    MISSING_KEY,
    BAD_DURATION,
    BAD_TIMEZONE,
    BAD_LOCALE,
)
