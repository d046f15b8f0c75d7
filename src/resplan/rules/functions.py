"""Functions rule expressions may call: the built-ins, and the record plugins use to add more."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

import attrs

from resplan.rules.types import ANY, BOOL, NUMBER, TEXT, SetOf, Type, contains_any
from resplan.rules.values import is_unknown

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _check_name(_instance, _attribute, name) -> None:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"a function name is a bare identifier, not {name!r}")


def _types(args: Iterable[Type]) -> tuple[Type, ...]:
    return tuple(args)


def _check_args(_instance, _attribute, args) -> None:
    for arg in args:
        if not isinstance(arg, Type):
            raise TypeError(f"argument types must be rule types, not {arg!r}")


def _check_returns(_instance, _attribute, returns) -> None:
    # The type checker must know what a call produces.
    if not isinstance(returns, Type) or contains_any(returns):
        raise TypeError(f"a function returns a definite rule type, not {returns!r}")


@attrs.frozen
class Function:
    """A function for rule expressions, with declared argument and result types.

    ``ANY`` as an argument type accepts every type. Unless ``handles_unknown`` is true, a
    call with an unknown argument is unknown (naming the arguments' facts) and ``impl`` is
    not called. An ``impl`` that returns ``None`` gives an unknown too.
    """

    name: str = attrs.field(validator=_check_name)
    args: tuple[Type, ...] = attrs.field(converter=_types, validator=_check_args)
    returns: Type = attrs.field(validator=_check_returns)
    impl: Callable = attrs.field(eq=False, validator=attrs.validators.is_callable())
    handles_unknown: bool = False
    doc: str = ""


def _any_in(values, candidates) -> bool:
    if not isinstance(values, (set, frozenset)):
        values = frozenset(values)
    return not values.isdisjoint(candidates)


def _known(value) -> bool:
    return not is_unknown(value)


BUILTINS: tuple[Function, ...] = (
    Function(
        "known",
        (ANY,),
        BOOL,
        _known,
        handles_unknown=True,
        doc="true when the value is known, false otherwise (never unknown)",
    ),
    Function(
        "unknown",
        (ANY,),
        BOOL,
        is_unknown,
        handles_unknown=True,
        doc="true when the value is unknown (never unknown itself)",
    ),
    Function("min", (NUMBER, NUMBER), NUMBER, min, doc="the smaller of two numbers"),
    Function("max", (NUMBER, NUMBER), NUMBER, max, doc="the larger of two numbers"),
    Function("abs", (NUMBER,), NUMBER, abs, doc="the absolute value"),
    Function("count", (SetOf(ANY),), NUMBER, len, doc="how many members a set has"),
    Function(
        "any_in",
        (SetOf(TEXT), SetOf(TEXT)),
        BOOL,
        _any_in,
        doc="true when the set shares a member with the list",
    ),
)

# Read-only: a ruleset that adds functions builds its own table from this one.
BUILTIN_FUNCTIONS: Mapping[str, Function] = MappingProxyType({f.name: f for f in BUILTINS})
