"""What would change the plan: changes an applicant could make, as rules (what-if.toml)."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("what-if.toml")]
