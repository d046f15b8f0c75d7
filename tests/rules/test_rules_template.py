"""Message templates: placeholders, braces, formatting, load-time checks."""

from __future__ import annotations

import pytest

from resplan.rules import (
    BOOL,
    NUMBER,
    TEXT,
    Enum,
    ExpressionError,
    Scope,
    SetOf,
    Unknown,
    compile_template,
    format_value,
)

SCOPE = Scope(
    {
        "p.score": NUMBER,
        "p.flag": BOOL,
        "p.city": TEXT,
        "p.tags": SetOf(TEXT),
        "p.visa": Enum(("none", "J-1")),
        "p.share": NUMBER,
        "p.state": Enum(("AZ", "NM", "TX")),
    },
    {
        "margin": 5,
        "ratio": 0.25,
        "strict": True,
        "cities": ["Laredo", "El Paso"],
        "home": "El Paso",
    },
)


def render(text: str, env: dict | None = None, labels=None) -> str:
    return compile_template(text, SCOPE).render(env or {}, labels)


@pytest.mark.parametrize(
    "value, words",
    [
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
    ],
)
def test_values_in_words(value, words):
    assert format_value(value) == words


def test_facts_and_parameters_fill_placeholders():
    template = compile_template(
        "Score {p.score} vs margin {margin} ({ratio}, {strict}) near {cities}; home {home}", SCOPE
    )
    assert (
        template.render({"p.score": 221.0})
        == "Score 221 vs margin 5 (0.25, yes) near El Paso, Laredo; home El Paso"
    )
    assert template.names == {"p.score"}


def test_missing_facts_print_unknown():
    assert (
        render("{p.score} / {p.city} / {p.tags}", {"p.city": None}) == "unknown / unknown / unknown"
    )


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


def test_and_format_lists_a_set_as_a_sentence_does():
    assert render("{p.tags:and}", {"p.tags": frozenset()}) == ""
    assert render("for {p.tags:and}", {"p.tags": frozenset({"Pediatrics"})}) == "for Pediatrics"
    two = frozenset({"Pediatrics", "Internal Medicine"})
    assert render("for {p.tags:and}", {"p.tags": two}) == "for Internal Medicine and Pediatrics"
    three = frozenset({"c", "a", "b"})
    assert render("{p.tags:and}", {"p.tags": three}) == "a, b and c"
    assert render("{p.tags:and}", {"p.tags": Unknown(frozenset())}) == "unknown"


def test_state_format_prints_the_name():
    # Readers of a plan may not know the two-letter codes.
    assert render("in {p.state:state}", {"p.state": "TX"}) == "in Texas"
    assert render("({p.state:state})", {"p.state": "NM"}) == "(New Mexico)"
    assert render("{p.state:state}", {"p.state": Unknown(frozenset())}) == "unknown"


def test_dollars_format():
    assert render("{p.score:dollars}", {"p.score": 1830}) == "$1,830"
    assert render("{p.score:dollars}", {"p.score": 11.0}) == "$11"
    assert (
        render("{p.tags}", {"p.tags": {"low-step2ck", "b"}}, {"low-step2ck": "a low score"})
        == "a low score, b"
    )
    assert render("{cities}", labels={"Laredo": "Laredo, TX"}) == "El Paso, Laredo, TX"


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("x {p.scor}", 4, "unknown name 'p.scor' (did you mean 'p.score'?)"),
        ("x {  marign }", 6, "unknown name 'marign' (did you mean 'margin'?)"),
        ("x { y", 3, "a lone '{': write '{{' for a brace"),
        ("x } y", 3, "a lone '}': write '}}' for a brace"),
        ("x {}", 3, "empty placeholder: write '{{}}' for braces"),
        ("{a b}", 2, "'a b' is not a name"),
        (
            "{p.score:money}",
            10,
            "unknown format 'money' (formats: percent, dollars, count, agree, a, times, state, and)",
        ),
        (
            "{p.score:cout year|years}",
            10,
            "unknown format 'cout' (did you mean 'count'?) (formats: percent, dollars, count, agree, a, times, state, and)",
        ),
        (
            "{p.score:count year}",
            10,
            "count needs a singular and a plural form: {p.score:count program|programs}",
        ),
        (
            "{p.score:agree is|}",
            10,
            "agree needs a singular and a plural form: {p.score:agree program|programs}",
        ),
        (
            "{p.score:count a|b|c}",
            10,
            "count needs a singular and a plural form: {p.score:count program|programs}",
        ),
        ("{p.city:count city|cities}", 9, "count needs a number, and p.city is text"),
        ("{home:agree is|are}", 7, "agree needs a number, and home is text"),
        ("{p.city:percent}", 9, "percent needs a number, and p.city is text"),
        ("{p.city:dollars}", 9, "dollars needs a number, and p.city is text"),
        ("{p.flag:a}", 9, "'a' needs a word or a number, and p.flag is bool"),
        ("{p.city:state}", 9, "state needs a US state's code, and p.city is text"),
        ("{p.visa:state}", 9, "state needs a US state's code, and p.visa is enum(none, J-1)"),
        ("{p.state:state x}", 10, "format 'state' takes no words (found 'x')"),
        ("{p.tags:a}", 9, "'a' needs a word or a number, and p.tags is set(text)"),
        ("{p.city:and}", 9, "'and' needs a set, and p.city is text"),
        ("{p.city:a x}", 9, "format 'a' takes no words (found 'x')"),
        ("{p.score:percent x}", 10, "format 'percent' takes no words (found 'x')"),
        (
            "x {p.score: }",
            12,
            "a format is missing after ':' (formats: percent, dollars, count, agree, a, times, state, and)",
        ),
    ],
)
def test_template_errors_have_columns(text, column, message):
    with pytest.raises(ExpressionError) as excinfo:
        compile_template(text, SCOPE)
    assert excinfo.value.message == message
    assert excinfo.value.column == column


def test_unknown_template_name_is_named():
    with pytest.raises(ExpressionError) as excinfo:
        compile_template("{p.scor}", SCOPE)
    assert excinfo.value.name == "p.scor"


@pytest.mark.parametrize(
    "score, words",
    [
        (0, "0 programs are"),
        (1, "1 program is"),
        (1.0, "1 program is"),
        (2, "2 programs are"),
        (1.5, "1.5 programs are"),
        (None, "an unknown number of programs are"),
    ],
)
def test_count_and_agree_pick_the_form_that_fits_the_number(score, words):
    assert (
        render("{p.score:count program|programs} {p.score:agree is|are}", {"p.score": score})
        == words
    )


@pytest.mark.parametrize(
    "score, words",
    [
        (1, "applied once before"),
        (2, "applied twice before"),
        (3, "applied 3 times before"),
        (2.0, "applied twice before"),
        (None, "applied an unknown number of times before"),
    ],
)
def test_times_says_how_often_as_people_say_it(score, words):
    assert render("applied {p.score:times} before", {"p.score": score}) == words


def test_times_needs_a_number_and_no_words():
    with pytest.raises(ExpressionError, match="times needs a number"):
        compile_template("{p.city:times}", SCOPE)
    with pytest.raises(ExpressionError, match="takes no words"):
        compile_template("{p.score:times time|times}", SCOPE)


def test_word_forms_may_hold_several_words_and_parameters_fold():
    assert (
        render(
            "{p.score:count letter from a US supervisor|letters from US supervisors}",
            {"p.score": 1},
        )
        == "1 letter from a US supervisor"
    )
    template = compile_template(
        "{margin:count point|points} and { margin : agree is | are }", SCOPE
    )
    assert template.parts == ("5 points and are",)


@pytest.mark.parametrize(
    "word, words",
    [
        ("unlikely", "an unlikely"),
        ("strong", "a strong"),
        ("possible", "a possible"),
        ("reach", "a reach"),
        ("hour", "an hour"),
        ("honest", "an honest"),
        ("unique", "a unique"),
        ("uninsured", "an uninsured"),
        ("one-year", "a one-year"),
        ("European", "a European"),
        ("MD", "an MD"),
        ("IMG", "an IMG"),
        ("US", "a US"),
        ("USMLE", "a USMLE"),
        ("SOAP", "a SOAP"),
        ("ERAS", "an ERAS"),
        ("8", "an 8"),
        ("80", "an 80"),
        ("11", "an 11"),
        ("18,000", "an 18,000"),
        ("110", "a 110"),
        ("3", "a 3"),
        ("Internal Medicine", "an Internal Medicine"),
        ("F", "an F"),
        ("B", "a B"),
    ],
)
def test_article_follows_the_first_sound(word, words):
    assert render("{p.city:a}", {"p.city": word}) == words


def test_article_before_enum_numbers_parameters_and_unknowns():
    assert render("{p.visa:a}", {"p.visa": "H-1B"}) == "an H-1B"
    assert render("{p.visa:a}", {"p.visa": "J-1"}) == "a J-1"
    assert render("{p.score:a}", {"p.score": 8.0}) == "an 8"
    assert render("{p.city:a}") == "an unknown"
    assert compile_template("{home:a}", SCOPE).parts == ("an El Paso",)


def test_formats_keep_their_text_for_the_program_table():
    # The program table tells messages apart by the values they print; it reads the
    # format's text from the parts.
    template = compile_template("{p.share:percent} {p.score:count year|years}", SCOPE)
    assert [part[:2] for part in template.parts if isinstance(part, tuple)] == [
        ("p.share", "percent"),
        ("p.score", "count year|years"),
    ]
