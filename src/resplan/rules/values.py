"""The unknown value of three-valued logic."""

from __future__ import annotations

import attrs


def _facts(facts) -> frozenset[str]:
    # Unknown("profile.visa") would otherwise become a set of characters.
    return frozenset((facts,)) if isinstance(facts, str) else frozenset(facts)


@attrs.frozen(repr=False)
class Unknown:
    """A value that could not be known; ``facts`` names the facts that were missing.

    Two unknowns are equal when they name the same facts. An unknown has no truth value:
    ``bool(Unknown())`` raises, so that nobody treats it as false by accident.
    """

    facts: frozenset[str] = attrs.field(default=frozenset(), converter=_facts)

    def __init_subclass__(cls, **kwargs):
        # The evaluator recognises unknowns by exact class (a fast identity test).
        raise TypeError("Unknown cannot be subclassed")

    def __bool__(self):
        raise TypeError("an unknown value has no truth value; test it with is_unknown()")

    def __or__(self, other: Unknown) -> Unknown:
        if other.__class__ is not Unknown:
            return NotImplemented
        return Unknown(self.facts | other.facts)

    def __repr__(self) -> str:
        return (
            f"Unknown({{{', '.join(repr(f) for f in sorted(self.facts))}}})"
            if self.facts
            else "Unknown()"
        )


def is_unknown(value) -> bool:
    return value.__class__ is Unknown


def merge(*values) -> Unknown:
    """The unknown standing for every unknown among ``values`` (others are ignored)."""
    facts: frozenset[str] = frozenset()
    for value in values:
        if value.__class__ is Unknown:
            facts |= value.facts
    return Unknown(facts)
