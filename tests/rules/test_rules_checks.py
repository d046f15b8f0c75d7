"""Load-time checks: names, types, quoted enum and level values, function calls."""

from __future__ import annotations

import pytest

from resplan.rules import (
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
    compile_condition,
    compile_expression,
)

VISA = Enum(("none", "J-1", "H-1B"))
SPANISH = Level(("none", "basic", "fluent", "native"))
FACTS = {
    "p.score": NUMBER,
    "p.minimum": NUMBER,
    "p.visa": VISA,
    "p.visas": SetOf(Enum(("J-1", "H-1B"))),
    "p.spanish": SPANISH,
    "q.spanish": SPANISH,
    "p.grade": Level(("low", "high")),
    "p.flag": BOOL,
    "p.city": TEXT,
    "p.tags": SetOf(TEXT),
    "p.state": Enum(("TX", "NM")),
}
PARAMS = {
    "margin": 5,
    "home": "El Paso",
    "cities": ["El Paso", "Laredo"],
    "bad_visa": "J1",
    "visa_list": ["J-1", "H1B"],
    "table": {"a": 1},
}
SCOPE = Scope(FACTS, PARAMS)
FUNCTIONS = {
    **BUILTIN_FUNCTIONS,
    "visa_is": Function("visa_is", (VISA,), BOOL, lambda v: v == "J-1"),
    "one_of": Function("one_of", (SetOf(VISA),), BOOL, lambda s: bool(s)),
}


def error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as excinfo:
        compile_condition(text, SCOPE, FUNCTIONS)
    return excinfo.value


def check(text: str, column: int, message: str) -> ExpressionError:
    exc = error(text)
    assert exc.message == message
    assert exc.column == column
    assert str(exc) == f"column {column}: {message}"
    return exc


# ------------------------------------------------------------------ names


def test_unknown_fact_suggests_the_closest_name():
    exc = check(
        "p.score > 1 and p.scroe > 2", 17, "unknown name 'p.scroe' (did you mean 'p.score'?)"
    )
    assert exc.name == "p.scroe"


def test_unknown_parameter_suggests_a_parameter():
    exc = check("p.score > marign", 11, "unknown name 'marign' (did you mean 'margin'?)")
    assert exc.name == "marign"


def test_unknown_name_without_a_close_match_has_no_suggestion():
    check("zzzzzz", 1, "unknown name 'zzzzzz'")


def test_capitalised_true_is_suggested_its_keyword():
    assert "(did you mean 'true'?)" in error("True").message


def test_unknown_function_suggests_a_function():
    exc = check("mx(p.score, 1) > 2", 1, "unknown function 'mx' (did you mean 'max'?)")
    assert exc.name == "mx"


def test_function_named_without_parentheses():
    check("p.flag and known", 12, "'known' is a function: call it with ()")


def test_parameter_holding_an_unsupported_value():
    exc = check("table == 1", 1, "parameter 'table': a parameter cannot hold {'a': 1}")
    assert exc.name == "table"


# ------------------------------------------------------------------ types


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("p.score > 'high'", 9, "cannot compare number with text"),
        ("p.score == 'high'", 9, "cannot compare number with text"),
        ("p.flag == 1", 8, "cannot compare bool with number"),
        ("not 3", 1, "'not' needs true or false, not number"),
        ("not p.city", 1, "'not' needs true or false, not text"),
        ("p.visa + 1 > 2", 8, "'+' needs numbers, not enum(none, J-1, H-1B) and number"),
        ("p.score * p.city > 1", 9, "'*' needs numbers, not number and text"),
        ("-p.city == 'x'", 1, "'-' needs a number, not text"),
        ("p.score and p.flag", 1, "'and' needs true or false on both sides, not number"),
        ("p.flag or p.score + 1", 11, "'or' needs true or false on both sides, not number"),
        (
            "p.visa < 'J-1'",
            8,
            "'<' compares numbers or levels, not enum(none, J-1, H-1B) and text "
            "(enum(none, J-1, H-1B) is not ordered: declare it a level)",
        ),
        ("p.city <= 'b'", 8, "'<=' compares numbers or levels, not text and text"),
        ("p.flag > false", 8, "'>' compares numbers or levels, not bool and bool"),
        (
            "p.spanish > p.city",
            11,
            "a level compares with the same level or a quoted value, not text",
        ),
        ("p.spanish > 2", 11, "a level compares with the same level or a quoted value, not number"),
        (
            "p.spanish < p.grade",
            11,
            "a level compares with the same level or a quoted value, not level(low < high)",
        ),
        ("p.city in p.city", 11, "'in' needs a set or a list on its right, not text"),
        ("p.city not in 'El Paso'", 15, "'not in' needs a set or a list on its right, not text"),
        ("p.score in p.tags", 1, "'in' looks for text or an enum value, not number"),
        ("p.tags in p.tags", 1, "'in' looks for text or an enum value, not set(text)"),
        ("p.city in [1, 'x']", 12, "a list holds text or enum values, not number"),
        (
            "p.tags == p.tags",
            8,
            "cannot compare set(text) with set(text): test sets with 'in', 'not in' or any_in()",
        ),
        (
            "p.visa == p.state",
            8,
            "cannot compare enum(none, J-1, H-1B) with enum(TX, NM): they share no value",
        ),
        (
            "p.state in p.visas",
            9,
            "cannot look for enum(TX, NM) in set(enum(J-1, H-1B)): they share no value",
        ),
        ("p.score + 1", 1, "a condition must be true or false, not number"),
    ],
)
def test_type_errors(text, column, message):
    check(text, column, message)


@pytest.mark.parametrize(
    "text",
    [
        "p.visa == p.city",  # an enum value is text
        "p.spanish >= q.spanish",
        "p.visa in p.visas",  # enums sharing values
        "p.city in p.tags",
        "p.city not in cities",
        "home == p.city",
        "p.flag == true",
        "p.score - margin >= p.minimum * 2 / 3",
        "count(p.visas) > 0 and any_in(p.tags, cities)",
        "known(p.tags) and unknown(p.city == 'x')",
    ],
)
def test_well_typed_conditions_compile(text):
    assert compile_condition(text, SCOPE, FUNCTIONS).type == BOOL


def test_expressions_of_other_types():
    assert compile_expression("p.score - margin", SCOPE).type == NUMBER
    assert compile_expression("home", SCOPE).type == TEXT
    assert compile_expression("['a', p.city]", SCOPE).type == SetOf(TEXT)
    assert compile_expression("p.visa", SCOPE).type == VISA


# ------------------------------------------------------------------ quoted enum and level values


@pytest.mark.parametrize(
    "text, column, message",
    [
        ('p.visa == "J1"', 11, "\"J1\" is not one of none, J-1, H-1B (did you mean 'J-1'?)"),
        ("'J1' != p.visa", 1, "'J1' is not one of none, J-1, H-1B (did you mean 'J-1'?)"),
        ("p.visa == 'tourist'", 11, "'tourist' is not one of none, J-1, H-1B"),
        ("p.visa == bad_visa", 11, "\"J1\" is not one of none, J-1, H-1B (did you mean 'J-1'?)"),
        ("p.visa in ['J-1', 'J2']", 19, "'J2' is not one of none, J-1, H-1B"),
        (
            "p.visa not in ['J-1', p.city, \"H1B\"]",
            31,
            "\"H1B\" is not one of none, J-1, H-1B (did you mean 'H-1B'?)",
        ),
        ("p.visa in visa_list", 11, "\"H1B\" is not one of none, J-1, H-1B (did you mean 'H-1B'?)"),
        ("'none' in p.visas", 1, "'none' is not one of J-1, H-1B"),
        (
            "p.spanish >= 'fluemt'",
            14,
            "'fluemt' is not one of none, basic, fluent, native (did you mean 'fluent'?)",
        ),
        ("'expert' < p.spanish", 1, "'expert' is not one of none, basic, fluent, native"),
        ("p.spanish == 'good'", 14, "'good' is not one of none, basic, fluent, native"),
        (
            "any_in(p.visas, ['J-1', 'H1B'])",
            25,
            "'H1B' is not one of J-1, H-1B (did you mean 'H-1B'?)",
        ),
        ("any_in(['H1B'], p.visas)", 9, "'H1B' is not one of J-1, H-1B (did you mean 'H-1B'?)"),
        ("visa_is('J1')", 9, "'J1' is not one of none, J-1, H-1B (did you mean 'J-1'?)"),
        ("one_of(['J-1', 'X'])", 16, "'X' is not one of none, J-1, H-1B"),
    ],
)
def test_quoted_values_must_belong_to_the_enum(text, column, message):
    check(text, column, message)


@pytest.mark.parametrize(
    "text",
    [
        "p.visa == 'J-1'",
        "p.visa in ['J-1', 'H-1B']",
        "'H-1B' in p.visas",
        "p.spanish >= 'basic'",
        "any_in(p.visas, ['J-1'])",
        "visa_is('none')",
        "one_of(['J-1'])",
        "p.city in ['anything', 'goes']",  # text is open: no check
    ],
)
def test_valid_quoted_values_pass(text):
    compile_condition(text, SCOPE, FUNCTIONS)


# ------------------------------------------------------------------ function calls


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("max(p.score) > 1", 1, "max() takes 2 arguments, got 1"),
        ("known(p.score, p.flag)", 1, "known() takes 1 argument, got 2"),
        ("p.flag and count() > 1", 12, "count() takes 1 argument, got 0"),
        ("abs(p.city) > 1", 5, "argument 1 of abs() must be number, not text"),
        ("min(1, p.score > 2) > 1", 8, "argument 2 of min() must be number, not bool"),
        ("count(p.score) > 1", 7, "argument 1 of count() must be set(any), not number"),
        ("any_in(p.tags, p.city)", 16, "argument 2 of any_in() must be set(text), not text"),
        ("visa_is(p.city)", 9, "argument 1 of visa_is() must be enum(none, J-1, H-1B), not text"),
        ("count(p.tags)", 1, "a condition must be true or false, not number"),
    ],
)
def test_function_call_errors(text, column, message):
    exc = check(text, column, message)
    assert exc.name in (None, text.split("(")[0].split()[-1])
