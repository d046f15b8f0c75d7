"""Specialty targeting: which specialties are realistic, rated for this applicant, and which to suggest instead."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("specialties.toml")]
