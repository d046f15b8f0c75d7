"""Message templates: placeholders, braces, formatting, load-time checks."""

from __future__ import annotations

import pytest

from resplan.rules import (
    BOOL, NUMBER, TEXT, Enum, ExpressionError, Scope, SetOf, Unknown, compile_template,
    format_value,
)

SCOPE = Scope({"p.score": NUMBER, "p.flag": BOOL, "p.city": TEXT, "p.tags": SetOf(TEXT),
               "p.visa": Enum(("none", "J-1")), "p.share": NUMBER},
              {"margin": 5, "ratio": 0.25, "strict": True, "cities": ["Laredo", "El Paso"],
               "home": "El Paso"})


def render(text: str, env: dict | None = None, labels=None) -> str:
    return compile_template(text, SCOPE).render(env or {}, labels)


@pytest.mark.parametrize("value, words", [
    (220, "220"),
    (220.0, "220"),
    (-3.0, "-3"),
    (0.2, "0.2"),
    (1 / 3, "0.333333"),
    (1e20, "1e+20"),
    (True, "yes"),
    (False, "no"),
    ("J-1", "J-1"),
    (frozenset({"b", "a", "c"}), "a, b, c"),
    (["Yuma", "El Paso"], "El Paso, Yuma"),
    ((), ""),
    (None, "unknown"),
    (Unknown(frozenset({"p.score"})), "unknown"),
])
def test_values_in_words(value, words):
    assert format_value(value) == words


def test_facts_and_parameters_fill_placeholders():
    template = compile_template("Score {p.score} vs margin {margin} ({ratio}, {strict}) "
                                "near {cities}; home {home}", SCOPE)
    assert template.render({"p.score": 221.0}) == \
        "Score 221 vs margin 5 (0.25, yes) near El Paso, Laredo; home El Paso"
    assert template.names == {"p.score"}


def test_missing_facts_print_unknown():
    assert render("{p.score} / {p.city} / {p.tags}", {"p.city": None}) == \
        "unknown / unknown / unknown"


def test_doubled_braces_are_literal():
    assert render("{{p.score}} is {p.score}, {{}}", {"p.score": 3}) == "{p.score} is 3, {}"
    assert compile_template("{{ no placeholders }}", SCOPE).names == frozenset()


def test_text_without_placeholders_renders_unchanged():
    assert render("plain text") == "plain text"
    assert render("") == ""


def test_whitespace_around_a_name_is_allowed():
    assert render("{ p.flag }", {"p.flag": False}) == "no"


def test_percent_format_and_labels():
    assert render("{p.share:percent}", {"p.share": 0.768}) == "77%"
    assert render("{ratio:percent}") == "25%"
    assert render("{p.tags}", {"p.tags": {"low-step2ck", "b"}}, {"low-step2ck": "a low score"}) \
        == "a low score, b"
    assert render("{cities}", labels={"Laredo": "Laredo, TX"}) == "El Paso, Laredo, TX"


@pytest.mark.parametrize("text, column, message", [
    ("x {p.scor}", 4, "unknown name 'p.scor' (did you mean 'p.score'?)"),
    ("x {  marign }", 6, "unknown name 'marign' (did you mean 'margin'?)"),
    ("x { y", 3, "a lone '{': write '{{' for a brace"),
    ("x } y", 3, "a lone '}': write '}}' for a brace"),
    ("x {}", 3, "empty placeholder: write '{{}}' for braces"),
    ("{a b}", 2, "'a b' is not a name"),
    ("{p.score:money}", 10, "unknown format 'money' (formats: percent)"),
])
def test_template_errors_have_columns(text, column, message):
    with pytest.raises(ExpressionError) as excinfo:
        compile_template(text, SCOPE)
    assert excinfo.value.message == message
    assert excinfo.value.column == column


def test_unknown_template_name_is_named():
    with pytest.raises(ExpressionError) as excinfo:
        compile_template("{p.scor}", SCOPE)
    assert excinfo.value.name == "p.scor"
