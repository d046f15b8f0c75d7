"""Stage 7: sum the plan up: counts, and how many applications to send in which tiers.

Summary rules are asked in two ways:

- once per considered specialty: a rule that sets ``applications`` or ``spread`` (the
  first that fires decides each, rulesets by name and rules in file order), and then a
  rule that reads a ``specialty.*`` or ``volume.*`` fact. Their messages go to that
  specialty's :class:`~resplan.plan.SpecialtyVolume`;
- once for the plan: every other rule. Its message goes to the summary's advice.

A rule's ``applications`` is the size of a full list in the specialty. The plan asks for
no more than the catalog holds: the specialty's real programs that are not skipped. A
program from a generated (synthetic) catalog is not real: nobody can apply to it, so it
never counts in the applications, the shortfall or the fees, and ``specialty.generated``
counts it apart for the rules that say so. A program of a preliminary track (one year,
no place promised after it) is a list of another kind: it is not counted in the
specialty's applications, tiers or fees either, and ``specialty.preliminary`` counts the
real ones not skipped for the rules that say how many there are. Those
applications are spread over the tiers as close to the rule's ``spread`` as the programs
of each tier allow; what a short tier cannot take goes to the other tiers in proportion.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Sequence
from fractions import Fraction

import attrs
import numpy as np

from resplan.facts import FITS
from resplan.plan import SpecialtyVolume, Summary
from resplan.rules import is_unknown
from resplan.season import catalog_fees
from resplan.season import cost as eras_cost
from resplan.stages.actions import preliminary_mask, synthetic_mask
from resplan.stages.common import cite, evaluate, rulebook_memo
from resplan.stages.table import catalog_table
from resplan.vocabulary import REACH_RULES, tier_words

TIERS = (1, 2, 3)
# A bridge year leads to no complete residency: wished, it does not take the lead from a
# field the plan adds (tiering's volume-transitional-year-fallback sizes it as a fallback
# beside other fields).
BRIDGE_YEARS = frozenset({"Transitional Year"})
_PER_SPECIALTY = ("specialty.", "volume.")
_WHAT_IF = "what_if."


def run(draft, reasons: bool = True):
    """``reasons=False`` leaves out the reasons and advice (a plan made for the cohort
    database, resplan.pipeline.make_plan with words=False): the figures are the same."""
    labels = draft.rulebook.labels
    env = draft.env
    volume_rules, specialty_rules, plan_rules = _kinds(draft.rulebook)

    available, generated, preliminary = _available(draft)
    reaches = _reaches(draft)
    places = _list_places(draft.specialties, available)
    worked = []
    for target in draft.specialties:
        senv = {
            **env,
            **{
                k: v
                for k, v in draft.specialty_envs.get(target.name, {}).items()
                if k.startswith("specialty.")
            },
        }
        counts = available.get(target.name, (0, 0, 0))
        senv["specialty.open"] = sum(counts)
        senv["specialty.generated"] = generated.get(target.name, 0)
        senv["specialty.preliminary"] = preliminary.get(target.name, 0)
        senv["specialty.list_place"] = places[target.name]
        senv["specialty.fields_beside"] = len(draft.specialties) - 1
        for tier, count in zip(TIERS, counts):
            senv[f"specialty.open_tier{tier}"] = count
        senv["specialty.open_tier3_reach"] = reaches.get(target.name, 0)
        worked.append(
            _volume(target.name, volume_rules, senv, counts, labels, draft.guessed, reasons)
        )

    known = [v for v, _ in worked if v.applications is not None]
    totals = {}
    if known:
        totals = {
            "summary.recommended": sum(v.recommended for v in known),
            "summary.applications": sum(v.applications for v in known),
            "summary.shortfall": sum(v.shortfall for v in known),
        }
    cost = eras_cost(known, draft.rulebook)
    fees = {c.name: c for c in cost.by_specialty} if cost else {}
    in_catalog = catalog_fees(known, draft.rulebook) if cost else {}
    if cost:
        totals["summary.fees"] = cost.total
        totals["summary.fees_catalog"] = sum(in_catalog.values())
    volumes = []
    for volume, senv in worked:
        if not reasons:
            volumes.append(volume)
            continue
        senv.update(totals)
        if volume.name in fees:
            fee = fees[volume.name]
            senv.update(
                {
                    "volume.fee": fee.fee,
                    "volume.fee_ten_more": fee.ten_more,
                    "volume.fee_ten_fewer": fee.ten_fewer,
                    "volume.fee_catalog": in_catalog.get(volume.name, 0),
                }
            )
        fired, _ = evaluate(specialty_rules, senv)
        volumes.append(
            attrs.evolve(
                volume, reasons=volume.reasons + tuple(cite(r, senv, labels) for r in fired)
            )
        )

    plan_env = {**env, **totals}
    fired, _ = evaluate(plan_rules, plan_env) if reasons else ([], [])
    programs = draft.programs
    tiers = [sum(v.tiers[i] for v in known) for i in range(3)]
    summary = Summary(
        programs_in_catalog=len(draft.catalog),
        programs_considered=len(programs),
        programs_outside_specialties=len(draft.catalog) - len(programs),
        programs_real=len(programs) - env["plan.synthetic"],
        programs_synthetic=env["plan.synthetic"],
        apply=env["plan.apply"],
        borderline=env["plan.borderline"],
        skip=env["plan.skip"],
        tier1=env["plan.tier1"],
        tier2=env["plan.tier2"],
        tier3=env["plan.tier3"],
        to_verify=env["plan.to_verify"],
        applications=totals.get("summary.applications"),
        spread=_percent(tiers),
        recommended=totals.get("summary.recommended"),
        shortfall=totals.get("summary.shortfall"),
        by_specialty=tuple(volumes),
        advice=tuple(cite(r, plan_env, labels) for r in fired if r.says is not None),
        cost=cost,
    )
    return draft.evolve(summary=summary)


def _kinds(rulebook) -> tuple[list, list, list]:
    """The summary rules that size a specialty's list, those asked once per specialty,
    and those asked once for the plan; sorted once per rulebook."""
    memo = rulebook_memo(rulebook, "summary.kinds")
    found = memo.get("kinds")
    if found is None:
        rules = rulebook.rules("summary")
        volume_rules = [r for r in rules if r.effect]
        specialty_rules = [r for r in rules if not r.effect and _per_specialty(r)]
        # Rules that read what the what-if pass found are the what-if stage's to ask.
        plan_rules = [
            r for r in rules if not r.effect and not _per_specialty(r) and not reads_what_if(r)
        ]
        found = memo["kinds"] = (volume_rules, specialty_rules, plan_rules)
    return found


def reads_what_if(rule) -> bool:
    names = rule.condition.names | (rule.says.names if rule.says else frozenset())
    return any(name.startswith(_WHAT_IF) for name in names)


def _per_specialty(rule) -> bool:
    names = rule.condition.names | (rule.says.names if rule.says else frozenset())
    return any(name.startswith(_PER_SPECIALTY) for name in names)


def _list_places(targets, available) -> dict[str, int]:
    """Each specialty's place among the plan's lists, from 1: a wished field that fits
    better than a reach (a bridge year aside) before any field the plan adds, whatever
    the added field's fit (a backup does not take the lead from a field the applicant
    wants and can reach: review 9, finding 8); then the best fit first; a wished field
    before one the plan adds, in the order of the wishes; then the field with more
    programs open to the applicant (the one the catalog can fill), then by name. The
    first is the main field; a rule sizes the others that the plan picked or added as
    backups."""
    reach = FITS.index("reach")
    ordered = sorted(
        targets,
        key=lambda t: (
            not (t.wished and FITS.index(t.fit) > reach and t.name not in BRIDGE_YEARS),
            -FITS.index(t.fit),
            not t.wished,
            t.rank or 0,
            -sum(available.get(t.name, ())),
            t.name,
        ),
    )
    return {t.name: place for place, t in enumerate(ordered, 1)}


def _available(
    draft,
) -> tuple[dict[str, tuple[int, int, int]], dict[str, int], dict[str, int]]:
    """Per specialty: its real programs not skipped and not of a preliminary track, in
    tiers 1, 2 and 3; and, where there are some, its generated programs not skipped and
    its real preliminary ones not skipped."""
    programs = draft.programs
    if not len(programs):
        return {}, {}, {}
    tier = np.asarray(programs.tier)
    synthetic = synthetic_mask(programs, draft.catalog)
    generated: dict[str, int] = {}
    if programs.catalog_rows is not None:
        keys = catalog_table(draft.catalog, draft.rulebook.city_regions).keys
        codes, names = keys.specialty[programs.catalog_rows], keys.specialties
    else:  # decisions built by hand: read each program's specialty
        names = tuple(sorted({p.specialty for p in programs.programs}))
        codes = np.array([names.index(p.specialty) for p in programs.programs])
    if synthetic.any():  # tier 0 is a skipped program: a generated one counts nowhere
        shown = np.bincount(codes[synthetic & (tier > 0)], minlength=len(names))
        generated = {name: int(shown[code]) for code, name in enumerate(names) if shown[code]}
        tier = np.where(synthetic, 0, tier)
    preliminary: dict[str, int] = {}
    prelim = preliminary_mask(programs, draft.catalog) & (tier > 0)
    if prelim.any():  # a list of another kind: counted apart, never in the tiers
        shown = np.bincount(codes[prelim], minlength=len(names))
        preliminary = {name: int(shown[code]) for code, name in enumerate(names) if shown[code]}
        tier = np.where(prelim, 0, tier)
    counts = np.bincount(codes * 4 + tier, minlength=len(names) * 4).reshape(len(names), 4)
    available = {
        name: (int(counts[code, 1]), int(counts[code, 2]), int(counts[code, 3]))
        for code, name in enumerate(names)
    }
    return available, generated, preliminary


def _reaches(draft) -> dict[str, int]:
    """Per specialty, its real tier-3 programs not of a preliminary track that are kept
    as a reach (REACH_RULES): what _available counts in tier 3, less the broad net."""
    programs = draft.programs
    if not len(programs):
        return {}
    # Which sets of reasons hold a reach, asked of every reason at once (a plan has a
    # thousand sets or more, most of them sets of no reach).
    reason_sets = programs.reason_sets
    held = np.fromiter(
        map(REACH_RULES.__contains__, map(_RULE, itertools.chain.from_iterable(reason_sets))),
        dtype=np.int64,
    )
    if not held.any():
        return {}
    ends = np.cumsum(np.fromiter(map(len, reason_sets), dtype=np.intp, count=len(reason_sets)))
    counted = np.concatenate(([0], np.cumsum(held)))
    sets = np.flatnonzero(counted[ends] > counted[ends - np.diff(ends, prepend=0)])
    tier = np.asarray(programs.tier)
    reach = (tier == 3) & np.isin(np.asarray(programs.reasons), sets)
    reach &= ~synthetic_mask(programs, draft.catalog) & ~preliminary_mask(programs, draft.catalog)
    if programs.catalog_rows is not None:
        keys = catalog_table(draft.catalog, draft.rulebook.city_regions).keys
        shown = np.bincount(
            keys.specialty[programs.catalog_rows[reach]], minlength=len(keys.specialties)
        )
        return {name: int(shown[code]) for code, name in enumerate(keys.specialties) if shown[code]}
    found: dict[str, int] = {}  # decisions built by hand: read each program's specialty
    for position in np.flatnonzero(reach):
        name = programs.programs[position].specialty
        found[name] = found.get(name, 0) + 1
    return found


_RULE = operator.attrgetter("rule")


def _volume(
    name: str,
    rules,
    env: dict,
    available: tuple[int, int, int],
    labels,
    guessed=None,
    reasons: bool = True,
):
    """The specialty's volume, and ``env`` with the ``volume.*`` facts added (without
    its reasons when ``reasons`` is False)."""
    fired, _ = evaluate(rules, env)
    recommended = spread = None
    deciding = []
    for rule in fired:  # rulesets by name, rules in file order: the first one decides
        used = False
        if recommended is None and "applications" in rule.effect:
            recommended = _whole(rule.effect["applications"](env))
            used = recommended is not None
        if spread is None and "spread" in rule.effect:
            parts = tuple(_whole(expr(env)) for expr in rule.effect["spread"])
            spread = None if None in parts or sum(parts) <= 0 else parts
            used = used or spread is not None
        if used:
            deciding.append(rule)
    # A volume resting on a gap of the profile says so (resplan.stages.common.with_guesses).
    cited = (
        tuple(cite(r, env, labels, guessed) for r in deciding if r.says is not None)
        if reasons
        else ()
    )
    if recommended is None:
        return SpecialtyVolume(
            name=name, target_spread=spread, available=available, reasons=cited
        ), env
    recommended = max(recommended, 0)
    applications = min(recommended, sum(available))
    # Without a spread, follow the catalog: each tier in proportion to its programs.
    weights = spread if spread is not None else available
    first, second, third = apportion(applications, weights, available)
    tiers = (first, second, third)
    wanted = tuple(apportion(applications, weights))
    env = {
        **env,
        "volume.recommended": recommended,
        "volume.applications": applications,
        "volume.shortfall": recommended - applications,
        **{f"volume.tier{t}": n for t, n in zip(TIERS, tiers)},
        "volume.by_tier": tier_words(tiers),
        **{f"volume.wanted_tier{t}": n for t, n in zip(TIERS, wanted)},
    }
    volume = SpecialtyVolume(
        name=name,
        recommended=recommended,
        applications=applications,
        shortfall=recommended - applications,
        spread=_percent(tiers),
        target_spread=spread,
        tiers=tiers,
        available=available,
        reasons=cited,
    )
    return volume, env


def apportion(total: int, weights: Sequence[int], caps: Sequence[int] | None = None) -> list[int]:
    """``total`` split into whole parts in proportion to ``weights``, none above its cap
    (see ``_apportion``); the same few splits recur plan after plan, so they are kept."""
    try:
        key = (total, tuple(weights), None if caps is None else tuple(caps))
        return list(_apportioned(*key))
    except TypeError:  # a weight that cannot be a key
        return _apportion(total, weights, caps)


@functools.lru_cache(maxsize=4096)
def _apportioned(total: int, weights: tuple, caps: tuple | None) -> tuple[int, ...]:
    return tuple(_apportion(total, weights, caps))


def _apportion(total: int, weights: Sequence[int], caps: Sequence[int] | None = None) -> list[int]:
    """``total`` split into whole parts in proportion to ``weights``, none above its cap.

    A part that would pass its cap gets the cap, and the rest is shared among the others
    in proportion to their weights (by room left, when their weights are all zero).
    Rounding gives the extra units to the largest fractions, ties to the earlier part.
    ``total`` must not exceed the sum of ``caps``.
    """
    size = len(weights)
    caps = list(caps) if caps is not None else [total] * size
    parts = [0] * size
    remaining = total
    free = [i for i in range(size) if caps[i] > 0]
    while remaining > 0 and free:
        weight = {i: max(int(weights[i]), 0) for i in free}
        if not sum(weight.values()):
            weight = {i: caps[i] - parts[i] for i in free}
        whole = sum(weight.values())
        share = {i: Fraction(remaining * weight[i], whole) for i in free}
        full = [i for i in free if share[i] >= caps[i] - parts[i]]
        if full:
            for i in full:
                remaining -= caps[i] - parts[i]
                parts[i] = caps[i]
            free = [i for i in free if i not in full]
            continue
        floors = {i: int(share[i]) for i in free}
        for i in free:
            parts[i] += floors[i]
        extra = remaining - sum(floors.values())
        for i in sorted(free, key=lambda i: (floors[i] - share[i], i))[:extra]:
            parts[i] += 1
        remaining = 0
    return parts


def _percent(counts: Sequence[int]) -> tuple[int, int, int] | None:
    """Whole percentages of ``counts`` that add up to 100; None when there is nothing."""
    if not sum(counts):
        return None
    first, second, third = apportion(100, counts)
    return (first, second, third)


def _whole(value):
    return None if is_unknown(value) else int(round(value))
