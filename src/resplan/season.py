"""The application season's figures that code reads: the ERAS fee schedule.

The figures are parameters of the ``season`` ruleset (rulesets/season.toml), each with
its source and season, so that next season's schedule is a change of data. Without that
ruleset (its plugin disabled) a plan has no cost section.

The schedule is two parallel lists: ``eras_fee_from`` (from which program of a specialty
a band starts, the first band from program 1) and ``eras_fee_per_program`` (what each
program of that band costs, in whole US dollars). ERAS counts programs per specialty,
so each specialty's list starts again in the first band.
"""

from __future__ import annotations

from collections.abc import Sequence

from resplan.errors import Problem, RulesetError
from resplan.plan import Cost, SpecialtyCost

SEASON = "season"  # the ruleset whose parameters hold the season's figures
FEE_FROM = "eras_fee_from"
FEE_PER_PROGRAM = "eras_fee_per_program"
FEE_SEASON = "eras_fee_season"
# The parameters code reads (resplan check counts them as used).
SEASON_PARAMETERS = frozenset({FEE_SEASON, FEE_FROM, FEE_PER_PROGRAM})
# What a plan tells about a list 10 applications longer or shorter.
STEP = 10


def _ruleset(rulebook):
    return next((r for r in rulebook.rulesets if r.name == SEASON), None)


def fee_schedule(rulebook) -> tuple[int, tuple[tuple[int, int], ...]] | None:
    """(season, ((from program, fee per program), ...)), or None without the ruleset.

    Raises RulesetError naming the file and parameter when the schedule is not usable.
    """
    ruleset = _ruleset(rulebook)
    if ruleset is None:
        return None
    params = ruleset.parameters
    problems = []

    def fail(name, message):
        problems.append(Problem(ruleset.file, message, field=f"parameters.{name}"))

    for name in (FEE_SEASON, FEE_FROM, FEE_PER_PROGRAM):
        if name not in params:
            fail(name, f"the season ruleset needs the parameter {name!r}")
    if problems:
        raise RulesetError(problems)
    season = params[FEE_SEASON].value
    starts, fees = params[FEE_FROM].value, params[FEE_PER_PROGRAM].value
    if type(season) is not int:
        fail(FEE_SEASON, f"{season!r} is not a year")
    if not _wholes(starts) or not starts or starts[0] != 1 or list(starts) != sorted(set(starts)):
        fail(FEE_FROM, f"{starts!r} is not a list of whole numbers that starts at 1 and rises")
    if not _wholes(fees) or any(f < 0 for f in fees):
        fail(FEE_PER_PROGRAM, f"{fees!r} is not a list of whole dollar amounts, 0 or more")
    elif isinstance(starts, tuple) and len(fees) != len(starts):
        fail(
            FEE_PER_PROGRAM,
            f"has {len(fees)} fees for {len(starts)} bands ({FEE_FROM}): give one fee per band",
        )
    if problems:
        raise RulesetError(problems)
    return season, tuple(zip(starts, fees))


def _wholes(values) -> bool:
    return isinstance(values, tuple) and all(type(v) is int for v in values)


def eras_fee(applications: int, bands: Sequence[tuple[int, int]]) -> int:
    """The ERAS fee of ``applications`` programs in one specialty."""
    total = 0
    for index, (start, fee) in enumerate(bands):
        end = bands[index + 1][0] - 1 if index + 1 < len(bands) else applications
        total += max(0, min(applications, end) - start + 1) * fee
    return total


def cost(volumes, rulebook) -> Cost | None:
    """The ERAS fees of the plan's full lists: each specialty whose full list is known,
    priced at its recommended applications, whether or not the catalog holds them all
    (what an applicant pays is for the whole list they send)."""
    schedule = fee_schedule(rulebook)
    if schedule is None:
        return None
    season, bands = schedule
    parts = []
    for volume in volumes:
        if volume.recommended is None:
            continue
        n = volume.recommended
        fee = eras_fee(n, bands)
        parts.append(
            SpecialtyCost(
                name=volume.name,
                applications=n,
                fee=fee,
                ten_more=eras_fee(n + STEP, bands) - fee,
                ten_fewer=fee - eras_fee(max(n - STEP, 0), bands),
            )
        )
    if not parts:
        return None
    return Cost(season=season, total=sum(p.fee for p in parts), by_specialty=tuple(parts))


def catalog_fees(volumes, rulebook) -> dict[str, int]:
    """Per specialty, the ERAS fees of the applications the catalog can take."""
    schedule = fee_schedule(rulebook)
    if schedule is None:
        return {}
    _season, bands = schedule
    return {v.name: eras_fee(v.applications, bands) for v in volumes if v.applications is not None}


# ------------------------------------------------------------------ program signals

SIGNALS_PREFIX = "signals_"
GEOGRAPHIC_REGIONS = "geographic_regions"
SIGNAL_ODDS_RATIO = "signal_interview_odds_ratio"
SIGNAL_IMG_SHARE_MIN = "signal_img_share_min"


def read_by_code(name: str) -> bool:
    """Whether code reads the season ruleset's parameter ``name`` (resplan check)."""
    return (
        name in SEASON_PARAMETERS
        or name.startswith(SIGNALS_PREFIX)
        or name in (GEOGRAPHIC_REGIONS, SIGNAL_ODDS_RATIO, SIGNAL_IMG_SHARE_MIN)
    )


def _slug(specialty: str) -> str:
    return SIGNALS_PREFIX + "".join(c if c.isalnum() else "_" for c in specialty.lower())


def signal_count(rulebook, specialty: str) -> dict | None:
    """The season's signals of ``specialty``: ``{signals, gold, silver, season, source}``
    (season: the Match year the number is confirmed for); None when the ruleset gives no number for it (or there is no ruleset).

    Raises RulesetError naming the file and parameter when a value is not usable.
    """
    ruleset = _ruleset(rulebook)
    name = _slug(specialty)
    if ruleset is None or name not in ruleset.parameters:
        return None
    params = ruleset.parameters
    problems = []

    def fail(key, message):
        problems.append(Problem(ruleset.file, message, field=f"parameters.{key}"))

    value = params[name].value
    gold = silver = None
    if type(value) is int and value >= 0:
        total = value
    elif _wholes(value) and len(value) == 2 and min(value) >= 0:
        gold, silver = value
        total = gold + silver
    else:
        fail(name, f"{value!r} is not a number of signals, or [gold, silver]")
    season = params.get(name + "_season")
    if season is None or type(season.value) is not int:
        fail(name + "_season", "give the Match year whose ERAS season the number belongs to")
    if problems:
        raise RulesetError(problems)
    return {
        "signals": total,
        "gold": gold,
        "silver": silver,
        "season": season.value,
        "source": params[name].source,
    }


def season_parameter(rulebook, name: str):
    """A parameter of the season ruleset, or None."""
    ruleset = _ruleset(rulebook)
    if ruleset is None or name not in ruleset.parameters:
        return None
    return ruleset.parameters[name]
