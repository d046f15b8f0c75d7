"""Stage 5: place every program not skipped in tier 1, 2 or 3 (the best tier a rule gives wins).

Of the rules that place a program in its tier, the first in rule order is cited: one
reason says why it is there. A rule that sets ``lower`` then moves the program down that many tiers (the largest of
the rules that fire, never below tier 3); it is cited only where it moved the program.
A rule that sets ``note`` places and moves nothing: it is cited, after the others, on
every program not skipped where it fires, and a fact it leaves unknown is not verified
for it.
A rule left undecided by an unknown fact that would have given a better tier, or moved a
program down, adds that fact to ``to_verify``: confirming it could move the program. This stage turns the
screening into the plan's :class:`~resplan.plan.ProgramDecisions`, in plan order:
programs to apply to before skipped ones, the best tier first, ``apply`` before
``borderline``, then by id.
"""

from __future__ import annotations

import attrs
import numpy as np

from resplan.plan import ProgramDecisions
from resplan.rulebook import Rule
from resplan.rules.columns import object_array
from resplan.stages.common import guesses
from resplan.stages.screen import SEVERITY
from resplan.stages.table import (
    NOT_CITED,
    Outcome,
    RowCodes,
    decided,
    decision_key,
    evaluate,
    fields_of,
    keep_decided,
    nothing_cited,
    unique_inverse,
)

DEFAULT_TIER = 3
SKIP = SEVERITY.index("skip")
NO_TIER = 0  # in ProgramDecisions.tier: a skipped program


def _citing(rules, outcomes, table, draft, citations):
    """How a tier rule is cited on the rows ``where`` it holds: what the profile leaves
    out (a gap) is said first only on the rows whose reason rests on it. The plan says
    each gap once, with the profile's gaps; a row repeats it only where the rule would not
    hold without the worst value the plan counts for the gap (review 9, finding 17: the
    same sentence at the head of every program). A rule that prints a guessed fact, or
    rests on a finding a gap decided, keeps it on every row it cites."""
    plain = {name for name in draft.guessed if "#" not in name}
    if not plain:
        return lambda o, where, codes: [citations.cite(o.rule, table, where, codes)]
    bare_env = {**draft.env, **dict.fromkeys(plain)}
    bare_outcomes = evaluate(rules, table, bare_env)
    held = {id(o.rule): b.fired for o, b in zip(outcomes, bare_outcomes)}
    bare = citations.without_guesses()  # the same reasons and numbers, without the gaps

    def cite(o, where, codes):
        rule = o.rule
        printed = rule.says.names if rule.says else frozenset()
        if (
            not guesses(rule, draft.guessed)
            or set(draft.guessed) - plain & (rule.condition.names | printed)
            or plain & printed
        ):
            return [citations.cite(rule, table, where, codes)]
        without = where & held[id(rule)]
        return [
            citations.cite(rule, table, where & ~without, codes),
            bare.cite(rule, table, without, codes),
        ]

    return cite


def run(draft):
    screening = draft.screening
    table, severity, citations = screening.table, screening.severity, screening.citations
    # The verdicts as indexes (severity is int8): see stages.table._index.
    table.add_coded_column("screen.verdict", severity.astype(np.intp), SEVERITY)
    rules = draft.rulebook.rules("tier")
    outcomes = evaluate(rules, table, draft.env)
    # As the screening (see screen.run): the same screening and tier rules' outcomes,
    # with the same words to print, place the programs the same. The screening's key
    # stands for its verdicts, which the ``screen.verdict`` column holds.
    keyed = None
    if screening.key is not None:
        keyed = decision_key(
            rules,
            table,
            outcomes,
            draft.env,
            draft.guessed,
            draft.rulebook.labels,
            screening.key[0],
        )
    key = keyed[0] if keyed is not None else None
    found = decided(table, key)
    if found is not None:
        kept, placed_tier = found
        return draft.evolve(programs=_own(kept), tiering=Tiering(tuple(outcomes), placed_tier))
    placing = [o for o in outcomes if "tier" in o.rule.effect]
    lowering = [o for o in outcomes if "lower" in o.rule.effect]
    noting = [o for o in outcomes if "note" in o.rule.effect]
    cite = _citing(rules, outcomes, table, draft, citations)
    tier, steps = place([(o.rule, o.fired) for o in outcomes], table.rows)
    skipped = severity == SKIP
    unknown_bits = screening.unknown_bits.copy()
    cited = list(screening.cited)
    codes = screening.codes.copy()
    kept = ~skipped
    # Per tier a rule gives: the programs it could better, and those it placed and no
    # earlier rule of that tier is cited for yet (one reason says why a program is in its
    # tier: the first rule, in rule order, that places it there).
    better: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for o in placing:
        level = o.rule.effect["tier"]
        if level not in better:
            better[level] = ((level < tier) & kept, (tier == level) & kept)
        could, placed = better[level]
        if o.undecided.any():
            np.bitwise_or(unknown_bits, o.bits, out=unknown_bits, where=o.undecided & could)
        deciding = o.fired & placed
        placed &= ~deciding
        cited += cite(o, deciding, codes)
    movable = (tier < DEFAULT_TIER) & kept
    for o in lowering:
        np.bitwise_or(
            unknown_bits,
            o.bits,
            out=unknown_bits,
            where=o.undecided & movable & (o.rule.effect["lower"] > steps),
        )
        cited += cite(o, o.fired & movable & (steps == o.rule.effect["lower"]), codes)
    for o in noting:
        cited += cite(o, o.fired & kept, codes)
    np.minimum(tier + steps, DEFAULT_TIER, out=tier)
    tiering = Tiering(tuple(outcomes), tier.copy())
    tier[skipped] = NO_TIER

    # Programs cited by the same rules with the same messages share one tuple of reasons;
    # programs with the same unknown facts share one tuple of fields.
    # A rule that cites no row adds nothing to any row's reasons (its column is the
    # shared one that cites nothing): left out of the matrix.
    nothing = nothing_cited(table.rows)
    reason_sets, reason_of = _distinct([c for c in cited if c is not nothing], codes)
    reasons = citations.reasons
    bits, verify_of = unique_inverse(unknown_bits)
    regions = tuple(None if r == "none" else r for r in table.keys.regions)
    decisions = ProgramDecisions(
        table.programs,
        severity,
        tier,
        table.keys.region,
        regions,
        reason_of,
        _reason_sets(reason_sets, reasons),
        verify_of.reshape(-1),
        [fields_of(int(b), table) for b in bits],
        catalog_rows=table.keys.row,
        memo=table.memo,
    )
    order = decision_order(table.keys.id_rank, severity, tier, skipped)
    programs = decisions.take(order)
    if keyed is not None:
        refs = (keyed[1], screening.key[1])  # what both keys name
        arrays = [tiering.tier, programs.verdict, programs.tier, programs.region]
        arrays += [programs.reasons, programs.to_verify]
        if programs.catalog_rows is not None:
            arrays.append(programs.catalog_rows)
        if isinstance(programs.programs, np.ndarray):
            arrays.append(programs.programs)
        keep_decided(table, key, refs, (programs, tiering.tier), arrays)
        programs = _own(programs)
    return draft.evolve(programs=programs, tiering=tiering)


def _own(kept: ProgramDecisions) -> ProgramDecisions:
    """``kept``'s arrays in an object of a plan's own: what a plan works out from its
    decisions (their ProgramDecision items) is not kept with them."""
    return ProgramDecisions(
        kept.programs,
        kept.verdict,
        kept.tier,
        kept.region,
        kept.regions,
        kept.reasons,
        kept.reason_sets,
        kept.to_verify,
        kept.verify_sets,
        catalog_rows=kept.catalog_rows,
        memo=kept.memo,
    )


def decision_order(id_rank, severity, tier, skipped) -> np.ndarray:
    """The order of a plan's decisions: programs to apply to first, by tier, verdict and
    id; skipped programs last."""
    return np.lexsort((id_rank, severity, np.where(skipped, 4, tier), skipped))


@attrs.frozen
class Tiering:
    """What the what-if stage decides changes from: each tier rule's outcome over the
    screening's table, and each row's tier as if no program were skipped."""

    outcomes: tuple[Outcome, ...] = attrs.field(eq=False, repr=False)
    tier: np.ndarray = attrs.field(eq=False, repr=False)


def place(fired: list[tuple[Rule, np.ndarray]], rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the best tier the placing rules give, and the most steps down the
    lowering rules give (the final tier is the sum, at most DEFAULT_TIER)."""
    placing: dict[int, list[np.ndarray]] = {}
    lowering: dict[int, list[np.ndarray]] = {}
    for rule, where in fired:
        if "tier" in rule.effect:
            placing.setdefault(rule.effect["tier"], []).append(where)
        if "lower" in rule.effect:
            lowering.setdefault(rule.effect["lower"], []).append(where)
    # One mask per tier or step count; the best tier, the most steps, written last.
    tier = np.full(rows, DEFAULT_TIER, dtype=np.int8)
    for level in sorted(placing, reverse=True):
        if level < DEFAULT_TIER:
            tier[np.logical_or.reduce(placing[level])] = level
    steps = np.zeros(rows, dtype=np.int8)
    for level in sorted(lowering):
        if level > 0:
            steps[np.logical_or.reduce(lowering[level])] = level
    return tier, steps


def _distinct(columns: list[np.ndarray], codes: RowCodes) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the matrix whose columns are given, as ``codes`` tells them
    apart, and each row's index among them."""
    first, inverse = codes.distinct()
    distinct = np.empty((len(first), len(columns)), dtype=np.int64)
    for j, column in enumerate(columns):
        distinct[:, j] = column[first]
    return distinct, inverse


def _distinct_rows(columns: list[np.ndarray], rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the matrix whose columns are given (without the columns that
    cite nothing), and each row's index among them. Columns are small non-negative
    numbers or -1 (not cited)."""
    codes = RowCodes(rows)
    active = []
    for column in columns:
        at = np.flatnonzero(column != NOT_CITED)
        if len(at):
            values = column[at]
            low = int(values.min())
            codes.add(at, values - (low - 1), int(values.max()) - low + 2)
            active.append(column)
    return _distinct(active, codes)


def _reason_sets(matrix: np.ndarray, reasons: list) -> list[tuple]:
    """Each distinct row's reasons, in rule order, without the rules that cite nothing."""
    cited = matrix != NOT_CITED
    ends = np.cumsum(np.count_nonzero(cited, axis=1)).tolist()
    found = object_array(reasons)[matrix[cited]].tolist() if len(reasons) else []
    return [tuple(found[start:end]) for start, end in zip([0, *ends], ends)]
