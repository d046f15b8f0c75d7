"""The rule language's tokenizer and parser: trees, precedence, columns, syntax errors."""

from __future__ import annotations

import pytest

from resplan.rules import ExpressionError, parse
from resplan.rules.expr import (
    MAX_DEPTH,
    Binary,
    Call,
    ListLit,
    Literal,
    Name,
    Unary,
    start_column,
    tokenize,
    unparse,
)


def shape(text: str) -> str:
    return unparse(parse(text))


# ------------------------------------------------------------------ tokens and leaves


def test_tokens_carry_kinds_and_columns():
    tokens = tokenize("a.b >= 2.5 and not 'x'")
    assert [(t.kind, t.text, t.column) for t in tokens] == [
        ("name", "a.b", 1),
        ("op", ">=", 5),
        ("number", "2.5", 8),
        ("keyword", "and", 12),
        ("keyword", "not", 16),
        ("string", "'x'", 20),
        ("end", "", 23),
    ]


def test_numbers_are_int_or_float():
    assert parse("220") == Literal(220, 1)
    assert isinstance(parse("220").value, int)
    assert parse("0.2") == Literal(0.2, 1)


@pytest.mark.parametrize(
    "text, value",
    [
        ('"J-1"', "J-1"),
        ("'J-1'", "J-1"),
        ('"it\'s"', "it's"),
        ("'say \\'hi\\''", "say 'hi'"),
        ('"a \\"b\\""', 'a "b"'),
        ("'C:\\temp'", "C:\\temp"),  # a backslash before anything but a quote stays
        ("''", ""),
    ],
)
def test_strings_take_either_quote_and_only_quote_escapes(text, value):
    assert parse(text) == Literal(value, 1)


def test_true_and_false_are_keywords_not_names():
    assert parse("true") == Literal(True, 1)
    assert parse("false") == Literal(False, 1)
    assert parse("True") == Name("True", 1)


def test_dotted_names_are_one_name():
    assert parse("profile.step2ck.score") == Name("profile.step2ck.score", 1)
    assert parse("near_miss_points") == Name("near_miss_points", 1)


def test_calls_and_lists():
    assert parse("max(a.b, 3)") == Call("max", (Name("a.b", 5), Literal(3, 10)), 1)
    assert parse("f()") == Call("f", (), 1)
    assert parse("['J-1', x]") == ListLit((Literal("J-1", 2), Name("x", 9)), 1)
    assert parse("[]") == ListLit((), 1)


def test_whitespace_and_newlines_are_ignored():
    assert shape("a.b\n  and\tc.d") == "(a.b and c.d)"


# ------------------------------------------------------------------ precedence


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("not a and b", "((not a) and b)"),
        ("not a == b", "(not (a == b))"),
        ("not not a", "(not (not a))"),
        ("a == b or c != d", "((a == b) or (c != d))"),
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("-a * b", "((-a) * b)"),
        ("- - a", "(-(-a))"),
        ("a + 1 >= b - c", "((a + 1) >= (b - c))"),
        ("x in [1, 2] or y not in z", "((x in [1, 2]) or (y not in z))"),
        ("not x in y", "(not (x in y))"),
        ("a or b or c", "((a or b) or c)"),
        ("f(a and b, -c)", "f((a and b), (-c))"),
    ],
)
def test_precedence_and_associativity(text, expected):
    assert shape(text) == expected


def test_unparse_round_trips():
    text = "not (a.b >= 3 - x) or 'J-1' in p.visas and f([1, \"q\"], true)"
    assert shape(shape(text)) == shape(text)


def test_operators_carry_their_own_column():
    tree = parse("a.b > 1 and c")
    assert isinstance(tree, Binary) and tree.op == "and" and tree.column == 9
    assert tree.left.column == 5 and start_column(tree.left) == 1
    assert tree.right == Name("c", 13)


def test_not_in_is_one_operator():
    tree = parse("'x' not in s.t")
    assert isinstance(tree, Binary) and tree.op == "not in" and tree.column == 5


def test_unary_nodes():
    assert parse("not a") == Unary("not", Name("a", 5), 1)
    assert parse("-2") == Unary("-", Literal(2, 2), 1)


def test_ast_nodes_are_frozen():
    with pytest.raises(AttributeError):
        parse("a").name = "b"


# ------------------------------------------------------------------ syntax errors


@pytest.mark.parametrize(
    "text, column, words",
    [
        ("", 1, "empty expression"),
        ("   ", 1, "empty expression"),
        ("a >", 4, "expected a value, found the end of the expression"),
        ("a > and", 5, "expected a value, found 'and'"),
        ("(a > 1", 7, "expected ')': the '(' at column 1 is unclosed"),
        ("((a > 1) and b", 15, "the '(' at column 1 is unclosed"),
        ("(a b)", 4, "expected ')' to close the '(' at column 1, found 'b'"),
        ("max(a, b", 9, "the '(' at column 4 is unclosed"),
        ("max(a b)", 7, "expected ',' or ')'"),
        ("[1, 2", 6, "the '[' at column 1 is unclosed"),
        ("f(a,)", 5, "expected a value, found ')'"),
        ("a > 1 b", 7, "unexpected 'b' after a complete expression"),
        ("a > 1)", 6, "unexpected ')': nothing to close"),
        ("a.b == 'x", 8, "unclosed string"),
        ('a.b == "x\\"', 8, "unclosed string"),
        ("a ; b", 3, "unexpected character ';'"),
        ("a = 1", 3, "use '=='"),
        ("a && b", 3, "use 'and'"),
        ("!a", 1, "use 'not'"),
        ("a.b.", 5, "expected a name after 'a.b.'"),
        ("1abc", 1, "malformed number '1abc'"),
        ("1.", 1, "malformed number"),
        ("1 < a < 3", 7, "comparisons cannot be chained"),
        ("a == b in c", 8, "comparisons cannot be chained"),
        ("a == b not in c", 8, "comparisons cannot be chained"),
        ("a not b", 3, "unexpected 'not'"),
        ("é", 1, "unexpected character 'é'"),
    ],
)
def test_syntax_errors_name_their_column(text, column, words):
    with pytest.raises(ExpressionError) as excinfo:
        parse(text)
    exc = excinfo.value
    assert words in exc.message
    assert exc.column == column
    assert str(exc) == f"column {column}: {exc.message}"


def test_deep_nesting_is_an_error_not_a_crash():
    parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("not " * 500 + "a")
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("-" * 500 + "1")


def test_parse_wants_text():
    with pytest.raises(TypeError):
        parse(3)
