"""Plans as TOML: stable bytes, round trip, atomic writes."""

from __future__ import annotations

import tomllib

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resplan
from resplan import writer
from resplan.convert import unstructure
from resplan.errors import InputError
from resplan.writer import SECTIONS, loads_plan, write_text_atomic
from tests.conftest import EXAMPLES, make_catalog, make_profile


def test_plan_toml_has_the_contract_keys(host, example_profile, border_catalog):
    data = tomllib.loads(
        resplan.dumps_plan(resplan.plan(example_profile, border_catalog, host=host))
    )
    assert data["schema"] == 2
    assert list(data) == [k for k in SECTIONS if k in data]
    assert {"provenance", "specialties", "regions", "programs", "actions", "summary"} <= set(data)
    for program in data["programs"]:
        assert program["verdict"] in ("apply", "borderline", "skip")
        assert ("tier" in program) == (program["verdict"] != "skip")
        assert all(set(r) == {"rule", "says"} for r in program.get("reasons", []))
    for action in data["actions"]:
        assert {"id", "category", "title", "detail", "when"} <= set(action)
    for specialty in data["specialties"]:
        assert specialty["fit"] in ("strong", "possible", "reach", "unlikely")


def test_round_trip(host, example_profile, border_catalog):
    plan = resplan.plan(example_profile, border_catalog, host=host)
    assert loads_plan(resplan.dumps_plan(plan)) == plan


@pytest.mark.parametrize("profile", sorted((EXAMPLES / "profiles").glob("*.toml")), ids=str)
def test_plans_as_data_are_what_the_converter_gives(host, border_catalog, profile):
    """The writer's own walk over the plan's classes gives what cattrs does, for plans of
    every example profile, their program decisions included."""
    plan = resplan.plan(resplan.load_profile(profile), border_catalog, host=host)
    for value in (attrs.evolve(plan, programs=()), tuple(plan.programs), plan.what_if):
        assert writer._plain(value) == writer._clean(unstructure(value))


def test_no_timestamp_and_identical_bytes(host, example_profile, border_catalog, tmp_path):
    one, two = tmp_path / "1.toml", tmp_path / "2.toml"
    resplan.write_plan(resplan.plan(example_profile, border_catalog, host=host), one)
    resplan.write_plan(resplan.plan(example_profile, border_catalog, host=host), two)
    assert one.read_bytes() == two.read_bytes()


def test_failed_write_leaves_existing_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "plan.toml"
    target.write_text("old plan\n")

    class Boom(Exception):
        pass

    def explode(*args, **kwargs):
        raise Boom()

    monkeypatch.setattr("os.replace", explode)
    with pytest.raises(Boom):
        write_text_atomic(target, "new plan\n")
    assert target.read_text() == "old plan\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.toml"]


def test_writing_into_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        write_text_atomic(tmp_path / "no" / "plan.toml", "x")


def test_plan_of_another_schema_is_refused():
    with pytest.raises(InputError):
        loads_plan("schema = 99\n")


scores = st.one_of(
    st.none(), st.integers(209, 270)
)  # 209: the lowest pass a 2021 graduate can hold
minimums = st.one_of(st.none(), st.integers(190, 250))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    score=scores,
    minimum=minimums,
    visa=st.sampled_from(["none", "J-1", "H-1B"]),
    visas=st.one_of(st.none(), st.lists(st.sampled_from(["J-1", "H-1B"]), unique=True)),
    spanish=st.sampled_from([None, "basic", "fluent", "native"]),
)
def test_round_trip_and_determinism_property(host, score, minimum, visa, visas, spanish):
    exams = {"step2ck": {"score": score, "attempts": 1}} if score else {}
    languages = [{"name": "Spanish", "level": spanish}] if spanish else []
    profile = make_profile(
        applicant={"visa": visa, "specialties": ["Internal Medicine"]},
        exams=exams,
        languages=languages,
    )
    facts = {"id": "p"}
    if minimum:
        facts["min_step2ck"] = minimum
    if visas is not None:
        facts["visas"] = visas
    catalog = make_catalog(facts, {"id": "q", "city": "Chicago", "state": "IL"})
    plan = resplan.plan(profile, catalog, host=host)
    text = resplan.dumps_plan(plan)
    assert loads_plan(text) == plan
    assert resplan.dumps_plan(resplan.plan(profile, catalog, host=host)) == text
