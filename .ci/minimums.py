"""Print pip constraints pinning every dependency of resplan (and of the given extras) at
the lowest version pyproject.toml declares, so CI can test that those bounds are true.

    python3 .ci/minimums.py dev > minimums.txt
    pip install -c minimums.txt -e ".[dev]"
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# name, then a ">=" bound: every dependency must declare one (an unbounded dependency
# is reported, since nothing would test the oldest version it allows).
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def minimums(extras: list[str]) -> list[str]:
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())[
        "project"
    ]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins, problems = {}, []
    for requirement in requirements:
        requirement = requirement.split(";")[0]
        match = REQUIREMENT.match(requirement)
        name, spec = match.group(1).lower(), match.group(3)
        bound = re.search(r">=\s*([0-9][^,\s]*)", spec)
        if bound is None:
            problems.append(f"{requirement!r} declares no lower bound")
            continue
        pins[name] = max(
            pins.get(name, bound.group(1)),
            bound.group(1),
            key=lambda v: tuple(int(p) for p in re.findall(r"\d+", v)),
        )
    if problems:
        sys.exit("\n".join(problems))
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


if __name__ == "__main__":
    print("\n".join(minimums(sys.argv[1:])))
