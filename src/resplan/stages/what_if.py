"""The what-if stage: changes the applicant could make, each decided again.

Each ``what_if`` rule (the what-if ruleset) that fires for this applicant proposes a
change to the profile: a Step 2 CK score, letters from writers who will call programs,
months of hands-on US clinical work near the border, a Spanish level, Step 3 passed,
applying one or more cycles later; one rule may combine several. The value of each part
is worked out from the plan's facts; a part that would not make the profile different
(a score no higher than the one it has, a level no higher) makes the whole change not
apply.

For each change, the stages that decide programs (``resplan.pipeline.DECIDING``) run
again on the changed profile, against the same catalog and its column table, and the
two plans are compared program by program over the programs both consider (a
specialty suggested in one plan only is not compared): opened (skipped before, apply
or borderline after), improved (a better verdict, or a better tier with the same
verdict), worsened (the reverse of either). A change that opens or improves no program
is left out, even if it worsens some: it is nothing to aim for.
The changes are sorted by what they open, then what they improve, then what they
worsen (less first), then by rule id; the summary names the first few in a sentence each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from resplan import facts as F
from resplan.facts import FITS, SPANISH_LEVELS, WHAT_IF_FACTS, _and, _is_spanish
from resplan.model import (
    Clinical,
    FieldValueError,
    FieldValueErrors,
    Language,
    Letter,
    Step2CK,
    Step3,
)
from resplan.plan import VERDICTS, Reason, WhatIf
from resplan.rulebook import Rule, Rulebook, whole_parameter
from resplan.rules import is_unknown
from resplan.rules.template import Format
from resplan.stages.common import cite, evaluate
from resplan.stages.specialties import real_programs
from resplan.stages.summary import reads_what_if
from resplan.stages.table import catalog_table

WHAT_IF = "what-if"  # the ruleset whose parameters code reads
SUMMARY_CHANGES = "summary_changes"
PROGRAMS_NAMED = "programs_named"
# The parameters code reads (resplan check counts them as used), with their defaults
# for a what-if ruleset that leaves them out.
CODE_PARAMETERS = {SUMMARY_CHANGES: 3, PROGRAMS_NAMED: 5}
ADVOCATE_WRITER = "US clinical supervisor who will contact programs"
NOT_CONSIDERED = len(VERDICTS)  # in the verdict arrays: a program the plan does not consider
SKIP = VERDICTS.index("skip")
PRIORITY = {"high": 0, "medium": 1, "low": 2, "none": 3}
_PROGRAMS = Format("count", "program", "programs")
_MORE_PROGRAMS = Format("count", "more program", "more programs")
_PROGRAMS_STATE = Format("count", "program states", "programs state")


def parameter(rulebook: Rulebook, name: str) -> int:
    """A parameter of the what-if ruleset that code reads, as a whole number."""
    return whole_parameter(rulebook, WHAT_IF, name, CODE_PARAMETERS[name])


def run(draft, words: bool = True):
    """``words=False`` (a plan made for the cohort database, which keeps each change's
    rule, words and counts) leaves out the rest of the words: the summary's sentences,
    each change's note and the names of the programs it opens."""
    rules = draft.rulebook.rules("what_if")
    if not rules or not len(draft.programs):
        return draft
    fired, _undecided = evaluate(rules, draft.env)
    if not fired:
        return draft
    size = len(draft.catalog)
    verdict, tiers = _by_row(draft.programs, draft.catalog, size)
    # Only the real programs the plan considers are compared: their catalog rows, and
    # their verdicts and tiers in the plan. A generated program is no reason to make a
    # change: nobody can apply to it, so it is neither opened nor counted in tier 1.
    real = real_programs(catalog_table(draft.catalog, draft.rulebook.city_regions), draft.catalog)
    rows = np.flatnonzero((verdict != NOT_CONSIDERED) & real)
    # With no real program to compare (a plan over generated programs only), no change
    # can open or improve one: the changes are not decided at all, only named (in words).
    compared = len(rows) > 0
    if not compared and not words:
        return draft.evolve(what_if=())
    before = (rows, verdict[rows], tiers[rows])
    named = parameter(draft.rulebook, PROGRAMS_NAMED)
    decide = _Changes(draft)
    found = []
    tried = []  # every change planned again, in words
    for rule in fired:
        change = changed_profile(rule, draft)
        if change is None:
            continue
        profile, values = change
        if words:
            tried.append(_change_words(rule, draft, values))
        if not compared:
            continue
        after, order, fits = decide(profile)
        entry = _compare(
            rule, draft, values, before, after, order, fits, named if words else 0, words
        )
        if entry is not None:
            found.append(entry)
    found.sort(
        key=lambda e: (
            -e.net,  # the programs opened less those made worse (WhatIf.net)
            e.programs_worsened,
            -e.programs_opened_tier1,
            -e.programs_improved,
            e.rule,
        )
    )
    if not words:
        return draft.evolve(what_if=tuple(found))
    top = found[: parameter(draft.rulebook, SUMMARY_CHANGES)]
    advice = tuple(Reason(e.rule, sentence(e)) for e in top) + _found(draft, tried, found)
    summary = draft.summary
    if summary is not None and advice:
        summary = attrs.evolve(summary, advice=summary.advice + advice)
    return draft.evolve(what_if=tuple(found), summary=summary)


def _change_words(rule: Rule, draft, values: Mapping[str, Any]) -> str:
    """The change in words, to follow other words ("a Step 2 CK of 231 instead of 221")."""
    if rule.says is None:
        return rule.id
    text = rule.says.render({**draft.env, **values}, draft.rulebook.labels).strip().rstrip(".")
    # "A Step 2 CK ..." and "Take Step 2 CK ..." go lower case; "US clinical work ..." not.
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if len(first) == 1 or first[1:].islower() else text


# The program facts a change can clear or cross (a score, the years since graduation,
# the attempts on record).
LIMITS = (
    "program.min_step2ck",
    "program.mean_step2ck",
    "program.max_years_since_graduation",
    "program.max_attempts",
)


def _with_limits(draft) -> tuple[int, int]:
    """How many real programs of the plan state any of the LIMITS (a generated one is
    nothing a change could help the applicant into), and how many generated programs the
    plan considers (left out of every comparison)."""
    table = catalog_table(draft.catalog, draft.rulebook.city_regions)
    rows = _plan_rows(draft.programs, draft.catalog)
    real = real_programs(table, draft.catalog)[rows]
    generated = int(len(rows) - real.sum())
    rows = rows[real]
    stated = np.zeros(len(rows), dtype=bool)
    for name in LIMITS:
        stated |= np.asarray(table.columns[name].known, dtype=bool)[rows]
    return int(stated.sum()), generated


def _found(draft, tried: list[str], found: list[WhatIf]) -> tuple[Reason, ...]:
    """The messages of the [[summary]] rules that read what the pass found (what_if.*):
    for example that none of the changes tried would move a program."""
    rulebook = draft.rulebook
    rules = _of_rulebook(
        rulebook, "summary", lambda: [r for r in rulebook.rules("summary") if reads_what_if(r)]
    )
    if not rules:
        return ()
    with_limits, generated = _with_limits(draft)
    env = {
        **draft.env,
        "what_if.tried": len(tried),
        "what_if.listed": len(found),
        "what_if.tried_changes": "; ".join(tried) if tried else "none",
        "what_if.programs_with_limits": with_limits,
        "what_if.generated_programs": generated,
    }
    fired, _ = evaluate(rules, env)
    labels = draft.rulebook.labels
    return tuple(cite(rule, env, labels) for rule in fired if rule.says is not None)


# ------------------------------------------------------------------ the changed profile


def changed_profile(rule: Rule, draft) -> tuple[Any, dict[str, Any]] | None:
    """The profile with ``rule``'s change, and the ``what_if.*`` facts it worked out;
    None when the change would not make the profile different (or not valid)."""
    env, profile = draft.env, draft.profile
    values: dict[str, Any] = {}
    for key, expr in rule.effect.items():
        if key == "note":
            continue
        value = expr(env) if callable(expr) else expr
        if value is None or is_unknown(value):
            return None
        values[key] = value
    facts: dict[str, Any] = {}
    try:
        if "step2ck_score" in values:
            score = min(300, int(round(values["step2ck_score"])))
            now = env.get("profile.step2ck.score")
            if now is not None and score <= now:
                return None
            step2 = profile.exams.step2ck or Step2CK(attempts=0)
            # A pass on record is not sat again (USMLE). A Step 2 CK sat without a pass
            # yet is passed at one more sitting (a pending result may be that pass);
            # not sat yet, at a first one.
            if step2.passed:
                return None
            attempts: int | None
            if not step2.sat:
                attempts = 1
            elif step2.result == "pending" or step2.attempts is None:
                attempts = step2.attempts
            else:
                attempts = step2.attempts + 1
            passed = attrs.evolve(step2, score=score, result=None, attempts=attempts)
            exams = attrs.evolve(profile.exams, step2ck=passed)
            profile = attrs.evolve(profile, exams=exams)
            facts["what_if.step2ck_score"] = score
        if "advocate_letters" in values:
            added = int(round(values["advocate_letters"]))
            if added < 1:
                return None
            letter = Letter(writer=ADVOCATE_WRITER, us_clinical=True, advocate=True)
            profile = attrs.evolve(profile, letters=profile.letters + (letter,) * added)
            facts["what_if.advocate_letters"] = added
        if "border_clinical_months" in values:
            months = float(values["border_clinical_months"])
            where = _border_place(draft)
            if months <= 0 or where is None:
                return None
            name, city, state = where
            stint = Clinical(kind="hands-on", months=months, city=city, state=state)
            profile = attrs.evolve(profile, clinical=profile.clinical + (stint,))
            facts["what_if.border_clinical_months"] = months
            facts["what_if.region_name"] = name
        if "spanish_level" in values:
            level = values["spanish_level"]
            now = env.get("profile.spanish_level", "none")
            if (
                level not in SPANISH_LEVELS
                or now not in SPANISH_LEVELS
                or SPANISH_LEVELS.index(level) <= SPANISH_LEVELS.index(now)
            ):
                return None
            languages = tuple(
                attrs.evolve(lang, level=level) if _is_spanish(lang.name) else lang
                for lang in profile.languages
            )
            if languages == profile.languages:
                languages += (Language("Spanish", level),)
            profile = attrs.evolve(profile, languages=languages)
            facts["what_if.spanish_level"] = level
        if "cycles_later" in values:
            later = int(round(values["cycles_later"]))
            if later < 1:
                return None
            applicant = attrs.evolve(profile.applicant, cycle=profile.applicant.cycle + later)
            profile = attrs.evolve(profile, applicant=applicant)
            facts["what_if.cycles_later"] = later
            facts["what_if.cycle"] = applicant.cycle
        if "step3" in values:
            step3 = profile.exams.step3
            if step3 is not None and step3.result == "pass":
                return None
            # A failed sitting stays on record: the pass is one more attempt.
            attempts = 1 if step3 is None else (step3.attempts or 1) + 1
            exams = attrs.evolve(profile.exams, step3=Step3(result="pass", attempts=attempts))
            profile = attrs.evolve(profile, exams=exams)
        if "add_visa" in values:
            visa, visas = values["add_visa"], profile.applicant.visas
            # Without a visa to take there is nothing to add to; a visa taken already adds nothing.
            if visas == ("none",) or visa in visas:
                return None
            applicant = attrs.evolve(profile.applicant, visa=(*visas, visa))
            profile = attrs.evolve(profile, applicant=applicant)
            facts["what_if.visa"] = visa
    except (FieldValueError, FieldValueErrors, ValueError):
        return None  # out of what a profile may hold (a cycle past 2100, say)
    if profile == draft.profile:
        return None
    return profile, facts


def _border_place(draft) -> tuple[str, str, str] | None:
    """(sub-region name, city, state) where added border months are planned: the plan's
    sub-region of highest priority; among equals, the one where the applicant already
    worked (more months where they have ties and letters is the advice an advisor gives,
    not a move to a new area), then the one with the most of the plan's programs (then by
    id); at the city of that work, or else the sub-region's first city."""
    worked = {
        (stint.city.strip().casefold(), stint.state)
        for stint in draft.profile.clinical
        if stint.city and stint.state
    }

    def city_worked_in(sub) -> str | None:
        return next((c for c in sub.cities if (c.casefold(), sub.state) in worked), None)

    programs = draft.programs
    counts: dict[str, int] = {}
    if len(programs):
        names = programs.regions if hasattr(programs, "regions") else None
        if names is not None:
            codes, seen = np.unique(np.asarray(programs.region), return_counts=True)
            counts = {
                names[c]: int(n)
                for c, n in zip(codes.tolist(), seen.tolist())
                if names[c] is not None
            }
        else:
            for d in programs:
                if d.region is not None:
                    counts[d.region] = counts.get(d.region, 0) + 1
    subregions = {s.id: s for s in draft.rulebook.subregions}

    def worked_there(region) -> bool:
        sub = subregions.get(region.id)
        return sub is not None and city_worked_in(sub) is not None

    regions = sorted(
        draft.regions,
        key=lambda r: (
            PRIORITY.get(r.priority, 3),
            not worked_there(r),
            -counts.get(r.id, 0),
            r.id,
        ),
    )
    for region in regions:
        sub = subregions.get(region.id)
        if sub is not None and sub.cities:
            return sub.name, city_worked_in(sub) or sub.cities[0], sub.state
    sub = next((s for s in draft.rulebook.subregions if s.cities), None)
    return (sub.name, sub.cities[0], sub.state) if sub is not None else None


# ------------------------------------------------------------------ deciding a change


class _Changes:
    """Verdicts and tiers of changed profiles, decided from the plan's own decisions.

    A change moves few of the facts rules read: a rule whose facts all keep their
    values (over the same considered programs) keeps its outcome, and only the others
    are asked again. Only verdicts and tiers are compared, so no reason is rendered and
    no unknown fact is collected. A plan decided without the screen and tier stages'
    outcomes is decided again whole (``resplan.pipeline.decide``).
    """

    def __init__(self, draft):
        self.draft = draft
        self.size = len(draft.catalog)
        outcomes = (
            (*draft.screening.outcomes, *draft.tiering.outcomes)
            if draft.screening is not None and draft.tiering is not None
            else ()
        )
        self.read = _read(o.rule for o in outcomes)  # the facts the decisions read
        self._table: tuple[Any, dict[str, tuple]] | None = None  # see _prepared

    def __call__(self, profile) -> tuple[tuple[np.ndarray, np.ndarray], Any, dict[str, str]]:
        """Verdict and tier per catalog row (as ``_by_row``), a function giving the
        catalog rows of the changed plan in plan order, and the changed plan's fit per
        specialty."""
        from resplan import pipeline  # the pipeline imports this stage
        from resplan.stages import screen, tier

        base = self.draft
        if base.screening is None or base.tiering is None or not base.screening.outcomes:
            after = pipeline.decide(profile, base)
            by_row = _by_row(after.programs, base.catalog, self.size)
            return by_row, lambda: _plan_rows(after.programs, base.catalog), _fits(after)
        screening = base.screening
        draft = self._profile_stages(profile)
        table, inputs = self._prepared(draft)
        same_rows = table.keys is screening.table.keys or np.array_equal(
            table.keys.row, screening.table.keys.row
        )

        # The facts the rules read that change their values (or their columns' values);
        # screen.verdict is the screen stage's outcome, compared as a whole below.
        changed = frozenset(
            name
            for name in self.read
            if (
                inputs[name] != screening.inputs[name]
                if name in inputs
                else name != "screen.verdict"
                and name not in table.columns
                and not _same(draft.env.get(name), base.env.get(name))
            )
        )

        def same(rule: Rule, severity_same: bool = True) -> bool:
            names = rule.condition.names
            return (
                same_rows
                and names.isdisjoint(changed)
                and (severity_same or "screen.verdict" not in names)
            )

        fired = _fired(screening.outcomes, table, draft.env, same)
        severity = screen.severities(fired, table.rows)
        severity_same = same_rows and np.array_equal(severity, screening.severity)
        outcomes = base.tiering.outcomes
        if all(same(o.rule, severity_same) for o in outcomes):
            placed = base.tiering.tier
        else:
            table.add_coded_column("screen.verdict", severity.astype(np.intp), screen.SEVERITY)
            fired = _fired(outcomes, table, draft.env, lambda r: same(r, severity_same))
            placed, steps = tier.place(fired, table.rows)
            placed = np.minimum(placed + steps, tier.DEFAULT_TIER).astype(np.int8)
        skipped = severity == SKIP
        verdict = np.full(self.size, NOT_CONSIDERED, dtype=np.int8)
        tiers = np.zeros(self.size, dtype=np.int8)
        keys = table.keys
        verdict[keys.row] = severity
        tiers[keys.row] = np.where(skipped, tier.NO_TIER, placed)

        def plan_rows() -> np.ndarray:
            return keys.row[tier.decision_order(keys.id_rank, severity, placed, skipped)]

        return (verdict, tiers), plan_rows, _fits(draft)

    def _prepared(self, draft) -> tuple[Any, dict[str, tuple]]:
        """``screen.prepare(draft)``: the table of the programs ``draft`` considers and
        the columns its specialties and sub-regions give. A change that keeps what those
        columns are made of (each considered specialty's facts, each sub-region's name and
        priority) gets the table made for an earlier such change of this plan: the rules
        it asks again read the same columns (and ``screen.verdict``, set again before
        each use)."""
        from resplan.stages import screen

        if not self._same_considered(draft):
            return screen.prepare(draft)
        if self._table is None:
            self._table = screen.prepare(draft)
        return self._table

    def _same_considered(self, draft) -> bool:
        """Whether ``draft``'s specialties and sub-regions give the plan's columns."""
        base = self.draft
        if draft.regions is not base.regions and _region_facts(draft.regions) != _region_facts(
            base.regions
        ):
            return False
        envs, base_envs = draft.specialty_envs, base.specialty_envs
        if envs is base_envs:
            return True
        if envs.keys() != base_envs.keys():
            return False
        facts = _SPECIALTY_COLUMNS
        return all(
            _same(envs[name].get(fact), base_envs[name].get(fact))
            for name in envs
            for fact in facts
        )

    def _profile_stages(self, profile):
        """The stages of ``resplan.pipeline.DECIDING`` before ``screen`` for ``profile``;
        the specialties and regions stages keep the plan's results when what they read
        keeps its values (the regions stage also when no decision reads the priorities
        it gives). Only what screening reads is compared, so the stages leave their
        reasons out."""
        from resplan import pipeline
        from resplan.stages import assess, regions, specialties

        base = self.draft
        draft = pipeline.start(profile, base.catalog, base.rulebook, base.as_of, base.verified)
        for name, run in pipeline.STAGES:
            if name == "screen":
                break
            if name not in pipeline.DECIDING:
                continue
            if name == "specialties" and self._same_specialties(draft):
                env = dict(draft.env)
                if "wishes.best_fit" in base.screening.env:
                    env["wishes.best_fit"] = base.screening.env["wishes.best_fit"]
                draft = draft.evolve(
                    specialties=base.specialties, specialty_envs=base.specialty_envs, env=env
                )
            elif name == "regions" and (
                "region.priority" not in self.read or self._same_regions(draft)
            ):
                # The regions stage decides each sub-region's priority: only decisions
                # reading region.priority see it (the sub-regions' names are the rulebook's).
                draft = draft.evolve(regions=base.regions)
            elif name == "specialties":
                draft = specialties.run(draft, reasons=False)
            elif name == "regions":
                draft = regions.run(draft, reasons=False)
            elif name == "assess":
                draft = assess.run(draft, reasons=False)
            else:
                draft = run(draft)
        return draft

    def _same_specialties(self, draft) -> bool:
        # The stage sets specialty.* and wishes.best_fit itself, from the fits.
        base = self.draft
        if draft.profile.applicant.specialties != base.profile.applicant.specialties:
            return False
        rulebook = draft.rulebook
        names = _of_rulebook(rulebook, "specialties", lambda: _read(rulebook.rules("specialties")))
        return _same_facts(names, draft.env, base.screening.env, ("specialty.", "wishes.best_fit"))

    def _same_regions(self, draft) -> bool:
        # The stage sets region.* itself, from the sub-regions, the preferred states and
        # the considered specialties' programs.
        base = self.draft
        if draft.profile.applicant.states != base.profile.applicant.states or {
            t.name for t in draft.specialties
        } != {t.name for t in base.specialties}:
            return False
        rulebook = draft.rulebook
        names = _of_rulebook(rulebook, "regions", lambda: _read(rulebook.rules("regions")))
        return _same_facts(names, draft.env, base.screening.env, ("region.",))


# The facts of a considered specialty that screen.prepare lays out as columns.
_SPECIALTY_COLUMNS = (*F.specialty_facts(("",)), *F.SPECIALTY_FIT_FACT)


def _region_facts(regions) -> tuple:
    """What screen.prepare reads of the plan's sub-regions."""
    return tuple((r.id, r.name, r.priority) for r in regions)


# What is worked out once per rulebook (a process keeps one, or a few), holding it.
_RULEBOOKS: dict[int, tuple[Rulebook, dict[str, Any]]] = {}


def _of_rulebook(rulebook: Rulebook, what: str, make):
    """``make()``, worked out once for ``rulebook``."""
    found = _RULEBOOKS.get(id(rulebook))
    if found is None or found[0] is not rulebook:
        if len(_RULEBOOKS) >= 8:
            _RULEBOOKS.clear()
        found = _RULEBOOKS[id(rulebook)] = (rulebook, {})
    made = found[1]
    if what not in made:
        made[what] = make()
    return made[what]


def _read(rules) -> frozenset[str]:
    """The facts the conditions of ``rules`` read."""
    return frozenset().union(*(rule.condition.names for rule in rules))


def _same_facts(names, env, base_env, set_by_stage: tuple[str, ...]) -> bool:
    return all(
        _same(env.get(name), base_env.get(name))
        for name in names
        if not name.startswith(set_by_stage)
    )


def _fired(outcomes, table, env, same) -> list[tuple[Rule, np.ndarray]]:
    """Each rule with the rows it fires for: its earlier outcome where ``same(rule)``,
    else asked again of ``table``."""
    from resplan.stages.table import evaluate

    again = [o.rule for o in outcomes if not same(o.rule)]
    asked = {id(o.rule): o.fired for o in evaluate(again, table, env)} if again else {}
    return [(o.rule, asked.get(id(o.rule), o.fired)) for o in outcomes]


def _same(a, b) -> bool:
    """Whether a fact keeps its value (of the same type: rules are typed)."""
    return a.__class__ is b.__class__ and a == b


def _plan_rows(decisions, catalog) -> np.ndarray:
    """The catalog row of each decision, in the decisions' order."""
    rows = getattr(decisions, "catalog_rows", None)
    if rows is None:  # decisions built by hand: find each program by id
        where = {p.id: i for i, p in enumerate(catalog.programs)}
        rows = np.array([where[d.id] for d in decisions], dtype=np.int64)
    return rows


# ------------------------------------------------------------------ comparing two plans


def _fits(draft) -> dict[str, str]:
    return {target.name: target.fit for target in draft.specialties or ()}


def _by_row(programs, catalog, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Verdict (index into VERDICTS; NOT_CONSIDERED) and tier (0: none) per catalog program."""
    verdict = np.full(size, NOT_CONSIDERED, dtype=np.int8)
    tier = np.zeros(size, dtype=np.int8)
    rows = getattr(programs, "catalog_rows", None)
    if rows is None:  # decisions built by hand: find each program by id
        where = {p.id: i for i, p in enumerate(catalog.programs)}
        rows = np.array([where[d.id] for d in programs], dtype=np.int64)
        verdict[rows] = [VERDICTS.index(d.verdict) for d in programs]
        tier[rows] = [d.tier or 0 for d in programs]
        return verdict, tier
    verdict[rows] = programs.verdict
    tier[rows] = programs.tier
    return verdict, tier


def _compare(
    rule: Rule,
    draft,
    values: Mapping[str, Any],
    before,
    after,
    plan_rows,
    fits_after: Mapping[str, str],
    named: int,
    words: bool = True,
) -> WhatIf | None:
    rows, v0, t0 = before
    v1, t1 = after[0][rows], after[1][rows]
    both = v1 != NOT_CONSIDERED
    open0, open1 = both & (v0 < SKIP), both & (v1 < SKIP)
    opened = open1 & ~open0
    closed = open0 & ~open1
    kept = open0 & open1
    better = kept & ((v1 < v0) | ((v1 == v0) & (t1 < t0)))
    worse = kept & ((v1 > v0) | ((v1 == v0) & (t1 > t0)))
    short = _short_of_aimed_score(draft, values, closed | worse, rows)
    harder = _fields_harder_at_aimed_score(
        draft, values, (closed | worse) & ~short, rows, fits_after
    )
    n_opened, n_better = int(opened.sum()), int(better.sum())
    n_worse = int(((closed | worse) & ~short & ~harder.rows).sum())
    if not (n_opened or n_better):
        return None  # nothing gained: not a change worth proposing
    words_env = {**draft.env, **values}
    labels = draft.rulebook.labels
    change = rule.says.render(words_env, labels).strip().rstrip(".") if rule.says else rule.id
    note = (
        rule.effect["note"].render(words_env, labels) if words and "note" in rule.effect else None
    )
    n_short = int(short.sum())
    if n_short and words:
        score = values["what_if.step2ck_score"]
        said = (
            f"{_PROGRAMS_STATE(n_short)} a Step 2 CK minimum or average above {score}. "
            f"A score of {score} does not reach "
            + (
                "it: aim higher for that program."
                if n_short == 1
                else "them: aim higher for those."
            )
        )
        note = f"{note} {said}" if note else said
    if harder.fields and words:
        score = values["what_if.step2ck_score"]
        said = (
            f"A score of {score} is low for {_and(list(harder.fields))}: "
            f"{_PROGRAMS(int(harder.rows.sum()))} there would get a worse verdict or tier. "
            "Aim higher if you keep "
            + ("that field." if len(harder.fields) == 1 else "those fields.")
        )
        note = f"{note} {said}" if note else said
    return WhatIf(
        change=change,
        rule=rule.qualified_id,
        programs_opened=n_opened,
        programs_improved=n_better,
        programs_worsened=n_worse,
        # Over the programs both plans consider, like the counts above: a change that adds
        # or drops a specialty must not read as tier-1 programs won or lost.
        tier1_before=int((open0 & (t0 == 1)).sum()),
        tier1_after=int((open1 & (t1 == 1)).sum()),
        programs_opened_tier1=int((opened & (t1 == 1)).sum()),
        programs=_names(plan_rows, rows[opened], draft.catalog, named),
        note=note,
    )


def _short_of_aimed_score(
    draft, values: Mapping[str, Any], worse: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Of the programs a change makes worse, those where a first Step 2 CK at the aimed
    score falls short of the score the program states (its minimum or its residents'
    average).

    Before the exam such a program's verdict waits for the score (a minimum the applicant
    may still reach is borderline until then); the change plans with one score, which
    falls short there. That is the aim being lower than the program's, not the change
    making the file weaker: these programs are counted apart from the ones it worsens,
    and the note says how many there are. ``worse`` is of the catalog's ``rows``."""
    score = values.get("what_if.step2ck_score")
    before = draft.env.get("profile.step2ck.score")
    if score is None or not worse.any() or (before is not None and not is_unknown(before)):
        return np.zeros_like(worse)
    columns = catalog_table(draft.catalog, draft.rulebook.city_regions).columns
    short = np.zeros_like(worse)
    for name in ("program.min_step2ck", "program.mean_step2ck"):
        column = columns[name]
        with np.errstate(invalid="ignore"):
            short |= np.asarray(column.known, dtype=bool)[rows] & (
                np.asarray(column.values, dtype=float)[rows] > score
            )
    return worse & short


@attrs.frozen
class _Harder:
    rows: np.ndarray  # of the compared rows: programs of the fields below
    fields: tuple[str, ...]  # specialties whose fit falls, in name order


def _fields_harder_at_aimed_score(
    draft,
    values: Mapping[str, Any],
    worse: np.ndarray,
    rows: np.ndarray,
    fits_after: Mapping[str, str],
) -> _Harder:
    """Of the programs a change makes worse, those of a specialty whose fit falls when a
    first Step 2 CK is planned at the aimed score.

    Before the exam a score-driven field is read as a reach (nobody knows the score yet);
    a first score at the aim, which the guide sets for the fields open to IMGs, can be low
    for it. Like a program's stated minimum above the aim, that is the aim being lower
    than the field's, not the change making the file weaker: these programs are counted
    apart from the ones it worsens, and the note names the fields."""
    none = _Harder(np.zeros_like(worse), ())
    score = values.get("what_if.step2ck_score")
    before = draft.env.get("profile.step2ck.score")
    if score is None or not worse.any() or (before is not None and not is_unknown(before)):
        return none
    fits_before = _fits(draft)
    fallen = {
        name
        for name, fit in fits_before.items()
        if name in fits_after and FITS.index(fits_after[name]) < FITS.index(fit)
    }
    if not fallen:
        return none
    programs = draft.catalog.programs
    harder = np.zeros_like(worse)
    for i in np.flatnonzero(worse):
        harder[i] = programs[int(rows[i])].specialty in fallen
    named = tuple(sorted({programs[int(rows[i])].specialty for i in np.flatnonzero(harder)}))
    return _Harder(harder, named)


def _names(plan_rows, opened: np.ndarray, catalog, named: int) -> tuple[str, ...]:
    """The names of the first opened programs (``opened``: their catalog rows) in the
    changed plan's order (best tier first; ``plan_rows()`` gives its catalog rows in that
    order), real programs before generated ones, each name once."""
    if not named or not len(opened):
        return ()
    rows = plan_rows()
    is_opened = np.zeros(len(catalog), dtype=bool)
    is_opened[opened] = True
    positions = np.flatnonzero(is_opened[rows])
    programs = catalog.programs_at(rows[positions])
    programs.sort(key=lambda p: p.synthetic)  # stable: plan order within each kind
    out: list[str] = []
    for program in programs:
        name = program.name + (" (not a real program)" if program.synthetic else "")
        if name not in out:
            out.append(name)
        if len(out) == named:
            break
    return tuple(out)


# ------------------------------------------------------------------ in words


def sentence(entry: WhatIf) -> str:
    """What the change would do, in one or two sentences for the summary."""
    parts = []
    if entry.programs_opened:
        opened, tier1 = entry.programs_opened, entry.programs_opened_tier1
        text = f"open {_PROGRAMS(opened)}"
        if tier1 == opened:
            text += ", in tier 1" if opened == 1 else ", all of them in tier 1"
        elif tier1:
            text += f", {tier1} of them in tier 1"
        parts.append(text)
    if entry.programs_improved:
        count = _MORE_PROGRAMS if entry.programs_opened else _PROGRAMS
        parts.append(f"give {count(entry.programs_improved)} a better verdict or tier")
    text = entry.change[:1].upper() + entry.change[1:]
    if parts:
        text += ": this would " + ", and ".join(parts) + "."
    if entry.programs_worsened:
        lead = "It would also" if parts else ": this would"
        text += (" " if parts else "") + (
            f"{lead} give {_PROGRAMS(entry.programs_worsened)} a worse verdict or tier."
        )
    return text


__all__ = [
    "CODE_PARAMETERS",
    "WHAT_IF",
    "WHAT_IF_FACTS",
    "changed_profile",
    "parameter",
    "run",
    "sentence",
]
