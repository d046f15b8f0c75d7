"""The types of the rule language, checked when a ruleset loads."""

from __future__ import annotations

import attrs


class Type:
    """Base of the rule language's types."""


@attrs.frozen
class _Named(Type):
    name: str

    def __str__(self) -> str:
        return self.name


BOOL = _Named("bool")
NUMBER = _Named("number")
TEXT = _Named("text")
ANY = _Named("any")  # function arguments only: accepts every type


@attrs.frozen
class Enum(Type):
    """One of a fixed set of strings."""

    values: tuple[str, ...] = attrs.field(converter=tuple)

    def __str__(self) -> str:
        return f"enum({', '.join(self.values)})"


@attrs.frozen
class Level(Type):
    """An ordered enum, lowest first: ``<`` and friends compare by position."""

    values: tuple[str, ...] = attrs.field(converter=tuple)

    def __str__(self) -> str:
        return f"level({' < '.join(self.values)})"


@attrs.frozen
class SetOf(Type):
    item: Type

    def __str__(self) -> str:
        return f"set({self.item})"


def is_textual(t: Type) -> bool:
    return t is TEXT or isinstance(t, (Enum, Level))


def comparable(a: Type, b: Type) -> bool:
    """Whether ``==`` between values of these types makes sense."""
    if a is ANY or b is ANY or a == b:
        return True
    if is_textual(a) and is_textual(b):
        return True
    if isinstance(a, SetOf) and isinstance(b, SetOf):
        return comparable(a.item, b.item)
    return False


def accepts(expected: Type, actual: Type) -> bool:
    """Whether a value of ``actual`` may be passed where ``expected`` is declared."""
    if expected is ANY or expected == actual:
        return True
    if expected is TEXT and isinstance(actual, (Enum, Level)):
        return True
    if isinstance(expected, SetOf) and isinstance(actual, SetOf):
        return accepts(expected.item, actual.item)
    return False
