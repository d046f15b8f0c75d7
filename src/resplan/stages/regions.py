"""Stage 3: rank the border sub-regions for this applicant (the highest priority wins)."""

from __future__ import annotations

from resplan.plan import RegionTarget
from resplan.stages.common import cite, evaluate

PRIORITIES = ("low", "medium", "high")
DEFAULT_PRIORITY = "low"


def run(draft):
    labels = draft.rulebook.labels
    base = draft.env
    rules = draft.rulebook.rules("regions")
    preferred = draft.profile.applicant.states
    targets = []
    for sub in draft.rulebook.subregions:
        env = {**base, "region.id": sub.id, "region.name": sub.name, "region.state": sub.state}
        if preferred is not None:
            env["region.preferred"] = sub.state in preferred
        fired, _ = evaluate(rules, env)
        priority = max((r.effect["priority"] for r in fired), key=PRIORITIES.index,
                       default=DEFAULT_PRIORITY)
        targets.append(RegionTarget(
            id=sub.id, name=sub.name, state=sub.state, priority=priority, cities=sub.cities,
            reasons=tuple(cite(r, env, labels) for r in fired)))
    targets.sort(key=lambda t: (-PRIORITIES.index(t.priority), t.state, t.id))
    return draft.evolve(regions=tuple(targets))
