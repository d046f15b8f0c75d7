"""Stage 8: program signals, per considered specialty, and the geographic preference.

The season ruleset (resplan.season) says how many signals a specialty gives. They go to
programs the applicant passes every known filter of (verdict apply: never a borderline or
skipped program), in this order: real programs before generated ones, the best tier
first, then programs with nothing left to verify, then the higher-priority border
sub-regions. Within that order the signals are spread over the applicant's preferred
states in turn (a state's second program comes after every preferred state's first),
programs outside them last. One signal per institution per specialty: programs of the
same name and place (a categorical and a preliminary track, say) share one. Where a
specialty has gold and silver signals, the first programs get the gold ones.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from resplan.plan import VERDICTS, SignalChoice, SpecialtySignals
from resplan.season import GEOGRAPHIC_REGIONS, SIGNAL_ODDS_RATIO, season_parameter, signal_count
from resplan.stages.actions import synthetic_mask
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
APPLY = VERDICTS.index("apply")


def run(draft):
    if not draft.specialties or season_parameter(draft.rulebook, GEOGRAPHIC_REGIONS) is None:
        return draft
    preferred = tuple(draft.profile.applicant.states or ())
    candidates = _candidates(draft, preferred)
    out = []
    for target in draft.specialties:
        count = signal_count(draft.rulebook, target.name)
        if count is None:
            out.append(SpecialtySignals(
                specialty=target.name,
                says=(f"resplan knows no number of program signals for {target.name} this "
                      "season. Check the AAMC's signaling page: if the specialty takes "
                      "signals, spend them on your tier 1 programs.")))
            continue
        chosen = _choose(candidates.get(target.name, []), count, preferred, draft)
        cycle = draft.profile.applicant.cycle
        out.append(SpecialtySignals(
            specialty=target.name, says=_says(target.name, count, len(chosen), cycle),
            signals=count["signals"], gold=count["gold"], silver=count["silver"],
            season=count["season"], confirmed=count["season"] >= cycle, source=count["source"],
            geographic=_geographic(chosen, draft) if chosen else None,
            evidence=_evidence(draft) if target.name == "Internal Medicine" else None,
            programs=tuple(chosen)))
    return draft.evolve(signals=tuple(out))


def _candidates(draft, preferred: tuple[str, ...]) -> dict[str, list[int]]:
    """Per specialty, the programs (positions in ``draft.programs``) the applicant passes
    every known filter of, in the order signals go to them.

    Column by column: a national plan has thousands of programs and only the first few
    of each specialty become signals, so only those are ever read one by one.
    """
    programs = draft.programs
    positions = np.flatnonzero((np.asarray(programs.verdict) == APPLY)
                               & (np.asarray(programs.tier) != 0))
    if not len(positions):
        return {}
    synthetic = synthetic_mask(programs, draft.catalog)[positions]
    tier = np.asarray(programs.tier)[positions]
    has_verify = np.array([bool(fields) for fields in programs.verify_sets],
                          dtype=bool)[np.asarray(programs.to_verify)[positions]]
    priority = {r.id: _PRIORITY.get(r.priority, 3) for r in draft.regions}
    region_priority = np.array([priority.get(r, 3) for r in programs.regions] or [3],
                               dtype=np.int64)[np.asarray(programs.region)[positions]]
    specialty, specialties, state, states, id_rank = _keys(draft, programs, positions)
    first = np.lexsort((id_rank, region_priority, has_verify, tier, synthetic, specialty))
    # Each program's place in its own state's queue (per specialty), in that first order.
    group = specialty[first] * len(states) + state[first]
    by_group = np.argsort(group, kind="stable")
    grouped = group[by_group]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, len(grouped)])
    rank = np.empty(len(positions), dtype=np.int64)
    rank[first[by_group]] = np.arange(len(grouped)) - np.repeat(starts, sizes)
    outside = np.array([s not in preferred for s in states], dtype=bool)[state]
    where = np.array([preferred.index(s) if s in preferred else 0 for s in states],
                     dtype=np.int64)[state]
    order = np.lexsort((id_rank, region_priority, has_verify, where, rank, outside, tier,
                        synthetic, specialty))
    ordered_specialty = specialty[order]
    starts = np.flatnonzero(np.r_[True, ordered_specialty[1:] != ordered_specialty[:-1]])
    ends = np.r_[starts[1:], len(order)]
    return {specialties[int(ordered_specialty[a])]: positions[order[a:b]].tolist()
            for a, b in zip(starts.tolist(), ends.tolist())}


def _keys(draft, programs, positions):
    """Codes of the specialty and state, and the rank of the id, of ``positions``."""
    if programs.catalog_rows is not None:
        table = catalog_table(draft.catalog, draft.rulebook.city_regions)
        state = table.columns["program.state"]
        if state.codes is not None:
            rows = programs.catalog_rows[positions]
            return (table.keys.specialty[rows], table.keys.specialties, state.codes[rows],
                    state.categories, table.keys.id_rank[rows])
    # Decisions built by hand: read each program's values.
    chosen = [programs.programs[i] for i in positions.tolist()]
    specialties = tuple(sorted({p.specialty for p in chosen}))
    states = tuple(sorted({p.state for p in chosen}))
    ids = sorted(range(len(chosen)), key=lambda i: chosen[i].id)
    id_rank = np.empty(len(chosen), dtype=np.int64)
    id_rank[ids] = np.arange(len(chosen))
    return (np.array([specialties.index(p.specialty) for p in chosen], dtype=np.int64),
            specialties, np.array([states.index(p.state) for p in chosen], dtype=np.int64),
            states, id_rank)


def _choose(positions, count, preferred, draft) -> list[SignalChoice]:
    programs = draft.programs
    chosen: list[SignalChoice] = []
    institutions: set[tuple[str, str, str]] = set()
    for position in positions:
        if len(chosen) >= count["signals"]:
            break
        program = programs.programs[position]
        institution = (program.name, program.city, program.state)
        if institution in institutions:
            continue
        institutions.add(institution)
        kind: Literal["gold", "silver", "signal"]
        if count["gold"] is None:
            kind = "signal"
        else:
            kind = "gold" if len(chosen) < count["gold"] else "silver"
        d = programs[position]
        chosen.append(SignalChoice(id=d.id, name=d.name, city=d.city, state=d.state,
                                   tier=d.tier, kind=kind, why=_why(d, kind, preferred, draft)))
    return chosen


def _why(d, kind, preferred, draft) -> str:
    words = {"gold": "Gold signal, for one of the programs you want most: ",
             "silver": "Silver signal: ", "signal": ""}[kind]
    where = f"{d.city}, {STATES.get(d.state, d.state)}"
    text = f"{words}tier {d.tier}, one of your best fits, in {where}."
    if d.region is not None:
        area = draft.rulebook.labels.get(d.region, "")
        region = next((r for r in draft.regions if r.id == d.region), None)
        if area and region is not None and region.priority in ("high", "medium"):
            text += f" Border area: {area}, a {region.priority} priority for you."
    if d.state in preferred:
        text += " It is in one of the states you prefer."
    text += " You pass every filter it lists."
    if d.to_verify:
        text += " Some of its facts are not listed: check them before you send the signal."
    if d.synthetic:
        text += " This is not a real program (generated sample)."
    return text


def _says(specialty: str, count: dict, chosen: int, cycle: int) -> str:
    if count["gold"] is not None:
        number = (f"{count['gold']} gold and {count['silver']} silver signals "
                  f"({count['signals']} in all)")
    else:
        number = f"{count['signals']} signal" + ("" if count["signals"] == 1 else "s")
    if count["season"] >= cycle:
        text = f"For the {cycle} Match, {specialty} gives {number}."
    else:
        text = (f"{specialty} gave {number} in the ERAS season of the {count['season']} Match. "
                f"The number for your season (the {cycle} Match) is not confirmed: check it "
                "with the AAMC before you apply.")
    if chosen < count["signals"]:
        text += (f" This plan has only {chosen} program" + ("" if chosen == 1 else "s")
                 + " in the specialty that you pass every known filter of: do not spend a "
                 "signal on a program that may screen you out.")
    return text + " One signal per institution: its tracks share it."


def _geographic(chosen, draft) -> str:
    limit = int(season_parameter(draft.rulebook, GEOGRAPHIC_REGIONS).value)
    counts: dict[str, int] = {}
    for choice in chosen:
        division = DIVISION_OF.get(choice.state)
        if division:
            counts[division] = counts.get(division, 0) + 1
    divisions = sorted(counts, key=lambda name: (-counts[name], name))[:limit]
    named = ", ".join(divisions[:-1]) + " and " + divisions[-1] if len(divisions) > 1 else divisions[0]
    plural = "region" if len(divisions) == 1 else "regions"
    return (f"In the ERAS application you may name up to {limit} preferred regions and a "
            f"setting. Name the {plural} where your signals go: {named}. The catalog does "
            "not say if a program is urban or suburban, so choose a setting only if you "
            "truly prefer one.")


def _evidence(draft) -> str | None:
    ratio = season_parameter(draft.rulebook, SIGNAL_ODDS_RATIO)
    if ratio is None:
        return None
    return (f"In a survey of Internal Medicine applicants of the 2022 season (Texas STAR, "
            f"mostly US graduates), those who sent a program a signal and named its region "
            f"had about {ratio.value} times the odds of an interview there of those who did "
            "neither. That is what happened in that group; it is not a promise for you.")
