"""Types, the Unknown value, scopes and function declarations."""

from __future__ import annotations

import pickle

import pytest

from resplan.rules import (
    ANY,
    BOOL,
    BUILTIN_FUNCTIONS,
    NUMBER,
    TEXT,
    Enum,
    ExpressionError,
    Function,
    Level,
    Scope,
    SetOf,
    Unknown,
    is_unknown,
    param_type,
)
from resplan.rules.types import accepts, comparable

# ------------------------------------------------------------------ types


def test_types_print_readably():
    assert [str(t) for t in (BOOL, NUMBER, TEXT, ANY)] == ["bool", "number", "text", "any"]
    assert str(Enum(("none", "J-1", "H-1B"))) == "enum(none, J-1, H-1B)"
    assert str(Level(("basic", "fluent", "native"))) == "level(basic < fluent < native)"
    assert str(SetOf(TEXT)) == "set(text)"
    assert str(SetOf(Enum(("a", "b")))) == "set(enum(a, b))"


def test_types_are_hashable_values():
    assert Enum(["a", "b"]) == Enum(("a", "b"))
    assert hash(Enum(["a", "b"])) == hash(Enum(("a", "b")))
    assert Enum(("a", "b")) != Level(("a", "b"))
    assert Level(("a", "b")) != Level(("b", "a"))  # order matters for a level
    assert len({BOOL, NUMBER, TEXT, ANY, SetOf(TEXT), SetOf(TEXT)}) == 5


def test_level_ranks_values_low_to_high():
    assert Level(("basic", "fluent", "native")).rank == {"basic": 0, "fluent": 1, "native": 2}


def test_bad_type_declarations_are_refused():
    with pytest.raises(ValueError):
        Enum(("a", "a"))
    with pytest.raises(TypeError):
        Level(("a", 1))
    with pytest.raises(TypeError):
        SetOf(NUMBER)
    with pytest.raises(TypeError):
        SetOf(SetOf(TEXT))


def test_accepts_and_comparable():
    visa = Enum(("J-1", "H-1B"))
    assert accepts(ANY, SetOf(TEXT)) and accepts(TEXT, visa) and accepts(SetOf(TEXT), SetOf(visa))
    assert not accepts(visa, TEXT) and not accepts(NUMBER, TEXT)
    assert comparable(TEXT, visa) and comparable(NUMBER, NUMBER)
    assert not comparable(NUMBER, TEXT) and not comparable(SetOf(TEXT), SetOf(TEXT))
    assert not comparable(visa, Enum(("x", "y")))  # no value in common


# ------------------------------------------------------------------ Unknown


def test_unknown_carries_facts_and_compares_by_them():
    u = Unknown(frozenset({"a.b"}))
    assert u.facts == frozenset({"a.b"})
    assert u == Unknown({"a.b"}) and hash(u) == hash(Unknown(["a.b"]))
    assert u != Unknown(frozenset({"a.c"}))
    assert Unknown("a.b") == u  # one name, not its characters
    assert Unknown().facts == frozenset()
    assert (u | Unknown("c.d")).facts == {"a.b", "c.d"}


def test_unknown_has_no_truth_value():
    with pytest.raises(TypeError, match="no truth value"):
        bool(Unknown())
    with pytest.raises(TypeError):
        if Unknown({"x"}):
            pass


def test_unknown_is_immutable_and_final():
    u = Unknown({"x"})
    with pytest.raises(AttributeError):
        u.facts = frozenset()
    with pytest.raises(TypeError):
        type("Sub", (Unknown,), {})


def test_unknown_pickles_and_prints():
    u = Unknown({"b", "a"})
    assert pickle.loads(pickle.dumps(u)) == u
    assert repr(u) == "Unknown({'a', 'b'})"
    assert repr(Unknown()) == "Unknown()"


def test_is_unknown():
    assert is_unknown(Unknown()) and not is_unknown(None) and not is_unknown(False)


# ------------------------------------------------------------------ scopes and parameters


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, BOOL),
        (False, BOOL),
        (5, NUMBER),
        (0.2, NUMBER),
        ("x", TEXT),
        (["a", "b"], SetOf(TEXT)),
        (("a",), SetOf(TEXT)),
        (frozenset({"a"}), SetOf(TEXT)),
        ([], SetOf(TEXT)),
    ],
)
def test_parameter_types_follow_their_values(value, expected):
    assert param_type(value) == expected


@pytest.mark.parametrize("value", [None, {"a": 1}, [1, 2], 3j])
def test_parameters_of_other_kinds_have_no_type(value):
    with pytest.raises(ExpressionError, match="a parameter cannot hold"):
        param_type(value)


def test_scope_holds_read_only_copies():
    facts = {"a.b": NUMBER}
    scope = Scope(facts, {"x": 1})
    facts["a.c"] = TEXT
    assert list(scope.facts) == ["a.b"]
    assert scope.names() == ["a.b", "x"]
    with pytest.raises(TypeError):
        scope.facts["a.d"] = NUMBER
    assert Scope({"a.b": NUMBER}).params == {}


def test_scope_refuses_facts_without_a_definite_type():
    with pytest.raises(TypeError):
        Scope({"a.b": "number"})
    with pytest.raises(TypeError):
        Scope({"a.b": ANY})


# ------------------------------------------------------------------ functions


def test_function_declarations_are_checked():
    Function("gap", (NUMBER, NUMBER), NUMBER, lambda a, b: b - a)
    with pytest.raises(ValueError):
        Function("a.b", (NUMBER,), NUMBER, abs)
    with pytest.raises(TypeError):
        Function("f", (int,), NUMBER, abs)
    with pytest.raises(TypeError):
        Function("f", (NUMBER,), ANY, abs)
    with pytest.raises(TypeError):
        Function("f", (NUMBER,), NUMBER, "abs")


def test_functions_are_frozen_values():
    f = Function("f", [NUMBER], NUMBER, abs, doc="x")
    assert f.args == (NUMBER,) and f.handles_unknown is False
    with pytest.raises(AttributeError):
        f.name = "g"


def test_builtin_table():
    assert set(BUILTIN_FUNCTIONS) == {"known", "unknown", "min", "max", "abs", "count", "any_in"}
    assert (
        BUILTIN_FUNCTIONS["known"].handles_unknown and BUILTIN_FUNCTIONS["unknown"].handles_unknown
    )
    assert not BUILTIN_FUNCTIONS["min"].handles_unknown
    assert all(f.doc for f in BUILTIN_FUNCTIONS.values())
    with pytest.raises(TypeError):
        BUILTIN_FUNCTIONS["x"] = BUILTIN_FUNCTIONS["min"]  # read-only: build your own table
