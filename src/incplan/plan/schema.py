"""The plan's JSON Schema, for editors (yaml-language-server) and other validators."""

from __future__ import annotations

SCHEMA_ID = "https://incplan.dev/schema/plan-v1.json"


def schema_text() -> str:
    """The schema as published in `schema/incplan.schema.json` (a test keeps the two equal)."""
    import json

    return json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n"


def plan_json_schema() -> dict[str, object]:
    """Draft-07 compatible: `definitions` instead of `$defs`, no 2020-12-only keywords."""
    from incplan.plan.models import MessageSpec, Plan, Translation
    from incplan.plan.timezones import TIMEZONES

    template = "#/definitions/{model}"
    schema = Plan.model_json_schema(ref_template=template)
    message = MessageSpec.model_json_schema(ref_template=template)
    definitions = schema.pop("$defs", {})
    definitions.update(message.pop("$defs", {}))
    definitions["MessageSpec"] = message
    definitions["Translation"] = Translation.model_json_schema(ref_template=template)
    definitions["Timezone"] = {"type": "string", "enum": sorted(TIMEZONES), "description": "An IANA timezone name."}
    _splice(schema, definitions)
    _splice(definitions, definitions)
    _close_maps(schema)
    _close_maps(definitions)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "incplan plan",
        "description": "An incident communication plan (incplan, format version 1).",
        **_canonical_object(schema),
        "definitions": _canonical_object(definitions),
    }


def _splice(node: object, definitions: dict[str, object]) -> None:
    """Replace `{"x-incplan": NAME, ...}` markers with a reference to the definition NAME; a
    marker's own keys (description, default) stay beside it, under `allOf` for draft-07."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            node[key] = _spliced(value, definitions)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            node[i] = _spliced(value, definitions)


def _spliced(value: object, definitions: dict[str, object]) -> object:
    if isinstance(value, dict) and "x-incplan" in value:
        rest = {k: v for k, v in value.items() if k != "x-incplan"}
        ref = {"$ref": f"#/definitions/{value['x-incplan']}"}
        return {**rest, "allOf": [ref]} if rest else ref
    _splice(value, definitions)
    return value


def _close_maps(node: object) -> None:
    """A map with key patterns (locales as keys) refuses other keys, as the loader does."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_maps(value)


def _canonical(node: object) -> object:
    """One spelling whatever pydantic release made it (2.7 and 2.12 differ), so the published
    file stays equal to `incplan schema` across supported versions: `const` without a one-value
    `enum` beside it, and a `$ref` with siblings (a description) under `allOf`, where draft-07
    validators read it."""
    if isinstance(node, list):
        return [_canonical(value) for value in node]
    if not isinstance(node, dict):
        return node
    return _canonical_object(node)


def _canonical_object(node: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in node.items():
        if key == "enum" and "const" in node and value == [node["const"]]:
            continue
        if key == "$ref" and len(node) > 1:
            out["allOf"] = [{"$ref": value}]
            continue
        out[key] = _canonical(value)
    return out
