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
from resplan.stages.table import catalog_table, fields_of, unique_inverse

SKIP = VERDICTS.index("skip")
# Facts that say which program it is (its track too), or where; no season changes them.
NOT_LISTING_FACTS = frozenset(
    {
        "program.id",
        "program.name",
        "program.specialty",
        "program.track",
        "program.city",
        "program.state",
        "program.border",
        "program.region",
        "program.region_name",
        "program.facts_as_of",
    }
)


_DECISION_FACTS: dict[int, tuple] = {}  # id(rulebook) -> (rulebook, facts): a batch asks often


def decision_facts(rulebook) -> tuple[str, ...]:
    """The program facts a screening or tier rule reads, less those no season changes."""
    cached = _DECISION_FACTS.get(id(rulebook))
    if cached is not None and cached[0] is rulebook:
        return cached[1]
    if len(_DECISION_FACTS) > 8:
        _DECISION_FACTS.clear()
    names: set[str] = set()
    for stage in ("screen", "tier"):
        for rule in rulebook.rules(stage):
            names.update(n for n in rule.condition.names if n.startswith("program."))
    facts = tuple(sorted(names - NOT_LISTING_FACTS))
    _DECISION_FACTS[id(rulebook)] = (rulebook, facts)
    return facts


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
    zero = np.uint64(0)
    for name in decision_facts(draft.rulebook):
        if name in table.bit:
            bits |= np.where(table.columns[name].known[rows], np.uint64(1 << table.bit[name]), zero)
    bits[~stale] = zero
    # The fields already to verify, as the same bits, so that one OR and one np.unique
    # give each program's new set; fields_of is cached by bits.
    old_bits = [_bits_of(fields, table.bit) for fields in programs.verify_sets]
    if None in old_bits:  # a field outside the table (a plugin's): merge the sets by name
        return _merge_by_name(draft, programs, bits, table)
    merged = np.asarray(old_bits, dtype=np.uint64)[programs.to_verify] | bits
    distinct, verify_of = unique_inverse(merged)
    verify_sets = [fields_of(int(b), table) for b in distinct.tolist()]
    return _with_sets(draft, programs, verify_of.reshape(-1), verify_sets, bits)


def _bits_of(fields, bit: dict) -> int | None:
    out = 0
    for field in fields:
        number = bit.get(f"program.{field}")
        if number is None:
            return None
        out |= 1 << number
    return out


def _merge_by_name(draft, programs, bits, table):
    stale_bits, stale_of = np.unique(bits, return_inverse=True)
    width = len(stale_bits)
    pairs, pair_of = np.unique(
        programs.to_verify.astype(np.int64) * width + stale_of.reshape(-1), return_inverse=True
    )
    verify_sets = []
    for pair in pairs.tolist():
        old = programs.verify_sets[pair // width]
        new = fields_of(int(stale_bits[pair % width]), table)
        verify_sets.append(tuple(sorted(set(old).union(new))))
    return _with_sets(draft, programs, pair_of.reshape(-1), verify_sets, bits)


def _with_sets(draft, programs, verify_of, verify_sets, bits):
    decisions = programs.with_verify(verify_of, verify_sets)
    counted = int(np.count_nonzero((bits != 0) & (programs.verdict != SKIP)))
    return draft.evolve(programs=decisions, env={**draft.env, "plan.stale": counted})
