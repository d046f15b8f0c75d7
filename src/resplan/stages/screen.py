"""Stage 4: screen every program of a considered specialty: apply, borderline or skip.

The most severe verdict any fired rule gives wins. A rule left undecided by an unknown
program fact that would have given a more severe verdict puts that fact in the program's
``to_verify``: unknown is never silently a pass.
"""

from __future__ import annotations

import attrs

from resplan.facts import program_facts
from resplan.plan import ProgramDecision
from resplan.stages.common import cite, evaluate, program_fields

SEVERITY = ("apply", "borderline", "skip")


@attrs.frozen
class Screened:
    decision: ProgramDecision
    env: dict


def run(draft):
    labels = draft.rulebook.labels
    rulebook = draft.rulebook
    rules = rulebook.rules("screen")
    considered = {t.name for t in draft.specialties}
    city_regions = rulebook.city_regions
    priority = {r.id: r.priority for r in draft.regions}
    region_names = {r.id: r.name for r in draft.regions}
    screened = []
    for program in draft.catalog.programs:
        if program.specialty not in considered:
            continue
        facts = program_facts(program, city_regions, region_names)
        env = {**draft.specialty_envs[program.specialty], **draft.env, **facts,
               "region.priority": priority.get(facts["program.region"], "none")}
        fired, undecided = evaluate(rules, env)
        verdict = max((r.effect["verdict"] for r in fired), key=SEVERITY.index, default="apply")
        worse = [facts_ for rule, facts_ in undecided
                 if SEVERITY.index(rule.effect["verdict"]) > SEVERITY.index(verdict)]
        to_verify = sorted(set().union(*map(program_fields, worse))) if worse else []
        decision = ProgramDecision(
            id=program.id, name=program.name, specialty=program.specialty, city=program.city,
            state=program.state, verdict=verdict,
            region=facts["program.region"] if facts["program.border"] else None,
            reasons=tuple(cite(r, env, labels) for r in fired if r.effect["verdict"] == verdict),
            to_verify=tuple(to_verify))
        screened.append(Screened(decision, env))
    return draft.evolve(screened=tuple(screened))
