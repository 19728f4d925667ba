"""The plan's JSON Schema, for editors (yaml-language-server) and other validators."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://incplan.dev/schema/plan-v1.json"


def plan_json_schema() -> dict[str, Any]:
    """Draft-07 compatible: `definitions` instead of `$defs`, no 2020-12-only keywords."""
    from incplan.plan.models import MessageSpec, Plan

    template = "#/definitions/{model}"
    schema = Plan.model_json_schema(ref_template=template)
    message = MessageSpec.model_json_schema(ref_template=template)
    definitions = schema.pop("$defs", {})
    definitions.update(message.pop("$defs", {}))
    definitions["MessageSpec"] = message
    _splice(schema, definitions)
    _splice(definitions, definitions)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "incplan plan",
        "description": "An incident communication plan (incplan, format version 1).",
        **schema,
        "definitions": definitions,
    }


def _splice(node: Any, definitions: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and "x-incplan" in value:
                node[key] = {"$ref": f"#/definitions/{value['x-incplan']}"}
            else:
                _splice(value, definitions)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, dict) and "x-incplan" in value:
                node[i] = {"$ref": f"#/definitions/{value['x-incplan']}"}
            else:
                _splice(value, definitions)
