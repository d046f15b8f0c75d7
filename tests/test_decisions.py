"""Program decisions kept as columns: the sequence a user reads, the text the writer
builds from the columns, and the reasons shared between programs."""

from __future__ import annotations

import copy
import pickle

import attrs
import numpy as np
import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

import resplan
from resplan.plan import VERDICTS, ProgramDecision, ProgramDecisions
from resplan.stages.tier import _distinct_rows
from resplan.writer import SCHEMA, dumps_plan, loads_plan, plan_to_dict
from tests.conftest import EXAMPLES, make_catalog

PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml"))


@pytest.fixture(scope="module")
def national_sample(host):
    return host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")


@pytest.fixture(scope="module")
def plans(host, national_sample, border_catalog):
    both = resplan.merge_catalogs([national_sample, border_catalog])
    return [resplan.plan(resplan.load_profile(p), both, host=host) for p in PROFILES]


def test_decisions_read_like_a_tuple_of_program_decisions(plans):
    plan = plans[0]
    decisions = plan.programs
    assert isinstance(decisions, ProgramDecisions)
    items = tuple(decisions)
    assert len(items) == len(decisions) > 0
    assert all(isinstance(d, ProgramDecision) for d in items)
    assert decisions[0] == items[0] and decisions[-1] == items[-1]
    assert decisions[1:4] == items[1:4]
    assert decisions == items and items == decisions and decisions == list(items)
    assert decisions != items[:-1]
    with pytest.raises(IndexError):
        decisions[len(items)]
    with pytest.raises(TypeError):
        decisions[1.0]


def test_columns_agree_with_the_items(plans):
    for plan in plans:
        d = plan.programs
        for i, item in enumerate(d):
            assert VERDICTS[d.verdict[i]] == item.verdict
            assert (int(d.tier[i]) or None) == item.tier
            assert d.reason_sets[d.reasons[i]] == item.reasons
            assert d.verify_sets[d.to_verify[i]] == item.to_verify


def test_programs_come_in_plan_order(plans):
    rank = {"apply": 0, "borderline": 1, "skip": 2}
    for plan in plans:
        keys = [(p.verdict == "skip", p.tier or 4, rank[p.verdict], p.id) for p in plan.programs]
        assert keys == sorted(keys)


def test_writer_builds_exactly_the_text_tomli_w_writes(plans):
    for plan in plans:
        text = dumps_plan(plan)
        header, body = text.split("\n", 1)
        assert header.startswith(f"# resplan plan, schema {SCHEMA}")
        assert body == tomli_w.dumps(plan_to_dict(plan))


def test_a_plan_whose_programs_a_plugin_replaced_is_written_the_same_way(plans):
    plan = plans[0]
    as_tuple = attrs.evolve(plan, programs=tuple(plan.programs))
    assert dumps_plan(as_tuple) == dumps_plan(plan)


def test_a_pickled_plan_is_equal_and_written_the_same(plans):
    plan = plans[0]
    copy = pickle.loads(pickle.dumps(plan))
    assert copy == plan
    assert copy.programs.memo is None  # the catalog's cache is not carried along
    assert dumps_plan(copy) == dumps_plan(plan)


def test_a_catalog_planned_against_still_pickles_and_copies(host, example_profile, border_catalog):
    catalog = resplan.merge_catalogs([border_catalog])
    before = resplan.plan(example_profile, catalog, host=host)
    for copied in (pickle.loads(pickle.dumps(catalog)), copy.deepcopy(catalog)):
        assert copied == catalog
        assert dumps_plan(resplan.plan(example_profile, copied, host=host)) == dumps_plan(before)


def test_a_written_plan_reads_back_equal(plans):
    for plan in plans:
        assert loads_plan(dumps_plan(plan)) == plan


def test_programs_with_the_same_printed_percentage_share_one_reason(host, example_profile):
    # 0.301 and 0.304 print as 30%; 0.306 prints as 31%: two messages, not three.
    shares = {"a": 0.301, "b": 0.304, "c": 0.306}
    catalog = make_catalog(
        *(
            {
                "id": pid,
                "city": "Chicago",
                "state": "IL",
                "setting": "community",
                "img_share": share,
            }
            for pid, share in shares.items()
        )
    )
    plan = resplan.plan(example_profile, catalog, host=host)
    cited = {
        p.id: [r for r in p.reasons if r.rule == "tiering/community-some-img"]
        for p in plan.programs
    }
    assert [len(r) for r in cited.values()] == [1, 1, 1]
    assert cited["a"][0] is cited["b"][0]  # one Reason, shared
    assert "(30% of residents)" in cited["a"][0].says
    assert "(31% of residents)" in cited["c"][0].says


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 30).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(-1, 5), min_size=rows, max_size=rows), max_size=6
        ).map(lambda cols: (rows, cols))
    )
)
def test_distinct_rows_match_a_plain_python_grouping(case):
    rows, columns = case
    arrays = [np.array(c, dtype=np.int32) for c in columns]
    distinct, inverse = _distinct_rows(arrays, rows)
    assert len(inverse) == rows
    for i in range(rows):
        wanted = [c[i] for c in columns if max(c, default=-1) != -1]
        assert distinct[inverse[i]].tolist() == wanted
    # Distinct really means distinct.
    assert len({tuple(d) for d in distinct.tolist()}) == len(distinct)


def test_a_plugin_can_replace_programs_with_a_tuple(host, example_profile, national_sample):
    before = resplan.plan(example_profile, national_sample, host=host)
    assert any(p.tier == 2 for p in before.programs)

    class MoveUp:
        name = "move-up"

        @resplan.hookimpl
        def resplan_adjust_plan(self, plan, profile, catalog):
            changed = tuple(attrs.evolve(p, tier=1) if p.tier == 2 else p for p in plan.programs)
            return attrs.evolve(plan, programs=changed)

    moved = resplan.load_host(plugins=[MoveUp()], use_env=False)
    plan = resplan.plan(example_profile, national_sample, host=moved)
    assert isinstance(plan.programs, tuple)
    assert not any(p.tier == 2 for p in plan.programs)
    text = dumps_plan(plan)
    assert text.split("\n", 1)[1] == tomli_w.dumps(plan_to_dict(plan))
    assert loads_plan(text) == plan


@pytest.mark.parametrize("block", [1, 7])
def test_programs_written_a_block_at_a_time_are_the_text_tomli_w_writes(
    plans, block, monkeypatch, tmp_path
):
    from resplan import program_tables

    monkeypatch.setattr(program_tables, "BLOCK", block)
    for plan in plans[:2]:
        assert len(plan.programs) > block
        text = dumps_plan(plan)
        assert text.split("\n", 1)[1] == tomli_w.dumps(plan_to_dict(plan))
        # A plan file is written as it is made, piece by piece: the same bytes.
        resplan.write_plan(plan, tmp_path / "plan.toml")
        assert (tmp_path / "plan.toml").read_bytes() == text.encode()
