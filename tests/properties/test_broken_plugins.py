"""Each property fails, with a shrunk counterexample, when a test plugin breaks it.

The plugins here are deliberately wrong: a rule that punishes a stronger file or rewards
a weaker one, a plugin that changes plans behind the rules' back, one that is not
deterministic, one whose plan does not survive being written. Each one must be caught
by the property it breaks, and the report must name the rule and carry the example.
"""

from __future__ import annotations

import itertools

import attrs
import pytest

import resplan
from resplan.testing import ruleset_plugin, run_property

SEEDS = (0, 1, 2)
EXAMPLES = 80  # enough for every broken rule below to be caught with one of the seeds


def screen_rule(rule_id: str, when: str, verdict: str = "skip") -> str:
    return f"""
[ruleset]
name = "broken"
version = "0.0.1"

[[screen]]
id = "{rule_id}"
when = "{when}"
verdict = "{verdict}"
says = "A deliberately wrong rule."
source = "tests"
"""


RULES = [
    ("monotone-step2ck", "punish-high-score", "profile.step2ck.score > 240"),
    ("monotone-language", "punish-french", "'French' in profile.languages"),
    ("monotone-clinical", "punish-clinical-time", "profile.clinical.months > 6"),
    ("monotone-letter", "punish-letters", "profile.letters.total >= 2"),
    ("monotone-no-visa", "punish-no-visa", "not profile.needs_visa"),
    ("antitone-visa", "punish-no-visa", "profile.visa == 'none'"),
    ("antitone-failed-attempt", "punish-first-attempt", "profile.max_attempts == 1"),
    ("antitone-graduation", "punish-recent-graduates", "profile.graduation_year > 2020"),
    ("unknowns", "only-when-published", "known(program.positions) and program.positions < 5"),
    ("what-if-improves", "punish-advocates", "profile.letters.advocates >= 1"),
]


@pytest.fixture(scope="module")
def caught(resplan_host_factory):
    """``caught(name, rule_id, when)``: the failure of the property ``name`` with a broken
    rule, found once for the module (finding and shrinking one is seconds of planning)."""
    found = {}

    def catch(name: str, rule_id: str, when: str):
        if (name, rule_id, when) not in found:
            host = resplan_host_factory(
                plugins=[ruleset_plugin("broken", screen_rule(rule_id, when))]
            )
            # The unknowns counterexample needs a drawn program that publishes few
            # positions: rarer than the others, so at 60 examples finding it hung on details
            # unrelated to the rule (it came and went with the modules a test run had
            # imported).
            examples = 2 * EXAMPLES if name == "unknowns" else EXAMPLES
            # A few fixed seeds: each run is reproducible, and no single seed's luck decides
            # whether a wrong rule is caught (which examples one seed finds first came and
            # went with how resplan was installed: editable or from its wheel).
            failure = None
            for seed in SEEDS:
                failure = run_property(name, host, max_examples=examples, seed=seed)
                if failure is not None:
                    break
            found[name, rule_id, when] = failure
        return found[name, rule_id, when]

    return catch


@pytest.mark.parametrize("name, rule_id, when", RULES, ids=[r[0] for r in RULES])
def test_a_wrong_rule_breaks_its_property(caught, name, rule_id, when):
    failure = caught(name, rule_id, when)
    assert failure is not None, f"{name} did not catch {when!r}"
    assert failure.property == name
    assert f"broken/{rule_id}" in failure.rules
    assert "[applicant]" in failure.example and "[[program]]" in failure.example
    report = failure.report()
    assert report.startswith(f"property {name} failed") and "counterexample (shrunk)" in report


def test_the_step2ck_counterexample_is_shrunk_to_the_threshold(caught):
    # The failure the test above found for this rule (the first seed catches it).
    failure = caught("monotone-step2ck", "punish-high-score", "profile.step2ck.score > 240")
    assert "exams.step2ck.score: 240 -> 241" in failure.example
    assert "apply -> skip" in failure.message


class SilentSkipper:
    """Skips every program after the rules ran, citing nothing."""

    name = "silent-skipper"

    @resplan.hookimpl
    def resplan_adjust_plan(self, plan, profile, catalog):
        programs = tuple(
            attrs.evolve(p, verdict="skip", tier=None, reasons=()) for p in plan.programs
        )
        return attrs.evolve(plan, programs=programs)


class Counter:
    """Adds an action that counts the plans made: never the same plan twice."""

    name = "counter"
    calls = itertools.count()

    @resplan.hookimpl
    def resplan_adjust_plan(self, plan, profile, catalog):
        from resplan.plan import Action

        extra = Action(
            id="counter/note",
            category="verify",
            title=f"Plan {next(self.calls)}",
            detail="",
            timing="now",
            when="now",
        )
        return attrs.evolve(plan, actions=plan.actions + (extra,))


class Backdater:
    """Dates one action in January of the year before the plan's: in the past."""

    name = "backdater"

    @resplan.hookimpl
    def resplan_adjust_plan(self, plan, profile, catalog):
        from resplan.plan import Action

        year = int(plan.provenance.as_of[:4]) - 1
        extra = Action(
            id="backdater/late",
            category="verify",
            title="Too late",
            detail="",
            timing="now",
            when=f"January {year}: too late",
        )
        return attrs.evolve(plan, actions=plan.actions + (extra,))


class HalfApplication:
    """Recommends a fractional number of applications, which a plan file cannot hold."""

    name = "half-application"

    @resplan.hookimpl
    def resplan_adjust_plan(self, plan, profile, catalog):
        return attrs.evolve(plan, summary=attrs.evolve(plan.summary, applications=60.5))


@pytest.mark.parametrize(
    "name, plugin, words",
    [
        ("explanations", SilentSkipper(), "without citing a rule"),
        ("determinism", Counter(), "different bytes"),
        ("round-trip", HalfApplication(), "raised"),
        ("dated", Backdater(), "before"),
    ],
    ids=["explanations", "determinism", "round-trip", "dated"],
)
def test_a_wrong_plugin_breaks_its_property(resplan_host_factory, name, plugin, words):
    host = resplan_host_factory(plugins=[plugin])
    failure = run_property(name, host, max_examples=EXAMPLES)
    assert failure is not None and failure.property == name
    assert words in failure.message
    assert "[applicant]" in failure.example


def test_reordered_hosts_hold_the_same_plugins_and_rulesets(resplan_host):
    # The hosts the determinism property compares with hold the same plugins and
    # rulesets, registered in other orders.
    from resplan.testing import Context

    context = Context(resplan_host)
    others = context.reordered_hosts()
    assert len(others) >= 2
    for other in others:
        assert [p.name for p in other.plugins] == [p.name for p in resplan_host.plugins]
        assert [(r.name, r.sha256) for r in other.rulebook.rulesets] == [
            (r.name, r.sha256) for r in resplan_host.rulebook.rulesets
        ]
