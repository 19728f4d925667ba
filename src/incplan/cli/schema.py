"""`incplan schema`: the plan's JSON Schema for editors and other validators."""

from __future__ import annotations

import json
import sys


def schema() -> None:
    """Print the plan's JSON Schema (draft-07 compatible) for editor validation and completion."""
    from incplan.plan.schema import plan_json_schema

    sys.stdout.write(json.dumps(plan_json_schema(), indent=2) + "\n")
