"""JSON as a type, for what `as_json` methods return and reporters write, instead of `Any`.

Read-only containers, so that a `dict[str, str]` or a `list[int]` is JSON as it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

JSON: TypeAlias = "Mapping[str, JSON] | Sequence[JSON] | str | int | float | bool | None"
JSONObject: TypeAlias = dict[str, JSON]
