"""Tests of the Border Teaching Hospital plugin, with resplan's testing tools.

The fixtures ``resplan_host`` (the installed plugins, this one included) and
``resplan_host_factory`` come from resplan's pytest plugin, which pytest loads by itself
once resplan is installed. The strategies and properties come from ``resplan.testing``.
"""

from __future__ import annotations

from hypothesis import given, settings

import resplan
from resplan.convert import structure
from resplan.model import Catalog, Profile, Program
from resplan.testing import AS_OF, catalogs, profiles, run_properties

RULESET = "border-teaching-hospital"

# Our programs as our listing publishes them.
OUR_PROGRAMS = (
    Program(
        id="bth-im",
        name="Border Teaching Hospital Internal Medicine",
        specialty="Internal Medicine",
        city="El Paso",
        state="TX",
        visas=("J-1",),
        img_share=0.45,
        underserved_focus=True,
    ),
    Program(
        id="bth-fm",
        name="Border Teaching Hospital Family Medicine",
        specialty="Family Medicine",
        city="El Paso",
        state="TX",
    ),
)


def plan_for(host, **sections):
    applicant = {
        "graduation_year": 2022,
        "cycle": 2027,
        "visa": "none",
        "specialties": ["Internal Medicine"],
        **sections.pop("applicant", {}),
    }
    profile = structure({"applicant": applicant, **sections}, Profile, file="test")
    return {p.id: p for p in resplan.plan(profile, Catalog(OUR_PROGRAMS), host=host).programs}


# ------------------------------------------------------------------ the plugin loads


def test_the_plugin_is_installed_and_overrides_a_builtin_parameter(resplan_host):
    assert "border-teaching-hospital" in {p.name for p in resplan_host.plugins}
    assert RULESET in {r.name for r in resplan_host.rulebook.rulesets}
    screening = next(r for r in resplan_host.rulebook.rulesets if r.name == "screening")
    assert screening.parameters["near_miss_points"].value == 7


def test_leaving_the_plugin_out_restores_the_builtin_value(resplan_host_factory):
    host = resplan_host_factory(disable=["border-teaching-hospital"])
    screening = next(r for r in host.rulebook.rulesets if r.name == "screening")
    assert screening.parameters["near_miss_points"].value == 5


# ------------------------------------------------------------------ examples


def test_too_little_hands_on_experience_skips_our_programs(resplan_host):
    programs = plan_for(resplan_host, clinical=[{"kind": "observership", "months": 6}])
    assert programs["bth-im"].verdict == "skip"
    [reason] = programs["bth-im"].reasons
    assert reason.rule == f"{RULESET}/our-hands-on-minimum"
    assert "you report 0" in reason.says


def test_two_hands_on_months_and_medical_spanish_pass_our_filters(resplan_host):
    programs = plan_for(
        resplan_host,
        clinical=[{"kind": "hands-on", "months": 2, "city": "El Paso", "state": "TX"}],
        languages=[{"name": "Spanish", "level": "medical"}],
    )
    assert programs["bth-im"].verdict == "apply"
    assert programs["bth-im"].tier == 1


# ------------------------------------------------------------------ a property of our own


@settings(max_examples=60, deadline=None, database=None)
@given(profiles(), catalogs(max_size=2, extra=OUR_PROGRAMS))
def test_our_rules_touch_only_our_programs(resplan_host_factory, profile, catalog):
    # AS_OF: a plan date before every cycle the strategies draw, so each plan is whole.
    with_us = resplan.plan(profile, catalog, host=resplan_host_factory(), as_of=AS_OF)
    without = resplan.plan(
        profile,
        catalog,
        as_of=AS_OF,
        host=resplan_host_factory(disable=["border-teaching-hospital"]),
    )
    # Programs of other institutions get the same verdict with or without our rules,
    # except where our override of near_miss_points decides.
    before = {p.id: p for p in without.programs}
    for program in with_us.programs:
        if program.id.startswith("bth-"):
            continue
        if any(
            r.rule.startswith("screening/step2ck")
            for r in program.reasons + before[program.id].reasons
        ):
            continue
        assert program.verdict == before[program.id].verdict, program.id


# ------------------------------------------------------------------ resplan's properties


def test_resplan_properties_hold_with_our_rules(resplan_host):
    # Every property resplan defines (determinism, monotonicity, explanations, unknowns,
    # round trip), with our programs in every catalog drawn so that our rules are tried.
    failures = run_properties(resplan_host, max_examples=30, extra_programs=OUR_PROGRAMS)
    assert not failures, "\n\n".join(f.report() for f in failures)


def test_the_fixture_runs_chosen_properties(resplan_host, resplan_check_properties):
    # The same through the fixture: a failure is reported with its counterexample.
    resplan_check_properties(
        resplan_host,
        ["monotone-clinical", "monotone-language"],
        max_examples=30,
        extra_programs=OUR_PROGRAMS,
    )
