"""Hypothesis strategies for resplan's inputs: applicant profiles, programs and catalogs.

Every value these strategies produce passes the validators of :mod:`resplan.model`, so a
test never spends an example on input that resplan would refuse. Facts are left out
(``None``: *unknown*) as often as they are given, because rules must behave when a
program does not publish its minimum score or an applicant has not sat an exam. Unknown
is the first choice of every optional field, so a shrunk counterexample keeps only the
facts that matter.

    from hypothesis import given
    from resplan.testing import catalogs, profiles

    @given(profiles(), catalogs(max_size=4))
    def test_my_rule(resplan_host, profile, catalog):
        # a date before every cycle drawn (from 2024 on): each profile gets its full plan
        plan = resplan.plan(profile, catalog, host=resplan_host, as_of="2023-01-16")
        ...

The defaults draw from a handful of specialties and from border and non-border cities
of the built-in sub-regions, so that most programs drawn belong to a specialty a drawn
profile wishes for (and so get a verdict). Pass ``specialties=`` and ``cities=`` to aim
at your own; :func:`cities_of` lists the cities of a host's border sub-regions.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence

import attrs
from hypothesis import strategies as st

from resplan import model as M
from resplan.model import (
    Activity,
    Applicant,
    Catalog,
    Clinical,
    Exams,
    Language,
    Letter,
    Profile,
    Program,
    Reapplicant,
    Step1,
    Step2CK,
    Step3,
)
from resplan.vocabulary import ACTIVITY_KINDS, CLINICAL_KINDS, LANGUAGE_LEVELS, SETTINGS, TRACKS

__all__ = [
    "DEFAULT_SPECIALTIES",
    "BORDER_CITIES",
    "OTHER_CITIES",
    "DEFAULT_CITIES",
    "cities_of",
    "optional",
    "applicants",
    "step1_results",
    "exams",
    "passing_exams",
    "languages",
    "clinical_stints",
    "letters",
    "activities",
    "reapplicants",
    "profiles",
    "programs",
    "catalogs",
    "program_ids",
]

# Specialties of each group of the built-in specialties ruleset: open to low scores
# (Internal Medicine, Family Medicine, Pediatrics, Transitional Year), middle (General
# Surgery) and score-driven (Dermatology). The first four are also those the built-in
# rules suggest as alternatives.
DEFAULT_SPECIALTIES: tuple[str, ...] = (
    "Internal Medicine",
    "Family Medicine",
    "Pediatrics",
    "Transitional Year",
    "General Surgery",
    "Dermatology",
)

# A city of each state's built-in border sub-regions, and cities outside all of them.
BORDER_CITIES: tuple[tuple[str, str], ...] = (
    ("El Paso", "TX"),
    ("McAllen", "TX"),
    ("Laredo", "TX"),
    ("Las Cruces", "NM"),
    ("Tucson", "AZ"),
    ("Yuma", "AZ"),
    ("El Centro", "CA"),
    ("San Diego", "CA"),
)
OTHER_CITIES: tuple[tuple[str, str], ...] = (
    ("Houston", "TX"),
    ("Albuquerque", "NM"),
    ("Phoenix", "AZ"),
    ("Los Angeles", "CA"),
    ("Chicago", "IL"),
    ("Brooklyn", "NY"),
    ("Miami", "FL"),
)
DEFAULT_CITIES = BORDER_CITIES + OTHER_CITIES

PREFERRED_STATES = ("TX", "NM", "AZ", "CA", "FL", "NY", "IL")
LANGUAGE_NAMES = ("Spanish", "English", "Portuguese", "French", "Arabic")
LETTER_WRITERS = ("Dr. Alvarez", "Dr. Brown", "Dr. Chen")
ACTIVITY_TITLES = ("Mobile clinic volunteer", "Community health outreach", "Research assistant")


def cities_of(host) -> tuple[tuple[str, str], ...]:
    """The (city, state) pairs of every border sub-region a host's rulesets define."""
    return tuple((city, sub.state) for sub in host.rulebook.subregions for city in sub.cities)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """``None`` (an unknown fact) or a value of ``strategy``; shrinks towards unknown."""
    return st.none() | strategy


def _months(max_months: int) -> st.SearchStrategy:
    # Readers turn a TOML integer into a float for month fields: do the same.
    return st.integers(0, max_months).map(float) | st.sampled_from((0.5, 1.5))


def _place(cities: Sequence[tuple[str, str]]) -> st.SearchStrategy:
    return st.sampled_from(tuple(cities))


# ------------------------------------------------------------------ the applicant


def applicants(
    *,
    specialties: Sequence[str] = DEFAULT_SPECIALTIES,
    max_specialties: int = 2,
    cycles: tuple[int, int] = (2024, 2030),
    max_years_since_graduation: int = 25,
) -> st.SearchStrategy:
    """The ``[applicant]`` table: cycle, graduation year, visa, wishes, states.

    Years since graduation are mostly recent (up to 8), sometimes up to
    ``max_years_since_graduation``.
    """
    cycle = st.integers(*cycles)
    years = st.integers(0, min(8, max_years_since_graduation)) | st.integers(
        0, max_years_since_graduation
    )
    # One visa, or a list of the visas the applicant would take (first choice first).
    visa = st.sampled_from(("none", "J-1", "H-1B")) | st.permutations(("J-1", "H-1B")).flatmap(
        lambda order: st.sampled_from((order[:1], tuple(order)))
    ).map(list)
    wishes = st.lists(st.sampled_from(tuple(specialties)), unique=True, max_size=max_specialties)
    states = optional(st.lists(st.sampled_from(PREFERRED_STATES), unique=True, max_size=3))
    previous = optional(st.integers(0, 4))

    def build(cycle, years, visa, wishes, states, previous):
        # years_since_graduation = cycle - 1 - graduation_year (June before the Match).
        return Applicant(
            graduation_year=cycle - 1 - years,
            cycle=cycle,
            visa=visa,
            specialties=wishes,
            states=states,
            previous_cycles=previous,
        )

    return st.builds(build, cycle, years, visa, wishes, states, previous)


def step1_results(scores: tuple[int, int] = (180, 260)) -> st.SearchStrategy:
    """A Step 1 result: ``"pass"``, ``"fail"`` or an older numeric score."""
    return st.sampled_from(("pass", "fail")) | st.integers(*scores)


def exams(*, scores: tuple[int, int] = (190, 280), max_attempts: int = 4) -> st.SearchStrategy:
    """Step 1 and Step 2 CK, each possibly not taken, with unknown parts.

    Step 2 CK scores come from ``scores``, more often from 200 to 250, where the
    programs' drawn minimums are.
    """
    attempts = optional(st.integers(1, max_attempts))
    step1 = st.builds(Step1, result=optional(step1_results()), attempts=attempts)
    score = st.integers(max(scores[0], 200), min(scores[1], 250)) | st.integers(*scores)
    step2 = st.builds(Step2CK, score=optional(score), attempts=attempts).flatmap(_step2_result)
    step3 = st.builds(Step3, result=optional(st.sampled_from(("pass", "fail"))), attempts=attempts)
    return st.builds(_exams, optional(step1), optional(step2), optional(step3))


Step2Result = typing.Literal["pass", "fail", "pending"]


def _step2_result(step2: Step2CK) -> st.SearchStrategy:
    """Step 2 CK with a result that fits its score: none, or "pass", with a score; none,
    "pass", "pending" or "fail" without one; and sometimes not sat yet (0 sittings)."""
    scored: tuple[Step2Result | None, ...] = (None, "pass")
    if step2.score is not None:
        return st.sampled_from(scored).map(lambda r: attrs.evolve(step2, result=r))
    results = st.sampled_from(scored + ("pending", "fail"))
    return st.one_of(
        results.map(lambda r: attrs.evolve(step2, result=r)),
        st.just(Step2CK(attempts=0)),
    )


def _exams(step1, step2, step3) -> Exams:
    # Step 3 comes after Step 1 and Step 2 CK are passed (resplan.model refuses the rest).
    if (
        step2 is None
        or not step2.sat
        or step2.result in ("fail", "pending")
        or (step1 is not None and step1.result == "fail")
    ):
        step3 = None
    return Exams(step1=step1, step2ck=step2, step3=step3)


def languages(names: Sequence[str] = LANGUAGE_NAMES) -> st.SearchStrategy:
    return st.builds(
        Language,
        name=st.sampled_from(tuple(names)),
        level=optional(st.sampled_from(LANGUAGE_LEVELS)),
    )


def clinical_stints(cities: Sequence[tuple[str, str]] = DEFAULT_CITIES) -> st.SearchStrategy:
    """A stretch of US clinical experience; its place may be a city, a state only, or unknown."""
    place = st.one_of(
        st.just((None, None)), _place(cities), _place(cities).map(lambda cs: (None, cs[1]))
    )
    return st.builds(
        lambda kind, months, where: Clinical(
            kind=kind, months=months, city=where[0], state=where[1]
        ),
        optional(st.sampled_from(CLINICAL_KINDS)),
        optional(_months(24)),
        place,
    )


def letters() -> st.SearchStrategy:
    return st.builds(
        Letter,
        writer=optional(st.sampled_from(LETTER_WRITERS)),
        us_clinical=optional(st.booleans()),
        advocate=optional(st.booleans()),
    )


def activities() -> st.SearchStrategy:
    return st.builds(
        Activity,
        kind=optional(st.sampled_from(ACTIVITY_KINDS)),
        title=optional(st.sampled_from(ACTIVITY_TITLES)),
        months=optional(_months(36)),
    )


CHANGES: tuple[str, ...] = typing.get_args(M.Change)


def reapplicants(*, last_cycles: tuple[int, int] = (2018, 2029)) -> st.SearchStrategy:
    """The ``[reapplicant]`` table: ``last_cycle`` unknown or a Match year, ``changes``
    unknown, empty or some. :func:`profiles` keeps a last cycle only when it falls
    between the applicant's graduation and cycle."""
    return st.builds(
        Reapplicant,
        last_cycle=optional(st.integers(*last_cycles)),
        changes=optional(st.lists(st.sampled_from(CHANGES), unique=True, max_size=3).map(tuple)),
    )


def profiles(
    *,
    specialties: Sequence[str] = DEFAULT_SPECIALTIES,
    cities: Sequence[tuple[str, str]] = DEFAULT_CITIES,
    max_specialties: int = 2,
    max_items: int = 3,
) -> st.SearchStrategy:
    """Applicant profiles: every validator of :class:`resplan.model.Profile` holds.

    ``specialties`` are the wishes drawn from (zero to ``max_specialties`` of them),
    ``cities`` the places of clinical experience; each list (languages, clinical
    experience, letters, activities) has at most ``max_items`` entries.
    """
    return st.builds(
        _profile,
        applicant=applicants(specialties=specialties, max_specialties=max_specialties),
        exams=exams(),
        # A profile gives each language once.
        languages=st.lists(
            languages(), max_size=max_items, unique_by=lambda lang: lang.name.lower()
        ).map(tuple),
        clinical=st.lists(clinical_stints(cities), max_size=max_items).map(tuple),
        letters=st.lists(letters(), max_size=max_items + 1).map(tuple),
        activities=st.lists(activities(), max_size=max_items).map(tuple),
        reapplicant=optional(reapplicants()),
    )


def _profile(
    applicant: Applicant, exams: Exams, reapplicant: Reapplicant | None = None, **parts
) -> Profile:
    if reapplicant is not None:
        if not applicant.previous_cycles:
            reapplicant = None  # a first try (or an unknown count) has no last cycle
        elif reapplicant.last_cycle is not None and not (
            applicant.graduation_year < reapplicant.last_cycle < applicant.cycle
        ):
            reapplicant = attrs.evolve(reapplicant, last_cycle=None)
    return Profile(
        applicant=applicant, exams=passing_exams(applicant, exams), reapplicant=reapplicant, **parts
    )


def passing_exams(applicant: Applicant, exams: Exams) -> Exams:
    """``exams`` with scores this applicant can have passed with (see the passing
    standards in resplan.model): a score under the lowest standard that can apply is
    raised to it, and a numeric Step 1 too recent to be numeric becomes a pass. Step 3 is
    left out when Step 1 is a fail or there is no Step 2 CK (it comes after both)."""
    year = applicant.graduation_year
    step1, step2 = exams.step1, exams.step2ck
    if step2 is not None and step2.score is not None:
        floor = M.lowest_passing(
            M.STEP2CK_PASSING, M.earliest_exam_day(year, M.STEP2CK_YEARS_BEFORE_GRADUATION)
        )
        if floor is not None and step2.score < floor.score:
            step2 = attrs.evolve(step2, score=floor.score)
    if step1 is not None and isinstance(score := step1.result, int):
        earliest = M.earliest_exam_day(year, M.STEP1_YEARS_BEFORE_GRADUATION)
        floor = M.lowest_passing(M.STEP1_PASSING, earliest)
        if earliest >= M.STEP1_NUMERIC_UNTIL:
            step1 = attrs.evolve(step1, result="pass")
        elif floor is not None and score < floor.score:
            step1 = attrs.evolve(step1, result=floor.score)
    return _exams(step1, step2, exams.step3)


# ------------------------------------------------------------------ the programs


def program_ids() -> st.SearchStrategy:
    """Ids the catalog readers accept: ``prog-000`` to ``prog-999``."""
    return st.integers(0, 999).map(lambda n: f"prog-{n:03d}")


def programs(
    *,
    specialties: Sequence[str] = DEFAULT_SPECIALTIES,
    cities: Sequence[tuple[str, str]] = DEFAULT_CITIES,
    ids: st.SearchStrategy | None = None,
    min_step2ck: tuple[int, int] = (200, 250),
) -> st.SearchStrategy:
    """Residency programs with every optional fact possibly unknown.

    Shares of IMG residents are whole percents, minimum scores fall in
    ``min_step2ck``, and ``visas`` is unknown, empty (sponsors none) or a set of visas.
    """

    def build(ident, specialty, place, **facts):
        return Program(
            id=ident,
            name=f"Program {ident}",
            specialty=specialty,
            city=place[0],
            state=place[1],
            **facts,
        )

    return st.builds(
        build,
        ids if ids is not None else program_ids(),
        st.sampled_from(tuple(specialties)),
        _place(cities),
        track=optional(st.sampled_from(TRACKS)),
        setting=optional(st.sampled_from(SETTINGS)),
        img_share=optional(st.integers(0, 100).map(lambda p: p / 100)),
        visas=optional(
            st.lists(st.sampled_from(("J-1", "H-1B")), unique=True, max_size=2).map(tuple)
        ),
        positions=optional(st.integers(1, 40)),
        min_step2ck=optional(st.integers(*min_step2ck)),
        mean_step2ck=optional(st.integers(min_step2ck[0], min_step2ck[1] + 10)),
        max_years_since_graduation=optional(st.integers(0, 15)),
        max_attempts=optional(st.integers(1, 4)),
        spanish_preferred=optional(st.booleans()),
        underserved_focus=optional(st.booleans()),
        rural=optional(st.booleans()),
        facts_as_of=optional(st.integers(2015, 2026)),
    )


def catalogs(
    *,
    min_size: int = 0,
    max_size: int = 5,
    specialties: Sequence[str] = DEFAULT_SPECIALTIES,
    cities: Sequence[tuple[str, str]] = DEFAULT_CITIES,
    extra: Iterable[Program] = (),
) -> st.SearchStrategy:
    """Catalogs of ``min_size`` to ``max_size`` programs with distinct ids.

    ``extra`` programs (say, your institution's own, with ids no drawn program uses) are
    added to every catalog drawn.
    """
    extra = tuple(extra)
    taken = {p.id for p in extra}
    ids = program_ids().filter(lambda i: i not in taken) if taken else None
    return st.lists(
        programs(specialties=specialties, cities=cities, ids=ids),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda p: p.id,
    ).map(lambda ps: Catalog(list(ps) + list(extra)))
