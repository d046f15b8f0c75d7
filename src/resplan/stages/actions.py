"""Stage 6: choose what the applicant should do, and when, from the plan so far.

Every fired action rule adds one action, timed by a phase of the application calendar.
Actions are listed in calendar order.
"""

from __future__ import annotations

import calendar

from resplan.facts import label
from resplan.plan import Action
from resplan.stages.common import evaluate

# Presentation only: the verify action names this many programs and counts the rest
# (every program's own to_verify lists its facts).
VERIFY_LIST_LENGTH = 15
CATEGORY_ORDER = ("verify", "academic", "clinical", "materials", "interview", "networking",
                  "between-cycle")


def plan_facts(draft) -> dict:
    programs = draft.programs
    counts = {verdict: sum(1 for p in programs if p.verdict == verdict)
              for verdict in ("apply", "borderline", "skip")}
    tiers = {tier: sum(1 for p in programs if p.tier == tier) for tier in (1, 2, 3)}
    verify = [p for p in programs if p.to_verify and p.verdict != "skip"]
    # Most promising first: best tier, then apply before borderline, then by id.
    verify.sort(key=lambda p: (p.tier or 4, p.verdict != "apply", p.id))
    lines = [f"{p.name} ({p.city}, {p.state}): "
             + ", ".join(label(f"program.{field}") for field in p.to_verify)
             for p in verify[:VERIFY_LIST_LENGTH]]
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
