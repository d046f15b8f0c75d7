"""What goes into a plan: the applicant profile and the program catalog.

Frozen attrs classes, validated when they are built. A fact the input leaves out is
``None``: unknown, never a default. Readers (``resplan.sources``) turn files into these
through the one converter in ``resplan.convert``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import attrs
from attrs import field

from resplan.vocabulary import (
    SPECIALTIES,
    STATES,
    state_hint,
    suggest,
)

Visa = Literal["none", "J-1", "H-1B"]
# What a reapplicant's file gained since the last cycle (``[reapplicant] changes``).
Change = Literal[
    "step2ck",
    "step3",
    "us-clinical",
    "letters",
    "research",
    "certificate",
    "spanish",
    "border-work",
]
Sponsored = Literal["J-1", "H-1B"]
Track = Literal["categorical", "preliminary", "transitional"]
Setting = Literal["university", "community", "community-university-affiliated", "military"]
LanguageLevel = Literal["native", "fluent", "professional", "medical", "intermediate", "basic"]
ClinicalKind = Literal["hands-on", "externship", "sub-internship", "observership"]
LetterOrigin = Literal["us", "abroad"]
# What an ECFMG certification still waits for ([ecfmg] missing).
EcfmgPart = Literal["exams", "communication", "credentials", "other"]
ActivityKind = Literal[
    "border-health",
    "underserved",
    "public-health",
    "interpreting",
    "research",
    "leadership",
    "teaching",
    "other",
]

# USMLE three-digit scores are reported on a 1–300 scale.
SCORE_RANGE = (1, 300)


class FieldValueError(ValueError):
    """A validator's complaint about one field; the converter turns it into a Problem.

    ``field`` is a name, or a path such as ``("exams", "step2ck", "score")`` when a check
    of the whole profile blames one field inside it (``("states", 2)``: one item of a list).
    """

    def __init__(self, field: str | tuple[str | int, ...], message: str):
        super().__init__(message)
        self.field = field
        self.path = field if isinstance(field, tuple) else (field,)
        self.message = message


class FieldValueErrors(ValueError):
    """Several complaints from one check, reported together."""

    def __init__(self, errors: list[FieldValueError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


@attrs.frozen
class PassingStandard:
    """A USMLE passing score and the first day of testing it applies to."""

    since: date
    score: int


# USMLE passing standards on the three-digit scale. Standards only ever rise. Sources:
# usmle.org announcements as quoted by ECFMG and review sites (Step 2 CK: 196 from
# 1 July 2012, 203 from 1 July 2013, 209 from 1 July 2014, 214 from 1 July 2022, the last
# also in resplan's sourced national figures; Step 1: 192 from 1 January 2014, 194 from
# 1 January 2018). Confirm each season on usmle.org.
STEP2CK_PASSING = (
    PassingStandard(date(2012, 7, 1), 196),
    PassingStandard(date(2013, 7, 1), 203),
    PassingStandard(date(2014, 7, 1), 209),
    PassingStandard(date(2022, 7, 1), 214),
)
STEP1_PASSING = (PassingStandard(date(2014, 1, 1), 192), PassingStandard(date(2018, 1, 1), 194))
# Attempts USMLE allows on one Step: four for applications since 1 July 2021, six before
# (usmle.org, "Attempt Limit Common Questions").
USMLE_ATTEMPT_LIMIT = 4
USMLE_ATTEMPT_LIMIT_EVER = 6
# Step 1 taken from this day on is reported as pass or fail only (usmle.org).
STEP1_NUMERIC_UNTIL = date(2022, 1, 26)
# A profile gives no exam dates. resplan's reading: Step 1 is sat at most six years before
# graduation and Step 2 CK at most three (the final clinical years), so the lowest standard
# that can apply to an applicant is the one in force on 1 January of that year. Generous on
# purpose: a real pass must never be refused.
STEP1_YEARS_BEFORE_GRADUATION = 6
STEP2CK_YEARS_BEFORE_GRADUATION = 3


def earliest_exam_day(graduation_year: int, years_before: int) -> date:
    return date(graduation_year - years_before, 1, 1)


def lowest_passing(
    standards: tuple[PassingStandard, ...], earliest: date
) -> PassingStandard | None:
    """The lowest standard in force from ``earliest`` on; None when it predates the table."""
    if earliest < standards[0].since:
        return None
    return [s for s in standards if s.since <= earliest][-1]


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _as_written(value) -> str:
    """A number as the profile wrote it: months are read as floats, and ``-2`` must not
    come back as ``-2.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _in_range(lo, hi, what):
    def check(inst, attribute, value):
        if value is not None and not lo <= value <= hi:
            raise FieldValueError(attribute.name, f"{_as_written(value)} is not {what} ({lo}–{hi})")

    check.allowed = f"{lo} to {hi}"  # for docs/profile.md
    return check


def _positive(inst, attribute, value):
    if value is not None and value < 0:
        raise FieldValueError(attribute.name, f"{value!r} must not be negative")


def _attempts(inst, attribute, value):
    if value is not None and value < 1:
        raise FieldValueError(attribute.name, f"{value!r} must be 1 or more")
    if value is not None and value > USMLE_ATTEMPT_LIMIT_EVER:
        raise FieldValueError(
            attribute.name,
            (
                f"{value!r} is more sittings than USMLE has ever allowed on one Step "
                f"({USMLE_ATTEMPT_LIMIT_EVER} before July 2021, {USMLE_ATTEMPT_LIMIT} since)"
            ),
        )


def _visa(value):
    # One visa stays as written (the profile's digest does not change); a list of the
    # visas the applicant would take, first choice first, becomes a tuple.
    return tuple(value) if isinstance(value, list) else value


def _visa_choice(inst, attribute, value):
    if not isinstance(value, tuple):
        return
    if not value:
        raise FieldValueError(attribute.name, 'lists no visa: write "none" if you need none')
    if len(set(value)) != len(value):
        twice = sorted({visa for visa in value if value.count(visa) > 1})
        raise FieldValueError(attribute.name, f"lists {' and '.join(twice)} twice")
    if "none" in value and len(value) > 1:
        raise FieldValueError(
            attribute.name,
            (
                '"none" means you need no visa, so it cannot stand in a list of visas: write '
                '"none" alone, or list only the visas you would take'
            ),
        )


_VISA_CHOICES = (
    '`"none"`, `"J-1"` or `"H-1B"`, or a list of the visas you would take, '
    'first choice first, e.g. `["J-1", "H-1B"]`'
)
_visa_choice.allowed = _VISA_CHOICES  # type: ignore[attr-defined]  # docs/profile.md


def _state(inst, attribute, value):
    if value is not None and value not in STATES:
        raise FieldValueError(
            attribute.name, f"{value!r} is not a two-letter US state code{state_hint(value)}"
        )


def _each(check, inst, attribute, values) -> list[FieldValueError]:
    """``check``'s complaint about each item of a list, pointing at the item: every bad
    item is reported at once, not only the first."""
    found = []
    for index, item in enumerate(values or ()):
        try:
            check(inst, attribute, item)
        except FieldValueError as exc:
            found.append(FieldValueError((attribute.name, index), exc.message))
    return found


def _raise_all(found: list[FieldValueError]) -> None:
    if len(found) == 1:
        raise found[0]
    if found:
        raise FieldValueErrors(found)


def _states(inst, attribute, value):
    found = _each(_state, inst, attribute, value)
    twice = sorted({state for state in value or () if value.count(state) > 1})
    if twice:
        found.append(FieldValueError(attribute.name, f"lists {' and '.join(twice)} twice"))
    _raise_all(found)


# The names a profile may give Spanish by (facts.py reads them all as Spanish).
SPANISH_NAMES = ("spanish", "español", "espanol")


def _language_key(name: str) -> str:
    key = name.strip().casefold()
    return "spanish" if key in SPANISH_NAMES else key


def _languages_once(inst, attribute, value):
    """A language given twice, perhaps at two levels, is a contradiction the plan cannot
    settle: which level is right is the applicant's to say."""
    first: dict[str, int] = {}
    found = []
    for index, language in enumerate(value):
        if not isinstance(language, Language) or not isinstance(language.name, str):
            continue
        key = _language_key(language.name)
        if not key:
            continue
        if key in first:
            found.append(
                FieldValueError(
                    (attribute.name, index, "name"),
                    f"{language.name.strip()} is given twice (also in {attribute.name}"
                    f"[{first[key]}]): give each language once, with your level",
                )
            )
        else:
            first[key] = index
    _raise_all(found)


def _specialty(inst, attribute, value):
    if value not in SPECIALTIES:
        raise FieldValueError(
            attribute.name,
            f"{value!r} is not a specialty resplan knows{suggest(value, SPECIALTIES)}",
        )


def _specialties(inst, attribute, value):
    found = _each(_specialty, inst, attribute, value)
    twice = sorted({item for item in value if value.count(item) > 1})
    if twice:
        found.append(FieldValueError(attribute.name, f"lists {' and '.join(twice)} twice"))
    _raise_all(found)


def _nonempty(inst, attribute, value):
    if value is not None and not str(value).strip():
        raise FieldValueError(attribute.name, "must not be empty")


def _tuple(value):
    return tuple(value) if value is not None else None


# ---------------------------------------------------------------- the applicant


@attrs.frozen
class Applicant:
    graduation_year: int = field(validator=_in_range(1950, 2100, "a graduation year"))
    cycle: int = field(validator=_in_range(2000, 2100, "a Match year"))
    visa: Visa | tuple[Visa, ...] = field(converter=_visa, validator=_visa_choice)
    specialties: tuple[str, ...] = field(default=(), converter=tuple, validator=_specialties)
    states: tuple[str, ...] | None = field(default=None, converter=_tuple, validator=_states)
    previous_cycles: int | None = field(default=None, validator=_positive)
    # Without a visa, whether the applicant is a US citizen (NRMP's US IMGs) or a permanent
    # resident (counted with non-US IMGs); unknown unless given.
    us_citizen: bool | None = None
    # Interviews offered so far for this cycle's Match; unknown unless given.
    interviews: int | None = field(
        default=None, validator=_in_range(0, 200, "a number of interviews")
    )

    def __attrs_post_init__(self):
        if self.cycle <= self.graduation_year:
            raise FieldValueError(
                "cycle", f"{self.cycle} must come after graduation_year {self.graduation_year}"
            )
        if self.us_citizen and self.first_visa != "none":
            raise FieldValueError(
                "us_citizen",
                'is true, but visa names a visa: a US citizen trains without one (visa = "none")',
            )

    @property
    def visas(self) -> tuple[Visa, ...]:
        """The visas the applicant would take, first choice first; ``("none",)`` for none."""
        return self.visa if isinstance(self.visa, tuple) else (self.visa,)

    @property
    def first_visa(self) -> Visa:
        return self.visas[0]


@attrs.frozen
class Step1:
    # "pass" | "fail" | an older numeric score
    result: int | Literal["pass", "fail"] | None = field(default=None)
    attempts: int | None = field(default=None, validator=_attempts)

    @result.validator
    def _check(self, attribute, value):
        if isinstance(value, int):
            _in_range(*SCORE_RANGE, "a Step 1 score")(self, attribute, value)


def _sittings(inst, attribute, value):
    # Step 2 CK only: 0 says "not sat yet" in the profile itself, where leaving the table
    # out leaves it unsaid.
    if value != 0:
        _attempts(inst, attribute, value)


_sittings.allowed = f"0 (not sat yet) to {USMLE_ATTEMPT_LIMIT_EVER}"  # type: ignore[attr-defined]


@attrs.frozen
class Step2CK:
    score: int | None = field(default=None, validator=_in_range(*SCORE_RANGE, "a Step 2 CK score"))
    attempts: int | None = field(default=None, validator=_sittings)
    # "pass" | "fail" (the last sitting was failed: not passed yet) | "pending" (the
    # result of the last sitting is not out yet). A score is a pass.
    result: Literal["pass", "fail", "pending"] | None = None

    def __attrs_post_init__(self):
        if self.attempts == 0 and (self.score is not None or self.result is not None):
            what = "a score" if self.score is not None else f'result "{self.result}"'
            raise FieldValueError(
                "attempts",
                f"is 0 (not sat yet), but the table gives {what}: count your sittings, "
                "or leave score and result out",
            )
        if self.score is not None and self.result in ("fail", "pending"):
            raise FieldValueError(
                "result",
                f'is "{self.result}", but the table gives a score, which is the one you '
                "passed with: leave the score out until you pass, or write the result as "
                '"pass"',
            )

    @property
    def sat(self) -> bool:
        return self.attempts != 0

    @property
    def passed(self) -> bool:
        """A pass is on the profile: a score, or a result of "pass"."""
        return self.score is not None or self.result == "pass"


@attrs.frozen
class Step3:
    """USMLE Step 3, which most programs that sponsor an H-1B visa ask for."""

    # "pass" | "fail" (not passed yet)
    result: Literal["pass", "fail"] | None = None
    attempts: int | None = field(default=None, validator=_attempts)


@attrs.frozen
class Exams:
    step1: Step1 | None = None
    step2ck: Step2CK | None = None
    step3: Step3 | None = None


@attrs.frozen
class Reapplicant:
    """The last cycle a reapplicant applied in, and what the file gained since."""

    last_cycle: int | None = field(default=None, validator=_in_range(2000, 2100, "a Match year"))
    # Left out: unknown. An empty list says that nothing changed.
    changes: tuple[Change, ...] | None = field(default=None, converter=_tuple)

    @changes.validator
    def _check_changes(self, attribute, value):
        if value is not None and len(set(value)) != len(value):
            raise FieldValueError(attribute.name, "lists a change twice")


@attrs.frozen
class Training:
    """A US residency year the applicant is in or has finished: a preliminary or
    transitional year (``[training]``)."""

    status: Literal["current", "completed"]
    kind: Literal["preliminary", "transitional"] | None = None
    # The in-training exam's percentile, where the program gave one.
    in_training_percentile: int | None = field(
        default=None, validator=_in_range(1, 99, "a percentile")
    )


@attrs.frozen
class Language:
    name: str = field(validator=_nonempty)
    level: LanguageLevel | None = None


@attrs.frozen
class Clinical:
    """A stretch of US clinical experience."""

    kind: ClinicalKind | None = None
    months: float | None = field(default=None, validator=_in_range(0, 240, "a number of months"))
    city: str | None = None
    state: str | None = field(default=None, validator=_state)


@attrs.frozen
class Letter:
    writer: str | None = None
    us_clinical: bool | None = None
    advocate: bool | None = None  # will contact programs on the applicant's behalf
    # Where the writer works: "us" (US faculty, clinical or not: a research mentor, a
    # chair) or "abroad" (a home-country or other non-US writer). A US clinical
    # supervisor is US faculty whatever this says; unknown unless given.
    origin: LetterOrigin | None = None

    def __attrs_post_init__(self):
        if self.us_clinical and self.origin == "abroad":
            raise FieldValueError(
                "origin",
                'is "abroad", but us_clinical is true: a US clinical supervisor works in the '
                'US (origin = "us")',
            )


@attrs.frozen
class Ecfmg:
    """The applicant's ECFMG certification (``[ecfmg]``)."""

    status: Literal["certified", "pending"]
    # What is still missing while pending; unknown unless given.
    missing: tuple[EcfmgPart, ...] | None = field(default=None, converter=_tuple)

    @missing.validator
    def _check_missing(self, attribute, value):
        if value is not None and len(set(value)) != len(value):
            raise FieldValueError(attribute.name, "lists a requirement twice")

    def __attrs_post_init__(self):
        if self.status == "certified" and self.missing:
            raise FieldValueError(
                "missing",
                'names what is missing, but status is "certified": leave missing out, or '
                'write status = "pending"',
            )


@attrs.frozen
class Activity:
    kind: ActivityKind | None = None
    title: str | None = None
    months: float | None = field(default=None, validator=_in_range(0, 600, "a number of months"))


@attrs.frozen
class Profile:
    applicant: Applicant
    exams: Exams = Exams()
    languages: tuple[Language, ...] = field(default=(), validator=_languages_once)
    clinical: tuple[Clinical, ...] = ()
    letters: tuple[Letter, ...] = ()
    activities: tuple[Activity, ...] = ()
    reapplicant: Reapplicant | None = None
    training: Training | None = None
    ecfmg: Ecfmg | None = None

    def __attrs_post_init__(self):
        found = list(
            self.check_parts(
                {"applicant": self.applicant, "exams": self.exams, "reapplicant": self.reapplicant}
            )
        )
        if found:
            raise FieldValueErrors(found)

    @staticmethod
    def check_parts(parts: dict):
        """The checks across the profile's tables, on whichever of them could be read
        (the converter runs them on a profile that has other problems too)."""
        applicant, exams = parts.get("applicant"), parts.get("exams")
        if isinstance(applicant, PartlyRead):
            return  # the checks below need the applicant's own fields, read and consistent
        if applicant is not None and isinstance(exams, PartlyRead):
            # Each exam that reads is checked against the applicant (a Step 1 score under
            # the passing standard is wrong whatever is wrong elsewhere); the checks across
            # exams wait until every exam reads.
            yield from _impossible_exams(applicant, Exams(**exams.values), unread=exams.unread)
        elif applicant is not None and exams is not None:
            yield from _impossible_exams(applicant, exams)
        reapplicant = parts.get("reapplicant")
        if applicant is not None and isinstance(reapplicant, Reapplicant):
            yield from _impossible_last_cycle(applicant, reapplicant)


def _impossible_last_cycle(applicant: Applicant, reapplicant: Reapplicant):
    last, cycle = reapplicant.last_cycle, applicant.cycle
    if applicant.previous_cycles == 0:
        yield FieldValueError(
            ("applicant", "previous_cycles"),
            (
                "is 0, but [reapplicant] describes an earlier cycle: count the cycles you applied "
                "in without matching, or leave [reapplicant] out"
            ),
        )
    elif applicant.previous_cycles is None:
        yield FieldValueError(
            ("applicant", "previous_cycles"),
            (
                "is missing, and [reapplicant] describes an earlier cycle: write how many cycles "
                "you applied in without matching (1 or more)"
            ),
        )
    if isinstance(last, int) and isinstance(cycle, int) and last >= cycle:
        yield FieldValueError(
            ("reapplicant", "last_cycle"),
            (f"{last} is not before the Match you apply for now ({cycle})"),
        )
    year = applicant.graduation_year
    if isinstance(last, int) and isinstance(year, int) and last <= year:
        yield FieldValueError(
            ("reapplicant", "last_cycle"),
            (f"{last} is not after graduation_year {year}: a Match comes after graduation"),
        )


@attrs.frozen
class PartlyRead:
    """The fields of a table that could be read, when others in it could not: what the
    converter gives ``check_parts`` for such a table."""

    values: dict
    unread: frozenset[str]


def _impossible_exams(applicant: Applicant, exams: Exams, *, unread: frozenset[str] = frozenset()):
    """Exam results that cannot be true of this applicant, each with its reason.

    ``score`` (Step 2 CK) and a numeric Step 1 ``result`` are the scores the applicant
    passed with; ``attempts`` counts every sitting, failed ones included. A score under
    the passing standard is therefore a fail written as a pass.
    """
    year = applicant.graduation_year
    if not isinstance(year, int):
        return  # already reported
    step1, step2 = exams.step1, exams.step2ck
    if exams.step3 is not None:
        # ECFMG lets an IMG sit Step 3 only once certified, which takes Step 1 and
        # Step 2 CK passed (ecfmg.org; usmle.org, Step 3 eligibility).
        if "step2ck" in unread:
            pass  # its own problems are reported; what it holds is not known
        elif step2 is None:
            yield FieldValueError(
                ("exams", "step3"),
                (
                    "Step 3 comes after Step 1 and Step 2 CK are passed, and your profile has no "
                    "Step 2 CK: add [exams.step2ck], or leave [exams.step3] out"
                ),
            )
        elif not step2.sat or step2.result in ("fail", "pending"):
            said = "attempts = 0" if not step2.sat else f'result "{step2.result}"'
            yield FieldValueError(
                ("exams", "step3"),
                (
                    f"Step 3 comes after Step 2 CK is passed, and your Step 2 CK has {said}: "
                    "write the result you passed with, or leave [exams.step3] out"
                ),
            )
        if step1 is not None and step1.result == "fail":
            yield FieldValueError(
                ("exams", "step3"),
                (
                    'Step 3 comes after Step 1 is passed, and your Step 1 result is "fail": '
                    "write the result you passed with, or leave [exams.step3] out"
                ),
            )
    if step2 is not None and isinstance(step2.score, int):
        floor = lowest_passing(
            STEP2CK_PASSING, earliest_exam_day(year, STEP2CK_YEARS_BEFORE_GRADUATION)
        )
        if floor is not None and step2.score < floor.score:
            yield FieldValueError(
                ("exams", "step2ck", "score"),
                (
                    f"{step2.score} is under {floor.score}, the Step 2 CK passing score since "
                    f"{_day(floor.since)}, so it was a fail{_one_attempt(step2.attempts)}. "
                    "Give the score you passed with and count every sitting in attempts; "
                    "if you have not passed yet, leave score out"
                ),
            )
    if step1 is not None and isinstance(step1.result, int) and not isinstance(step1.result, bool):
        earliest = earliest_exam_day(year, STEP1_YEARS_BEFORE_GRADUATION)
        floor = lowest_passing(STEP1_PASSING, earliest)
        if earliest >= STEP1_NUMERIC_UNTIL:
            yield FieldValueError(
                ("exams", "step1", "result"),
                (
                    f"a {year} graduate took Step 1 after {_day(STEP1_NUMERIC_UNTIL)}, when "
                    'numeric scores ended: write "pass" or "fail"'
                ),
            )
        elif floor is not None and step1.result < floor.score:
            yield FieldValueError(
                ("exams", "step1", "result"),
                (
                    f"{step1.result} is under {floor.score}, the Step 1 passing score since "
                    f"{_day(floor.since)}, so it was a fail{_one_attempt(step1.attempts)}. "
                    "Give the score you passed with and count every sitting in attempts, "
                    'or write "fail" if you have not passed yet'
                ),
            )


def _one_attempt(attempts: int | None) -> str:
    return ", and with one attempt there was no later pass" if attempts == 1 else ""


# ---------------------------------------------------------------- the programs

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _program_id(inst, attribute, value):
    if not _ID.match(value):
        raise FieldValueError(
            attribute.name,
            f"{value!r} is not an id: use lowercase letters, digits, '-', '_' or '.'",
        )


# _program_id of a whole column at once: one match over the ids, one per line.
_IDS = re.compile(r"(?:[a-z0-9][a-z0-9._-]*\n)*")


def _all_program_ids(values: list) -> bool:
    try:
        joined = "\n".join(values)
    except TypeError:
        return False
    # An id holding a line break is asked alone (_ID's "$" lets one end the id).
    return joined.count("\n") == len(values) - 1 and _IDS.fullmatch(joined + "\n") is not None


def _all_nonempty(values: list) -> bool:
    try:
        return all(map(str.strip, values))
    except TypeError:  # not all text: asked value by value
        return False


def _acgme_id(inst, attribute, value):
    if value is None:
        return
    from resplan.identifiers import acgme_id_problem

    problem = acgme_id_problem(value)
    if problem:
        raise FieldValueError(attribute.name, problem)


def _nrmp_code(inst, attribute, value):
    if value is None:
        return
    from resplan.identifiers import nrmp_code_problem

    # ``inst`` is None when the program's other fields could not be read: no track to fit.
    problem = nrmp_code_problem(value, getattr(inst, "track", None))
    if problem:
        raise FieldValueError(attribute.name, problem)


def _website(inst, attribute, value):
    if value is None:
        return
    from resplan.identifiers import website_problem

    problem = website_problem(value)
    if problem:
        raise FieldValueError(attribute.name, problem)


def _visas(value):
    # Sorted so that the same facts always give the same program, whatever their order.
    return None if value is None else tuple(sorted(set(value), key=("J-1", "H-1B").index))


@attrs.frozen
class Program:
    id: str = field(validator=_program_id)
    name: str = field(validator=_nonempty)
    specialty: str = field(validator=_specialty)
    city: str = field(validator=_nonempty)
    state: str = field(validator=_state)
    track: Track | None = None
    setting: Setting | None = None
    img_share: float | None = field(default=None, validator=_in_range(0, 1, "a share"))
    visas: tuple[Sponsored, ...] | None = field(default=None, converter=_visas)
    positions: int | None = field(
        default=None, validator=_in_range(1, 1000, "a number of positions")
    )
    min_step2ck: int | None = field(
        default=None, validator=_in_range(*SCORE_RANGE, "a Step 2 CK score")
    )
    # The average Step 2 CK of its residents, where the program publishes one.
    mean_step2ck: int | None = field(
        default=None, validator=_in_range(*SCORE_RANGE, "a Step 2 CK score")
    )
    max_years_since_graduation: int | None = field(
        default=None, validator=_in_range(0, 60, "a number of years")
    )
    max_attempts: int | None = field(
        default=None, validator=_in_range(1, 10, "a number of attempts")
    )
    spanish_preferred: bool | None = None
    underserved_focus: bool | None = None
    # In a rural place (the guide's broader net looks there); unknown when not stated.
    rural: bool | None = None
    # Where a person can look the program up (resplan.identifiers gives their forms).
    acgme_id: str | None = field(default=None, validator=_acgme_id)
    nrmp_code: str | None = field(default=None, validator=_nrmp_code)
    website: str | None = field(default=None, validator=_website)
    facts_as_of: int | None = field(default=None, validator=_in_range(1950, 2100, "a year"))
    source: str | None = None
    # A generated program, not a real one: its catalog says so (``[catalog] synthetic =
    # true``, or a ``synthetic`` column). Not unknown when absent: a catalog that does not
    # say it is synthetic lists real programs.
    synthetic: bool = False

    def __attrs_post_init__(self):
        if not self.synthetic and says_synthetic(self.source):
            object.__setattr__(self, "synthetic", True)


def says_synthetic(source: str | None) -> bool:
    """Catalogs written by ``resplan synth-catalog`` before it marked them said so only in
    each program's source; they stay marked, never mixed in as real programs."""
    return source is not None and source.lower().startswith("synthetic")


# Program fields whose validator reads other fields of the program (an NRMP code's form
# depends on the track): a catalog read as columns checks them program by program.
CHECKED_WITH_PROGRAM = frozenset({"nrmp_code"})
# Validators and the same check of a whole column of values, True when every value
# passes: a catalog of a million programs has as many ids and names. False says nothing:
# the values are then asked one by one, and the validator words what is wrong.
COLUMN_CHECKS = {_program_id: _all_program_ids, _nonempty: _all_nonempty}


def _sorted_programs(programs):
    return tuple(sorted(programs, key=lambda p: p.id))


class ProgramColumns:
    """A catalog's programs as one sequence of values per field (in the catalog's order),
    each :class:`Program` made the first time something reads it.

    A plan reads the programs of its specialties, a third of a national catalog: the
    others need no object (a million of them take about 0.2 GB). Once the catalog's
    column table is built, the fields it holds as they are (all but the visas, the source
    and the synthetic mark) are its own arrays of values (:meth:`share`), not a copy.
    """

    __slots__ = ("values", "made", "have")

    def __init__(self, values: dict):
        self.values = values  # field name -> a list or object array, one value per program
        self.made: Any = None  # object array: the program of each row made so far
        self.have: Any = None  # bool array: which rows ``made`` holds

    def __len__(self) -> int:
        return len(self.values["id"])

    def __getitem__(self, rows):
        """The programs of ``rows`` (an integer array) as an object array, or of one row."""
        import numpy as np

        if isinstance(rows, (int, np.integer)):
            return self[np.array([rows], dtype=np.intp)][0]
        rows = np.asarray(rows, dtype=np.intp)
        self.make(rows)
        return self.made[rows]

    def make(self, rows) -> None:
        """Make the programs of ``rows`` (an integer array) not made yet."""
        import numpy as np

        if self.made is None:
            self.made = np.full(len(self), None, dtype=object)
            self.have = np.zeros(len(self), dtype=bool)
        missing = np.sort(rows[~self.have[rows]])
        if len(missing):
            # Each once, as np.unique gives them (which, called so, imports numpy.ma:
            # 9 ms of every run).
            self._make(missing[np.concatenate(([True], missing[1:] != missing[:-1]))])

    def _make(self, rows) -> None:
        from resplan.cache import unpack

        names = tuple(self.values)
        taken = [
            column[rows].tolist()
            if hasattr(column, "tolist")
            else [column[i] for i in rows.tolist()]
            for column in self.values.values()
        ]
        made = self.made
        assert made is not None and self.have is not None
        made[rows] = _object_array(unpack(Program, names, taken))
        self.have[rows] = True

    def all(self) -> tuple[Program, ...]:
        """Every program, in the catalog's order (the ones made before are reused)."""
        import numpy as np

        return tuple(self[np.arange(len(self))].tolist())

    def column(self, name: str) -> list:
        """One field's values, in the catalog's order."""
        values = self.values[name]
        return values.tolist() if hasattr(values, "tolist") else list(values)

    def share(self, raw) -> None:
        """Take each field's values from the column table's ``raw`` values (the same
        objects, in the same order), where it holds them unchanged: the catalog's own lists
        can then be let go."""
        for name in self.values:
            # The table holds the visas as sets and has no source or synthetic mark.
            if name not in ("visas", "source", "synthetic") and f"program.{name}" in raw:
                self.values[name] = raw[f"program.{name}"]


def _object_array(values: list):
    import numpy as np

    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@attrs.frozen
class Catalog:
    """Programs sorted by id, so that input order never changes a plan."""

    programs: tuple[Program, ...] = field(converter=_sorted_programs)
    # The provenance digest: the file's bytes' sha256 when read from a file (Host.read_catalog),
    # else filled on first use by resplan.pipeline.catalog_digest: a catalog is planned
    # against many times (batches, what-if questions) and hashing 13,000 programs is not free.
    _digest: str | None = field(default=None, init=False, eq=False, repr=False)
    # The programs as columns, per city table (resplan.stages.table): built once.
    _tables: dict = field(factory=dict, init=False, eq=False, repr=False)
    # The programs' field values (ProgramColumns), when the catalog was read as columns
    # (resplan.sources.columns_catalog) or from the cache: ``programs`` is then made on
    # first use (__getattr__), and a plan makes only the programs it reads.
    _columns: ProgramColumns | None = field(default=None, init=False, eq=False, repr=False)

    @classmethod
    def of_columns(cls, values: dict) -> Catalog:
        """The catalog of programs given as one sequence per field, already sorted by id,
        checked and with no id twice (a catalog read as columns, or from the cache)."""
        catalog = cls.__new__(cls)
        object.__setattr__(catalog, "_digest", None)
        object.__setattr__(catalog, "_tables", {})
        object.__setattr__(catalog, "_columns", ProgramColumns(values))
        return catalog

    def __getattr__(self, name: str):
        # Only called for a slot not set: the programs of a catalog made of_columns.
        if name == "programs":
            columns = object.__getattribute__(self, "_columns")
            if columns is not None:
                programs = columns.all()
                object.__setattr__(self, "programs", programs)
                return programs
        raise AttributeError(name)

    def __attrs_post_init__(self):
        seen = set()
        for program in self.programs:
            if program.id in seen:
                raise FieldValueError("programs", f"program id {program.id!r} appears twice")
            seen.add(program.id)

    def __getstate__(self) -> dict:
        # The tables stay behind: a pickled or copied catalog is its programs, and its
        # digest, which may be its file's and so cannot be computed again from them.
        return {"programs": self.programs, "digest": self._digest}

    def __setstate__(self, state: dict) -> None:
        object.__setattr__(self, "programs", state["programs"])
        object.__setattr__(self, "_digest", state.get("digest"))
        object.__setattr__(self, "_tables", {})
        object.__setattr__(self, "_columns", None)

    def __len__(self) -> int:
        columns = self._columns
        return len(self.programs) if columns is None else len(columns)

    def __iter__(self):
        return iter(self.programs)

    def column(self, name: str) -> list:
        """One field of every program, in the catalog's order, without making programs
        where the catalog holds them as columns."""
        columns = self._columns
        if columns is None:
            return [getattr(p, name) for p in self.programs]
        return columns.column(name)

    def programs_at(self, rows) -> list[Program]:
        """The programs of catalog rows ``rows``, without making the others."""
        columns = self._columns
        if columns is None:
            return [self.programs[int(row)] for row in rows]
        return columns[rows].tolist()


# ---------------------------------------------------------------- the profile, in words


@attrs.frozen
class KeyDoc:
    """A profile key for docs/profile.md: what it is, what leaving it out means, and what
    it changes in a plan (the rules that read it are listed from the rulesets)."""

    what: str
    left_out: str = ""  # empty for a gap: resplan.facts.GAP_WORST says what is counted
    changes: str = ""


# Keys as input messages name them, "[]" for any item of a list.
PROFILE_DOCS: dict[str, KeyDoc] = {
    "applicant.graduation_year": KeyDoc(
        "The year you graduated from medical school.",
        "",
        "Years since graduation (to the June the application opens) meet the graduation "
        "cutoffs programs state; past the guide's window it is a weakness of its own.",
    ),
    "applicant.cycle": KeyDoc(
        "The Match year you apply for (2027 for applications sent in 2026).",
        "",
        "Dates every action; a cycle whose Match Day is past is refused.",
    ),
    "applicant.visa": KeyDoc(
        "The visa you need for residency: none, J-1 or H-1B. If you would take either, list "
        'both, your first choice first: `["J-1", "H-1B"]`. Write "none" only if you are a '
        "US citizen or a US permanent resident (green card holder). A Canadian citizen "
        "also needs a visa for residency: a J-1 or an H-1B.",
        "",
        "Programs that state they sponsor no visa, or none of yours, are skipped (a listing "
        "that names only another visa can be out of date: its visas are to verify); with two "
        "visas, a program that sponsors only your second choice moves down a tier. Needing a "
        "visa is a weakness. If you would take an H-1B, a step asks you to pass Step 3 before "
        "the rank list deadline; if an H-1B is your first choice and you have not passed "
        "Step 3, a program that offers you no J-1 moves down a tier. If you would take a J-1, "
        "a step prepares ECFMG's J-1 sponsorship; if you would take both and no program of "
        "the plan in your states lists an H-1B, that step says a J-1 is your route instead of "
        "Step 3, unless a field you named has no program in the catalog: the catalog cannot "
        "tell whether those programs sponsor an H-1B, so the Step 3 step stays, with the J-1 "
        "as the other way. If you would take only an H-1B and no program of the plan in your states "
        "lists one, the first step says so and asks whether you would take a J-1. Without a "
        "J-1, the plan counts what also accepting one would open. With "
        '"none", the plan says it reads you as a US citizen or permanent resident.',
    ),
    "applicant.specialties": KeyDoc(
        "The specialties you wish for, first wish first.",
        "No wishes: the plan rates every specialty and suggests the open ones.",
        "Programs of these specialties (and of suggested ones) are planned; each gets a fit.",
    ),
    "applicant.states": KeyDoc(
        "The states you would train in, as two-letter codes.",
        "No preference: every border sub-region counts, and Texas advice applies.",
        "Raises the priority of the border sub-regions in these states; border programs "
        "elsewhere are tier 2; signals and the geographic preference go to these states first.",
    ),
    "applicant.previous_cycles": KeyDoc(
        "How many Match cycles you applied in before without matching.",
        "Unknown: the plan does not treat you as a reapplicant; write 0 for a first try.",
        "1 or more is a weakness and brings the between-cycle steps for reapplicants.",
    ),
    "applicant.us_citizen": KeyDoc(
        'With visa = "none": true if you are a US citizen, false if you are a US permanent '
        "resident (green card holder).",
        "Unknown: the plan gives the match rates of both groups NRMP counts, US IMGs and "
        "non-US IMGs, and says which one a permanent resident belongs to.",
        "NRMP counts a US citizen who studied abroad among US IMGs, and a permanent resident "
        "among non-US IMGs: the outlook and the summary quote that group's match rate. A "
        "profile with us_citizen = true and a visa is refused: a US citizen needs none.",
    ),
    "applicant.interviews": KeyDoc(
        "How many interviews programs have offered you so far for this Match (the "
        "applicant's own count, while interview season runs).",
        "Unknown: in interview season a step asks you to count them and compares the "
        "count with the survey medians in general words.",
        "In interview season the plan compares your count with the survey medians of "
        "IMGs who matched and did not, and says what to do with yours: near the median "
        "of those who did not match, or under the median of those who matched once most "
        "invitations are out, notes of interest, a call from a writer who offered, and "
        "SOAP documents ready; close to the median of those who matched earlier in the "
        "season, keep going.",
    ),
    "exams.step1.result": KeyDoc(
        'Your Step 1 result: "pass", "fail", or the three-digit score you passed with '
        "(numeric scores ended on 26 January 2022). A score under the passing standard that "
        "can apply to you is refused: it was a fail. A profile without [exams.step1] leaves "
        "Step 1 unknown: the plan lists it under `[assessment] missing`, asks you for it, and "
        "judges nothing on it.",
        "",
        "A pass alone is a weakness until Step 2 CK reaches the guide's mid-220s; a numeric "
        "score in or under the guide's low band is a weakness; a fail is a failed attempt.",
    ),
    "exams.step1.attempts": KeyDoc(
        "How many times you sat Step 1, failed sittings included (at most 6).",
        "",
        "More than 1 is a failed attempt; programs that take first-attempt passes only are "
        "skipped.",
    ),
    "exams.step2ck.score": KeyDoc(
        "The three-digit Step 2 CK score you passed with. A score under the passing standard "
        "that can apply to you (214 since 1 July 2022) is refused: it was a fail. If you have "
        "not passed yet, leave the score out, count your sittings in attempts and give the "
        'result ("pending" or "fail"). A profile without [exams.step2ck] is read as not sat '
        "yet: the plan says so, lists it under `[assessment] missing` and asks you for it; "
        "write attempts = 0 to say you have not sat it.",
        "",
        "Compared with each program's stated minimum and residents' average: just under a "
        "minimum is a near miss (borderline with a strength that speaks for you, else skip), "
        "further under is a skip; in the guide's low band it is a weakness, and it sets the "
        "fit of score-driven specialties and the number of applications. Without a score, "
        "Step 2 CK is not passed yet: a step asks you to pass it by the rank list deadline, "
        "and a program's stated minimum stays to check.",
    ),
    "exams.step2ck.attempts": KeyDoc(
        "How many times you sat Step 2 CK, failed sittings and one whose result is not out "
        "yet included (at most 6); 0 if you have not sat it yet.",
        "",
        "As for Step 1: more than 1 is a failed attempt (without a pass, every sitting "
        "before the last one was a fail). 0 reads as not sat yet.",
    ),
    "exams.step2ck.result": KeyDoc(
        'Your Step 2 CK result while you have no score to give: "pending" while you wait for '
        'the result of your last sitting, "fail" if you have not passed yet. "pass" with no '
        "score says you passed without giving the score. Leave it out when you give a score: "
        "a score is a pass.",
        "With a score: a pass. With sittings and no score: a gap, read as not passed yet "
        "(your result may be pending or a fail); the plan lists it under `[assessment] "
        "missing` and asks you for it.",
        'A "pending" or "fail" result, or none with no score, is no pass yet: a weakness, and '
        "a step to pass Step 2 CK by the rank list deadline, which ECFMG certification and "
        'this Match wait for. "fail" is a failed attempt.',
    ),
    "exams.step3.result": KeyDoc(
        'Your Step 3 result: "pass", or "fail" if you have not passed yet. Leave the '
        "whole [exams.step3] table out if you have not sat Step 3. Step 3 comes after Step 1 "
        "and Step 2 CK are passed, so a profile with Step 3 and no Step 2 CK is refused.",
        "Unknown: the plan counts Step 3 neither as passed nor as failed, and a step asks you "
        "to add the result (a result you are still waiting for: add it when it comes).",
        "A pass answers the Step 3 that most programs sponsoring an H-1B visa ask for; "
        "without it, an applicant who would take an H-1B gets a step to pass it before the "
        "rank list deadline, and one whose first choice is an H-1B sees programs that offer "
        "no J-1 a tier lower, with what a pass would change. Having sat Step 3 shows ECFMG certification (it comes first), so "
        "the certification step is left out. A fail is a failed attempt.",
    ),
    "exams.step3.attempts": KeyDoc(
        "How many times you sat Step 3, failed sittings included (at most 6).",
        "",
        "As for Step 1 and Step 2 CK: more than 1 is a failed attempt.",
    ),
    "languages[].name": KeyDoc(
        "A language you speak.",
        "",
        "Spanish (or Español) is read for its level; other languages are listed.",
    ),
    "languages[].level": KeyDoc(
        "How well you speak it.",
        "",
        "Spanish at fluent or native is a strength that raises border sub-regions; at medical "
        "or professional level it is a partial one; intermediate or less brings medical "
        "Spanish advice.",
    ),
    "clinical[].kind": KeyDoc(
        "The kind of US clinical work: hands-on, externship, sub-internship or observership.",
        "",
        "Hands-on kinds count toward enough US experience; observerships do not.",
    ),
    "clinical[].months": KeyDoc(
        "How many months it lasted.",
        "",
        "Months in a border sub-region make a strength, and enough of them a strong border "
        "record, which turns a near miss on a score minimum into borderline.",
    ),
    "clinical[].city": KeyDoc(
        "The city where it took place.",
        "The place is not matched to a border sub-region.",
        "A city of a border sub-region raises that sub-region's priority and counts as "
        "border experience.",
    ),
    "clinical[].state": KeyDoc(
        "The state where it took place, as a two-letter code.",
        "Unknown state.",
        "With the city, finds the border sub-region; Texas work brings the Texas advice.",
    ),
    "letters[].writer": KeyDoc(
        "Who writes the letter, in your words.",
        "Not named.",
        "Only names the letter in the plan's words.",
    ),
    "letters[].us_clinical": KeyDoc(
        "Whether the writer supervised you in US clinical work.",
        "",
        "None such is a weakness; enough of them is a strength.",
    ),
    "letters[].advocate": KeyDoc(
        "Whether the writer will also email or call programs for you.",
        "Counted as no: only a writer who offered will call.",
        "A writer who will speak for you is a strength: with a Step 2 CK just under a "
        "program's stated minimum (within screening.near_miss_points), the program is "
        "borderline with a call to make instead of skipped.",
    ),
    "letters[].origin": KeyDoc(
        'Where the writer works: "us" for US faculty (a clinical supervisor, a research '
        'mentor, a department chair) or "abroad" for a writer outside the US, such as a '
        "teacher at your home school. A letter with us_clinical = true comes from the US "
        "whatever this says.",
        "Unknown: a letter that is not from a US clinical supervisor counts only as a letter, "
        "and a step asks you to add where it comes from.",
        "Letters from US faculty who are not clinical supervisors are a strength of their "
        "own: they show that US physicians know your work. The plan says so and still asks "
        "for a letter from a US clinical supervisor.",
    ),
    "activities[].kind": KeyDoc(
        "The kind of activity: border-health, underserved, public-health, interpreting, "
        "research, leadership, teaching or other.",
        "",
        "Border-health, underserved, public-health and interpreting work make strengths and, "
        "with Spanish, a strong border record.",
    ),
    "activities[].title": KeyDoc(
        "What you did, in your words.", "Not named.", "Only names the activity in the plan's words."
    ),
    "activities[].months": KeyDoc(
        "How many months you did it.", "", "Months of each kind count toward its strength."
    ),
    "reapplicant.last_cycle": KeyDoc(
        "The last Match you applied for without matching (2026 for applications sent in "
        "2025). Fill in [reapplicant] only if you applied before, and give "
        "applicant.previous_cycles (1 or more) with it.",
        "Unknown: the plan does not say how long ago your last application was.",
        "Says which Match the changes are counted from.",
    ),
    "reapplicant.changes": KeyDoc(
        'What your file gained since that last application: any of "step2ck" (Step 2 CK '
        "passed since then, at a first sitting or after a fail: a passed Step cannot be "
        'taken again), "step3" (Step 3 passed), "us-clinical" (new US '
        'clinical work), "letters" (new letters), "research" (a poster, a talk or a '
        'paper), "certificate" (a course or certificate finished), "spanish" (better '
        'Spanish), "border-work" (new work with border or underserved communities). Write '
        "`[]` if nothing changed. A new personal statement is not a change of the file.",
        "Unknown: a step asks you to write down what changed.",
        "An empty list brings an explicit choice before ERAS opens: apply again with a "
        "changed list, or wait one cycle and change the file first, with the reasons for "
        "each (which way it leans depends on the years since graduation). A list of changes "
        "brings a step to lead the personal statement and ERAS with them, and the steps "
        "between cycles ask only for the kinds of change it does not name.",
    ),
    "training.status": KeyDoc(
        "Fill in [training] only if you are in, or have finished, a year of US residency: a "
        'preliminary or transitional year. "current" while you are in it, "completed" once '
        "it is over. Count its months under [[clinical]] too, as hands-on work.",
        "",
        "A US residency year is a strength. It brings steps for a resident: a letter from "
        "your program director, your in-training exam result in your letters, and your "
        "director's contact with the programs you want. While the year runs, the plan "
        "leaves out the steps a resident cannot take then: volunteering, a next rotation, an "
        "away rotation.",
    ),
    "training.kind": KeyDoc(
        'The kind of year: "preliminary" or "transitional".',
        "The plan calls it a US residency year.",
        "Names the year in the plan's words.",
    ),
    "training.in_training_percentile": KeyDoc(
        "Your percentile on the in-training exam of that year, if your program gave one.",
        "Unknown: a step asks your program director to cite the result in a letter, and "
        "asks you to add it.",
        "A recent standardized result: a step asks your letter writers to quote it beside "
        "your Step scores.",
    ),
    "ecfmg.status": KeyDoc(
        'Your ECFMG certification: "certified" once ECFMG has certified you, "pending" '
        "while a requirement is still missing. Left out, [ecfmg] is unknown: a step says "
        "what certification needs and by when, for you to skip if you are certified "
        "already, and asks you to add [ecfmg].",
        "Unknown: a step says what certification needs and by when, for you to skip if "
        "you are certified already, and asks you to add [ecfmg].",
        'With "certified", the plan leaves the certification step out. With "pending", '
        "the step says what is still missing and that it must be done before the rank "
        "list deadline.",
    ),
    "ecfmg.missing": KeyDoc(
        'With status = "pending", what is still missing: "exams" (ECFMG has not yet '
        'confirmed your Step exams), "communication" (the communication skills '
        'requirement, with an English test), "credentials" (the check of your medical '
        'diploma and transcript) or "other".',
        "Unknown: the certification step asks you to see on ecfmg.org what is still "
        "missing, and to add it.",
        "The certification step names what is missing, in words.",
    ),
}
