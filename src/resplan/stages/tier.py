"""Stage 5: place every program not skipped in tier 1, 2 or 3 (the best tier a rule gives wins).

A rule left undecided by an unknown fact that would have given a better tier adds that
fact to ``to_verify``: confirming it could move the program up. This stage turns the
screening into the plan's :class:`~resplan.plan.ProgramDecisions`, in plan order:
programs to apply to before skipped ones, the best tier first, ``apply`` before
``borderline``, then by id.
"""

from __future__ import annotations

import numpy as np

from resplan.plan import ProgramDecisions
from resplan.stages.screen import SEVERITY
from resplan.stages.table import NOT_CITED, fields_of, evaluate

DEFAULT_TIER = 3
SKIP = SEVERITY.index("skip")
NO_TIER = 0  # in ProgramDecisions.tier: a skipped program


def run(draft):
    screening = draft.screening
    table, severity, citations = screening.table, screening.severity, screening.citations
    table.add_coded_column("screen.verdict", severity, SEVERITY)
    outcomes = evaluate(draft.rulebook.rules("tier"), table, draft.env)
    tier = np.full(table.rows, DEFAULT_TIER, dtype=np.int8)
    for o in outcomes:
        np.minimum(tier, o.rule.effect["tier"], out=tier, where=o.fired)
    skipped = severity == SKIP
    unknown_bits = screening.unknown_bits.copy()
    cited = list(screening.cited)
    for o in outcomes:
        level = o.rule.effect["tier"]
        np.bitwise_or(unknown_bits, o.bits, out=unknown_bits,
                      where=o.undecided & (level < tier) & ~skipped)
        cited.append(citations.cite(o.rule, table, o.fired & (tier == level) & ~skipped))
    tier[skipped] = NO_TIER

    # Programs cited by the same rules with the same messages share one tuple of reasons;
    # programs with the same unknown facts share one tuple of fields.
    reason_sets, reason_of = _distinct_rows(cited, table.rows)
    reasons = citations.reasons
    bits, verify_of = np.unique(unknown_bits, return_inverse=True)
    regions = tuple(None if r == "none" else r for r in table.keys.regions)
    decisions = ProgramDecisions(
        table.programs, severity, tier, table.keys.region, regions,
        reason_of, [tuple([reasons[n] for n in row if n != NOT_CITED]) for row in reason_sets],
        verify_of.reshape(-1), [fields_of(int(b), table) for b in bits],
        catalog_rows=table.keys.row, memo=table.memo)
    order = np.lexsort((table.keys.id_rank, severity, np.where(skipped, 4, tier), skipped))
    return draft.evolve(programs=decisions.take(order))


def _distinct_rows(columns: list[np.ndarray], rows: int) -> tuple[list[list[int]], np.ndarray]:
    """The distinct rows of the matrix whose columns are given, and each row's index among them.

    Columns are small non-negative numbers or -1; each one folds into a running code per
    row, renumbered densely whenever it would grow too large.
    """
    active = [c for c in columns if len(c) and c.max() != NOT_CITED]
    code = np.zeros(rows, dtype=np.int64)
    for column in active:
        width = int(column.max()) + 2
        if int(code.max()) >= (1 << 62) // width:
            code = np.unique(code, return_inverse=True)[1].reshape(-1).astype(np.int64)
        code = code * width + (column + 1)
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    if not rows:
        return [[]], inverse.reshape(-1)
    if not active:
        return [[]] * len(first), inverse.reshape(-1)
    return np.stack(active, axis=1)[first].tolist(), inverse.reshape(-1)
