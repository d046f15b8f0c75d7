"""What comes out: the plan and its parts.

Each stage of the pipeline produces one of these frozen records and the next stage reads
it. The writer (``resplan.writer``) turns a :class:`Plan` into TOML and back.
"""

from __future__ import annotations

from typing import Literal

import attrs

SCHEMA = 1

Fit = Literal["strong", "possible", "reach", "unlikely"]
Priority = Literal["high", "medium", "low"]
Verdict = Literal["apply", "borderline", "skip"]
Category = Literal[
    "academic", "clinical", "materials", "interview", "networking", "between-cycle", "verify",
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
class Assessment:
    weaknesses: tuple[Finding, ...] = ()
    strengths: tuple[Finding, ...] = ()

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
    city: str
    state: str
    verdict: Verdict
    tier: int | None = None  # 1, 2 or 3; None when skipped
    region: str | None = None  # border sub-region id
    reasons: tuple[Reason, ...] = ()
    to_verify: tuple[str, ...] = ()  # program fields that were unknown and mattered


@attrs.frozen
class Action:
    id: str  # the rule that chose it, ``ruleset/id``
    category: Category
    title: str
    detail: str
    timing: str  # a phase id of the calendar
    when: str  # the phase as a person reads it, e.g. "June 2026: ERAS opens to applicants"


@attrs.frozen
class Summary:
    programs_in_catalog: int
    programs_considered: int
    programs_outside_specialties: int
    apply: int
    borderline: int
    skip: int
    tier1: int
    tier2: int
    tier3: int
    to_verify: int
    applications: int | None = None  # recommended number of applications
    spread: tuple[int, int, int] | None = None  # percent of applications in tiers 1, 2, 3
    advice: tuple[Reason, ...] = ()


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
    role: Literal["profile", "catalog"]
    sha256: str  # of the input's canonical form: reordering a catalog does not change it
    items: int = 1


@attrs.frozen
class Provenance:
    resplan_version: str
    rulesets: tuple[RulesetInfo, ...]
    plugins: tuple[PluginInfo, ...]
    inputs: tuple[InputInfo, ...]


@attrs.frozen
class Plan:
    provenance: Provenance
    assessment: Assessment
    specialties: tuple[SpecialtyTarget, ...]
    regions: tuple[RegionTarget, ...]
    programs: tuple[ProgramDecision, ...]
    actions: tuple[Action, ...]
    summary: Summary
    schema: int = SCHEMA
