"""The application calendar (ERAS and NRMP) that actions are timed by."""

from resplan.plugins import builtin_ruleset, hookimpl


@hookimpl
def resplan_rulesets():
    return [builtin_ruleset("calendar.toml")]
