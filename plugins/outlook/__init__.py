"""The outlook: the applicant against published national figures (match rates, specialties'
shares of non-US IMGs), as bands in words with their sources, never a chance for the person."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("outlook.toml")]
