"""The column path (NumPy, all programs at once) answers exactly like each rule's closure."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resplan
from resplan import facts as F
from resplan import model as M
from resplan.stages.table import catalog_table, evaluate
from tests.conftest import make_catalog, make_profile

maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731

programs = st.fixed_dictionaries(
    {
        "city": st.sampled_from(["El Paso", "McAllen", "Tucson", "Chicago", "Yuma", "Boston"]),
        "state": st.sampled_from(["TX", "AZ", "IL", "MA"]),
        "specialty": st.sampled_from(["Internal Medicine", "Family Medicine", "Transitional Year"]),
    },
    optional={
        "setting": st.sampled_from(["university", "community", "community-university-affiliated"]),
        "img_share": st.floats(0, 1),
        "visas": st.lists(st.sampled_from(["J-1", "H-1B"]), unique=True),
        "min_step2ck": st.integers(195, 250),
        "max_years_since_graduation": st.integers(0, 10),
        "max_attempts": st.integers(1, 3),
        "spanish_preferred": st.booleans(),
        "underserved_focus": st.booleans(),
        "rural": st.booleans(),
    },
)

profiles = st.fixed_dictionaries(
    {
        "visa": st.sampled_from(["none", "J-1", "H-1B"]),
        "graduation_year": st.integers(2010, 2025),
        "score": maybe(st.integers(190, 260)),
        "attempts": st.integers(1, 3),
        "spanish": st.sampled_from([None, "basic", "fluent", "native"]),
        "advocate": st.booleans(),
    }
)


def build_profile(p):
    exams = {"step1": {"result": "pass", "attempts": p["attempts"]}}
    if p["score"] is not None:
        # A score under the passing standard is no pass (the profile would not load).
        floor = M.lowest_passing(
            M.STEP2CK_PASSING,
            M.earliest_exam_day(p["graduation_year"], M.STEP2CK_YEARS_BEFORE_GRADUATION),
        )
        exams["step2ck"] = {"score": max(p["score"], floor.score if floor else 1), "attempts": 1}
    return make_profile(
        applicant={
            "visa": p["visa"],
            "graduation_year": p["graduation_year"],
            "specialties": ["Internal Medicine", "Family Medicine"],
        },
        exams=exams,
        languages=[{"name": "Spanish", "level": p["spanish"]}] if p["spanish"] else [],
        letters=[{"writer": "w", "us_clinical": True, "advocate": p["advocate"]}],
        clinical=[{"kind": "hands-on", "months": 6, "city": "McAllen", "state": "TX"}],
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(profiles, st.lists(programs, min_size=1, max_size=12))
def test_column_and_row_paths_agree(host, profile_facts, program_facts):
    catalog = make_catalog(*({"id": f"p{i}", **facts} for i, facts in enumerate(program_facts)))
    assert_paths_agree(
        host,
        build_profile(profile_facts),
        catalog,
        host.rulebook.rules("screen") + host.rulebook.rules("tier"),
    )


def assert_paths_agree(host, profile, catalog, rules) -> None:
    """``rules`` answer alike on the column path and program by program, over the
    programs the screen stage considers."""
    from resplan import pipeline

    draft = pipeline.Draft(
        profile=profile,
        catalog=catalog,
        rulebook=host.rulebook,
        env=F.profile_facts(profile, host.rulebook.city_regions),
    )
    for _name, run in pipeline.STAGES[:4]:  # up to and including screen
        draft = run(draft)
    table = draft.screening.table
    table.add_column("screen.verdict", ["apply"] * table.rows)
    fast = evaluate(rules, table, draft.env)
    slow = evaluate([attrs.evolve(r, columns=None) for r in rules], table, draft.env)
    for a, b in zip(fast, slow):
        assert np.array_equal(a.fired, b.fired), a.rule.qualified_id
        assert np.array_equal(a.undecided, b.undecided), a.rule.qualified_id
        assert np.array_equal(a.bits, b.bits), a.rule.qualified_id


def test_catalog_columns_are_built_once(host, example_profile):
    catalog = make_catalog({"id": "a"}, {"id": "b", "city": "Chicago", "state": "IL"})
    resplan.plan(example_profile, catalog, host=host)
    first = catalog_table(catalog, host.rulebook.city_regions)
    resplan.plan(example_profile, catalog, host=host)
    assert catalog_table(catalog, host.rulebook.city_regions) is first


def test_a_programs_unknown_fact_hides_a_value_of_the_same_name_in_env(host):
    catalog = make_catalog({"id": "a", "min_step2ck": 230}, {"id": "b"})
    table = catalog_table(catalog, host.rulebook.city_regions)
    env = {"program.min_step2ck": 999, "profile.cycle": 2027}
    names = ["program.min_step2ck"]
    known, unknown = (table.row_env(env, i, names) for i in range(2))
    assert known["program.min_step2ck"] == 230 and known["profile.cycle"] == 2027
    assert "program.min_step2ck" not in unknown and unknown["profile.cycle"] == 2027


# Plugin functions over program facts take the column path too: once per program, or
# once per distinct value of a coded column, with the closure's three-valued answers.
FUNCTION_RULES = """
[ruleset]
name = "function-rules"
version = "1.0.0"

[parameters.prefix]
value = "El"
source = "test"
note = "a test prefix"

[[screen]]
id = "city-prefix"
when = "begins_with(program.city, prefix) and profile.graduation_year > 2012"
verdict = "borderline"
says = "{program.city}"
source = "test"

[[screen]]
id = "half-minimum"
when = "half(program.min_step2ck) > 110"
verdict = "borderline"
says = "half"
source = "test"

[[screen]]
id = "state-tag"
when = "tag(program.state) == 'south'"
verdict = "skip"
says = "tag"
source = "test"

[[screen]]
id = "visa-overlap"
when = "any_in(program.visas, ['J-1']) and not is_big(program.positions)"
verdict = "borderline"
says = "visas"
source = "test"
"""


class FunctionRules:
    name = "function-rules"

    @resplan.hookimpl
    def resplan_rulesets(self):
        return [resplan.RulesetSource.from_text(FUNCTION_RULES, "function-rules.toml")]

    @resplan.hookimpl
    def resplan_functions(self):
        from resplan.rules import BOOL, NUMBER, TEXT

        return [
            resplan.Function("begins_with", (TEXT, TEXT), BOOL, str.startswith),
            # None (no answer) for odd minimums: unknown, naming no fact.
            resplan.Function("half", (NUMBER,), NUMBER, lambda x: x // 2 if x % 2 == 0 else None),
            resplan.Function(
                "tag",
                (TEXT,),
                TEXT,
                lambda s: {"TX": "south", "AZ": "south", "IL": None}.get(s, "north"),
            ),
            # Must see the int the catalog gave, as the row path does.
            resplan.Function("is_big", (NUMBER,), BOOL, lambda n: type(n) is int and n > 20),
        ]


@pytest.fixture(scope="module")
def function_host():
    return resplan.load_host(plugins=[FunctionRules()], use_env=False)


def test_plugin_functions_have_a_column_form(function_host):
    rules = function_host.rulebook.rules("screen")
    ours = [r for r in rules if r.ruleset == "function-rules"]
    assert len(ours) == 4 and all(r.columns is not None for r in ours)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    profiles,
    st.lists(programs, min_size=1, max_size=12),
    st.lists(st.integers(1, 40), min_size=12, max_size=12),
)
def test_plugin_functions_answer_alike_on_both_paths(
    function_host, profile_facts, program_facts, positions
):
    # Positions (an int fact) on two programs in three; unknown on the rest.
    facts = [
        {**f, "positions": n} if i % 3 else f
        for i, (f, n) in enumerate(zip(program_facts, positions))
    ]
    catalog = make_catalog(*({"id": f"p{i}", **f} for i, f in enumerate(facts)))
    rules = [r for r in function_host.rulebook.rules("screen") if r.ruleset == "function-rules"]
    assert_paths_agree(function_host, build_profile(profile_facts), catalog, rules)


def test_a_part_is_shared_by_its_shape_and_parameter_values():
    """Rules of one stage share a part they repeat (Frame.parts) only where it is the
    same test: the same names, operators and literals, parameters of the same value."""
    from resplan.rules.columns import _shape
    from resplan.rules.expr import parse

    def part(text: str, params: dict) -> tuple:
        return _shape(parse(text).right, params)  # the part after "true and"

    cut = {"near": 5}
    assert part("true and profile.score < program.min - near", cut) == part(
        "true   and   profile.score < program.min - near", cut
    )
    assert part("true and profile.score < program.min - near", cut) != part(
        "true and profile.score < program.min - near", {"near": 6}
    )
    assert part("true and profile.score < program.min - near", cut) != part(
        "true and profile.score <= program.min - near", cut
    )
    # 1 and true are equal in Python, not as literals of a rule.
    assert part("true and program.count == 1", {}) != part("true and program.count == true", {})


def test_the_applicants_side_of_and_and_or_is_asked_first_with_the_same_answers():
    """A side that reads only the applicant's facts is worked out before a side that
    reads program columns; when it decides the whole, no column is read, and the
    answers (masks and the facts to verify) are those of the other order."""
    from resplan.rules.columns import Col, Frame, compile_columns
    from resplan.rules.expr import parse
    from resplan.rules.types import BOOL, NUMBER

    types = {"program.share": NUMBER, "program.border": BOOL, "profile.fluent": BOOL}
    share = Col(np.array([0.1, 0.5, np.nan]), np.array([True, True, False]), np.array([0, 0, 2]))
    border = Col(np.array([True, False, True]), np.ones(3, bool), 0)

    class Columns(dict):
        """Program columns that count their reads."""

        reads = 0

        def get(self, name, default=None):
            if name in self:
                Columns.reads += 1
            return super().get(name, default)

    def truth(text: str, fluent):
        Columns.reads = 0
        columns = Columns({"program.share": share, "program.border": border})
        env = {} if fluent is None else {"profile.fluent": fluent}
        frame = Frame(3, columns, {"program.share": 1, "program.border": 2}, env, parts={})
        found = compile_columns(parse(text), {}, types)(frame)
        return found, Columns.reads

    for op in ("and", "or"):
        for fluent in (True, False, None):
            program_first, reads = truth(f"program.share >= 0.3 {op} profile.fluent", fluent)
            applicant_first, _ = truth(f"profile.fluent {op} program.share >= 0.3", fluent)
            for part in ("true", "false", "bits"):
                a, b = getattr(program_first, part), getattr(applicant_first, part)
                assert np.array_equal(np.broadcast_to(a, 3), np.broadcast_to(b, 3)), (op, fluent)
            # The applicant's answer decides the whole: no program column was read.
            decides = (op == "and" and fluent is False) or (op == "or" and fluent is True)
            assert (reads == 0) == decides, (op, fluent)
    # Unknown share, not fluent ('or'): unknown naming the share's bit.
    found, _ = truth("program.share >= 0.3 or profile.fluent", False)
    assert found.bits.tolist() == [0, 0, 2]
    # A chain of three: the applicant's fact in the middle still comes first.
    found, reads = truth("program.border and profile.fluent and program.share >= 0.3", False)
    assert reads == 0 and not np.broadcast_to(found.true, 3).any()
