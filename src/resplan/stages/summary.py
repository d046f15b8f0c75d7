"""Stage 7: sum the plan up: counts, the recommended number of applications and their spread."""

from __future__ import annotations

from resplan.plan import Summary
from resplan.rules import is_unknown
from resplan.stages.common import cite, evaluate


def run(draft):
    labels = draft.rulebook.labels
    env = draft.env
    fired, _ = evaluate(draft.rulebook.rules("summary"), env)
    applications = spread = None
    for rule in fired:  # rulesets by name, rules in file order: the first one decides
        if applications is None and "applications" in rule.effect:
            applications = _whole(rule.effect["applications"](env))
        if spread is None and "spread" in rule.effect:
            parts = tuple(_whole(expr(env)) for expr in rule.effect["spread"])
            spread = None if None in parts else parts
    programs = draft.programs
    summary = Summary(
        programs_in_catalog=len(draft.catalog),
        programs_considered=len(programs),
        programs_outside_specialties=len(draft.catalog) - len(programs),
        apply=env["plan.apply"], borderline=env["plan.borderline"], skip=env["plan.skip"],
        tier1=env["plan.tier1"], tier2=env["plan.tier2"], tier3=env["plan.tier3"],
        to_verify=env["plan.to_verify"], applications=applications, spread=spread,
        advice=tuple(cite(r, env, labels) for r in fired if r.says is not None),
    )
    return draft.evolve(summary=summary)


def _whole(value):
    return None if is_unknown(value) else int(round(value))
