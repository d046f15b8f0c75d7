"""The rule properties (resplan.testing.properties) hold for the built-in rulesets.

Each property runs with ``resplan_examples`` hypothesis examples (``--resplan-examples N``
or ``RESPLAN_EXAMPLES``; 40 by default) and a fixed seed, so a run is reproducible; a
failure prints the shrunk counterexample as a profile and a catalog in TOML.
"""

from __future__ import annotations

import pytest

from resplan.testing import PROPERTIES, Context, run_property


@pytest.fixture(scope="module")
def context(resplan_host):
    # Shared by the properties: the hosts with plugins registered in other orders are
    # built once.
    return Context(resplan_host)


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.name)
def test_builtin_rulesets_keep_the_property(prop, resplan_host, context, resplan_examples):
    failure = run_property(prop, resplan_host, max_examples=resplan_examples, context=context)
    assert failure is None, failure.report()


def test_every_property_has_a_distinct_name():
    names = [p.name for p in PROPERTIES]
    assert len(names) == len(set(names))
    assert {
        "determinism",
        "explanations",
        "unknowns",
        "round-trip",
        "monotone-step2ck",
        "monotone-language",
        "monotone-clinical",
        "monotone-letter",
        "monotone-no-visa",
        "monotone-more-visas",
        "antitone-failed-attempt",
        "antitone-visa",
        "antitone-graduation",
        "summary-fits-catalog",
        "dated",
        "plain-words",
        "outlook",
        "what-if-improves",
    } == set(names)


def test_the_check_fixture_runs_every_property(resplan_check_properties, resplan_host):
    resplan_check_properties(resplan_host, ["round-trip", "explanations"], max_examples=10)
