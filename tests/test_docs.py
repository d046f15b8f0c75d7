"""The generated reference docs match the installed rulesets."""

from __future__ import annotations

from resplan import facts as F
from resplan import model as M
from resplan.docs import facts_markdown, profile_markdown, rules_markdown
from tests.conftest import ROOT


def test_rules_md_is_up_to_date(host):
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(host.rulebook), "docs/rules.md is stale: run `invoke docs`"


def test_facts_md_is_up_to_date():
    committed = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert committed == facts_markdown(), "docs/facts.md is stale: run `invoke docs`"


def test_profile_md_is_up_to_date(host):
    committed = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    assert committed == profile_markdown(host.rulebook), (
        "docs/profile.md is stale: run `invoke docs`"
    )


def test_profile_md_covers_every_key_and_says_what_advocate_does(host):
    text = profile_markdown(host.rulebook)
    keys = [
        line.removeprefix("### `").removesuffix("`")
        for line in text.splitlines()
        if line.startswith("### `")
    ]
    assert keys == list(M.PROFILE_DOCS)
    assert set(F.GAP_WORST) <= set(keys)
    assert {k for keys_ in F.FACT_INPUTS.values() for k in keys_} <= set(keys)
    advocate = text.split("### `letters[].advocate`")[1].split("###")[0]
    assert "near_miss_points" in advocate and "borderline" in advocate
    assert "`screening/step2ck-near-miss-with-strengths`" in advocate
    score = text.split("### `exams.step2ck.score`")[1].split("###")[0]
    assert "A gap: the plan counts the lowest passing score" in score
    assert "- Values: a whole number, 1 to 300." in score


def test_every_rule_cites_a_guide_section_or_a_published_source(host):
    for ruleset in host.rulebook.rulesets:
        for rule in ruleset.rules:
            assert rule.source.strip(), rule.qualified_id
        for parameter in ruleset.parameters.values():
            assert parameter.source.strip(), f"{ruleset.name}.{parameter.name}"
