"""What goes into a plan: the applicant profile and the program catalog.

Frozen attrs classes, validated when they are built. A fact the input leaves out is
``None``: unknown, never a default. Readers (``resplan.sources``) turn files into these
through the one converter in ``resplan.convert``.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs
from attrs import field, validators as v

from resplan.vocabulary import (
    SPECIALTIES, STATES, state_hint, suggest,
)

Visa = Literal["none", "J-1", "H-1B"]
Sponsored = Literal["J-1", "H-1B"]
Track = Literal["categorical", "preliminary", "transitional"]
Setting = Literal["university", "community", "community-university-affiliated", "military"]
LanguageLevel = Literal["native", "fluent", "professional", "medical", "intermediate", "basic"]
ClinicalKind = Literal["hands-on", "externship", "sub-internship", "observership"]
ActivityKind = Literal[
    "border-health", "underserved", "public-health", "interpreting", "research",
    "leadership", "teaching", "other",
]

# USMLE three-digit scores are reported on a 1–300 scale.
SCORE_RANGE = (1, 300)


class FieldValueError(ValueError):
    """A validator's complaint about one field; the converter turns it into a Problem."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _in_range(lo, hi, what):
    def check(inst, attribute, value):
        if value is not None and not lo <= value <= hi:
            raise FieldValueError(attribute.name, f"{value!r} is not {what} ({lo}–{hi})")
    return check


def _positive(inst, attribute, value):
    if value is not None and value < 0:
        raise FieldValueError(attribute.name, f"{value!r} must not be negative")


def _at_least_one(inst, attribute, value):
    if value is not None and value < 1:
        raise FieldValueError(attribute.name, f"{value!r} must be 1 or more")


def _state(inst, attribute, value):
    if value is not None and value not in STATES:
        raise FieldValueError(attribute.name, f"{value!r} is not a two-letter US state code{state_hint(value)}")


def _states(inst, attribute, value):
    for item in value or ():
        _state(inst, attribute, item)


def _specialty(inst, attribute, value):
    if value not in SPECIALTIES:
        raise FieldValueError(attribute.name, f"{value!r} is not a specialty resplan knows{suggest(value, SPECIALTIES)}")


def _specialties(inst, attribute, value):
    for item in value:
        _specialty(inst, attribute, item)
    if len(set(value)) != len(value):
        raise FieldValueError(attribute.name, "lists a specialty twice")


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
    visa: Visa
    specialties: tuple[str, ...] = field(default=(), converter=tuple, validator=_specialties)
    states: tuple[str, ...] | None = field(default=None, converter=_tuple, validator=_states)
    previous_cycles: int | None = field(default=None, validator=_positive)

    def __attrs_post_init__(self):
        if self.cycle <= self.graduation_year:
            raise FieldValueError(
                "cycle", f"{self.cycle} must come after graduation_year {self.graduation_year}")


@attrs.frozen
class Step1:
    # "pass" | "fail" | an older numeric score
    result: int | Literal["pass", "fail"] | None = field(default=None)
    attempts: int | None = field(default=None, validator=_at_least_one)

    @result.validator
    def _check(self, attribute, value):
        if isinstance(value, int):
            _in_range(*SCORE_RANGE, "a Step 1 score")(self, attribute, value)


@attrs.frozen
class Step2CK:
    score: int | None = field(default=None, validator=_in_range(*SCORE_RANGE, "a Step 2 CK score"))
    attempts: int | None = field(default=None, validator=_at_least_one)


@attrs.frozen
class Exams:
    step1: Step1 | None = None
    step2ck: Step2CK | None = None


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


@attrs.frozen
class Activity:
    kind: ActivityKind | None = None
    title: str | None = None
    months: float | None = field(default=None, validator=_in_range(0, 600, "a number of months"))


@attrs.frozen
class Profile:
    applicant: Applicant
    exams: Exams = Exams()
    languages: tuple[Language, ...] = ()
    clinical: tuple[Clinical, ...] = ()
    letters: tuple[Letter, ...] = ()
    activities: tuple[Activity, ...] = ()


# ---------------------------------------------------------------- the programs

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _program_id(inst, attribute, value):
    if not _ID.match(value):
        raise FieldValueError(
            attribute.name, f"{value!r} is not an id: use lowercase letters, digits, '-', '_' or '.'")


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
    positions: int | None = field(default=None, validator=_in_range(1, 1000, "a number of positions"))
    min_step2ck: int | None = field(default=None, validator=_in_range(*SCORE_RANGE, "a Step 2 CK score"))
    # The average Step 2 CK of its residents, where the program publishes one.
    mean_step2ck: int | None = field(default=None, validator=_in_range(*SCORE_RANGE, "a Step 2 CK score"))
    max_years_since_graduation: int | None = field(
        default=None, validator=_in_range(0, 60, "a number of years"))
    max_attempts: int | None = field(default=None, validator=_in_range(1, 10, "a number of attempts"))
    spanish_preferred: bool | None = None
    underserved_focus: bool | None = None
    facts_as_of: int | None = field(default=None, validator=_in_range(1950, 2100, "a year"))
    source: str | None = None

    @property
    def synthetic(self) -> bool:
        """A generated program, not a real one: its source says so (``resplan.synth``)."""
        return self.source is not None and self.source.lower().startswith("synthetic")


def _sorted_programs(programs):
    return tuple(sorted(programs, key=lambda p: p.id))


@attrs.frozen
class Catalog:
    """Programs sorted by id, so that input order never changes a plan."""

    programs: tuple[Program, ...] = field(converter=_sorted_programs)
    # Filled on first use by resplan.pipeline.digest: a catalog is planned against many
    # times (batches, what-if questions) and hashing 13,000 programs is not free.
    _digest: str | None = field(default=None, init=False, eq=False, repr=False)
    # The programs as columns, per city table (resplan.stages.table): built once.
    _tables: dict = field(factory=dict, init=False, eq=False, repr=False)

    def __attrs_post_init__(self):
        seen = set()
        for program in self.programs:
            if program.id in seen:
                raise FieldValueError("programs", f"program id {program.id!r} appears twice")
            seen.add(program.id)

    def __getstate__(self) -> dict:
        # The caches stay behind: a pickled or copied catalog is its programs.
        return {"programs": self.programs}

    def __setstate__(self, state: dict) -> None:
        object.__setattr__(self, "programs", state["programs"])
        object.__setattr__(self, "_digest", None)
        object.__setattr__(self, "_tables", {})

    def __len__(self) -> int:
        return len(self.programs)

    def __iter__(self):
        return iter(self.programs)
