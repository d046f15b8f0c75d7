"""The generated reference docs match the installed rulesets."""

from __future__ import annotations

from resplan.docs import facts_markdown, rules_markdown
from tests.conftest import ROOT


def test_rules_md_is_up_to_date(host):
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(host.rulebook), "docs/rules.md is stale: run `invoke docs`"


def test_facts_md_is_up_to_date():
    committed = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert committed == facts_markdown(), "docs/facts.md is stale: run `invoke docs`"


def test_every_rule_cites_a_guide_section_or_a_published_source(host):
    for ruleset in host.rulebook.rulesets:
        for rule in ruleset.rules:
            assert rule.source.strip(), rule.qualified_id
        for parameter in ruleset.parameters.values():
            assert parameter.source.strip(), f"{ruleset.name}.{parameter.name}"
