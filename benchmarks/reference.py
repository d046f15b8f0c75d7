"""A hand-written NumPy reference of resplan's screen stage: what the columnar limit is.

The rules of ``rulesets/screening.toml`` written by hand as NumPy operations over a few
arrays, with no rule language, no syntax trees and no reasons rendered: the least a
program could do to give the same decisions. For every program of a considered
specialty it gives the verdict (apply, borderline or skip), the rules that gave it (the
fired rules of the most severe verdict) and the program facts to verify (a rule left
undecided by an unknown program fact, that would have given a more severe verdict, names
that fact), as resplan's screen stage does.

Like resplan's column table, :class:`ReferenceColumns` is built once per catalog; each
plan (:meth:`ReferenceColumns.screen`) selects the rows of the considered specialties and
asks every rule of them. Three-valued logic by hand: each test is a ``true`` mask and a
``false`` mask (a row in neither is unknown); a program fact that is not published is NaN
(numbers) or not known (visas), and an unknown fact of the applicant (``None`` in the
facts) makes its tests unknown for every row. The parameters are read from the loaded
rulebook, so an override reaches the reference too; a screening rule the reference has no
hand-written form of is listed in ``missing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

SEVERITY = ("apply", "borderline", "skip")
STRENGTHS = frozenset({"strong-border-profile", "advocate"})

# The program facts the screening rules read, with a bit each for the facts to verify.
FIELDS = (
    "min_step2ck",
    "mean_step2ck",
    "max_years_since_graduation",
    "max_attempts",
    "visas",
    "img_share",
)
BIT = {name: np.uint64(1 << n) for n, name in enumerate(FIELDS)}

# The rules with verify = true: where one alone gives a program its verdict, the listing
# fact it reads is to verify.
VERIFY = frozenset(
    {
        "visa-not-sponsored",
        "visa-not-sponsored-undated",
        "visa-none-sponsored",
        "visa-none-sponsored-undated",
    }
)

# rule id -> its verdict, as in rulesets/screening.toml
VERDICTS = {
    "step2ck-near-miss-with-strengths": "borderline",
    "step2ck-near-miss-without-strengths": "skip",
    "step2ck-below-minimum": "skip",
    "step2ck-far-below-minimum": "skip",
    "step2ck-well-below-program-mean": "borderline",
    "step2ck-pending-vs-minimum": "borderline",
    "graduation-too-long-ago": "skip",
    "too-many-attempts": "skip",
    "failure-vs-first-attempt-only": "skip",
    "visa-not-sponsored": "skip",
    "visa-not-sponsored-undated": "skip",
    "visa-none-sponsored": "skip",
    "visa-none-sponsored-undated": "skip",
    "no-img-residents": "skip",
    "few-img-residents": "skip",
    "unlikely-specialty": "borderline",
}


def _number(programs, name: str) -> np.ndarray:
    return np.array(
        [np.nan if getattr(p, name) is None else getattr(p, name) for p in programs], dtype=float
    )


def _lt(a, b, known):
    """``a < b`` in three values over rows where ``known``: (true, false)."""
    result = a < b
    return known & result, known & ~result


class ReferenceColumns:
    """The arrays the screening rules read, one entry per program of the catalog."""

    def __init__(self, catalog, rulebook, ruleset: str = "screening"):
        programs = catalog.programs
        self.ids = np.array([p.id for p in programs], dtype=object)
        specialties = sorted({p.specialty for p in programs})
        self.specialties = tuple(specialties)
        code = {s: n for n, s in enumerate(specialties)}
        self.specialty = np.array([code[p.specialty] for p in programs], dtype=np.int32)
        self.min_step2ck = _number(programs, "min_step2ck")
        self.mean_step2ck = _number(programs, "mean_step2ck")
        self.max_years = _number(programs, "max_years_since_graduation")
        self.max_attempts = _number(programs, "max_attempts")
        self.img_share = _number(programs, "img_share")
        self.visas_known = np.array([p.visas is not None for p in programs], dtype=bool)
        self.visa_count = np.array([len(p.visas or ()) for p in programs], dtype=np.int32)
        self.dated = np.array([p.facts_as_of is not None for p in programs], dtype=bool)
        # Per visa a program may list: whether it lists it.
        kinds = sorted({v for p in programs for v in (p.visas or ())})
        self.sponsors = {
            v: np.array([v in (p.visas or ()) for p in programs], dtype=bool) for v in kinds
        }
        params = {}
        for rs in rulebook.rulesets:
            if rs.name == ruleset:
                params = {name: p.value for name, p in rs.parameters.items()}
        self.near_miss = params["near_miss_points"]
        self.far_below = params["far_below_points"]
        self.below_mean = params["below_mean_points"]
        self.passing = params["step2ck_passing_score"]
        self.few_max = params["img_share_few_max"]
        self.strong = params["strong_step2ck_from"]
        active = [r for r in rulebook.rules("screen")]
        self.rules = tuple(
            r.qualified_id for r in active if r.ruleset == ruleset and r.id in VERDICTS
        )
        self.missing = tuple(
            r.qualified_id for r in active if r.ruleset != ruleset or r.id not in VERDICTS
        )
        self.ruleset = ruleset

    def screen(self, env: Mapping[str, Any], fits: Mapping[str, Any], considered) -> dict:
        """The screening of one plan.

        ``env`` holds the applicant's facts (resplan's names), ``fits`` each considered
        specialty's fit, ``considered`` the considered specialties. Returns ``rows`` (catalog
        indexes of the screened programs), ``severity`` (index into SEVERITY), ``cited``
        (rule id -> mask of the rows it gave the verdict for) and ``unknown`` (bits of FIELDS
        to verify).
        """
        wanted = np.array([s in considered for s in self.specialties], dtype=bool)
        rows = np.flatnonzero(wanted[self.specialty])
        n = len(rows)
        no = np.zeros(n, dtype=bool)
        m = self.min_step2ck[rows]
        m_known = ~np.isnan(m)
        fired = {}  # rule id -> (where it fires, where it is undecided, the program fact it reads)

        def rule(rule_id, true, false, fact):
            fired[rule_id] = (true, ~(true | false), fact)

        score = env.get("profile.step2ck.score")
        strengths = env.get("assessment.strengths")
        has_strength = None if strengths is None else not STRENGTHS.isdisjoint(strengths)
        if score is None:
            under_t = under_f = below_t = below_f = far_t = far_f = no
        else:
            under_t, under_f = _lt(score, m, m_known)  # score < m
            below_t, below_f = _lt(score, m - self.near_miss, m_known)  # score < m - near
            far_t, far_f = _lt(score, m - self.far_below, m_known)  # score < m - far
        # score < m and score >= m - near
        both_t, both_f = under_t & below_f, under_f | below_t
        if has_strength is None:
            rule("step2ck-near-miss-with-strengths", no, both_f, "min_step2ck")
            rule("step2ck-near-miss-without-strengths", no, both_f, "min_step2ck")
        elif has_strength:
            rule("step2ck-near-miss-with-strengths", both_t, both_f, "min_step2ck")
            rule("step2ck-near-miss-without-strengths", no, ~no, "min_step2ck")
        else:
            rule("step2ck-near-miss-with-strengths", no, ~no, "min_step2ck")
            rule("step2ck-near-miss-without-strengths", both_t, both_f, "min_step2ck")
        # score < m - near and score >= m - far
        rule("step2ck-below-minimum", below_t & far_f, below_f | far_t, "min_step2ck")
        rule("step2ck-far-below-minimum", far_t, far_f, "min_step2ck")
        mean = self.mean_step2ck[rows]
        if score is None:
            rule("step2ck-well-below-program-mean", no, no, "mean_step2ck")
        else:
            t, f = _lt(score, mean - self.below_mean, ~np.isnan(mean))
            rule("step2ck-well-below-program-mean", t, f, "mean_step2ck")
        taken = env.get("profile.step2ck.taken")
        # A minimum at or under the passing score is met by any pass.
        over_pass = m_known & (m > self.passing)
        if taken is None:
            rule("step2ck-pending-vs-minimum", no, ~over_pass, "min_step2ck")
        elif taken:
            rule("step2ck-pending-vs-minimum", no, ~no, "min_step2ck")
        else:
            rule("step2ck-pending-vs-minimum", over_pass, ~over_pass, "min_step2ck")

        years = env.get("profile.years_since_graduation")
        most = self.max_years[rows]
        if years is None:
            rule("graduation-too-long-ago", no, no, "max_years_since_graduation")
        else:
            t, f = _lt(most, years, ~np.isnan(most))
            rule("graduation-too-long-ago", t, f, "max_years_since_graduation")

        attempts = env.get("profile.max_attempts")
        allowed = self.max_attempts[rows]
        allowed_known = ~np.isnan(allowed)
        if attempts is None:
            rule("too-many-attempts", no, no, "max_attempts")
        elif attempts > 1:
            t, f = _lt(allowed, attempts, allowed_known)
            rule("too-many-attempts", t, f, "max_attempts")
        else:
            rule("too-many-attempts", no, ~no, "max_attempts")
        failure = env.get("profile.any_failure")
        first_only = allowed == 1
        if failure is None:
            rule("failure-vs-first-attempt-only", no, allowed_known & ~first_only, "max_attempts")
        elif failure:
            rule(
                "failure-vs-first-attempt-only",
                first_only,
                allowed_known & ~first_only,
                "max_attempts",
            )
        else:
            rule("failure-vs-first-attempt-only", no, ~no, "max_attempts")

        needs = env.get("profile.needs_visa")
        visa = env.get("profile.visa")
        known = self.visas_known[rows]
        some = self.visa_count[rows] > 0
        none_t, none_f = known & ~some, known & some  # count(visas) == 0
        if visa is None:  # 'visa not in visas' is unknown
            not_t, not_f = no, known & ~some
        else:
            sponsored = self.sponsors[visa][rows] if visa in self.sponsors else no
            not_t, not_f = known & some & ~sponsored, known & (~some | sponsored)
        if needs is False:
            not_t, not_f, none_t, none_f = no, ~no, no, ~no
        elif needs is None:
            not_t, none_t = no, no
        # known(program.facts_as_of) is never unknown: it splits the rule in two.
        dated = self.dated[rows]
        rule("visa-not-sponsored", not_t & dated, not_f | ~dated, "visas")
        rule("visa-not-sponsored-undated", not_t & ~dated, not_f | dated, "visas")
        rule("visa-none-sponsored", none_t & dated, none_f | ~dated, "visas")
        rule("visa-none-sponsored-undated", none_t & ~dated, none_f | dated, "visas")

        share = self.img_share[rows]
        share_known = ~np.isnan(share)
        zero = share == 0
        few = (share > 0) & (share <= self.few_max)
        # A strong Step 2 CK keeps these programs (a reach, in tier 3); an unknown score
        # does not.
        if score is not None and score >= self.strong:
            rule("no-img-residents", no, ~no, "img_share")
            rule("few-img-residents", no, ~no, "img_share")
        else:
            rule("no-img-residents", zero, share_known & ~zero, "img_share")
            rule("few-img-residents", few, share_known & ~few, "img_share")

        unlikely = np.array([fits.get(s) == "unlikely" for s in self.specialties], dtype=bool)
        fit_known = np.array([fits.get(s) is not None for s in self.specialties], dtype=bool)
        codes = self.specialty[rows]
        rule("unlikely-specialty", unlikely[codes], fit_known[codes] & ~unlikely[codes], None)

        prefix = self.ruleset + "/"
        chosen = [
            (rule_id, SEVERITY.index(VERDICTS[rule_id]), *fired[rule_id])
            for rule_id in (q.removeprefix(prefix) for q in self.rules)
        ]
        severity = np.zeros(n, dtype=np.int8)
        for _id, level, true, _undecided, _fact in chosen:
            severity[true & (severity < level)] = level
        unknown = np.zeros(n, dtype=np.uint64)
        cited = {}
        given = {}  # verdict -> how many rules give it to each row
        for _id, level, true, _undecided, _fact in chosen:
            given[level] = given.get(level, 0) + true.astype(np.int8)
        for rule_id, level, true, undecided, fact in chosen:
            if fact is not None:
                missing = undecided & (severity < level) & self._unknown(fact, rows)
                unknown[missing] |= BIT[fact]
            if rule_id in VERIFY:
                unknown[true & (severity == level) & (given[level] == 1)] |= BIT[fact]
            cited[prefix + rule_id] = true & (severity == level)
        return {"rows": rows, "severity": severity, "cited": cited, "unknown": unknown}

    def _unknown(self, fact: str, rows: np.ndarray) -> np.ndarray:
        if fact == "visas":
            return ~self.visas_known[rows]
        column = {
            "min_step2ck": self.min_step2ck,
            "mean_step2ck": self.mean_step2ck,
            "max_years_since_graduation": self.max_years,
            "max_attempts": self.max_attempts,
            "img_share": self.img_share,
        }[fact]
        return np.isnan(column[rows])

    def decisions(self, result: dict) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """program id -> (verdict, the rules that gave it, the facts to verify), sorted."""
        out = {}
        cited = list(result["cited"].items())
        for position, row in enumerate(result["rows"].tolist()):
            bits = int(result["unknown"][position])
            out[self.ids[row]] = (
                SEVERITY[result["severity"][position]],
                tuple(sorted(r for r, mask in cited if mask[position])),
                tuple(f for f in sorted(FIELDS) if bits & int(BIT[f])),
            )
        return out


def screen_draft(reference: ReferenceColumns, draft) -> dict:
    """The reference's screening of the Draft resplan's screen stage would get."""
    fits = {name: env.get("specialty.fit") for name, env in draft.specialty_envs.items()}
    return reference.screen(draft.env, fits, {t.name for t in draft.specialties})


def resplan_decisions(screening) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """The same shape from resplan's screen stage (Draft.screening), screening rules only."""
    from resplan.stages.table import fields_of

    out = {}
    for i, program in enumerate(screening.table.programs):
        out[program.id] = (
            screening.verdict(i),
            tuple(sorted(r.rule for r in screening.reasons(i))),
            tuple(sorted(fields_of(int(screening.unknown_bits[i]), screening.table))),
        )
    return out


def disagreements(ours: dict, reference: dict) -> list[tuple[str, Any, Any]]:
    """(program id, resplan's, the reference's) wherever the two differ."""
    return [
        (pid, ours.get(pid), reference.get(pid))
        for pid in sorted(set(ours) | set(reference))
        if ours.get(pid) != reference.get(pid)
    ]
