"""Stage 3: rank the border sub-regions for this applicant.

The highest priority a fired rule gives wins, except ``none``: a rule giving ``none``
says the sub-region has nothing to rank (no program of the catalog lies there in the
specialties the plan considers), and it overrides the others. The rules of the higher
priorities are still cited, so the applicant sees why the place would matter. A rule
without a priority only adds its reason.

A reason that reads the same for several sub-regions (advice about the applicant, not
the place) is said once: at the first sub-region of the plan's order that has it.
"""

from __future__ import annotations

import attrs
import numpy as np

from resplan.dates import AHEAD, cycle_stage
from resplan.plan import RegionTarget
from resplan.stages.common import cite, evaluate
from resplan.stages.table import catalog_table

PRIORITIES = ("none", "low", "medium", "high")  # the order regions are listed in, reversed
DEFAULT_PRIORITY = "low"
# How fired rules combine: the last of these wins.
STRENGTH = ("low", "medium", "high", "none")


def run(draft, reasons=True):
    """``reasons=False`` leaves the reasons out (the what-if stage compares priorities)."""
    labels = draft.rulebook.labels
    base = draft.env
    rules = draft.rulebook.rules("regions")
    preferred = draft.profile.applicant.states
    programs = programs_by_region(draft)
    # A backup field the plan adds once this Match's applications are out is a choice for
    # a next application: its programs are no place to aim at in this Match.
    later = frozenset(t.name for t in draft.specialties if t.suggested)
    if later and cycle_stage(draft.profile.applicant.cycle, draft.as_of, draft.rulebook) != AHEAD:
        this_match = programs_by_region(draft, exclude=later)
    else:
        this_match = programs
    targets = []
    for sub in draft.rulebook.subregions:
        env = {
            **base,
            "region.id": sub.id,
            "region.name": sub.name,
            "region.name_in_text": sub.in_text,
            "region.state": sub.state,
            "region.programs": programs.get(sub.id, 0),
            "region.programs_this_match": this_match.get(sub.id, 0),
        }
        if preferred is not None:
            env["region.preferred"] = sub.state in preferred
        fired, _ = evaluate(rules, env)
        priority = max(
            (r.effect["priority"] for r in fired if "priority" in r.effect),
            key=STRENGTH.index,
            default=DEFAULT_PRIORITY,
        )
        # The reason for "none" comes first: it is what the applicant must know first.
        fired.sort(key=lambda r: r.effect.get("priority") != "none")
        targets.append(
            RegionTarget(
                id=sub.id,
                name=sub.name,
                state=sub.state,
                priority=priority,
                cities=sub.cities,
                reasons=tuple(cite(r, env, labels) for r in fired) if reasons else (),
            )
        )
    targets.sort(key=lambda t: (-PRIORITIES.index(t.priority), t.state, t.id))
    return draft.evolve(regions=_said_once(targets))


def _said_once(targets: list[RegionTarget]) -> tuple[RegionTarget, ...]:
    """The targets, each reason kept only at the first target that gives it."""
    said: set = set()
    out = []
    for target in targets:
        kept = tuple(r for r in target.reasons if r not in said)
        said.update(target.reasons)
        out.append(
            target if len(kept) == len(target.reasons) else attrs.evolve(target, reasons=kept)
        )
    return tuple(out)


def programs_by_region(draft, exclude: frozenset[str] = frozenset()) -> dict[str, int]:
    """Programs of the catalog in each sub-region, counting the considered specialties only
    (less those in ``exclude``)."""
    table = catalog_table(draft.catalog, draft.rulebook.city_regions)
    keys = table.keys
    # Programs per specialty and sub-region, counted once per catalog.
    by_specialty = table.memo.get(_PROGRAMS_PER_SPECIALTY_AND_REGION)
    if by_specialty is None:
        cells = keys.specialty.astype(np.int64) * len(keys.regions) + keys.region
        by_specialty = table.memo[_PROGRAMS_PER_SPECIALTY_AND_REGION] = np.bincount(
            cells, minlength=len(keys.specialties) * len(keys.regions)
        ).reshape(len(keys.specialties), len(keys.regions))
    considered = {t.name for t in draft.specialties} - exclude
    wanted = np.array([s in considered for s in keys.specialties], dtype=bool)
    counts = by_specialty[wanted].sum(axis=0)
    return {region: int(n) for region, n in zip(keys.regions, counts.tolist()) if region != "none"}


_PROGRAMS_PER_SPECIALTY_AND_REGION = ("regions", "programs")  # its key in a table's memo
