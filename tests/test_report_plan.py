"""What a plan carries for its reports: each program's track, and a mark on synthetic ones."""

from __future__ import annotations

import re

import resplan
import tasks
from resplan.writer import loads_plan
from tests.conftest import make_catalog


def test_synthetic_programs_are_marked_in_the_plan_and_real_ones_are_not(host, example_profile):
    catalogs = [
        host.read_catalog(tasks.ROOT / path)
        for path in (*tasks.EXAMPLE_CATALOGS, tasks.SYNTHETIC_CATALOG)
    ]
    plan = resplan.plan(example_profile, resplan.merge_catalogs(catalogs), host=host)
    marked = {p.id for p in plan.programs if p.synthetic}
    from_generator = {p.id for c in catalogs for p in c if p.source.startswith("synthetic:")}
    considered = {p.id for p in plan.programs}
    assert marked and marked == from_generator & considered
    assert all(p.synthetic is None for p in plan.programs if p.id not in marked)
    back = loads_plan(resplan.dumps_plan(plan))
    assert {p.id for p in back.programs if p.synthetic} == marked
    assert back == plan


def test_track_is_written_when_the_catalog_gives_it_and_left_out_when_unknown(
    host, example_profile
):
    catalog = make_catalog(
        {"id": "a", "track": "preliminary", "source": "Synthetic listing: made up"}, {"id": "b"}
    )
    plan = resplan.plan(example_profile, catalog, host=host)
    text = resplan.dumps_plan(plan)
    first, second = text.split('id = "a"')[1].split('id = "b"')
    assert 'track = "preliminary"' in first and "synthetic = true" in first
    assert "track =" not in second and "synthetic" not in second
    by_id = {p.id: p for p in loads_plan(text).programs}
    assert (by_id["a"].track, by_id["a"].synthetic) == ("preliminary", True)
    assert (by_id["b"].track, by_id["b"].synthetic) == (None, None)


def test_programs_read_directly_equal_what_the_converter_reads(host, example_profile):
    import tomli

    from resplan.convert import structure
    from resplan.plan import Plan

    catalogs = [
        host.read_catalog(tasks.ROOT / path)
        for path in (*tasks.EXAMPLE_CATALOGS, tasks.SYNTHETIC_CATALOG)
    ]
    text = resplan.dumps_plan(
        resplan.plan(example_profile, resplan.merge_catalogs(catalogs), host=host)
    )
    fast = loads_plan(text)
    assert fast == structure(tomli.loads(text), Plan, file="plan")
    # equal reasons are one object, as in the plan the pipeline made
    says = {}
    for program in fast.programs:
        for reason in program.reasons:
            assert says.setdefault((reason.rule, reason.says), reason) is reason


def test_a_program_not_as_resplan_writes_it_is_reported_by_the_converter(host, example_profile):
    import pytest

    from resplan.errors import InputError

    text = resplan.dumps_plan(resplan.plan(example_profile, make_catalog({"id": "a"}), host=host))
    assert "tier = " in text
    with pytest.raises(InputError) as error:
        loads_plan(re.sub(r"tier = (\d)", r'tier = "\1"', text, count=1), file="p.toml")
    assert "programs[0].tier" in str(error.value) and "p.toml" in str(error.value)
