"""The unknown value of three-valued logic."""

from __future__ import annotations

import attrs


@attrs.frozen
class Unknown:
    """A value that could not be known; ``facts`` names the facts that were missing."""

    facts: frozenset[str] = frozenset()

    def __bool__(self):
        # An unknown is neither true nor false: using it as a Python bool is a bug.
        raise TypeError("an unknown value has no truth value; test it with is_unknown()")

    def __or__(self, other: "Unknown") -> "Unknown":
        return Unknown(self.facts | other.facts)


def is_unknown(value) -> bool:
    return value.__class__ is Unknown


def merge(*values) -> Unknown:
    """The unknown standing for every unknown among ``values``."""
    facts = frozenset()
    for value in values:
        if value.__class__ is Unknown:
            facts |= value.facts
    return Unknown(facts)
