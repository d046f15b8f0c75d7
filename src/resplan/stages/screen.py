"""Stage 4: screen every program of a considered specialty: apply, borderline or skip.

The most severe verdict any fired rule gives wins. A rule left undecided by an unknown
program fact that would have given a more severe verdict puts that fact in the program's
``to_verify``: unknown is never silently a pass. Rules are asked of all programs at once
(see ``stages/table.py``).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from resplan import facts as F
from resplan.stages.table import Citations, ProgramTable, catalog_table, evaluate

SEVERITY = ("apply", "borderline", "skip")


@attrs.frozen
class Screening:
    """The screen stage's result, one entry per considered program (rows of ``table``)."""

    table: ProgramTable = attrs.field(eq=False, repr=False)
    severity: Any  # int8 array: index into SEVERITY
    reasons: tuple[tuple, ...]  # the cited rules' Reasons, per program
    unknown_bits: Any  # uint64 array: program facts to verify, as table.bit bits

    def verdict(self, index: int) -> str:
        return SEVERITY[self.severity[index]]


def run(draft):
    considered = {t.name for t in draft.specialties}
    full = catalog_table(draft.catalog, draft.rulebook.city_regions)
    rows = np.fromiter((s in considered for s in full.raw["program.specialty"]), bool, full.rows)
    table = full.select(np.flatnonzero(rows))
    regions = table.raw["program.region"]
    names = {r.id: r.name for r in draft.regions}
    priority = {r.id: r.priority for r in draft.regions}
    table.add_column("program.region_name", [names.get(r, "none") for r in regions])
    table.add_column("region.priority", [priority.get(r, "none") for r in regions])
    specialties = table.raw["program.specialty"]
    for name, fact in {**F.specialty_facts(("",)), **F.SPECIALTY_FIT_FACT}.items():
        table.add_column(name, [draft.specialty_envs[s].get(name) for s in specialties],
                         fact.type)

    outcomes = evaluate(draft.rulebook.rules("screen"), table, draft.env)
    severity = np.zeros(table.rows, dtype=np.int8)
    for o in outcomes:
        severity = np.where(o.fired, np.maximum(severity, SEVERITY.index(o.rule.effect["verdict"])),
                            severity)
    # Facts that could have made the verdict more severe are the ones to verify.
    unknown_bits = np.zeros(table.rows, dtype=np.uint64)
    cited: list[list] = [[] for _ in range(table.rows)]
    cite = Citations(table, draft.env, draft.rulebook.labels)
    for o in outcomes:
        level = SEVERITY.index(o.rule.effect["verdict"])
        unknown_bits |= np.where(o.undecided & (severity < level), o.bits, np.uint64(0))
        for index in np.flatnonzero(o.fired & (severity == level)):
            cited[index].append(cite(o.rule, index))
    return draft.evolve(screening=Screening(table, severity, tuple(map(tuple, cited)),
                                            unknown_bits))
