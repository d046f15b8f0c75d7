"""Properties of the rule language over random expression trees and environments.

Trees are generated as tuples, rendered to rule text fully parenthesized, and evaluated
both by the compiled closures and by a small reference model of three-valued logic
written here, independently of the compiler.
"""

from __future__ import annotations

import operator

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from resplan.rules import (
    BOOL,
    NUMBER,
    TEXT,
    Enum,
    ExpressionError,
    Level,
    Scope,
    SetOf,
    Unknown,
    compile_condition,
    compile_expression,
    is_unknown,
    parse,
)
from resplan.rules.expr import unparse

LEVEL = ("none", "basic", "fluent", "native")
VISAS = ("none", "J-1", "H-1B")
BOOLS = ("p.b0", "p.b1", "p.b2")
NUMBERS = ("p.n0", "p.n1", "p.n2")
FACTS = {
    **{name: BOOL for name in BOOLS},
    **{name: NUMBER for name in NUMBERS},
    "p.level": Level(LEVEL),
    "p.visa": Enum(VISAS),
    "p.tags": SetOf(TEXT),
}
SCOPE = Scope(FACTS, {"k": 3})

# ------------------------------------------------------------------ trees and their text

ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": None}
COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

numbers = st.recursive(
    st.one_of(
        st.tuples(st.just("num"), st.integers(-3, 3)),
        st.tuples(st.just("fact"), st.sampled_from(NUMBERS)),
        st.just(("param", "k")),
    ),
    lambda inner: st.tuples(st.just("arith"), st.sampled_from(sorted(ARITH)), inner, inner),
    max_leaves=4,
)

leaves = st.one_of(
    st.tuples(st.just("fact"), st.sampled_from(BOOLS)),
    st.tuples(st.just("const"), st.booleans()),
    st.tuples(st.just("compare"), st.sampled_from(sorted(COMPARE)), numbers, numbers),
    st.tuples(st.just("level"), st.sampled_from(sorted(COMPARE)), st.sampled_from(LEVEL)),
    st.tuples(st.just("visa_in"), st.lists(st.sampled_from(VISAS), max_size=3)),
    st.tuples(st.just("tag_in"), st.sampled_from(["a", "b", "c"])),
    st.tuples(st.just("known"), st.sampled_from(NUMBERS)),
)

conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("and"), inner, inner),
        st.tuples(st.just("or"), inner, inner),
        st.tuples(st.just("not"), inner),
    ),
    max_leaves=6,
)


def text(tree) -> str:
    kind = tree[0]
    if kind in ("num", "param"):
        return str(tree[1])
    if kind == "fact":
        return tree[1]
    if kind == "const":
        return "true" if tree[1] else "false"
    if kind == "arith":
        return f"({text(tree[2])} {tree[1]} {text(tree[3])})"
    if kind == "compare":
        return f"({text(tree[2])} {tree[1]} {text(tree[3])})"
    if kind == "level":
        return f"(p.level {tree[1]} '{tree[2]}')"
    if kind == "visa_in":
        return f"(p.visa in [{', '.join(repr(v) for v in tree[1])}])"
    if kind == "tag_in":
        return f"('{tree[1]}' in p.tags)"
    if kind == "known":
        return f"known({tree[1]})"
    if kind == "not":
        return f"(not {text(tree[1])})"
    return f"({text(tree[1])} {kind} {text(tree[2])})"


# ------------------------------------------------------------------ the reference model


def unknown_of(*values) -> Unknown:
    return Unknown(frozenset().union(*(v.facts for v in values if is_unknown(v))))


def fact(env, name):
    value = env.get(name)
    return Unknown(frozenset({name})) if value is None else value


def reference(tree, env):
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "param":
        return 3
    if kind == "fact":
        return fact(env, tree[1])
    if kind == "const":
        return tree[1]
    if kind in ("arith", "compare"):
        a, b = reference(tree[2], env), reference(tree[3], env)
        if is_unknown(a) or is_unknown(b):
            return unknown_of(a, b)
        if tree[1] == "/":
            return Unknown() if b == 0 else a / b
        return {**ARITH, **COMPARE}[tree[1]](a, b)
    if kind == "level":
        value = fact(env, "p.level")
        if is_unknown(value):
            return value
        return COMPARE[tree[1]](LEVEL.index(value), LEVEL.index(tree[2]))
    if kind == "visa_in":
        value = fact(env, "p.visa")
        return value if is_unknown(value) else value in tree[1]
    if kind == "tag_in":
        value = fact(env, "p.tags")
        return value if is_unknown(value) else tree[1] in value
    if kind == "known":
        return not is_unknown(fact(env, tree[1]))
    if kind == "not":
        value = reference(tree[1], env)
        return value if is_unknown(value) else not value
    a, b = reference(tree[1], env), reference(tree[2], env)
    decisive = kind == "or"  # false decides 'and', true decides 'or'
    if a is decisive or b is decisive:
        return decisive
    if a is (not decisive) and b is (not decisive):
        return not decisive
    return unknown_of(a, b)


envs = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.one_of(st.none(), st.booleans()) for name in BOOLS},
        **{
            name: st.one_of(st.none(), st.integers(-3, 3), st.floats(-3, 3, allow_nan=False))
            for name in NUMBERS
        },
        "p.level": st.sampled_from(LEVEL),
        "p.visa": st.sampled_from(VISAS),
        "p.tags": st.one_of(
            st.frozensets(st.sampled_from("abc")), st.lists(st.sampled_from("abc"))
        ),
    },
)


def evaluate(source: str, env):
    return compile_condition(source, SCOPE)(env)


def same(a, b) -> bool:
    """Equal values of the same kind: True is not 1, and unknowns name the same facts."""
    return type(a) is type(b) and a == b


def truth(value):
    return "unknown" if is_unknown(value) else value


# ------------------------------------------------------------------ properties


@given(conditions, envs)
def test_compiled_conditions_agree_with_the_reference_model(tree, env):
    assert same(evaluate(text(tree), env), reference(tree, env))


@given(conditions, conditions, envs)
def test_and_or_are_commutative(a, b, env):
    ta, tb = text(a), text(b)
    assert same(evaluate(f"{ta} and {tb}", env), evaluate(f"{tb} and {ta}", env))
    assert same(evaluate(f"{ta} or {tb}", env), evaluate(f"{tb} or {ta}", env))


@given(conditions, conditions, envs)
def test_de_morgan_laws(a, b, env):
    ta, tb = text(a), text(b)
    assert same(evaluate(f"not ({ta} and {tb})", env), evaluate(f"(not {ta}) or (not {tb})", env))
    assert same(evaluate(f"not ({ta} or {tb})", env), evaluate(f"(not {ta}) and (not {tb})", env))


@given(conditions, conditions, conditions, envs)
def test_and_or_are_associative_and_distribute(a, b, c, env):
    ta, tb, tc = text(a), text(b), text(c)
    assert same(
        evaluate(f"({ta} and {tb}) and {tc}", env), evaluate(f"{ta} and ({tb} and {tc})", env)
    )
    assert same(evaluate(f"({ta} or {tb}) or {tc}", env), evaluate(f"{ta} or ({tb} or {tc})", env))
    # Distribution holds for the truth value; the expanded side may read, and so name,
    # more missing facts than the short one.
    assert truth(evaluate(f"{ta} and ({tb} or {tc})", env)) == truth(
        evaluate(f"({ta} and {tb}) or ({ta} and {tc})", env)
    )
    assert truth(evaluate(f"{ta} or ({tb} and {tc})", env)) == truth(
        evaluate(f"({ta} or {tb}) and ({ta} or {tc})", env)
    )


@given(conditions, envs)
def test_double_negation(tree, env):
    assert same(evaluate(f"not (not {text(tree)})", env), evaluate(text(tree), env))


@given(
    conditions,
    envs,
    st.sampled_from(["q.unrelated", "p.b9", "profile.other"]),
    st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans()),
)
def test_an_unrelated_fact_changes_nothing(tree, env, name, value):
    condition = compile_condition(text(tree), SCOPE)
    assert name not in condition.names
    assert same(condition({**env, name: value}), condition(env))


@given(conditions, envs, envs)
def test_evaluation_is_deterministic_and_keeps_no_state(tree, env, other):
    condition = compile_condition(text(tree), SCOPE)
    first = condition(env)
    condition(other)  # an evaluation in between must not leave anything behind
    assert same(condition(env), first)
    assert same(compile_condition(text(tree), SCOPE)(env), first)


@given(conditions, envs)
def test_an_unknown_result_names_only_missing_facts_it_reads(tree, env):
    condition = compile_condition(text(tree), SCOPE)
    result = condition(env)
    if is_unknown(result):
        assert result.facts <= condition.names
        assert all(env.get(name) is None for name in result.facts)
    else:
        assert result is True or result is False


@given(conditions, envs, st.sampled_from(BOOLS + NUMBERS + ("p.level", "p.tags")), st.data())
def test_knowing_more_never_flips_a_decided_result(tree, env, name, data):
    """Kleene logic is monotone: filling in a missing fact keeps a true/false result."""
    assume(env.get(name) is None)
    condition = compile_condition(text(tree), SCOPE)
    before = condition(env)
    assume(not is_unknown(before))
    value = data.draw(
        {
            **{n: st.booleans() for n in BOOLS},
            **{n: st.integers(-3, 3) for n in NUMBERS},
            "p.level": st.sampled_from(LEVEL),
            "p.tags": st.frozensets(st.sampled_from("abc")),
        }[name]
    )
    # known() is the one deliberate exception: it asks about knowledge itself.
    assume(f"known({name})" not in text(tree))
    assert same(condition({**env, name: value}), before)


@given(numbers, st.fixed_dictionaries({name: st.integers(-3, 3) for name in NUMBERS}))
def test_folded_constants_match_evaluation_at_run_time(tree, values):
    """The same arithmetic, once with facts (closures) and once with literals (folded)."""

    def literal(node):
        if node[0] == "fact":
            return ("num", values[node[1]])
        if node[0] == "arith":
            return ("arith", node[1], literal(node[2]), literal(node[3]))
        return node

    expected = reference(tree, values)
    at_run_time = compile_expression(text(tree), SCOPE)(values)
    folded = compile_expression(text(literal(tree)), SCOPE)
    assert same(at_run_time, expected)
    assert same(folded({}), expected)
    assert folded.names == frozenset()


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="\\'\"", blacklist_categories=("Cs",)),
        max_size=20,
    )
)
def test_quoted_strings_round_trip(body):
    assert parse(f"'{body}'").value == body
    assert parse(f'"{body}"').value == body
    assert parse(f"'{body}\\''").value == body + "'"


@given(conditions)
def test_unparse_round_trips(tree):
    shape = unparse(parse(text(tree)))
    assert unparse(parse(shape)) == shape


@settings(max_examples=300)
@given(st.text(alphabet="pn.b0 ()[]'\",<=>!+-*/andortuefsikw1_", max_size=30))
def test_arbitrary_text_gives_a_condition_or_an_expression_error(source):
    try:
        condition = compile_condition(source, SCOPE)
    except ExpressionError as exc:
        assert exc.column is None or 1 <= exc.column <= len(source) + 1
    else:
        result = condition({})
        assert result is True or result is False or is_unknown(result)
