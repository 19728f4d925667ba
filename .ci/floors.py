"""Print pip constraints pinning every dependency of pyproject.toml to its declared floor.

`name>=X` becomes `name==X` (markers kept), for the runtime dependencies and the build backend,
so that CI tests the oldest versions the metadata allows, not only the newest (SPEC section 9).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")


def floors(pyproject: Path) -> list[str]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    requirements = [*data["build-system"]["requires"], *data["project"]["dependencies"]]
    pins = []
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"cannot read the requirement `{requirement}`")
        name, specifiers, marker = match.groups()
        floor = re.search(r">=\s*([^,\s]+)", specifiers or "")
        if floor is None:
            raise SystemExit(f"`{requirement}` declares no floor (`>=`); every dependency needs one")
        pins.append(f"{name}=={floor.group(1)}{' ' + marker if marker else ''}")
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    sys.stdout.write("\n".join(floors(root / "pyproject.toml")) + "\n")
