"""resplan plugin of the (fictional) Border Teaching Hospital, El Paso.

It supplies one ruleset (``border-teaching-hospital.toml``, next to this file) and one
function that the ruleset's conditions call. resplan finds the plugin through the
``resplan`` entry point in ``pyproject.toml``; nothing else is needed.
"""

from __future__ import annotations

from importlib.resources import files

import resplan
from resplan.rules import BOOL, TEXT

__version__ = "1.0.0"

# Every program of the hospital has an id starting with this (see OUR_PROGRAMS in the
# tests for the listing the hospital publishes).
ID_PREFIX = "bth-"


@resplan.hookimpl
def resplan_rulesets():
    return [resplan.RulesetSource.from_path(files(__name__) / "border-teaching-hospital.toml")]


def _starts_with(text: str, prefix: str) -> bool:
    return text.startswith(prefix)


@resplan.hookimpl
def resplan_functions():
    # Called with an unknown argument, a function returns unknown without being run
    # (unless it is declared with handles_unknown=True).
    return [
        resplan.Function(
            "starts_with",
            (TEXT, TEXT),
            BOOL,
            _starts_with,
            doc="true when the first text begins with the second",
        )
    ]
