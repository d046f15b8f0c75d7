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
from resplan.plan import VERDICTS, Reason
from resplan.rulebook import Rule
from resplan.stages.stale import NOT_LISTING_FACTS
from resplan.stages.table import (
    NOT_CITED,
    Citations,
    Outcome,
    ProgramTable,
    RowCodes,
    catalog_table,
    decided,
    decision_key,
    evaluate,
    keep_decided,
)

SEVERITY = VERDICTS  # apply < borderline < skip


@attrs.frozen
class Screening:
    """The screen stage's result, one entry per considered program (rows of ``table``)."""

    table: ProgramTable = attrs.field(eq=False, repr=False)
    severity: Any  # int8 array: index into SEVERITY
    cited: tuple[Any, ...]  # per screen rule: int32 array of reason numbers, -1 where not cited
    citations: Citations = attrs.field(eq=False, repr=False)  # the numbered reasons
    unknown_bits: Any  # uint64 array: program facts to verify, as table.bit bits
    # What the what-if stage decides changes from: each rule's outcome over ``table``,
    # and the values per code of the columns ``prepare`` added.
    outcomes: tuple[Outcome, ...] = attrs.field(default=(), eq=False, repr=False)
    inputs: dict[str, tuple] = attrs.field(factory=dict, eq=False, repr=False)
    env: Any = attrs.field(default=None, eq=False, repr=False)  # the facts the rules read
    # Rows with the same code have the same reasons (stages.table.RowCodes).
    codes: Any = attrs.field(default=None, eq=False, repr=False)
    # What decided it (stages.table.decision_key) and the objects the key names, or None.
    key: Any = attrs.field(default=None, eq=False, repr=False)

    def verdict(self, index: int) -> str:
        return SEVERITY[self.severity[index]]

    def reasons(self, index: int) -> tuple[Reason, ...]:
        reasons = self.citations.reasons
        return tuple(reasons[c[index]] for c in self.cited if c[index] != NOT_CITED)


def run(draft):
    table, inputs = prepare(draft)
    rules = draft.rulebook.rules("screen")
    outcomes = evaluate(rules, table, draft.env)
    labels = draft.rulebook.labels
    # A plan whose rules came out the same, over the same programs, with the same words
    # to print, is screened the same: the next plan of this profile, a what-if change that
    # leaves the screening as it was, an applicant in the same situation.
    keyed = decision_key(
        rules, table, outcomes, draft.env, draft.guessed, labels, tuple(inputs.items())
    )
    key = keyed[0] if keyed is not None else None
    found = decided(table, key)
    if found is not None:
        severity, cited, citations, unknown_bits, code, span = found
        citations = citations.copy(draft.env, draft.guessed)  # the tier stage cites more
        codes = RowCodes.of(code, span)
    else:
        severity, cited, citations, unknown_bits, codes = _decide(draft, table, outcomes)
        if keyed is not None:
            kept = (severity, cited, citations.copy(draft.env, draft.guessed), unknown_bits)
            code = codes.code.copy()
            arrays = (severity, *cited, unknown_bits, code)
            keep_decided(table, key, keyed[1], (*kept, code, codes.span), arrays)
    return draft.evolve(
        screening=Screening(
            table,
            severity,
            cited,
            citations,
            unknown_bits,
            tuple(outcomes),
            inputs,
            draft.env,
            codes,
            keyed,
        )
    )


def _decide(draft, table: ProgramTable, outcomes) -> tuple:
    """Each program's verdict, the reasons cited per rule, the facts to verify and the
    rows' reason codes, from the rules' outcomes."""
    severity = severities([(o.rule, o.fired) for o in outcomes], table.rows)
    # Facts that could have made the verdict more severe are the ones to verify.
    unknown_bits = np.zeros(table.rows, dtype=np.uint64)
    citations = Citations(draft.env, draft.rulebook.labels, draft.guessed)
    cited = []
    codes = RowCodes(table.rows)
    # Per verdict a rule gives: the programs it could make more severe, and those it decided.
    levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    # Per verdict, how many rules give it to each program: a listing fact to verify can
    # move a program only where its rule alone gives the program's verdict.
    given: dict[int, np.ndarray] = {}
    if any("verify" in o.rule.effect for o in outcomes):
        for o in outcomes:
            level = SEVERITY.index(o.rule.effect["verdict"])
            given[level] = given.get(level, 0) + o.fired.astype(np.int8)
    for o in outcomes:
        level = SEVERITY.index(o.rule.effect["verdict"])
        if level not in levels:
            levels[level] = (severity < level, severity == level)
        below, decided_here = levels[level]
        if o.undecided.any():
            np.bitwise_or(unknown_bits, o.bits, out=unknown_bits, where=o.undecided & below)
        if "verify" in o.rule.effect:
            alone = o.fired & decided_here & (given[level] == 1)
            np.bitwise_or(unknown_bits, listing_bits(o.rule, table), out=unknown_bits, where=alone)
        cited.append(citations.cite(o.rule, table, o.fired & decided_here, codes))
    return severity, tuple(cited), citations, unknown_bits, codes


def listing_bits(rule: Rule, table: ProgramTable) -> np.uint64:
    """The bits of the program facts ``rule`` reads that a listing states (not which
    program it is, or where: no season changes those)."""
    bits = 0
    for name in rule.condition.names:
        if name.startswith("program.") and name not in NOT_LISTING_FACTS and name in table.bit:
            bits |= 1 << table.bit[name]
    return np.uint64(bits)


def prepare(draft) -> tuple[ProgramTable, dict[str, tuple]]:
    """The table of the considered programs, with the columns that follow from this
    plan's regions and specialties; and those columns' values per code, by name (a plan
    with the same rows and the same values has the same columns)."""
    full = catalog_table(draft.catalog, draft.rulebook.city_regions)
    keys = full.keys
    considered = {t.name for t in draft.specialties}
    wanted = np.array([s in considered for s in keys.specialties], dtype=bool)
    # The catalog's codes are int32: as indexes NumPy takes them quicker in its own type.
    table = full.select(np.flatnonzero(wanted[keys.specialty.astype(np.intp)]))

    # Facts that depend on this plan's regions and specialties: one value per code.
    names = {r.id: r.name for r in draft.regions}
    priority = {r.id: r.priority for r in draft.regions}
    inputs: dict[str, tuple] = {}
    inputs["program.region_name"] = tuple(names.get(r, "none") for r in keys.regions)
    table.add_coded_column("program.region_name", table.keys.region, inputs["program.region_name"])
    inputs["region.priority"] = tuple(priority.get(r, "none") for r in keys.regions)
    table.add_coded_column("region.priority", table.keys.region, inputs["region.priority"])
    envs = draft.specialty_envs
    for name, fact in {**F.specialty_facts(("",)), **F.SPECIALTY_FIT_FACT}.items():
        inputs[name] = tuple(envs[s].get(name) if s in envs else None for s in keys.specialties)
        table.add_coded_column(name, table.keys.specialty, inputs[name], fact.type)
    return table, inputs


def severities(fired: list[tuple[Rule, np.ndarray]], rows: int) -> np.ndarray:
    """Per row, the most severe verdict of the rules that fire there (index into SEVERITY)."""
    by_level: dict[int, list[np.ndarray]] = {}
    for rule, where in fired:
        by_level.setdefault(SEVERITY.index(rule.effect["verdict"]), []).append(where)
    severity = np.zeros(rows, dtype=np.int8)
    for level in sorted(by_level):  # the most severe last: it wins
        if level:
            severity[np.logical_or.reduce(by_level[level])] = level
    return severity
