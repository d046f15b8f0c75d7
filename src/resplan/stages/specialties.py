"""Stage 2: rate each specialty for this applicant and pick the ones the plan considers.

Fit rules run first over every specialty of the table and every wished one; the most
cautious fit wins. Suggest rules then see each specialty's fit and the best wished fit,
and name alternatives. The plan considers the wished specialties and the suggested ones.

Every extra field costs a full list of applications, and IMGs who applied to fewer
specialties matched more often, so only the best few suggestions are kept: the
specialties ruleset's ``fields_without_wishes`` when the applicant named none (a main
field and a backup), else ``backup_fields``. The best fit goes first, then the field
whose first suggest rule comes earlier in the rulesets (their authors order them by
preference), then the name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from resplan.facts import FITS
from resplan.plan import SpecialtyTarget
from resplan.rulebook import Rulebook, whole_parameter
from resplan.stages.common import cite, evaluate
from resplan.stages.table import catalog_table

DEFAULT_FIT = "possible"
SPECIALTIES = "specialties"  # the ruleset whose parameters code reads
FIELDS_WITHOUT_WISHES = "fields_without_wishes"
BACKUP_FIELDS = "backup_fields"
# The parameters code reads (resplan check counts them as used), with their defaults
# for a specialties ruleset that leaves them out.
CODE_PARAMETERS = {FIELDS_WITHOUT_WISHES: 2, BACKUP_FIELDS: 1}


def parameter(rulebook: Rulebook, name: str) -> int:
    """A parameter of the specialties ruleset that code reads, as a whole number."""
    return whole_parameter(rulebook, SPECIALTIES, name, CODE_PARAMETERS[name])


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

    suggestions = {}
    in_catalog = programs_in(draft, wishes)
    for name in names:
        fit, cited, env = rated[name]
        if best is not None:
            env["wishes.best_fit"] = best
        if name not in wishes:
            fired, _ = evaluate(suggest_rules, {**env, "wishes.programs": in_catalog})
            if fired:
                suggestions[name] = fired
    limit = parameter(rulebook, BACKUP_FIELDS if wishes else FIELDS_WITHOUT_WISHES)
    order = {rule.qualified_id: i for i, rule in enumerate(suggest_rules)}
    kept = sorted(
        suggestions,
        key=lambda n: (-FITS.index(rated[n][0]), order[suggestions[n][0].qualified_id], n),
    )[:limit]

    targets = []
    for name in names:
        fit, cited, env = rated[name]
        suggested = name in kept
        if name not in wishes:
            if not suggested:
                continue
            if reasons:
                said = {**env, "wishes.programs": in_catalog}
                cited = cited + [cite(r, said, labels, draft.guessed) for r in suggestions[name]]
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


def programs_in(draft, specialties) -> int:
    """Programs of the catalog in ``specialties``, whatever their verdict will be."""
    keys = catalog_table(draft.catalog, draft.rulebook.city_regions).keys
    wanted = np.array([s in specialties for s in keys.specialties], dtype=bool)
    return int(np.count_nonzero(wanted[keys.specialty]))
