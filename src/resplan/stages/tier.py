"""Stage 5: place every program not skipped in tier 1, 2 or 3 (the best tier a rule gives wins).

A rule left undecided by an unknown fact that would have given a better tier adds that
fact to ``to_verify``: confirming it could move the program up. This stage turns the
screening into one :class:`~resplan.plan.ProgramDecision` per program.
"""

from __future__ import annotations

import numpy as np

from resplan.plan import ProgramDecision
from resplan.stages.screen import SEVERITY
from resplan.stages.table import Citations, evaluate, fields_of

DEFAULT_TIER = 3
SKIP = SEVERITY.index("skip")


def run(draft):
    screening = draft.screening
    table = screening.table
    table.add_column("screen.verdict", [SEVERITY[s] for s in screening.severity])
    outcomes = evaluate(draft.rulebook.rules("tier"), table, draft.env)
    tier = np.full(table.rows, DEFAULT_TIER, dtype=np.int8)
    for o in outcomes:
        tier = np.where(o.fired, np.minimum(tier, o.rule.effect["tier"]), tier)
    skipped = screening.severity == SKIP
    unknown_bits = screening.unknown_bits.copy()
    cited: list[list] = [[] for _ in range(table.rows)]
    cite = Citations(table, draft.env, draft.rulebook.labels)
    for o in outcomes:
        level = o.rule.effect["tier"]
        unknown_bits |= np.where(o.undecided & (level < tier) & ~skipped, o.bits, np.uint64(0))
        for index in np.flatnonzero(o.fired & (tier == level) & ~skipped):
            cited[index].append(cite(o.rule, index))

    decisions = []
    regions = table.raw["program.region"]
    for index, program in enumerate(table.programs):
        bits = int(unknown_bits[index])
        region = regions[index]
        decisions.append(ProgramDecision(
            id=program.id, name=program.name, specialty=program.specialty, city=program.city,
            state=program.state, verdict=SEVERITY[screening.severity[index]],
            tier=None if skipped[index] else int(tier[index]),
            region=None if region == "none" else region,
            reasons=screening.reasons[index] + tuple(cited[index]),
            to_verify=fields_of(bits, table) if bits else ()))
    return draft.evolve(programs=tuple(decisions))
