"""Stage 6: facts a program listed too long ago are facts to verify.

A program's facts carry the year they date from (``facts_as_of``). When that year is
more than the calendar's ``facts_stale_after_years`` before the plan's date, each fact
the program states and that a screening or tier rule reads (a minimum score, visas, a
graduation limit, its share of IMGs) joins the program's ``to_verify``: minimums and
visa policies change between seasons. A program without a year is left as it is: most
listings give none, and the facts it lacks are already listed.

Column by column, like the tier stage: one mask of stated facts per rule-read fact, and
one new set of fields per distinct pair (fields already to verify, stale fields).
"""

from __future__ import annotations

import numpy as np

from resplan.dates import calendar_parameter
from resplan.plan import VERDICTS, ProgramDecisions
from resplan.stages.table import catalog_table, fields_of

SKIP = VERDICTS.index("skip")
# Facts that say which program it is, or where; no season changes them.
NOT_LISTING_FACTS = frozenset({
    "program.id", "program.name", "program.specialty", "program.city", "program.state",
    "program.border", "program.region", "program.region_name", "program.facts_as_of",
})


def decision_facts(rulebook) -> tuple[str, ...]:
    """The program facts a screening or tier rule reads, less those no season changes."""
    names = set()
    for stage in ("screen", "tier"):
        for rule in rulebook.rules(stage):
            names.update(n for n in rule.condition.names if n.startswith("program."))
    return tuple(sorted(names - NOT_LISTING_FACTS))


def stale_before(draft) -> int:
    """Facts dated before this year are out of date on the plan's date."""
    return draft.as_of.year - int(calendar_parameter(draft.rulebook, "facts_stale_after_years"))


def run(draft):
    programs: ProgramDecisions = draft.programs
    if not len(programs) or programs.catalog_rows is None:
        return draft.evolve(env={**draft.env, "plan.stale": 0})
    table = catalog_table(draft.catalog, draft.rulebook.city_regions)
    rows = programs.catalog_rows
    dated = table.columns["program.facts_as_of"]
    stale = dated.known[rows] & (dated.values[rows] < stale_before(draft))
    if not stale.any():
        return draft.evolve(env={**draft.env, "plan.stale": 0})
    bits = np.zeros(len(rows), dtype=np.uint64)
    for name in decision_facts(draft.rulebook):
        if name in table.bit:
            stated = table.columns[name].known[rows] & stale
            bits[stated] |= np.uint64(1 << table.bit[name])
    stale_bits, stale_of = np.unique(bits, return_inverse=True)
    width = len(stale_bits)
    pairs, pair_of = np.unique(programs.to_verify.astype(np.int64) * width + stale_of.reshape(-1),
                               return_inverse=True)
    verify_sets = []
    for pair in pairs.tolist():
        old = programs.verify_sets[pair // width]
        new = fields_of(int(stale_bits[pair % width]), table)
        verify_sets.append(tuple(sorted(set(old).union(new))))
    decisions = ProgramDecisions(
        programs.programs, programs.verdict, programs.tier, programs.region, programs.regions,
        programs.reasons, programs.reason_sets, pair_of.reshape(-1), verify_sets,
        catalog_rows=programs.catalog_rows, memo=programs.memo)
    counted = int(np.count_nonzero((bits != 0) & (programs.verdict != SKIP)))
    return draft.evolve(programs=decisions, env={**draft.env, "plan.stale": counted})
