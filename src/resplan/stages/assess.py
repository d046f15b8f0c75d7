"""Stage 1: assess the profile: the weaknesses a program will see and the strengths that offset them.

Rules decide on the profile with each gap filled with its worst value (see
``resplan.facts.gaps``); the assessment lists the gaps under ``missing``. Asked of the
facts as stated, a rule that is left undecided rests on a gap: the findings of its kind
(and the fits that read them) are then guesses too, and say so where they are cited.
"""

from __future__ import annotations

from resplan.facts import BORDER_STRENGTHS
from resplan.plan import Assessment, Finding, Missing
from resplan.stages.common import FINDING_SETS, cite, evaluate

# Facts later stages derive from the findings: they rest on the same gaps.
_DERIVED = {
    "weakness": ("assessment.weaknesses", "specialty.fit", "wishes.best_fit"),
    "strength": (
        "assessment.strengths",
        "assessment.border_strengths",
        "specialty.fit",
        "wishes.best_fit",
    ),
}


def run(draft, reasons: bool = True):
    """``reasons=False`` leaves the findings' reasons out, and what rests on gaps (the
    what-if stage reads only the findings' names)."""
    env, rules = draft.env, draft.rulebook.rules("assess")
    fired, _undecided = evaluate(rules, env)
    labels = draft.rulebook.labels
    found: dict[tuple[str, str], list] = {}
    # A finding is said with the label of the rule that found it: two rules can find the
    # same weakness in words that differ ("little" or "no" hands-on US clinical work).
    said: dict[str, str] = {}
    for rule in fired:
        kind = _kind(rule)
        name = rule.effect[kind]
        reason = [cite(rule, env, labels, draft.guessed)] if reasons else []
        found.setdefault((kind, name), []).extend(reason)
        if "label" in rule.effect:
            said.setdefault(name, rule.effect["label"])

    def findings(kind):
        return tuple(
            Finding(name, said.get(name) or labels.get(name, name), tuple(reasons))
            for (k, name), reasons in sorted(found.items())
            if k == kind
        )

    visas = tuple(v for v in draft.profile.applicant.visas if v != "none")
    assessment = Assessment(
        visas=visas or None,
        weaknesses=findings("weakness"),
        strengths=findings("strength"),
        missing=tuple(Missing(g.key, g.label, g.says) for g in draft.gaps),
    )
    env = {
        **env,
        "assessment.weaknesses": assessment.weakness_names,
        "assessment.strengths": assessment.strength_names,
        "assessment.border_strengths": assessment.strength_names & BORDER_STRENGTHS,
        "assessment.missing": frozenset(g.label for g in draft.gaps),
        "assessment.missing_counted": frozenset(g.label for g in draft.gaps if g.counted),
        "assessment.missing_deciding": frozenset(
            g.label for g in draft.gaps if g.counted and g.deciding
        ),
    }
    guessed = _guessed(draft, rules) if reasons else draft.guessed
    return draft.evolve(assessment=assessment, env=env, guessed=guessed)


def _kind(rule) -> str:
    return "weakness" if "weakness" in rule.effect else "strength"


def _guessed(draft, rules) -> dict:
    """``draft.guessed`` with the findings that rest on gaps, and what is derived from them."""
    if not draft.gaps:
        return draft.guessed
    guessed = {name: list(gaps) for name, gaps in draft.guessed.items()}
    _, undecided = evaluate(rules, draft.stated_env)
    for rule, facts in undecided:
        gaps = [gap for fact in sorted(facts) for gap in draft.guessed.get(fact, ())]
        kind = _kind(rule)
        names = list(_DERIVED[kind])
        # Each finding's own gaps too: a rule that asks only whether some findings are in
        # the set rests on theirs alone (resplan.stages.common.guesses).
        names += [f"{name}#{rule.effect[kind]}" for name in names if name in FINDING_SETS]
        for name in names:
            guessed.setdefault(name, [])
            guessed[name] += [gap for gap in gaps if gap not in guessed[name]]
    return {name: tuple(gaps) for name, gaps in guessed.items() if gaps}
