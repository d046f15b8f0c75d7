"""Region targeting: the US–Mexico border sub-regions of Texas, New Mexico, Arizona and California, and their priority for this applicant."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("regions.toml")]
