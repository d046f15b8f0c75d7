"""The pipeline: the stages of a plan, in order, and how their results feed each other.

    profile + catalog
      -> assess        (weaknesses, strengths)
      -> specialties   (fit of each wished specialty, suggested alternatives)
      -> regions       (priority of each border sub-region)
      -> screen        (apply / borderline / skip, per program of a considered specialty)
      -> tier          (1, 2 or 3, per program not skipped)
      -> stale         (facts listed too long ago join to_verify)
      -> verified      (facts the applicant verified are cited and leave to_verify)
      -> actions       (what to do, when, dated from as_of)
      -> summary       (counts, how many applications, spread over tiers)
      -> signals       (program signals per specialty, geographic preference)
      -> outlook       (the applicant against published figures, as bands in words)
      -> what_if       (changes to the profile, each decided again: what they would open)
      -> plugins' resplan_adjust_plan
      = Plan

Each stage is a function from a :class:`Draft` to a new Draft with its own result set.
``Draft.env`` carries the facts rules can read, growing stage by stage.

A plan is made for a date, ``as_of`` (today unless given): it dates the actions, decides
which listed facts are out of date, and is recorded in ``[provenance]``. A cycle whose
Match Day is before it is refused (:func:`resplan.dates.check_cycle`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from resplan import verified as verified_facts
from resplan._version import __version__
from resplan.convert import unstructure
from resplan.dates import as_of_or_today, check_cycle, cycle_stage, match_day
from resplan.errors import describe_exception
from resplan.facts import gaps, guessed_facts, stated_facts, worst_case
from resplan.model import Catalog, Profile
from resplan.plan import (
    Assessment,
    InputInfo,
    Plan,
    PluginInfo,
    Provenance,
    RulesetInfo,
    Summary,
)
from resplan.plugins import plugin_failure
from resplan.rulebook import Rulebook
from resplan.stages import (
    actions,
    assess,
    outlook,
    regions,
    screen,
    signals,
    specialties,
    stale,
    summary,
    tier,
    what_if,
)


@attrs.frozen
class Draft:
    profile: Profile
    catalog: Catalog
    rulebook: Rulebook
    env: Mapping[str, Any]
    # The facts as the profile states them, and what it leaves out (resplan.facts.gaps):
    # ``env`` fills each gap with its worst value; decisions that differ from what the
    # stated facts alone give rest on that guess and name it.
    stated_env: Mapping[str, Any] = attrs.Factory(dict)
    gaps: tuple = ()
    # Fact name -> the gaps its value in ``env`` rests on (resplan.facts.guessed_facts);
    # stages add the facts they derive (the assessment, a specialty's fit).
    guessed: Mapping[str, tuple] = attrs.Factory(dict)
    as_of: dt.date = attrs.Factory(dt.date.today)  # the pipeline always sets it
    assessment: Assessment | None = None
    specialties: tuple = ()
    specialty_envs: Mapping[str, Mapping[str, Any]] = attrs.Factory(dict)
    regions: tuple = ()
    screening: Any = None  # stages.screen.Screening: verdicts of the considered programs
    programs: Any = ()  # ProgramDecisions, in plan order (stages.tier)
    tiering: Any = None  # stages.tier.Tiering: each tier rule's outcome, for the what-if stage
    actions: tuple = ()
    summary: Summary | None = None
    # Program id -> ((field, resplan.verified.Verification), ...): facts the applicant
    # verified, already laid over ``catalog``.
    verified: Mapping[str, tuple] = attrs.Factory(dict)
    signals: tuple = ()
    outlook: Any = None  # resplan.plan.Outlook, None without the outlook ruleset
    what_if: tuple = ()

    def evolve(self, **changes) -> Draft:
        return attrs.evolve(self, **changes)


STAGES: tuple[tuple[str, Callable[[Draft], Draft]], ...] = (
    ("assess", assess.run),
    ("specialties", specialties.run),
    ("regions", regions.run),
    ("screen", screen.run),
    ("tier", tier.run),
    ("stale", stale.run),
    ("verified", verified_facts.run),
    ("actions", actions.run),
    ("summary", summary.run),
    ("signals", signals.run),
    ("outlook", outlook.run),
    ("what_if", what_if.run),
)
# The stages that decide each program's verdict and tier from the profile: what a
# what-if (stages.what_if) runs again for a changed profile.
DECIDING = ("assess", "specialties", "regions", "screen", "tier")
# What a plan made without its words (make_plan, words=False) runs instead of a stage
# (None: not at all). The actions stage still sets the plan's facts the summary reads,
# and the summary still works out every figure.
WORDLESS: dict[str, Callable[[Draft], Draft] | None] = {
    "actions": lambda draft: actions.run(draft, reasons=False),
    "summary": lambda draft: summary.run(draft, reasons=False),
    "signals": None,
    "outlook": None,
    "what_if": lambda draft: what_if.run(draft, words=False),
}


def start(
    profile: Profile,
    catalog: Catalog,
    rulebook: Rulebook,
    as_of: dt.date,
    verified: Mapping[str, tuple] | None = None,
) -> Draft:
    """The draft the first stage gets: the profile's facts, each gap at its worst value.

    ``catalog`` already carries the verified facts, which ``verified`` lists per program.
    """
    found = gaps(profile)
    stated = stated_facts(profile, rulebook.city_regions)
    env = stated_facts(worst_case(profile, found), rulebook.city_regions) if found else stated
    return Draft(
        profile=profile,
        catalog=catalog,
        rulebook=rulebook,
        as_of=as_of,
        env=env,
        stated_env=stated,
        gaps=found,
        verified=verified or {},
        guessed=guessed_facts(profile, found, rulebook.city_regions),
    )


def decide(profile: Profile, like: Draft) -> Draft:
    """``profile``'s verdicts and tiers against ``like``'s catalog, date and rules: the
    stages of :data:`DECIDING` only (the catalog's column table is reused)."""
    draft = start(profile, like.catalog, like.rulebook, like.as_of, like.verified)
    for name, run in STAGES:
        if name in DECIDING:
            draft = run(draft)
    return draft


def decide_profile(profile: Profile, like: Draft) -> Draft:
    """The stages of :data:`DECIDING` that decide on the profile alone (before
    ``screen``), for ``profile`` against ``like``'s catalog, date and rules: what the
    what-if stage decides programs from."""
    draft = start(profile, like.catalog, like.rulebook, like.as_of, like.verified)
    for name, run in STAGES:
        if name == "screen":
            break
        if name in DECIDING:
            draft = run(draft)
    return draft


def make_plan(
    profile: Profile,
    catalog: Catalog,
    host,
    *,
    as_of: dt.date | str | None = None,
    facts=None,
    words: bool = True,
) -> Plan:
    """The plan for ``profile`` against ``catalog``, made on ``as_of`` (default: today).

    ``facts`` (a :class:`resplan.verified.VerifiedFacts`) are facts the applicant verified
    with programs: each beats the catalog's, and the plan cites it.

    ``words=False`` makes a plan only for what the cohort database keeps of it
    (:func:`resplan.cohort.plan_record`): its decisions, summary figures, specialties and
    what-if changes are the full plan's, but it has no actions, signals or outlook, no
    reasons or advice in the summary, and no what-if notes or program names
    (:data:`WORDLESS`): it is never to be written. With a plugin that adjusts plans, the plan is made whole.

    Raises :class:`~resplan.errors.InputError` (field ``applicant.cycle``) when the
    cycle's Match Day is before ``as_of``.
    """
    rulebook = host.rulebook
    budget = getattr(host, "budget", None)
    if budget is not None:
        budget.start_plan()
    as_of = as_of_or_today(as_of)
    cycle = profile.applicant.cycle
    check_cycle(cycle, as_of, rulebook)
    planned = catalog
    verified: Mapping[str, Any] = {}
    if facts is not None and len(facts):
        verified_facts.refuse_verified_after(facts, as_of)
        applied = verified_facts.applied_to(catalog, facts)
        planned, verified = applied.catalog, applied.by_program
    if not words and _adjusting(host):
        words = True  # the plugin may read or change any part
    draft = start(profile, planned, rulebook, as_of, verified)
    for name, run in STAGES:
        if not words and name in WORDLESS:
            wordless = WORDLESS[name]
            if wordless is None:
                continue
            run = wordless
        draft = run(draft)
    # Every stage ran, so the parts a Draft starts without are all there.
    assert draft.summary is not None and draft.assessment is not None
    summary = attrs.evolve(
        draft.summary,
        cycle_stage=cycle_stage(cycle, as_of, rulebook),
        match_day=match_day(cycle, rulebook).isoformat(),
    )
    plan = Plan(
        provenance=provenance(profile, catalog, host, as_of, facts),
        assessment=draft.assessment,
        specialties=draft.specialties,
        regions=draft.regions,
        programs=draft.programs,
        actions=draft.actions,
        summary=summary,
        signals=draft.signals,
        outlook=draft.outlook,
        what_if=draft.what_if,
    )
    return adjust(plan, profile, planned, host)


def _adjusting(host) -> bool:
    """Whether a plugin implements resplan_adjust_plan."""
    return bool(host.pm.hook.resplan_adjust_plan.get_hookimpls())


def adjust(plan: Plan, profile: Profile, catalog: Catalog, host) -> Plan:
    """Let plugins change the finished plan, one after another in the order of their names."""
    impls = sorted(host.pm.hook.resplan_adjust_plan.get_hookimpls(), key=lambda i: i.plugin_name)
    for impl in impls:
        where = "resplan_adjust_plan"
        try:
            changed = impl.function(plan=plan, profile=profile, catalog=catalog)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported by name
            raise plugin_failure(host.pm, impl.plugin_name, where, describe_exception(exc)) from exc
        if changed is None:
            continue
        if not isinstance(changed, Plan):
            raise plugin_failure(
                host.pm,
                impl.plugin_name,
                where,
                f"returned {type(changed).__name__}, not a Plan or None",
            )
        # The plan a plugin made must still be one resplan can write and read back.
        problem = _invalid_plan(changed)
        if problem:
            raise plugin_failure(
                host.pm, impl.plugin_name, where, f"returned a plan that is not valid: {problem}"
            )
        plan = changed
    return plan


def _invalid_plan(plan: Plan) -> str:
    """'' when ``plan`` survives being written and read back, else the first problem."""
    from resplan.errors import InputError
    from resplan.writer import dumps_plan, loads_plan

    try:
        loads_plan(dumps_plan(plan), file="plan")
    except InputError as exc:
        first = exc.problems[0]
        return f"{first.field}: {first.message}" if first.field else first.message
    except Exception as exc:  # noqa: BLE001 - e.g. a value TOML cannot hold
        return describe_exception(exc)
    return ""


def digest(obj: Any) -> str:
    """sha256 of an input's canonical form (sorted keys, no whitespace)."""
    return _sha256(unstructure(obj))


def _sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A profile's lists whose order says nothing: the same applicant, whatever order the
# letters, languages, clinical work and activities are listed in.
ORDER_FREE = ("languages", "clinical", "letters", "activities")


def profile_digest(profile: Profile) -> str:
    """:func:`digest` of a profile, its order-free lists (:data:`ORDER_FREE`) sorted."""
    data = unstructure(profile)
    for key in ORDER_FREE:
        items = data.get(key)
        if isinstance(items, list):
            data[key] = sorted(
                items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False)
            )
    return _sha256(data)


def catalog_digest(catalog: Catalog) -> str:
    """sha256 of the catalog file's bytes (set by ``Host.read_catalog``); for catalogs
    merged from several, of their digests (``resplan.merge_catalogs``); for a catalog
    built in code or read from standard input, of its programs' canonical form."""
    if catalog._digest is None:
        object.__setattr__(catalog, "_digest", digest(catalog.programs))
    return str(catalog._digest)


def provenance(
    profile: Profile, catalog: Catalog, host, as_of: dt.date | None = None, facts=None
) -> Provenance:
    # The facts files count as an input only when given, so plans without them keep their bytes.
    recorded = (
        (InputInfo("facts", digest(facts.canonical()), items=len(facts)),)
        if facts is not None and len(facts)
        else ()
    )
    return Provenance(
        resplan_version=__version__,
        rulesets=tuple(
            RulesetInfo(r.name, r.version, r.sha256, r.plugin) for r in host.rulebook.rulesets
        ),
        plugins=tuple(PluginInfo(p.name, p.version) for p in host.plugins),
        inputs=(
            InputInfo("profile", profile_digest(profile)),
            InputInfo("catalog", catalog_digest(catalog), items=len(catalog)),
            *recorded,
        ),
        as_of=as_of.isoformat() if as_of is not None else None,
    )
