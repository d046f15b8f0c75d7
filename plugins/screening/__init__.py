"""Screening: the filters programs apply before anyone reads an application (scores, graduation year, attempts, visas)."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("screening.toml")]
