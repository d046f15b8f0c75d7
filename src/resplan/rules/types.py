"""The types of the rule language, checked when a ruleset loads.

``BOOL``, ``NUMBER``, ``TEXT`` and ``ANY`` are singletons; ``Enum``, ``Level`` and
``SetOf`` are built from their values. All types are immutable and hashable, and print
the way error messages name them: ``enum(none, J-1, H-1B)``, ``level(basic < native)``,
``set(text)``.
"""

from __future__ import annotations

from typing import TypeGuard

import attrs


class Type:
    """Base of the rule language's types."""

    __slots__ = ()


@attrs.frozen(repr=False)
class _Named(Type):
    name: str

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name.upper()


BOOL = _Named("bool")
NUMBER = _Named("number")
TEXT = _Named("text")
ANY = _Named("any")  # function arguments only: accepts every type


def _values(values) -> tuple[str, ...]:
    values = (values,) if isinstance(values, str) else tuple(values)
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"enum and level values are strings, not {value!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"enum and level values must be distinct: {values!r}")
    return values


@attrs.frozen
class Enum(Type):
    """One of a fixed set of strings."""

    values: tuple[str, ...] = attrs.field(converter=_values)

    def __str__(self) -> str:
        return f"enum({', '.join(self.values)})"


@attrs.frozen
class Level(Type):
    """An ordered enum, lowest first: ``<`` and friends compare by position."""

    values: tuple[str, ...] = attrs.field(converter=_values)
    # value -> position, built once: ordering comparisons look values up here.
    rank: dict[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "rank", {value: i for i, value in enumerate(self.values)})

    def __str__(self) -> str:
        return f"level({' < '.join(self.values)})"


def _item(item: Type) -> Type:
    if not (item is TEXT or item is ANY or isinstance(item, (Enum, Level))):
        raise TypeError(f"a set holds text or enum values, not {item}")
    return item


@attrs.frozen
class SetOf(Type):
    """A set of text or enum values (``ANY`` only in function signatures)."""

    item: Type = attrs.field(converter=_item)

    def __str__(self) -> str:
        return f"set({self.item})"


def is_choice(t: Type) -> TypeGuard[Enum | Level]:
    """Enum or level: a literal compared with it must be one of its values."""
    return isinstance(t, (Enum, Level))


def is_textual(t: Type) -> bool:
    return t == TEXT or isinstance(t, (Enum, Level))


def contains_any(t: Type) -> bool:
    return t == ANY or (isinstance(t, SetOf) and t.item == ANY)


def disjoint(a: Type, b: Type) -> bool:
    """Two enums/levels with no value in common: comparing them is always false."""
    return is_choice(a) and is_choice(b) and not set(a.values) & set(b.values)


def comparable(a: Type, b: Type) -> bool:
    """Whether ``==`` between values of these types makes sense."""
    if a == ANY or b == ANY:
        return True
    if isinstance(a, SetOf) or isinstance(b, SetOf):
        return False  # sets take 'in', 'not in' and functions, not '=='
    if a == b:
        return True
    return is_textual(a) and is_textual(b) and not disjoint(a, b)


def accepts(expected: Type, actual: Type) -> bool:
    """Whether a value of ``actual`` may be passed where ``expected`` is declared."""
    if expected == ANY or expected == actual:
        return True
    if expected == TEXT and is_choice(actual):
        return True  # an enum value is a string
    if isinstance(expected, SetOf) and isinstance(actual, SetOf):
        return accepts(expected.item, actual.item)
    return False
