"""The facts rules can read, their types, and how they are computed.

Rules never see resplan's Python objects: each stage hands its rules a flat mapping of
dotted names (``profile.step2ck.score``) to plain values, built here. A fact the input
does not give is absent from the mapping, so a rule reading it gets *unknown*.

Lists the profile leaves out (languages, clinical, letters, activities) count as empty:
a plan is made from what the applicant reports. A scalar left out stays unknown.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs

from resplan.model import Profile, Program
from resplan.rules.types import BOOL, NUMBER, TEXT, Enum, Level, SetOf
from resplan.vocabulary import (
    ACTIVITY_KINDS, SETTINGS, SPONSORED_VISAS, STATES, TRACKS, VISAS,
)

SPANISH_LEVELS = ("none", "basic", "intermediate", "medical", "professional", "fluent", "native")
FITS = ("unlikely", "reach", "possible", "strong")  # worst to best
PRIORITIES = ("none", "low", "medium", "high")  # a program outside every sub-region: none
VERDICTS = ("apply", "borderline", "skip")
STATE = Enum(tuple(sorted(STATES)))
CLINICAL_KINDS_HANDS_ON = ("hands-on", "externship", "sub-internship")


def _key(kind: str) -> str:
    return kind.replace("-", "_")


# ------------------------------------------------------------------ the schema


@attrs.frozen
class Fact:
    type: Any
    label: str  # how a plan names this fact to a person (e.g. in to_verify)


PROFILE_FACTS: dict[str, Fact] = {
    "profile.graduation_year": Fact(NUMBER, "graduation year"),
    "profile.cycle": Fact(NUMBER, "Match year applied for"),
    "profile.years_since_graduation": Fact(
        NUMBER, "years from graduation to the June the application opens"),
    "profile.visa": Fact(Enum(VISAS), "visa needed"),
    "profile.needs_visa": Fact(BOOL, "whether a visa is needed"),
    "profile.specialties": Fact(SetOf(TEXT), "wished specialties"),
    "profile.states": Fact(SetOf(STATE), "preferred states"),
    "profile.previous_cycles": Fact(NUMBER, "earlier cycles applied in without matching"),
    "profile.step1.result": Fact(Enum(("pass", "fail", "score")), "Step 1 result"),
    "profile.step1.score": Fact(NUMBER, "Step 1 numeric score"),
    "profile.step1.attempts": Fact(NUMBER, "Step 1 attempts"),
    "profile.step2ck.taken": Fact(BOOL, "whether Step 2 CK has been taken"),
    "profile.step2ck.score": Fact(NUMBER, "Step 2 CK score"),
    "profile.step2ck.attempts": Fact(NUMBER, "Step 2 CK attempts"),
    "profile.max_attempts": Fact(NUMBER, "most attempts on any Step exam"),
    "profile.any_failure": Fact(BOOL, "whether any Step exam was failed"),
    "profile.spanish_level": Fact(Level(SPANISH_LEVELS), "Spanish level"),
    "profile.languages": Fact(SetOf(TEXT), "languages"),
    "profile.clinical.months": Fact(NUMBER, "months of US clinical experience"),
    "profile.clinical.hands_on_months": Fact(
        NUMBER, "months of hands-on US clinical experience (not observerships)"),
    "profile.clinical.observership_months": Fact(NUMBER, "months of observerships"),
    "profile.clinical.states": Fact(SetOf(STATE), "states of US clinical experience"),
    "profile.clinical.cities": Fact(SetOf(TEXT), "cities of US clinical experience"),
    "profile.clinical.regions": Fact(SetOf(TEXT), "border sub-regions of US clinical experience"),
    "profile.clinical.border_months": Fact(
        NUMBER, "months of US clinical experience in a border sub-region"),
    "profile.letters.total": Fact(NUMBER, "letters of recommendation"),
    "profile.letters.us_clinical": Fact(NUMBER, "letters from US clinical supervisors"),
    "profile.letters.advocates": Fact(NUMBER, "letter writers who will contact programs"),
    "profile.activities.kinds": Fact(SetOf(Enum(ACTIVITY_KINDS)), "kinds of activities"),
    **{f"profile.activities.{_key(kind)}_months": Fact(NUMBER, f"months of {kind} activities")
       for kind in ACTIVITY_KINDS},
}

PROGRAM_FACTS: dict[str, Fact] = {
    "program.id": Fact(TEXT, "id"),
    "program.name": Fact(TEXT, "name"),
    "program.specialty": Fact(TEXT, "specialty"),
    "program.track": Fact(Enum(TRACKS), "track"),
    "program.city": Fact(TEXT, "city"),
    "program.state": Fact(STATE, "state"),
    "program.setting": Fact(Enum(SETTINGS), "setting"),
    "program.img_share": Fact(NUMBER, "share of residents who are IMGs"),
    "program.visas": Fact(SetOf(Enum(SPONSORED_VISAS)), "visa sponsorship"),
    "program.positions": Fact(NUMBER, "first-year positions"),
    "program.min_step2ck": Fact(NUMBER, "minimum Step 2 CK score"),
    "program.mean_step2ck": Fact(NUMBER, "average Step 2 CK of its residents"),
    "program.max_years_since_graduation": Fact(NUMBER, "most years allowed since graduation"),
    "program.max_attempts": Fact(NUMBER, "most attempts allowed on a Step exam"),
    "program.spanish_preferred": Fact(BOOL, "preference for Spanish speakers"),
    "program.underserved_focus": Fact(BOOL, "focus on underserved patients"),
    "program.rural": Fact(BOOL, "whether it is in a rural place"),
    "program.facts_as_of": Fact(NUMBER, "year the listing's facts date from"),
    "program.border": Fact(BOOL, "whether it is in a border sub-region"),
    "program.region": Fact(TEXT, "border sub-region id ('none' outside them)"),
    "program.region_name": Fact(TEXT, "border sub-region name ('none' outside them)"),
}

ASSESSMENT_FACTS: dict[str, Fact] = {
    "assessment.weaknesses": Fact(SetOf(TEXT), "weaknesses found in the profile"),
    "assessment.strengths": Fact(SetOf(TEXT), "strengths found in the profile"),
}


def specialty_facts(groups: tuple[str, ...]) -> dict[str, Fact]:
    return {
        "specialty.name": Fact(TEXT, "specialty"),
        "specialty.group": Fact(Enum(groups), "specialty group"),
        "specialty.wished": Fact(BOOL, "whether the applicant wishes for it"),
        "specialty.rank": Fact(NUMBER, "place in the applicant's wishes"),
    }


SPECIALTY_FIT_FACT = {"specialty.fit": Fact(Level(FITS), "fit of the specialty")}
WISHES_FACTS = {
    "wishes.best_fit": Fact(Level(FITS), "best fit among the wished specialties"),
}

REGION_FACTS: dict[str, Fact] = {
    "region.id": Fact(TEXT, "sub-region id"),
    "region.name": Fact(TEXT, "sub-region"),
    "region.state": Fact(STATE, "sub-region state"),
    "region.preferred": Fact(BOOL, "whether its state is among the preferred states"),
    "region.programs": Fact(
        NUMBER, "catalog programs in the sub-region, in the specialties the plan considers"),
}
REGION_PRIORITY_FACT = {"region.priority": Fact(Level(PRIORITIES), "priority of the program's sub-region")}
SCREEN_FACTS = {"screen.verdict": Fact(Enum(VERDICTS), "screening verdict")}

PLAN_FACTS: dict[str, Fact] = {
    "plan.considered": Fact(NUMBER, "programs considered"),
    "plan.apply": Fact(NUMBER, "programs to apply to"),
    "plan.borderline": Fact(NUMBER, "borderline programs"),
    "plan.skip": Fact(NUMBER, "programs skipped"),
    "plan.tier1": Fact(NUMBER, "tier 1 programs"),
    "plan.tier2": Fact(NUMBER, "tier 2 programs"),
    "plan.tier3": Fact(NUMBER, "tier 3 programs"),
    "plan.to_verify": Fact(NUMBER, "programs with facts to verify"),
    "plan.verify_list": Fact(TEXT, "programs to verify, most promising first"),
    "plan.suggested": Fact(SetOf(TEXT), "specialties suggested as alternatives"),
    "plan.high_regions": Fact(TEXT, "sub-regions of high priority"),
    "plan.as_of": Fact(TEXT, "the date the plan is made for, in words"),
    "plan.match_day": Fact(TEXT, "Match Day of the cycle, in words"),
    "plan.cycle_stage": Fact(TEXT, "where the cycle stands on that date: 'ahead' or 'under way'"),
    "plan.stale": Fact(NUMBER, "programs to apply to whose listed facts are out of date"),
}


# The summary stage asks some rules once per considered specialty (see stages/summary.py):
# these facts describe that specialty's programs, and then the volume worked out for it.
SPECIALTY_OPEN_FACTS: dict[str, Fact] = {
    "specialty.open": Fact(NUMBER, "programs of the specialty not skipped"),
    **{f"specialty.open_tier{t}": Fact(NUMBER, f"programs of the specialty in tier {t}")
       for t in (1, 2, 3)},
}
VOLUME_FACTS: dict[str, Fact] = {
    "volume.recommended": Fact(NUMBER, "applications a full list in the specialty holds"),
    "volume.applications": Fact(NUMBER, "applications to send from this catalog in the specialty"),
    "volume.shortfall": Fact(NUMBER, "applications of a full list this catalog cannot hold"),
    **{f"volume.tier{t}": Fact(NUMBER, f"applications to send in tier {t}") for t in (1, 2, 3)},
    **{f"volume.wanted_tier{t}": Fact(
        NUMBER, f"tier {t} applications the spread asks for, before fitting it to the programs")
       for t in (1, 2, 3)},
}
SUMMARY_FACTS: dict[str, Fact] = {
    "summary.recommended": Fact(NUMBER, "applications full lists hold, all specialties"),
    "summary.applications": Fact(NUMBER, "applications to send from this catalog, all specialties"),
    "summary.shortfall": Fact(NUMBER, "applications of full lists this catalog cannot hold"),
}


def label(name: str) -> str:
    for table in (PROGRAM_FACTS, PROFILE_FACTS):
        if name in table:
            return table[name].label
    return name


# ------------------------------------------------------------------ the values


def _months(items) -> float:
    # Sums count the months given: an entry without months adds nothing.
    return sum(item.months for item in items if item.months is not None)


def profile_facts(profile: Profile, city_regions: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """The profile's facts; ``city_regions`` maps (city, state) to a border sub-region id."""
    a = profile.applicant
    step1, step2 = profile.exams.step1, profile.exams.step2ck
    facts: dict[str, Any] = {
        "profile.graduation_year": a.graduation_year,
        "profile.cycle": a.cycle,
        # Applications open in June of the year before the Match.
        "profile.years_since_graduation": a.cycle - 1 - a.graduation_year,
        "profile.visa": a.visa,
        "profile.needs_visa": a.visa != "none",
        "profile.specialties": frozenset(a.specialties),
        "profile.states": frozenset(a.states) if a.states is not None else None,
        "profile.previous_cycles": a.previous_cycles,
        "profile.step2ck.taken": step2 is not None,
    }
    attempts = []
    failure = False
    if step1 is not None:
        if isinstance(step1.result, int):
            facts["profile.step1.result"] = "score"
            facts["profile.step1.score"] = step1.result
        elif step1.result is not None:
            facts["profile.step1.result"] = step1.result
            failure |= step1.result == "fail"
        facts["profile.step1.attempts"] = step1.attempts
        if step1.attempts is not None:
            attempts.append(step1.attempts)
    if step2 is not None:
        facts["profile.step2ck.score"] = step2.score
        facts["profile.step2ck.attempts"] = step2.attempts
        if step2.attempts is not None:
            attempts.append(step2.attempts)
    if attempts:
        facts["profile.max_attempts"] = max(attempts)
        failure |= max(attempts) > 1
    # Without any attempt count and no failed result, whether there was a failure is unknown.
    facts["profile.any_failure"] = True if failure else (False if attempts else None)

    spanish = [lang for lang in profile.languages if lang.name.strip().lower() in ("spanish", "español", "espanol")]
    if not spanish:
        facts["profile.spanish_level"] = "none"
    else:
        levels = [lang.level for lang in spanish]
        facts["profile.spanish_level"] = (
            None if None in levels else max(levels, key=SPANISH_LEVELS.index))
    facts["profile.languages"] = frozenset(lang.name for lang in profile.languages)

    clinical = profile.clinical
    facts["profile.clinical.months"] = _months(clinical)
    facts["profile.clinical.hands_on_months"] = _months(
        c for c in clinical if c.kind in CLINICAL_KINDS_HANDS_ON)
    facts["profile.clinical.observership_months"] = _months(
        c for c in clinical if c.kind == "observership")
    facts["profile.clinical.states"] = frozenset(c.state for c in clinical if c.state)
    facts["profile.clinical.cities"] = frozenset(c.city for c in clinical if c.city)
    regions = {c: city_regions.get((_norm(c.city), c.state)) for c in clinical if c.city}
    facts["profile.clinical.regions"] = frozenset(r for r in regions.values() if r)
    facts["profile.clinical.border_months"] = _months(c for c, r in regions.items() if r)

    letters = profile.letters
    facts["profile.letters.total"] = len(letters)
    facts["profile.letters.us_clinical"] = sum(1 for x in letters if x.us_clinical)
    facts["profile.letters.advocates"] = sum(1 for x in letters if x.advocate)

    facts["profile.activities.kinds"] = frozenset(x.kind for x in profile.activities if x.kind)
    for kind in ACTIVITY_KINDS:
        facts[f"profile.activities.{_key(kind)}_months"] = _months(
            x for x in profile.activities if x.kind == kind)
    return {k: v for k, v in facts.items() if v is not None}


def program_facts(program: Program, city_regions: Mapping[tuple[str, str], str],
                  region_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    facts = {f"program.{a.name}": getattr(program, a.name) for a in attrs.fields(Program)}
    if program.visas is not None:
        facts["program.visas"] = frozenset(program.visas)
    region = city_regions.get((_norm(program.city), program.state))
    facts["program.border"] = region is not None
    facts["program.region"] = region or "none"
    facts["program.region_name"] = (region_names or {}).get(region, region) if region else "none"
    facts.pop("program.source")
    return {k: v for k, v in facts.items() if v is not None}


def _norm(city: str | None) -> str:
    return " ".join((city or "").lower().split())


def city_key(city: str, state: str) -> tuple[str, str]:
    return (_norm(city), state)
