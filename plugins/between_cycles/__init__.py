"""Between cycles: how a reapplicant, or an applicant who may not match, strengthens the file before the next cycle."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("between-cycles.toml")]
