"""pydantic's validation errors as diagnostics at the offending key or value, with the data
path of what is wrong and a did-you-mean for unknown keys."""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING

from incplan.diagnostics import Anchor, Diagnostic, PathPart, did_you_mean
from incplan.plan import problems as P

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

_CUSTOM = {
    "duration": P.BAD_DURATION,
    "timezone": P.BAD_TIMEZONE,
    "locale": P.BAD_LOCALE,
}


def schema_diagnostic(error: ErrorDetails, data: object, root: type[BaseModel] | None = None) -> Diagnostic:
    """One pydantic error as a diagnostic at the offending key or value (`root`: the model)."""
    loc: tuple[PathPart, ...] = tuple(error["loc"])
    kind = error["type"]
    path = data_path(loc, data)
    where = _dotted(path)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1], root)
        hint = did_you_mean(key, allowed) or (f"known keys: {', '.join(allowed)}" if allowed else "")
        parent = _dotted(path[:-1])
        return P.UNKNOWN_KEY.at(
            f"unknown key `{key}`" + (f" in `{parent}`" if parent else ""), path=path, anchor=Anchor.KEY, hint=hint
        )
    if kind in ("missing", "union_tag_not_found"):
        key = str(loc[-1]) if kind == "missing" else error.get("ctx", {}).get("discriminator", "kind").strip("'")
        parent = _dotted(path[:-1] if kind == "missing" else path)
        return P.MISSING_KEY.at(
            f"missing required key `{key}`" + (f" in `{parent}`" if parent else ""),
            path=path[:-1] if kind == "missing" else path,
            anchor=Anchor.KEY,
            hint=f"add `{key}:`",
        )
    rule = _CUSTOM.get(kind, P.WRONG_TYPE)
    message = error["msg"]
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        message = f"unknown kind `{ctx.get('tag')}`; use one of {ctx.get('expected_tags')}"
        path = (*path, ctx.get("discriminator", "'kind'").strip("'"))
    elif rule is P.WRONG_TYPE and kind not in ("handle", "env_name", "github"):
        # handle/env_name messages already name what is wrong and must not echo secrets
        message = message[0].lower() + message[1:]
        value = error.get("input")
        if isinstance(value, str | int | float):
            shown = str(value)
            message += f", got `{shown[:40]}{'…' if len(shown) > 40 else ''}`"
    hint = ""
    if kind == "string_type" and not isinstance(error.get("input"), dict | list):
        hint = "quote the value to make it text"
    elif kind == "literal_error" and loc == ("version",):
        hint = "this incplan reads plan format version 1"
    return rule.at(f"`{where}`: {message}", path=path, hint=hint)


def data_path(loc: tuple[PathPart, ...], data: object) -> tuple[PathPart, ...]:
    """Drop loc parts that are not keys of the data (pydantic's union and validator tags)."""
    path: list[PathPart] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            key = part if part in node else next((k for k in node if str(k) == str(part)), _MISSING)
            if key is _MISSING:
                if part == loc[-1]:
                    path.append(part)  # a missing or unknown key: keep it for the message
                continue
            path.append(part)
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif part == loc[-1] and not isinstance(part, int) and node is None:
            path.append(part)
    return tuple(path)


_MISSING = object()


def _dotted(path: tuple[PathPart, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(loc: tuple[PathPart, ...], root: type[BaseModel] | None = None) -> list[str]:
    """Field names (aliases) of the model at `loc`, for did-you-mean hints."""
    from pydantic import BaseModel

    from incplan.plan.models import Plan

    tp: object = root or Plan  # a type annotation, walked
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field_info = next(
                (f for name, f in tp.model_fields.items() if (f.alias or name) == part or name == part), None
            )
            if field_info is None:
                return []
            tp = field_info.annotation
            continue
        origin = typing.get_origin(tp)
        if origin is dict:
            tp = typing.get_args(tp)[1]
        elif origin is list:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [_unwrap(m) for m in typing.get_args(tp)]
            tp = next((m for m in members if _tag_of(m) == part or getattr(m, "__name__", "") == part), None)
            if tp is None:
                return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def _unwrap(tp: object) -> object:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp


def _tag_of(model: object) -> object:
    field_info = getattr(model, "model_fields", {}).get("kind")
    if field_info is None:
        return None
    args = typing.get_args(field_info.annotation)
    return args[0] if args else None
