"""Stage 1: assess the profile: the weaknesses a program will see and the strengths that offset them."""

from __future__ import annotations

from resplan.plan import Assessment, Finding
from resplan.stages.common import cite, evaluate


def run(draft):
    env = draft.env
    fired, _undecided = evaluate(draft.rulebook.rules("assess"), env)
    labels = draft.rulebook.labels
    found: dict[tuple[str, str], list] = {}
    for rule in fired:
        kind = "weakness" if "weakness" in rule.effect else "strength"
        name = rule.effect[kind]
        found.setdefault((kind, name), []).append(cite(rule, env, labels))

    def findings(kind):
        return tuple(Finding(name, labels.get(name, name), tuple(reasons))
                     for (k, name), reasons in sorted(found.items()) if k == kind)

    assessment = Assessment(weaknesses=findings("weakness"), strengths=findings("strength"))
    env = {**env,
           "assessment.weaknesses": assessment.weakness_names,
           "assessment.strengths": assessment.strength_names}
    return draft.evolve(assessment=assessment, env=env)
