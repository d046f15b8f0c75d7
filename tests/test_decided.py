"""What the screen and tier stages keep by what decides them (stages.table.decision_key),
and the reasons stages.common.cite keeps by the values a message prints: a later plan
with the same rule outcomes, words and gaps finds them, and no other plan ever does
(other profiles, dates, rulebooks), whatever the order plans come in."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import resplan
from resplan import pipeline
from resplan.facts import Gap
from resplan.stages import common
from resplan.stages import table as T
from tests.conftest import AS_OF, DATA, EXAMPLES

PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml")) + sorted(
    (DATA / "review3").glob("*.toml")
)
CATALOGS = (
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
)
DATES = (AS_OF, datetime.date(2026, 11, 20))


def _plans(order: list) -> dict[tuple, str]:
    """Each (host, date, profile) of ``order`` planned in turn in this process, as TOML."""
    hosts = {
        "all": resplan.load_host(use_env=False),
        "no-what-if": resplan.load_host(disable=("what-if",), use_env=False),
    }
    catalogs = {
        name: resplan.merge_catalogs(
            [host.read_catalog(Path(p)) for p in CATALOGS], [str(p) for p in CATALOGS]
        )
        for name, host in hosts.items()
    }
    profiles = {path: resplan.load_profile(path) for path in PROFILES}
    plans: dict[tuple, str] = {}
    for host, date, path in order:
        plan = resplan.plan(profiles[path], catalogs[host], host=hosts[host], as_of=date)
        text = resplan.dumps_plan(plan)
        assert plans.setdefault((host, date, path.name), text) == text, (host, date, path)
    return plans


def test_plans_with_kept_decisions_are_plans_decided_anew(monkeypatch):
    # Interleaved, so that every plan comes after plans of other profiles, dates and
    # rulebooks, and each comes twice (the second finds what the first kept).
    order = [(h, d, p) for p in PROFILES for d in DATES for h in ("all", "no-what-if")]
    order = order + order[::-1]
    kept = _plans(order)
    # Nothing kept: each plan decided and its reasons rendered anew (none looked up by
    # the part of a partition of the rows either).
    monkeypatch.setattr(T, "DECIDED_BYTES", 0)
    monkeypatch.setattr(T, "PART_REASONS_MAX", 0)
    monkeypatch.setattr(common, "CITED_PER_RULE", 0)
    monkeypatch.setattr(common, "_CITED", {})
    assert _plans(order[: len(order) // 2]) == kept


def test_a_plan_made_again_finds_its_decisions():
    host = resplan.load_host(use_env=False)
    catalog = host.read_catalog(CATALOGS[0])
    profile = resplan.load_profile(PROFILES[0])
    first = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    again = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    assert again.programs.verdict is first.programs.verdict
    assert again.programs.reason_sets == first.programs.reason_sets
    # Shared by later plans, the kept arrays are read-only.
    with pytest.raises(ValueError):
        again.programs.verdict[0] = 0


def test_keys_tell_apart_what_messages_print_and_the_gaps_they_rest_on():
    host = resplan.load_host(use_env=False)
    catalog = host.read_catalog(CATALOGS[0])
    profile = resplan.load_profile(PROFILES[0])
    draft = pipeline.start(profile, catalog, host.rulebook, AS_OF)
    for name, run in pipeline.STAGES:
        draft = run(draft)
        if name == "screen":
            break
    screening = draft.screening
    rules = host.rulebook.rules("screen")
    printed, read = T._rule_names(rules)
    assert printed and read

    def key(env, guessed):
        found = T.decision_key(
            rules, screening.table, screening.outcomes, env, guessed, host.rulebook.labels
        )
        assert found is not None
        return found[0]

    env, guessed = dict(draft.env), dict(draft.guessed)
    assert key(env, guessed) == key(dict(env), dict(guessed))
    # A fact a message prints, changed with no rule's outcome changed: another key.
    assert key({**env, printed[0]: "something else"}, guessed) != key(env, guessed)
    # A gap the rules rest on, said in other words: another key.
    gap = Gap("exams.step2ck.score", "your Step 2 CK score", "a low score", None)
    other = Gap("exams.step2ck.score", "your Step 2 CK score", "a low score", None, words="x")
    assert key(env, {read[0]: (gap,)}) != key(env, {read[0]: (other,)})
    # A value that cannot be a key: no key, decided anew.
    assert (
        T.decision_key(
            rules,
            screening.table,
            screening.outcomes,
            {**env, printed[0]: ["a list"]},
            guessed,
            host.rulebook.labels,
        )
        is None
    )


def test_cite_keeps_a_reason_by_the_values_its_message_prints():
    host = resplan.load_host(use_env=False)
    rule = next(
        r
        for stage in ("assess", "regions", "summary", "outlook")
        for r in host.rulebook.rules(stage)
        if r.says and r.says.names
    )
    name = sorted(rule.says.names)[0]
    labels = host.rulebook.labels
    one = common.cite(rule, {name: 1}, labels)
    assert common.cite(rule, {name: 1}, labels) is one  # kept
    two = common.cite(rule, {name: 2}, labels)
    assert two is not one and two == common.Reason(
        rule.qualified_id, rule.says.render({name: 2}, labels)
    )
    # An unhashable value is rendered, not kept.
    assert common.cite(rule, {name: [1]}, labels).rule == rule.qualified_id
