"""The application season's figures: ERAS fees (and, per season, what changes with it), as sourced parameters."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("season.toml")]
