"""Stage 8: program signals, per considered specialty, and the geographic preference.

The season ruleset (resplan.season) says how many signals a specialty gives. They go to
programs the applicant passes every known filter of (verdict apply: never a borderline or
skipped program). Where the applicant named states, only programs in them: a signal goes
with the geographic preference, which names those states' regions, and signals left over
stay unused (the plan says so, and how many programs elsewhere pass). A program of a
generated (synthetic) catalog never gets one: a signal is scarce, and there is nobody to
send it to (the plan counts those programs and says why they get none). Nor does a
preliminary track: one year with no place promised after it is a fallback, not a goal
(counted and said the same way). Nor does a program whose listing shows few IMG residents
(under the season ruleset's signal_img_share_min), whatever visas it names: a reach at
best (counted and said the same way; a share not given rules nothing out). The order:
programs whose listing names a visa the applicant would take before those that do not
say, the best tier first, then programs whose known share of IMG residents shows that
they welcome IMGs, then those with some IMG residents, then those that do not say (a
known low share last), then programs with nothing left to verify, then the
higher-priority border sub-regions. Within that order the
signals are spread over the preferred states in turn (a state's second program comes
after every preferred state's first). One signal per institution per specialty: programs
of the same name and place (a categorical and a preliminary track, say) share one. Where a
specialty has gold and silver signals, the first programs get the gold ones.

The ERAS application holds one geographic preference, whatever the specialties: the plan
gives one, the same in every specialty. It names the divisions of the applicant's
preferred states (those with the most signals first), or where no state is named, the
divisions where most signals go.

What the plan says about them is written by the ``[[signals]]`` rules of the rulesets
(rulesets/season.toml), each with a ``part``: ``says`` (the number of signals, asked
once per considered specialty with the ``signal.*`` facts), ``why`` (asked once per
chosen program, with the ``choice.*`` facts), ``geographic`` (the geographic preference)
and ``evidence`` (what signals were found to do). The fired rules' words are joined in
rule order, and the specialty's ``rules`` lists them.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np

from resplan.dates import AHEAD, cycle_stage
from resplan.facts import FITS, verify_label
from resplan.plan import VERDICTS, SignalChoice, SpecialtySignals
from resplan.season import (
    GEOGRAPHIC_REGIONS,
    SIGNAL_IMG_SHARE_MIN,
    season_parameter,
    signal_count,
)
from resplan.stages.actions import synthetic_mask
from resplan.stages.common import evaluate, rulebook_memo
from resplan.stages.stale import stale_before
from resplan.stages.summary import BRIDGE_YEARS
from resplan.stages.table import catalog_table
from resplan.vocabulary import STATES

# The US Census Bureau's nine divisions, the regions the ERAS geographic preference offers.
DIVISIONS: dict[str, tuple[str, ...]] = {
    "New England": ("CT", "ME", "MA", "NH", "RI", "VT"),
    "Middle Atlantic": ("NJ", "NY", "PA"),
    "East North Central": ("IL", "IN", "MI", "OH", "WI"),
    "West North Central": ("IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "South Atlantic": ("DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV"),
    "East South Central": ("AL", "KY", "MS", "TN"),
    "West South Central": ("AR", "LA", "OK", "TX"),
    "Mountain": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY"),
    "Pacific": ("AK", "CA", "HI", "OR", "WA"),
}
DIVISION_OF = {state: name for name, states in DIVISIONS.items() for state in states}
_PRIORITY = {"high": 0, "medium": 1, "low": 2, "none": 3}
PARTS = ("says", "why", "geographic", "evidence")
# The tiering ruleset's shares of IMG residents that mark a program as welcoming IMGs
# and as having some: the signal order reads them too.
IMG_WELCOMING = "img_welcoming_lower"
IMG_SOME = "some_img_presence"
APPLY = VERDICTS.index("apply")
# The program facts a screening or tiering filter reads: a listing with none of them
# states no filter at all, so passing "every filter it lists" says nothing.
FILTER_FIELDS = (
    "visas",
    "img_share",
    "min_step2ck",
    "mean_step2ck",
    "max_years_since_graduation",
    "max_attempts",
)


def run(draft):
    rules = draft.rulebook.rules("signals")
    if not draft.specialties or not rules:
        return draft
    by_part = {part: [r for r in rules if r.effect["part"] == part] for part in PARTS}
    labels = draft.rulebook.labels
    applicant = draft.profile.applicant
    preferred = tuple(applicant.states or ())
    candidates, elsewhere, generated, preliminary, few_imgs = _candidates(draft, preferred)
    in_states = _in_states(draft, preferred) if preferred else {}
    in_catalog = _in_states(draft, None) if preferred else {}
    cycle = draft.profile.applicant.cycle
    counts = {t.name: signal_count(draft.rulebook, t.name) for t in draft.specialties}
    # Gold signals are for the programs the applicant wants most: a field the plan adds
    # beside a wished field that leads the plan (one that fits better than a reach, not
    # a bridge year: stages.summary._list_places) gets silver signals only (review 9,
    # finding 8). Beside wishes that are reaches, the added field leads.
    reach = FITS.index("reach")
    wish_leads = any(
        t.wished and FITS.index(t.fit) > reach and t.name not in BRIDGE_YEARS
        for t in draft.specialties
    )
    silver_only = {t.name for t in draft.specialties if t.suggested} if wish_leads else set()
    chosen_in = {
        name: _choose(candidates.get(name, []), count, draft, gold=name not in silver_only)
        for name, count in counts.items()
        if count is not None
    }
    # From the day programs start reading applications, this Match's signals have gone
    # out with the applications that were sent.
    under_way = cycle_stage(cycle, draft.as_of, draft.rulebook) != AHEAD
    if under_way:  # a backup field added now gets no signal (see below)
        added = {t.name for t in draft.specialties if t.suggested}
        chosen_in = {name: chosen for name, chosen in chosen_in.items() if name not in added}
    divisions = _divisions([c for chosen in chosen_in.values() for c in chosen], preferred, draft)
    out = []
    for target in draft.specialties:
        env = {
            **draft.env,
            **{
                k: v
                for k, v in draft.specialty_envs.get(target.name, {}).items()
                if k.startswith("specialty.")
            },
        }
        count = counts[target.name]
        used: dict[str, None] = {}
        if count is None:
            env["signal.known"] = False
            out.append(
                SpecialtySignals(
                    specialty=target.name,
                    says=_words(by_part["says"], env, labels, used),
                    rules=tuple(sorted(used)),
                )
            )
            continue
        # A backup field the plan adds once the applications are out is a choice for a
        # next application: no signal is proposed in it now.
        later = under_way and target.suggested
        chosen = chosen_in.get(target.name, [])
        env.update(
            {
                "signal.backup_later": later,
                "signal.backup_silver_only": target.name in silver_only
                and count["gold"] is not None,
                "signal.known": True,
                "signal.count": count["signals"],
                "signal.season": count["season"],
                "signal.confirmed": count["season"] >= cycle,
                "signal.chosen": len(chosen),
                "signal.unused": count["signals"] - len(chosen),
                "signal.states_named": bool(preferred),
                "signal.under_way": under_way,
                "signal.elsewhere": elsewhere.get(target.name, 0),
                "signal.generated": generated.get(target.name, 0),
                "signal.preliminary": preliminary.get(target.name, 0),
                "signal.few_imgs": few_imgs.get(target.name, 0),
                "signal.in_states": in_states.get(target.name, 0),
                "signal.in_catalog": in_catalog.get(target.name, 0),
                "signal.named_states": _or([STATES.get(s, s) for s in preferred])
                if preferred
                else "none",
            }
        )
        if count["gold"] is not None:
            env.update({"signal.gold": count["gold"], "signal.silver": count["silver"]})
            # Gold kept for a program whose listing names the applicant's only visa: the
            # silver signals that went to listings that do not, and the gold left over.
            needed = () if target.name in silver_only else gold_needs_listed_visa(applicant)
            unlisted = sum(
                kind == "silver" and not _lists_any(program, needed) for _d, kind, program in chosen
            )
            if needed and unlisted:
                golds = sum(kind == "gold" for _d, kind, _p in chosen)
                env.update(
                    {
                        "signal.gold_kept": count["gold"] - golds,
                        "signal.gold_visa_unlisted": unlisted,
                        "signal.gold_visa": " or ".join(f"the {v}" for v in needed),
                    }
                )
        if divisions:
            env.update(
                {
                    "signal.divisions": _and(divisions),
                    "signal.division_count": len(divisions),
                    "signal.divisions_of_states": bool(preferred),
                }
            )
        programs = []
        why_words = _Memo(by_part["why"], rulebook_memo(draft.rulebook, "signals.why"))
        for d, kind, program in chosen:
            facts = _choice_facts(d, kind, program, preferred, draft)
            if "signal.gold_visa" in env:
                needed = gold_needs_listed_visa(applicant)
                facts["choice.gold_kept"] = kind == "silver" and not _lists_any(program, needed)
            why = why_words({**env, **facts}, labels, used)
            programs.append(
                SignalChoice(
                    id=d.id,
                    name=d.name,
                    city=d.city,
                    state=d.state,
                    tier=d.tier,
                    kind=kind,
                    why=why,
                )
            )
        out.append(
            SpecialtySignals(
                specialty=target.name,
                says=_words(by_part["says"], env, labels, used),
                signals=count["signals"],
                gold=count["gold"],
                silver=count["silver"],
                season=count["season"],
                confirmed=count["season"] >= cycle,
                source=count["source"],
                geographic=(_words(by_part["geographic"], env, labels, used) or None)
                if chosen
                else None,
                evidence=_words(by_part["evidence"], env, labels, used) or None,
                programs=tuple(programs),
                rules=tuple(sorted(used)),
            )
        )
    return draft.evolve(signals=tuple(out))


def _words(rules, env, labels, used: dict) -> str:
    """The fired rules' words, joined; their ids join ``used``."""
    fired, _ = evaluate(rules, env)
    used.update(dict.fromkeys(r.qualified_id for r in fired))
    return " ".join(r.says.render(env, labels) for r in fired if r.says is not None)


class _Memo:
    """``_words`` of some rules, kept by the values of the facts they read: the reasons
    for a chosen program repeat from plan to plan (the same program, tier and kind of
    signal), and the rules read nothing else."""

    # How many sets of values are kept per rulebook before they are let go.
    SIZE = 4096

    def __init__(self, rules, memo: dict):
        self.rules = rules
        names: set[str] = set()
        for rule in rules:
            names |= rule.condition.names
            if rule.says is not None:
                names |= rule.says.names
        self.names = tuple(sorted(names))
        found = memo.get(self.names)
        if found is None:
            if len(memo) >= self.SIZE:
                memo.clear()
            found = memo[self.names] = {}
        self.memo: dict = found

    def __call__(self, env, labels, used: dict) -> str:
        key = tuple(map(env.get, self.names, itertools.repeat(_ABSENT)))
        try:
            found = self.memo.get(key)
        except TypeError:  # a value that cannot be a key (a list): worded anew
            return _words(self.rules, env, labels, used)
        if found is None:
            ids: dict[str, None] = {}
            found = (_words(self.rules, env, labels, ids), tuple(ids))
            if len(self.memo) >= self.SIZE:
                self.memo.clear()
            self.memo[key] = found
        used.update(dict.fromkeys(found[1]))
        return found[0]


_ABSENT = object()  # a fact the env does not hold, told apart from one held as None


def _choice_facts(d, kind: str, program, preferred, draft) -> dict:
    applicant = draft.profile.applicant
    facts = {
        "choice.kind": kind,
        "choice.tier": d.tier,
        "choice.place": f"{d.city}, {STATES.get(d.state, d.state)}",
        "choice.to_verify": bool(d.to_verify),
        "choice.imgs_shown": bool(program.img_share) or _takes_you(program, applicant) is True,
        "choice.border": d.region is not None,
        "choice.lists_filters": any(getattr(program, f) is not None for f in FILTER_FIELDS),
    }
    if d.to_verify:
        year = program.facts_as_of
        dated = (
            f" (its listing dates from {year})"
            if year is not None and year < stale_before(draft)
            else ""
        )
        visas = [v for v in applicant.visas if v != "none"]
        facts["choice.verify"] = ", ".join(verify_label(f, visas) for f in d.to_verify) + dated
    takes = _takes_you(program, applicant)
    if takes is not None:
        facts["choice.takes_you"] = takes
    if program.facts_as_of is not None:
        facts["choice.listing_year"] = program.facts_as_of
    if program.visas and applicant.visas != ("none",):
        yours = [f"the {v}" for v in applicant.visas if v in program.visas]
        if yours:
            facts["choice.your_visas"] = " and ".join(yours)
    if preferred:
        facts["choice.preferred_state"] = d.state in preferred
    if d.region is not None:
        region = next((r for r in draft.regions if r.id == d.region), None)
        area = draft.rulebook.labels.get(d.region, "")
        if area:
            facts["choice.region"] = area
        if region is not None:
            facts["choice.region_priority"] = region.priority
    return facts


def _takes_you(program, applicant) -> bool | None:
    """Whether the program's listing shows it takes IMGs like the applicant: a visa the
    applicant would take among those it sponsors, or without a visa, IMG residents.
    None when the listing does not say."""
    if applicant.visas != ("none",):
        if program.visas is None:
            return None
        return any(v in program.visas for v in applicant.visas)
    if program.img_share is None:
        return None
    return program.img_share > 0


def _candidates(
    draft, preferred: tuple[str, ...]
) -> tuple[dict[str, list[int]], dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """Per specialty, the real programs (positions in ``draft.programs``) the applicant
    passes every known filter of, in the order signals go to them; per specialty, how
    many such programs lie outside the preferred states; per specialty, how many
    generated programs (in the preferred states, where some are named) pass them too and
    get no signal; per specialty, how many real programs of a preliminary track do
    (counted the same way) and get none either; and per specialty, how many real
    programs whose listing shows few IMG residents do (counted the same way) and get
    none.

    Where the applicant named states, only programs in them are candidates: a signal
    goes with the geographic preference, which names only those states' regions.
    Column by column: a national plan has thousands of programs and only the first few
    of each specialty become signals, so only those are ever read one by one.
    """
    programs = draft.programs
    positions = np.flatnonzero(
        (np.asarray(programs.verdict) == APPLY) & (np.asarray(programs.tier) != 0)
    )
    if not len(positions):
        return {}, {}, {}, {}, {}
    generated: dict[str, int] = {}
    synthetic = synthetic_mask(programs, draft.catalog)[positions]
    if synthetic.any():
        generated = _count_by_specialty(draft, programs, positions, synthetic, preferred)
        positions = positions[~synthetic]
        if not len(positions):
            return {}, {}, generated, {}, {}
    # A preliminary track is one year with no place promised after it: a fallback, not
    # the place to spend a signal on (counted, in the preferred states where some are
    # named, so that the plan can say why it gets none).
    preliminary: dict[str, int] = {}
    prelim = _preliminary(draft, programs, positions)
    if prelim.any():
        preliminary = _count_by_specialty(draft, programs, positions, prelim, preferred)
        positions = positions[~prelim]
        if not len(positions):
            return {}, {}, generated, preliminary, {}
    # A signal says "I want to train here": it can help only where the program may take
    # the applicant. A listing that shows few IMG residents shows a reach at best, even
    # where it names a visa the applicant would take, so no signal goes there (counted
    # the same way, so that the plan can say why): a scarce signal is not spent on a
    # program that has taken no or almost no IMGs (review 11, finding 4). A share not
    # given rules nothing out: unknown is not false.
    share = _img_shares(draft, programs, positions)
    few = _few_imgs(draft, share)
    few_imgs: dict[str, int] = {}
    if few.any():
        few_imgs = _count_by_specialty(draft, programs, positions, few, preferred)
        positions, share = positions[~few], share[~few]
        if not len(positions):
            return {}, {}, generated, preliminary, few_imgs
    tier = np.asarray(programs.tier)[positions]
    has_verify = np.array([bool(fields) for fields in programs.verify_sets], dtype=bool)[
        np.asarray(programs.to_verify)[positions]
    ]
    # A program whose listing does not say it sponsors the visa the applicant needs
    # (it would be skipped if it said no) comes after those that say yes.
    needs_visa = draft.profile.applicant.visas != ("none",)
    visa_unknown = np.array(
        [needs_visa and "visas" in fields for fields in programs.verify_sets], dtype=bool
    )[np.asarray(programs.to_verify)[positions]]
    imgs = _img_rank(draft, share)
    priority = {r.id: _PRIORITY.get(r.priority, 3) for r in draft.regions}
    region_priority = np.array(
        [priority.get(r, 3) for r in programs.regions] or [3], dtype=np.int64
    )[np.asarray(programs.region)[positions]]
    specialty, specialties, state, states, id_rank = _keys(draft, programs, positions)
    first = _lexsort((id_rank, region_priority, has_verify, imgs, tier, visa_unknown, specialty))
    # Each program's place in its own state's queue (per specialty), in that first order.
    group = specialty[first] * len(states) + state[first]
    by_group = np.argsort(group, kind="stable")
    grouped = group[by_group]
    starts = np.flatnonzero(_starts(grouped))
    sizes = np.diff(starts, append=len(grouped))
    rank = np.empty(len(positions), dtype=np.int64)
    rank[first[by_group]] = np.arange(len(grouped)) - np.repeat(starts, sizes)
    outside = np.array([s not in preferred for s in states], dtype=bool)[state]
    where = np.array([preferred.index(s) if s in preferred else 0 for s in states], dtype=np.int64)[
        state
    ]
    # Spread over the states in turn; among the programs at one place in their states'
    # queues, what the listings show about IMGs decides before the order of the states.
    order = _lexsort(
        (
            id_rank,
            region_priority,
            has_verify,
            where,
            imgs,
            rank,
            tier,
            visa_unknown,
            specialty,
        )
    )
    elsewhere: dict[str, int] = {}
    if preferred:
        counts = np.bincount(specialty[outside], minlength=len(specialties))
        elsewhere = {specialties[i]: int(n) for i, n in enumerate(counts.tolist()) if n}
        order = order[~outside[order]]
        if not len(order):
            return {}, elsewhere, generated, preliminary, few_imgs
    ordered_specialty = specialty[order]
    starts = np.flatnonzero(_starts(ordered_specialty))
    ends = np.append(starts[1:], len(order))
    return (
        {
            specialties[int(ordered_specialty[a])]: positions[order[a:b]].tolist()
            for a, b in zip(starts.tolist(), ends.tolist())
        },
        elsewhere,
        generated,
        preliminary,
        few_imgs,
    )


def _count_by_specialty(draft, programs, positions, mask, preferred) -> dict[str, int]:
    """How many of the programs at ``positions`` that ``mask`` marks each specialty has,
    counting only those in the preferred states where some are named."""
    specialty, specialties, state, states, _ = _keys(draft, programs, positions)
    counted = mask.copy()
    if preferred:
        counted &= np.array([s in preferred for s in states], dtype=bool)[state]
    counts = np.bincount(specialty[counted], minlength=len(specialties))
    return {specialties[i]: int(n) for i, n in enumerate(counts.tolist()) if n}


def _preliminary(draft, programs, positions) -> np.ndarray:
    """True for each of ``positions`` whose track is known to be preliminary."""
    if programs.catalog_rows is not None:
        table = catalog_table(draft.catalog, draft.rulebook.city_regions)
        track = table.columns.get("program.track")
        if track is not None and track.codes is not None:
            coded = np.array([t == "preliminary" for t in track.categories], dtype=bool)
            return coded[track.codes[programs.catalog_rows[positions]].astype(np.intp)]
    return np.array(
        [programs.programs[i].track == "preliminary" for i in positions.tolist()], dtype=bool
    )


def _in_states(draft, preferred: tuple[str, ...] | None) -> dict[str, int]:
    """Per specialty, the real programs of the plan in the preferred states (in any state
    for None), whatever their verdicts: none means the catalog has no program of the
    field there."""
    programs = draft.programs
    positions = np.arange(len(programs.verdict))
    if not len(positions):
        return {}
    real = ~synthetic_mask(programs, draft.catalog)
    specialty, specialties, state, states, _ = _keys(draft, programs, positions)
    if preferred is not None:
        real &= np.array([s in preferred for s in states], dtype=bool)[state]
    counts = np.bincount(specialty[real], minlength=len(specialties))
    return {specialties[i]: int(n) for i, n in enumerate(counts.tolist()) if n}


def _img_shares(draft, programs, positions) -> np.ndarray:
    """The listed share of IMG residents of ``positions``, NaN where not given."""
    if programs.catalog_rows is not None:
        table = catalog_table(draft.catalog, draft.rulebook.city_regions)
        column = table.columns.get("program.img_share")
        if column is not None:
            return np.asarray(column.values, dtype=float)[programs.catalog_rows[positions]]
    # Decisions built by hand: read each program's value.
    return np.array(
        [
            np.nan if p.img_share is None else p.img_share
            for p in (programs.programs[i] for i in positions.tolist())
        ],
        dtype=float,
    )


def _few_imgs(draft, share: np.ndarray) -> np.ndarray:
    """True where a listed share of IMG residents is under the season ruleset's
    signal_img_share_min; never where the share is not given."""
    floor = season_parameter(draft.rulebook, SIGNAL_IMG_SHARE_MIN)
    if floor is None:
        return np.zeros(len(share), dtype=bool)
    with np.errstate(invalid="ignore"):
        return share < floor.value  # NaN compares False: unknown is not few


def _img_rank(draft, share: np.ndarray) -> np.ndarray:
    """0 where the listing's share of IMG residents shows that the program welcomes IMGs,
    1 where it shows some IMG residents, 2 where it does not say, 3 where it shows fewer:
    among programs alike in all else, a signal is best spent where IMGs are known to train
    (guide, Step 3: programs with a history of taking IMGs)."""
    # The tiers' own thresholds, so that the order agrees with the tiers.
    tiering = next((r for r in draft.rulebook.rulesets if r.name == "tiering"), None)
    welcoming = tiering.parameters.get(IMG_WELCOMING) if tiering is not None else None
    some = tiering.parameters.get(IMG_SOME) if tiering is not None else None
    if welcoming is None or some is None:
        return np.zeros(len(share), dtype=np.int64)
    rank = np.full(len(share), 2, dtype=np.int64)
    known = ~np.isnan(share)
    rank[known] = 3
    rank[known & (share >= some.value)] = 1
    rank[known & (share >= welcoming.value)] = 0
    return rank


def _starts(ordered: np.ndarray) -> np.ndarray:
    """True where a run of equal values of a non-empty array begins."""
    starts = np.empty(len(ordered), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts


def _lexsort(keys: tuple) -> np.ndarray:
    """``np.lexsort(keys)`` of small non-negative integer keys (the last the first to sort
    by), as one stable sort of a number made of them all when that number fits 62 bits:
    one sort instead of one per key."""
    spans = [int(key.max()) + 1 for key in keys]
    if len(keys[0]) and np.prod(spans, dtype=float) < 2.0**62:
        code = np.zeros(len(keys[0]), dtype=np.int64)
        for key, span in zip(reversed(keys), reversed(spans)):
            code *= span
            code += key
        return np.argsort(code, kind="stable")
    return np.lexsort(keys)


def _keys(draft, programs, positions):
    """Codes of the specialty and state, and the rank of the id, of ``positions``."""
    if programs.catalog_rows is not None:
        table = catalog_table(draft.catalog, draft.rulebook.city_regions)
        state = table.columns["program.state"]
        if state.codes is not None:
            rows = programs.catalog_rows[positions]
            return (
                table.keys.specialty[rows],
                table.keys.specialties,
                state.codes[rows],
                state.categories,
                table.keys.id_rank[rows],
            )
    # Decisions built by hand: read each program's values.
    chosen = [programs.programs[i] for i in positions.tolist()]
    specialties = tuple(sorted({p.specialty for p in chosen}))
    states = tuple(sorted({p.state for p in chosen}))
    ids = sorted(range(len(chosen)), key=lambda i: chosen[i].id)
    id_rank = np.empty(len(chosen), dtype=np.int64)
    id_rank[ids] = np.arange(len(chosen))
    return (
        np.array([specialties.index(p.specialty) for p in chosen], dtype=np.int64),
        specialties,
        np.array([states.index(p.state) for p in chosen], dtype=np.int64),
        states,
        id_rank,
    )


def gold_needs_listed_visa(applicant) -> tuple[str, ...]:
    """The visas a program's listing must name for a gold signal to go there: the
    H-1B for an applicant whose only route is the H-1B. Most programs sponsor only a
    J-1 (resplan's H-1B search size parameter: about 1 in 5 Internal Medicine programs
    list an H-1B), so a listing that does not say is more likely closed to them than
    open, and a gold signal is scarce. Empty for every other applicant: for a J-1, which
    ECFMG sponsors, a listing that does not say is no such warning."""
    return ("H-1B",) if applicant.visas == ("H-1B",) else ()


def _choose(positions, count, draft, gold: bool = True) -> list[tuple]:
    """(decision, kind, program) of the programs to signal, in order: one per
    institution, gold first where the specialty has gold signals (silver only, and no
    more than the silver ones, without ``gold``). Where a gold signal needs a listed visa
    (gold_needs_listed_visa), a program whose listing does not name it gets a silver
    signal while gold ones are left; those left stay unused."""
    programs = draft.programs
    chosen: list[tuple] = []
    institutions: set[tuple[str, str, str]] = set()
    most = count["signals"] if gold or count["gold"] is None else count["silver"]
    needed = gold_needs_listed_visa(draft.profile.applicant) if gold else ()
    golds = silvers = 0
    for position in positions:
        if len(chosen) >= most:
            break
        program = programs.programs[position]
        institution = (program.name, program.city, program.state)
        if institution in institutions:
            continue
        kind: Literal["gold", "silver", "signal"]
        if count["gold"] is None:
            kind = "signal"
        elif gold and golds < count["gold"] and _lists_any(program, needed):
            kind = "gold"
        elif silvers < count["silver"]:
            kind = "silver"
        else:
            continue  # gold is kept for a program whose listing names the visa
        institutions.add(institution)
        golds += kind == "gold"
        silvers += kind == "silver"
        chosen.append((programs[position], kind, program))
    return chosen


def _lists_any(program, visas: tuple[str, ...]) -> bool:
    """Whether the program's listing names one of ``visas`` (True with none asked)."""
    return not visas or (program.visas is not None and any(v in program.visas for v in visas))


def _divisions(chosen, preferred: tuple[str, ...], draft) -> list[str]:
    """The regions of the plan's one geographic preference, at most as many as ERAS lets
    an applicant name: the divisions of the preferred states, those where the most signals
    go first, then in the order the states were named; without preferred states, the
    divisions where most signals go."""
    limit = season_parameter(draft.rulebook, GEOGRAPHIC_REGIONS)
    if limit is None:
        return []
    counts: dict[str, int] = {}
    for d, _kind, _program in chosen:
        division = DIVISION_OF.get(d.state)
        if division:
            counts[division] = counts.get(division, 0) + 1
    if preferred:
        named = list(dict.fromkeys(DIVISION_OF[s] for s in preferred if s in DIVISION_OF))
        ranked = sorted(named, key=lambda name: (-counts.get(name, 0), named.index(name)))
    else:
        ranked = sorted(counts, key=lambda name: (-counts[name], name))
    return ranked[: int(limit.value)]


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def _or(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]
