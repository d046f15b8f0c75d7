"""What comes out: the plan and its parts.

Each stage of the pipeline produces one of these frozen records and the next stage reads
it. The writer (``resplan.writer``) turns a :class:`Plan` into TOML and back.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

if TYPE_CHECKING:
    import numpy as np

SCHEMA = 2

Fit = Literal["strong", "possible", "reach", "unlikely"]
Priority = Literal["high", "medium", "low", "none"]  # none: no program of the catalog there
Verdict = Literal["apply", "borderline", "skip"]
Category = Literal[
    "academic",
    "clinical",
    "materials",
    "interview",
    "networking",
    "between-cycle",
    "verify",
]


@attrs.frozen
class Reason:
    """A fired rule, cited as ``ruleset/id``, and what it says to the applicant."""

    rule: str
    says: str


@attrs.frozen
class Finding:
    name: str
    label: str = ""
    reasons: tuple[Reason, ...] = ()


@attrs.frozen
class Missing:
    """A part the profile leaves out of something it reports (a Step 2 CK without its
    score). Until it is given the plan counts its worst plausible value, and every program
    reason that rests on that guess says so."""

    key: str  # the profile field: "exams.step2ck.score", "clinical[1].kind"
    label: str  # what is left out, in words
    says: str  # what the plan counts instead, in words


@attrs.frozen
class Assessment:
    # The visas the applicant would take, first choice first; None when they need none.
    # The reports name them where a program's visa sponsorship is to verify.
    visas: tuple[str, ...] | None = None
    weaknesses: tuple[Finding, ...] = ()
    strengths: tuple[Finding, ...] = ()
    missing: tuple[Missing, ...] = ()

    @property
    def weakness_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.weaknesses)

    @property
    def strength_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.strengths)


@attrs.frozen
class SpecialtyTarget:
    name: str
    fit: Fit
    wished: bool
    suggested: bool = False
    rank: int | None = None  # place among the applicant's wishes, from 1
    reasons: tuple[Reason, ...] = ()


def backups_added_late(specialties, cycle_stage: str | None) -> frozenset[str]:
    """The fields the plan adds as a backup beside the applicant's own (suggested, not
    wished) once this Match's applications are with programs (``cycle_stage`` is
    ``"under way"``, resplan.dates.UNDER_WAY): the plan cannot tell whether the list that
    went out holds their programs, so they are shown apart from this Match's list, for the
    applicant who applied there and for SOAP or a next application. Empty
    before that day, and for an applicant who named no field (the plan cannot tell what
    such a list held)."""
    if cycle_stage != "under way" or not any(t.wished for t in specialties):
        return frozenset()
    return frozenset(t.name for t in specialties if t.suggested and not t.wished)


@attrs.frozen
class RegionTarget:
    id: str
    name: str
    state: str
    priority: Priority
    cities: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()


@attrs.frozen
class ProgramDecision:
    id: str
    name: str
    specialty: str
    track: str | None = attrs.field(default=None, kw_only=True)  # None: the catalog does not say
    city: str
    state: str
    # Where to look the program up, as the catalog gives them (None: not given).
    acgme_id: str | None = attrs.field(default=None, kw_only=True)
    nrmp_code: str | None = attrs.field(default=None, kw_only=True)
    website: str | None = attrs.field(default=None, kw_only=True)
    # True for a program from a generated catalog (not a real program); None otherwise.
    synthetic: bool | None = attrs.field(default=None, kw_only=True)
    verdict: Verdict
    tier: int | None = None  # 1, 2 or 3; None when skipped
    region: str | None = None  # border sub-region id
    reasons: tuple[Reason, ...] = ()
    to_verify: tuple[str, ...] = ()  # program fields that were unknown and mattered


VERDICTS: tuple[Verdict, ...] = ("apply", "borderline", "skip")


class ProgramDecisions(Sequence[ProgramDecision]):
    """A plan's program decisions, kept column by column; a read-only sequence of
    :class:`ProgramDecision`.

    A national plan decides thousands of programs; the pipeline computes them as arrays
    and an item becomes a ``ProgramDecision`` only when it is read. Tools that want
    numbers can read the columns directly, one entry per program in plan order:

    - ``verdict``: index into :data:`VERDICTS`;
    - ``tier``: 1, 2 or 3, and 0 for a skipped program;
    - ``region``: index into ``regions`` (a sub-region id, or None);
    - ``reasons``: index into ``reason_sets`` (a tuple of :class:`Reason`);
    - ``to_verify``: index into ``verify_sets`` (a tuple of program field names).

    It compares equal to any sequence of the same decisions, so a plan read back from
    TOML equals the plan that was written.
    """

    __slots__ = (
        "programs",
        "verdict",
        "tier",
        "region",
        "regions",
        "reasons",
        "reason_sets",
        "to_verify",
        "verify_sets",
        "catalog_rows",
        "memo",
        "_items",
    )

    def __init__(
        self,
        programs: np.ndarray,
        verdict: np.ndarray,
        tier: np.ndarray,
        region: np.ndarray,
        regions: Sequence[str | None],
        reasons: np.ndarray,
        reason_sets: Sequence[tuple[Reason, ...]],
        to_verify: np.ndarray,
        verify_sets: Sequence[tuple[str, ...]],
        *,
        catalog_rows: np.ndarray | None = None,
        memo: dict | None = None,
    ):
        self.programs = programs  # object array of resplan.model.Program
        self.verdict, self.tier, self.region, self.reasons, self.to_verify = (
            verdict,
            tier,
            region,
            reasons,
            to_verify,
        )
        self.regions, self.reason_sets, self.verify_sets = (
            tuple(regions),
            tuple(reason_sets),
            tuple(verify_sets),
        )
        # Where each program sits in its catalog, and a cache shared by every plan over that
        # catalog: the writer keeps each program's unchanging TOML lines there.
        self.catalog_rows, self.memo = catalog_rows, memo
        self._items: tuple[ProgramDecision, ...] | None = None

    def with_verify(
        self, to_verify: np.ndarray, verify_sets: Sequence[tuple[str, ...]]
    ) -> ProgramDecisions:
        """The same decisions with other facts to verify (``to_verify`` indexes
        ``verify_sets``)."""
        return ProgramDecisions(
            self.programs,
            self.verdict,
            self.tier,
            self.region,
            self.regions,
            self.reasons,
            self.reason_sets,
            to_verify,
            verify_sets,
            catalog_rows=self.catalog_rows,
            memo=self.memo,
        )

    def take(self, order: np.ndarray) -> ProgramDecisions:
        """The decisions at positions ``order``, in that order."""
        rows = self.catalog_rows[order] if self.catalog_rows is not None else None
        return ProgramDecisions(
            self.programs[order],
            self.verdict[order],
            self.tier[order],
            self.region[order],
            self.regions,
            self.reasons[order],
            self.reason_sets,
            self.to_verify[order],
            self.verify_sets,
            catalog_rows=rows,
            memo=self.memo,
        )

    def _make(self, index: int) -> ProgramDecision:
        program = self.programs[index]
        tier = int(self.tier[index])
        return ProgramDecision(
            id=program.id,
            name=program.name,
            specialty=program.specialty,
            track=program.track,
            city=program.city,
            state=program.state,
            acgme_id=program.acgme_id,
            nrmp_code=program.nrmp_code,
            website=program.website,
            synthetic=program.synthetic or None,
            verdict=VERDICTS[self.verdict[index]],
            tier=tier or None,
            region=self.regions[self.region[index]],
            reasons=self.reason_sets[self.reasons[index]],
            to_verify=self.verify_sets[self.to_verify[index]],
        )

    def _all(self) -> tuple[ProgramDecision, ...]:
        if self._items is None:
            self._items = tuple(self._make(i) for i in range(len(self.programs)))
        return self._items

    def __len__(self) -> int:
        return len(self.programs)

    @overload
    def __getitem__(self, index: int) -> ProgramDecision: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ProgramDecision, ...]: ...

    def __getitem__(self, index):
        if isinstance(index, slice) or self._items is not None:
            return self._all()[index]
        size = len(self.programs)
        position = operator.index(index)
        if not -size <= position < size:
            raise IndexError("program decision index out of range")
        return self._make(position % size)

    def __iter__(self) -> Iterator[ProgramDecision]:
        return iter(self._all())

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, ProgramDecisions) or isinstance(other, (tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"<ProgramDecisions: {len(self)} programs>"

    def __getstate__(self) -> dict:
        # The catalog's shared cache stays behind: a pickled plan carries its own data only.
        state = {name: getattr(self, name) for name in self.__slots__}
        state.update(memo=None, _items=None)
        return state

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)


@attrs.frozen
class Action:
    id: str  # the rule that chose it, ``ruleset/id``
    category: Category
    title: str
    detail: str
    timing: str  # a phase id of the calendar
    when: str  # the phase as a person reads it, e.g. "June 2026: ERAS opens to applicants"


@attrs.frozen
class SpecialtyVolume:
    """How many applications to send in one considered specialty, and in which tiers.

    ``recommended`` is the size of a full list (the figure of the summary rule that decided
    it); ``applications`` is what this catalog can take: never more than its programs of
    the specialty that are not skipped, spread over the tiers as close to the rule's
    ``target_spread`` as the programs in each tier allow. ``shortfall`` is the part of a
    full list to find outside the catalog.
    """

    name: str
    recommended: int | None = None
    applications: int | None = None
    shortfall: int | None = None
    spread: tuple[int, int, int] | None = None  # percent of applications in tiers 1, 2, 3
    target_spread: tuple[int, int, int] | None = None  # percent the rule asks for
    tiers: tuple[int, int, int] | None = None  # applications to send in tiers 1, 2, 3
    available: tuple[int, int, int] = (0, 0, 0)  # programs not skipped in tiers 1, 2, 3
    reasons: tuple[Reason, ...] = ()


@attrs.frozen
class SpecialtyCost:
    """The ERAS fees of a full list in one specialty, in whole US dollars."""

    name: str
    applications: int  # the full list: the specialty's recommended applications
    fee: int
    ten_more: int  # what 10 more applications in the specialty would add
    ten_fewer: int  # what 10 fewer would save


@attrs.frozen
class Cost:
    """The ERAS fees of the plan's list, by the fee schedule of one ERAS season
    (the ``season`` ruleset). ERAS counts programs per specialty."""

    season: int  # the ERAS season whose fees these are
    total: int
    by_specialty: tuple[SpecialtyCost, ...] = ()


@attrs.frozen
class Summary:
    programs_in_catalog: int
    programs_considered: int
    programs_outside_specialties: int
    # The considered programs apart: real ones, and those from a synthetic catalog.
    programs_real: int | None = attrs.field(default=None, kw_only=True)
    programs_synthetic: int | None = attrs.field(default=None, kw_only=True)
    apply: int
    borderline: int
    skip: int
    tier1: int
    tier2: int
    tier3: int
    to_verify: int
    # What to send from this catalog, all specialties: never more than apply + borderline.
    applications: int | None = None
    spread: tuple[int, int, int] | None = None  # percent of those applications in tiers 1, 2, 3
    recommended: int | None = None  # what full lists would hold, all specialties
    shortfall: int | None = None  # recommended - applications: to find outside the catalog
    by_specialty: tuple[SpecialtyVolume, ...] = ()
    advice: tuple[Reason, ...] = ()
    # Where the cycle stands on the plan's date: "ahead" (programs have not started
    # reading applications) or "under way" (they have; the plan covers what is still ahead).
    cycle_stage: str | None = None
    match_day: str | None = None  # the cycle's Match Day, YYYY-MM-DD
    cost: Cost | None = None  # ERAS fees of the list; None without the season ruleset


@attrs.frozen
class SignalChoice:
    """A program to spend a signal on, and why."""

    id: str
    name: str
    city: str
    state: str
    tier: int
    kind: Literal["gold", "silver", "signal"]
    why: str


@attrs.frozen
class SpecialtySignals:
    """The program signals of one considered specialty (see resplan.season).

    ``signals`` is None when no number is known for the season; ``gold`` and ``silver``
    are set only for a specialty whose signals come in those two kinds.
    """

    specialty: str
    says: str  # how many signals the season gives, and how sure that number is
    signals: int | None = None
    gold: int | None = None
    silver: int | None = None
    season: int | None = None  # the latest Match whose ERAS season the number is confirmed for
    confirmed: bool | None = None  # confirmed for the plan's Match (applicant.cycle)
    source: str | None = None
    geographic: str | None = None  # the geographic preference that goes with the signals
    evidence: str | None = None  # what signals were found to do, as the source says
    programs: tuple[SignalChoice, ...] = ()
    rules: tuple[str, ...] = ()  # the [[signals]] rules whose words these are, ``ruleset/id``


Band = Literal["above", "near", "below", "well-below", "unknown"]


@attrs.frozen
class OutlookFigure:
    """A published figure the outlook quotes: a parameter of the outlook ruleset."""

    name: str  # the parameter
    what: str  # what the figure is, in words
    value: float
    season: int | None = None  # the Match year the figure belongs to
    source: str = ""


@attrs.frozen
class SpecialtyOutlook:
    """Where the applicant stands in one considered specialty, against published figures,
    as a band in words (never a chance for the person; see stages/outlook.py).

    ``band`` is ``unknown`` when a fact the profile does not give (no Step 2 CK yet) could
    move it across a band's edge; ``says`` then names what is missing.
    """

    specialty: str
    band: Band
    says: str  # the band in words, for this specialty
    passed: int  # the specialty's real programs whose every known filter the applicant passes
    passed_unknown: int  # of those, programs with facts to verify
    img_share: float | None = None  # percent of filled first-year positions non-US IMGs took
    img_share_season: int | None = None  # None with img_share: no sourced figure
    against: tuple[Reason, ...] = ()  # findings that count against the applicant
    in_favour: tuple[Reason, ...] = ()  # findings that count for the applicant
    context: tuple[Reason, ...] = ()  # the specialty's figures, in words


@attrs.frozen
class Outlook:
    """The applicant against national figures: per considered specialty, and in general."""

    says: tuple[Reason, ...] = ()  # the applicant's group, its national figures, the caution
    specialties: tuple[SpecialtyOutlook, ...] = ()
    figures: tuple[OutlookFigure, ...] = ()  # every published figure quoted, with source and season


@attrs.frozen
class WhatIf:
    """A change the applicant could make, and what it would do to the plan's programs.

    resplan plans again with the changed profile (resplan.stages.what_if) and compares,
    program by program, the programs both plans consider. ``programs_opened``: skipped
    before, apply or borderline after; ``programs_improved``: a better verdict (borderline
    to apply) or, with the same verdict, a better tier; ``programs_worsened``: the
    opposite of either, a program closed (apply or borderline to skip) included.
    ``tier1_before`` and ``tier1_after`` count the programs not skipped in tier 1, of those
    both plans consider. A plan lists its changes by :attr:`net`, the largest first.
    """

    change: str  # the change, in words
    rule: str  # the what_if rule that proposed it, ``ruleset/id``
    programs_opened: int
    programs_improved: int
    programs_worsened: int
    tier1_before: int
    tier1_after: int
    programs_opened_tier1: int = 0  # of the opened programs, those in tier 1
    programs: tuple[str, ...] = ()  # names of the first programs it opens, best first
    note: str | None = None  # what to know about the change, in words

    @property
    def net(self) -> int:
        """The programs the change opens less those it makes worse (a worse verdict or
        tier, closed ones included): a change that opens five programs and closes five,
        or moves five down a tier, gains none."""
        return self.programs_opened - self.programs_worsened


@attrs.frozen
class RulesetInfo:
    name: str
    version: str
    sha256: str
    plugin: str


@attrs.frozen
class PluginInfo:
    name: str
    version: str


@attrs.frozen
class InputInfo:
    role: Literal["profile", "catalog", "facts"]  # facts: what the applicant verified
    # A catalog's: of its file's bytes (of its files' digests, sorted, when several are
    # combined), so it names the very file planned from; a profile's and the facts': of
    # their canonical form (resplan.pipeline).
    sha256: str
    items: int = 1


@attrs.frozen
class Provenance:
    resplan_version: str
    rulesets: tuple[RulesetInfo, ...]
    plugins: tuple[PluginInfo, ...]
    inputs: tuple[InputInfo, ...]
    as_of: str | None = None  # the date the plan was made for, YYYY-MM-DD


@attrs.frozen
class Plan:
    provenance: Provenance
    assessment: Assessment
    specialties: tuple[SpecialtyTarget, ...]
    regions: tuple[RegionTarget, ...]
    # A ProgramDecisions from the pipeline; a plain tuple when read from TOML or built by hand.
    programs: tuple[ProgramDecision, ...]
    actions: tuple[Action, ...]
    summary: Summary
    schema: int = SCHEMA
    signals: tuple[SpecialtySignals, ...] = ()
    outlook: Outlook | None = None  # None without the outlook ruleset
    # Changes to the profile that would change the plan, the largest effect first.
    what_if: tuple[WhatIf, ...] = ()
