"""Stage 6: choose what the applicant should do, and when, from the plan so far.

Every fired action rule adds one action, timed by a phase of the application calendar.
Actions are listed in calendar order.
"""

from __future__ import annotations

import calendar

import numpy as np

from resplan.facts import label
from resplan.plan import VERDICTS, Action
from resplan.stages.common import evaluate

# Presentation only: the verify action names this many programs and counts the rest
# (every program's own to_verify lists its facts).
VERIFY_LIST_LENGTH = 15
SKIP = VERDICTS.index("skip")
CATEGORY_ORDER = ("verify", "academic", "clinical", "materials", "interview", "networking",
                  "between-cycle")


def plan_facts(draft) -> dict:
    programs = draft.programs  # ProgramDecisions: counted column by column
    counts = dict(zip(VERDICTS, np.bincount(programs.verdict, minlength=3).tolist()))
    tiers = np.bincount(programs.tier, minlength=4).tolist()
    has_facts = np.array([bool(fields) for fields in programs.verify_sets], dtype=bool)
    # In plan order, so the most promising come first: best tier, apply before borderline, id.
    verify = np.flatnonzero(has_facts[programs.to_verify] & (programs.verdict != SKIP))
    lines = []
    for index in verify[:VERIFY_LIST_LENGTH].tolist():
        p = programs[index]
        lines.append(f"{p.name} ({p.city}, {p.state}): "
                     + ", ".join(label(f"program.{field}") for field in p.to_verify))
    if len(verify) > VERIFY_LIST_LENGTH:
        lines.append(f"and {len(verify) - VERIFY_LIST_LENGTH} more (see each program's to_verify)")
    high = [r.name for r in draft.regions if r.priority == "high"]
    return {
        "plan.considered": len(programs),
        "plan.apply": counts["apply"], "plan.borderline": counts["borderline"],
        "plan.skip": counts["skip"],
        "plan.tier1": tiers[1], "plan.tier2": tiers[2], "plan.tier3": tiers[3],
        "plan.to_verify": len(verify),
        "plan.verify_list": "; ".join(lines) if lines else "none",
        "plan.suggested": frozenset(t.name for t in draft.specialties if t.suggested),
        "plan.high_regions": ", ".join(high) if high else "none",
    }


def run(draft):
    env = {**draft.env, **plan_facts(draft)}
    phases = {p.id: p for p in draft.rulebook.phases}
    cycle = draft.profile.applicant.cycle
    labels = draft.rulebook.labels
    fired, _ = evaluate(draft.rulebook.rules("actions"), env)
    actions = []
    for rule in fired:
        phase = phases[rule.effect["timing"]]
        when = f"{calendar.month_name[phase.month]} {cycle + phase.year}: {phase.label}"
        actions.append(Action(
            id=rule.qualified_id, category=rule.effect["category"],
            title=rule.effect["title"].render(env, labels),
            detail=rule.effect["detail"].render(env, labels),
            timing=phase.id, when=when))
    order = {p.id: i for i, p in enumerate(draft.rulebook.phases)}
    actions.sort(key=lambda a: (order[a.timing], CATEGORY_ORDER.index(a.category), a.id))
    return draft.evolve(actions=tuple(actions), env=env)
