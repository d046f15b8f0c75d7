"""Application work: academic repair, personal statement, letters, CV, interviews and networking, timed on the application calendar."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("applications.toml")]
