"""Stage 5: place every program not skipped in tier 1, 2 or 3 (the best tier a rule gives wins).

A rule left undecided by an unknown fact that would have given a better tier adds that
fact to ``to_verify``: confirming it could move the program up.
"""

from __future__ import annotations

import attrs

from resplan.stages.common import cite, evaluate, program_fields

DEFAULT_TIER = 3


def run(draft):
    labels = draft.rulebook.labels
    rules = draft.rulebook.rules("tier")
    decisions = []
    for item in draft.screened:
        decision = item.decision
        if decision.verdict == "skip":
            decisions.append(decision)
            continue
        env = {**item.env, "screen.verdict": decision.verdict}
        fired, undecided = evaluate(rules, env)
        tier = min((r.effect["tier"] for r in fired), default=DEFAULT_TIER)
        better = [facts for rule, facts in undecided if rule.effect["tier"] < tier]
        to_verify = set(decision.to_verify).union(*map(program_fields, better))
        decisions.append(attrs.evolve(
            decision, tier=tier,
            reasons=decision.reasons + tuple(cite(r, env, labels) for r in fired if r.effect["tier"] == tier),
            to_verify=tuple(sorted(to_verify))))
    return draft.evolve(programs=tuple(decisions))
