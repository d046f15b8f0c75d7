"""Tiering: which programs are tier 1, 2 or 3 for this applicant, and how to spread applications over the tiers."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("tiering.toml")]
