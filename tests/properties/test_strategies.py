"""The public hypothesis strategies give inputs every validator accepts, unknowns included."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resplan
from resplan.convert import structure, unstructure
from resplan.model import Catalog, Profile, Program
from resplan.testing import (
    BORDER_CITIES,
    catalogs,
    cities_of,
    optional,
    profiles,
    programs,
)
from resplan.testing.properties import AS_OF

SETTINGS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@SETTINGS
@given(profiles())
def test_profiles_survive_the_strict_converter(profile):
    # What a reader would build from the same data as a TOML file: every validator passes
    # and nothing changes on the way.
    data = _drop_none(unstructure(profile))
    assert structure(data, Profile, file="drawn") == profile
    assert profile.applicant.cycle > profile.applicant.graduation_year


@SETTINGS
@given(programs())
def test_programs_survive_the_strict_converter(program):
    data = _drop_none(unstructure(program))
    assert structure(data, Program, file="drawn") == program


@SETTINGS
@given(catalogs(min_size=1, max_size=6))
def test_catalogs_have_distinct_ids_and_are_sorted(catalog):
    ids = [p.id for p in catalog]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    assert 1 <= len(catalog) <= 6


def test_unknown_facts_are_drawn():
    seen = {"min_step2ck": set(), "score": set()}

    @settings(max_examples=80, deadline=None, database=None)
    @given(programs(), profiles())
    def look(program, profile):
        seen["min_step2ck"].add(program.min_step2ck is None)
        step2 = profile.exams.step2ck
        seen["score"].add(step2 is None or step2.score is None)

    look()
    assert seen == {"min_step2ck": {True, False}, "score": {True, False}}


def test_strategies_take_specialties_and_cities(resplan_host):
    cities = cities_of(resplan_host)
    assert ("El Paso", "TX") in cities and set(BORDER_CITIES) <= set(cities)

    @settings(max_examples=30, deadline=None, database=None)
    @given(
        catalogs(min_size=1, specialties=["Psychiatry"], cities=[("Yuma", "AZ")]),
        profiles(specialties=["Psychiatry"]),
    )
    def look(catalog, profile):
        assert {p.specialty for p in catalog} == {"Psychiatry"}
        assert {(p.city, p.state) for p in catalog} == {("Yuma", "AZ")}
        assert set(profile.applicant.specialties) <= {"Psychiatry"}

    look()


def test_extra_programs_join_every_catalog():
    ours = Program(
        id="ours", name="Our Program", specialty="Family Medicine", city="Laredo", state="TX"
    )

    @settings(max_examples=20, deadline=None, database=None)
    @given(catalogs(extra=[ours]))
    def look(catalog):
        assert isinstance(catalog, Catalog) and "ours" in {p.id for p in catalog}

    look()


@SETTINGS
@given(profiles(), catalogs(max_size=3))
def test_drawn_inputs_make_plans(resplan_host, profile, catalog):
    plan = resplan.plan(profile, catalog, host=resplan_host, as_of=AS_OF)
    assert plan.summary.programs_in_catalog == len(catalog)


@SETTINGS
@given(optional(st.integers(1, 3)))
def test_optional_adds_unknown(value):
    assert value is None or 1 <= value <= 3
