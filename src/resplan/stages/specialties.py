"""Stage 2: rate each specialty for this applicant and pick the ones the plan considers.

Fit rules run first over every specialty of the table and every wished one; the most
cautious fit wins. Suggest rules then see each specialty's fit and the best wished fit,
and name alternatives. The plan considers the wished specialties and the suggested ones.
"""

from __future__ import annotations

from typing import Any

from resplan.facts import FITS
from resplan.plan import SpecialtyTarget
from resplan.stages.common import cite, evaluate

DEFAULT_FIT = "possible"


def run(draft, reasons: bool = True):
    """``reasons=False`` leaves the targets' reasons out (the what-if stage compares fits)."""
    labels = draft.rulebook.labels
    rulebook, base = draft.rulebook, draft.env
    wishes = draft.profile.applicant.specialties
    groups = {row.name: row.group for row in rulebook.specialties}
    names = sorted(set(groups) | set(wishes))
    fit_rules = [r for r in rulebook.rules("specialties") if "fit" in r.effect]
    suggest_rules = [r for r in rulebook.rules("specialties") if "suggest" in r.effect]

    rated: dict[str, tuple[Any, list, dict]] = {}
    for name in names:
        env = {**base, "specialty.name": name, "specialty.wished": name in wishes}
        if name in groups:
            env["specialty.group"] = groups[name]
        if name in wishes:
            env["specialty.rank"] = wishes.index(name) + 1
        fired, _ = evaluate(fit_rules, env)
        # Most cautious wins: the lowest fit any fired rule gives.
        fit = min((r.effect["fit"] for r in fired), key=FITS.index, default=DEFAULT_FIT)
        cited = (
            [cite(r, env, labels, draft.guessed) for r in fired if r.effect["fit"] == fit]
            if reasons
            else []
        )
        rated[name] = (fit, cited, {**env, "specialty.fit": fit})

    wished_fits = [rated[name][0] for name in wishes]
    best = max(wished_fits, key=FITS.index) if wished_fits else None

    targets = []
    for name in names:
        fit, cited, env = rated[name]
        if best is not None:
            env["wishes.best_fit"] = best
        suggested = False
        if name not in wishes:
            fired, _ = evaluate(suggest_rules, env)
            if not fired:
                continue
            suggested = True
            if reasons:
                cited = cited + [cite(r, env, labels, draft.guessed) for r in fired]
        targets.append(
            SpecialtyTarget(
                name=name,
                fit=fit,
                wished=name in wishes,
                suggested=suggested,
                rank=wishes.index(name) + 1 if name in wishes else None,
                reasons=tuple(cited),
            )
        )
    # Wishes in the applicant's order, then suggestions by name.
    targets.sort(key=lambda t: (not t.wished, t.rank or 0, t.name))
    env = dict(base)
    if best is not None:
        env["wishes.best_fit"] = best
    specialty_envs = {t.name: rated[t.name][2] for t in targets}
    return draft.evolve(specialties=tuple(targets), env=env, specialty_envs=specialty_envs)
