"""Profile assessment: the weaknesses a low-score IMG's file shows and the strengths that offset them in the border region."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("assessment.toml")]
