"""Functions rule expressions may call: the built-ins, and the record plugins use to add more."""

from __future__ import annotations

from typing import Callable

import attrs

from resplan.rules.types import ANY, BOOL, NUMBER, TEXT, SetOf, Type
from resplan.rules.values import is_unknown


@attrs.frozen
class Function:
    """A function for rule expressions, with declared argument and result types.

    Unless ``handles_unknown`` is true, a call with an unknown argument is unknown and
    ``impl`` is not called.
    """

    name: str
    args: tuple[Type, ...] = attrs.field(converter=tuple)
    returns: Type
    impl: Callable = attrs.field(eq=False)
    handles_unknown: bool = False
    doc: str = ""


def _any_in(values, candidates) -> bool:
    return not set(values).isdisjoint(candidates)


BUILTIN_FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("known", (ANY,), BOOL, lambda x: not is_unknown(x), handles_unknown=True,
             doc="true when the value is known, false otherwise (never unknown)"),
    Function("unknown", (ANY,), BOOL, lambda x: is_unknown(x), handles_unknown=True,
             doc="true when the value is unknown (never unknown itself)"),
    Function("min", (NUMBER, NUMBER), NUMBER, min, doc="the smaller of two numbers"),
    Function("max", (NUMBER, NUMBER), NUMBER, max, doc="the larger of two numbers"),
    Function("abs", (NUMBER,), NUMBER, abs, doc="the absolute value"),
    Function("count", (SetOf(ANY),), NUMBER, len, doc="how many members a set has"),
    Function("any_in", (SetOf(TEXT), SetOf(TEXT)), BOOL, _any_in,
             doc="true when the two sets share a member"),
)}
