"""A plan as a person reads it: the words, groups and counts every report format shows.

Everything here comes from the plan (and the rulesets' labels, see ``labels.py``); no
count is worked out differently from the plan's own program list and summary. The
formats (``html.py``, ``markdown.py``, ``csv.py``) only lay this out. Values stay plain
text: each format escapes them for itself.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from resplan.facts import verify_label
from resplan.identifiers import safe_website
from resplan.plan import backups_added_late
from resplan.report.labels import Labels
from resplan.vocabulary import REACH_RULES, STATES

NEXT_ACTIONS = 5  # the first screen names at most this many things to do
# A step whose dated deadline is at most this many days after the plan's date comes first
# on the first screen, whatever its phase: the rank list two days before it is due
# matters more than anything to start today. Presentation only.
DUE_SOON_DAYS = 30

CATEGORIES = {
    "verify": "Check program facts",
    "academic": "Exams and study",
    "clinical": "Clinical work",
    "materials": "Application documents",
    "interview": "Interviews",
    "networking": "Contacts",
    "between-cycle": "If you do not match",
}
# The calendar's time between cycles, for a reapplicant whose last Match ended without a
# position: its steps are what to do now, not a plan for a Match still to come.
BETWEEN_CYCLES = "between-cycles"
BETWEEN_CYCLES_LABEL = "Between cycles"
# A between-cycle step to decide first is a reapplicant's (every such rule needs earlier
# cycles): it belongs to the time since the last Match, not to "If you do not match",
# which the reapplicant already lived through (review 11, finding 19).
SINCE_LAST_MATCH = (BETWEEN_CYCLES, "decide")
# Match Week's steps are for either result: SOAP if you did not match, the contract and
# the visa if you did. "If you do not match" would be wrong for half of them.
MATCH_WEEK = "match-week"
MATCH_WEEK_LABEL, MATCH_WEEK_MARK = "Match Week", "M"
# A letter per category, so a timeline entry never says its category by colour alone.
CATEGORY_MARKS = {
    "verify": "V",
    "academic": "E",
    "clinical": "C",
    "materials": "D",
    "interview": "I",
    "networking": "N",
    "between-cycle": "B",
}
FITS = {
    "strong": "Strong fit",
    "possible": "Possible fit",
    "reach": "A reach",
    "unlikely": "Unlikely fit",
}
# Where the outlook places the applicant, against the typical IMG applicant of a specialty.
OUTLOOK_BANDS = {
    "above": "Above the typical IMG applicant",
    "near": "Close to the typical IMG applicant",
    "below": "Below the typical IMG applicant",
    "well-below": "Well below the typical IMG applicant",
    # What is still to come may be a result not sat or not back yet, not only a part the
    # profile leaves out; the cell's text says which (review 12, finding 8).
    "unknown": "Not placed yet",
}
# A field resplan has no published figures for is not placed whatever the profile says:
# that is resplan's gap, not the profile's (review 11, finding 8). "{}" is the field.
OUTLOOK_NO_FIGURES = "Not placed: resplan has no figures for IMG applicants in {}"


def outlook_band(o) -> str:
    """The outlook table's band cell for one specialty's outlook."""
    if o.band == "unknown" and o.img_share is None:
        return OUTLOOK_NO_FIGURES.format(o.specialty)
    return OUTLOOK_BANDS.get(o.band, o.band)


PRIORITIES = {
    "high": "High priority",
    "medium": "Medium priority",
    "low": "Low priority",
    "none": "Not a target",
}
VERDICTS = {"apply": "Apply", "borderline": "Borderline", "skip": "Skip"}
# The program list's groups, in the order the report shows them.
GROUPS = (
    (
        "tier1",
        "Tier 1: your best fit",
        "Programs you pass on every stated filter and that fit you best. Start here.",
    ),
    ("tier2", "Tier 2: a good fit", "Programs you pass on every stated filter, with a good fit."),
    (
        "tier3",
        "Tier 3: a broad net",
        "Other programs you pass on every stated filter. They make your list wider.",
    ),
    ("untiered", "Apply, no tier given", "Programs to apply to that the plan gives no tier."),
    (
        "borderline",
        "Borderline: apply only with an extra step",
        "Programs where one filter is close. Each one names the step that makes it worth it.",
    ),
    # Programs of a backup field the plan adds once this Match's applications are out
    # (resplan.plan.backups_added_late): its title and intro name the field (backup_group).
    ("backup", "A backup field, for SOAP or a next application", ""),
    ("skip", "Skipped", "A filter or a core requirement of the program would stop your file."),
)
BACKUP = "backup"
GROUP_NAMES = {key: title for key, title, _ in GROUPS}
# Tier 3 when every program in it is a reach (vocabulary.REACH_RULES), and the words
# added when some are: a reach is no broad net (review 9, finding 5).
TIER3_REACHES = (
    "Tier 3: reach programs",
    "Programs you pass on every stated filter, but that have taken few or no IMGs lately. "
    "Each one is a long shot: apply only where you would truly go.",
)
TIER3_SOME_REACHES = (
    "Some of them are reaches: programs that have taken few or no IMGs lately. "
    "Their reasons say which."
)
# Chart segments: the verdicts, with the programs to apply to split by tier.
SEGMENTS = (
    ("tier1", "Tier 1"),
    ("tier2", "Tier 2"),
    ("tier3", "Tier 3"),
    ("borderline", "Borderline"),
    ("skip", "Skipped"),
)


def count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def dollars(amount: int) -> str:
    """A whole amount of US dollars as people write it: $1,830."""
    return f"${amount:,}"


def fee_rows(cost) -> list:
    """The specialties of the fee table: those with applications to pay for."""
    return [c for c in cost.by_specialty if c.applications]


def without_programs(cost) -> str:
    """Why a specialty of the plan has no fee line, in a sentence ('' when none lacks one):
    the plan recommends no application in it (the fees are those of full lists)."""
    names = [c.name for c in cost.by_specialty if not c.applications]
    if not names:
        return ""
    them = "it" if len(names) == 1 else "them"
    return f"No fees for {words_list(names)}: the plan recommends no application in {them}."


# The season ruleset's rule on the costs beside the ERAS fees: the reports say it with
# the fees.
OTHER_COSTS = "season/other-costs"


def other_costs(summary) -> str:
    """What the plan says of the costs beside the ERAS fees ('' when it says nothing)."""
    return " ".join(a.says for a in getattr(summary, "advice", ()) if a.rule == OTHER_COSTS)


# The plan's summary.cycle_stage once programs read this Match's applications.
UNDER_WAY = "under way"
# Where the plan's date stands at the end of its Match (match_stage): the rank list
# deadline has passed; from the Monday of Match Week the result is known; Match Day.
RANKED, RESULTS, MATCH_DAY = "ranked", "results", "match-day"
RESULTS_KNOWN = (RESULTS, MATCH_DAY)


def match_stage(plan, labels: Labels) -> tuple[str | None, datetime.date | None]:
    """The plan's date at the end of its Match (None before the rank list deadline or
    without the dates), and the Monday of Match Week."""
    try:
        as_of = datetime.date.fromisoformat(str(plan.provenance.as_of))
        day = datetime.date.fromisoformat(str(plan.summary.match_day))
    except (AttributeError, TypeError, ValueError):
        return None, None
    monday = day - datetime.timedelta(days=day.weekday())
    if as_of == day:
        return MATCH_DAY, monday
    if as_of >= monday:
        return RESULTS, monday
    if labels.rank_list_days is not None and as_of > day - datetime.timedelta(
        days=labels.rank_list_days
    ):
        return RANKED, monday
    return None, monday


def calendar_note(stage: str | None, match_day: str | None, monday) -> str | None:
    """The sentence on the plan's date and its Match once the rank list deadline has
    passed, in place of the usual 'Match Day is on' and stage of the cycle."""
    if stage is None or match_day is None or monday is None:
        return None
    learned = f"On Monday, {nice_date(monday.isoformat())}, you learned whether you matched"
    if stage == MATCH_DAY:
        return f"Today is Match Day ({match_day}). {learned}: the steps below cover both cases."
    if stage == RESULTS:
        return f"Match Day is on {match_day}. {learned}: the steps below cover both cases."
    return (
        f"Match Day is on {match_day}. The rank list deadline has passed: the steps below "
        "cover Match Week and after."
    )


def interviews_over(plan, labels: Labels) -> bool:
    """Whether the plan's date is past the month interview season of its Match ends (the
    calendar's ``interviews`` phase): a new application would bring no interview in time."""
    if labels.interviews_until is None:
        return False
    try:
        as_of = datetime.date.fromisoformat(str(plan.provenance.as_of))
        year = datetime.date.fromisoformat(str(plan.summary.match_day)).year
    except (AttributeError, TypeError, ValueError):
        return False
    until_year, until_month = labels.interviews_until
    return (as_of.year, as_of.month) > (year + until_year, until_month)


def under_way(summary) -> bool:
    """Whether programs already read the applications of the plan's Match on its date."""
    return getattr(summary, "cycle_stage", None) == UNDER_WAY


def numbers_under_way(
    s, stage: str | None = None, interviews_done: bool = False, listed: int | None = None
) -> list[str]:
    """What the list's numbers mean once programs read this Match's applications: the
    documents and signals sent stay as they are (more programs can still be added), and a full list (with what to find outside the catalog) is for a next
    application. Nothing when the plan holds no list at all. ``stage`` is the plan's
    ``match_stage``: once the rank list deadline has passed, nothing goes to programs any
    more, and from the Monday of Match Week the result is known. ``interviews_done``:
    interview season is over (``interviews_over``), so adding programs no longer helps.
    ``listed``: the programs of this Match's list the plan shows; with none, there is
    nothing to compare the applications with (review 12, finding 3)."""
    full = s.recommended or s.applications
    if not full:
        return []
    sent = (
        "Applications for this Match are already with programs. The documents and "
        "signals you sent stay as they are. You can still apply to more programs: the "
        "sooner, the better. Compare your list with these programs. The steps above say "
        "what can still help now."
    )
    if interviews_done:
        sent = (
            "Applications for this Match are already with programs, and interview season "
            "is over. A program you apply to now would not interview you in time, so put "
            "your time into your rank list. Compare your list with these programs for a "
            "next application."
        )
    if stage is not None:
        sent = (
            "The rank list deadline of this Match has passed, so your applications and "
            "your rank list are in. Compare your list with these programs."
        )
    unmatched = (
        "if you did not match"
        if stage in RESULTS_KNOWN
        else "if this Match ends without a position"
    )
    nxt = (
        f"For a next application, {unmatched}: a full list "
        f"holds about {count(full, 'application', 'applications')}"
    )
    if s.shortfall:
        nxt += (
            f", so find about {count(s.shortfall, 'more program', 'more programs')} "
            "outside this catalog"
        )
    if listed == 0:
        for compare in (
            " Compare your list with these programs for a next application.",
            " Compare your list with these programs.",
        ):
            sent = sent.replace(compare, "")
    return [sent, nxt + "."]


def what_if_effect(change) -> str:
    """What a change of ``[[what_if]]`` would do to the program list, in words."""
    parts = []
    if change.programs_opened:
        tier1 = change.programs_opened_tier1
        inside = f" ({tier1:,} in tier 1)" if tier1 else ""
        parts.append(f"opens {count(change.programs_opened, 'program', 'programs')}{inside}")
    if change.programs_improved:
        parts.append(
            f"gives {count(change.programs_improved, 'program', 'programs')} a "
            "better verdict or tier"
        )
    if change.programs_worsened:
        parts.append(
            f"gives {count(change.programs_worsened, 'program', 'programs')} a "
            "worse verdict or tier"
        )
    text = "It " + words_list(parts) + "." if parts else "It moves no program."
    text += (
        f" Tier 1 programs: {change.tier1_before:,} now, {change.tier1_after:,} with the change."
    )
    if change.programs:
        text += " First programs it opens: " + "; ".join(change.programs) + "."
    return text


@functools.lru_cache(maxsize=256)
def field_label(name: str) -> str:
    """How a report names a program fact to verify: the fact's label, never its name."""
    from resplan.facts import PROGRAM_FACTS

    fact = PROGRAM_FACTS.get(f"program.{name}")
    return fact.label if fact is not None else name.replace("_", " ")


def signal_caption(group) -> str:
    """What a specialty's table of programs to signal holds, counted: "8 programs to
    signal in Internal Medicine: 3 gold signals and 5 silver signals"."""
    chosen = group.programs
    head = f"{count(len(chosen), 'program', 'programs')} to signal in {group.specialty}"
    kinds = [
        count(n, f"{kind} signal", f"{kind} signals")
        for kind in ("gold", "silver")
        if (n := sum(c.kind == kind for c in chosen))
    ]
    return head + (f": {' and '.join(kinds)}" if kinds else "")


def state_name(code: str) -> str:
    return STATES.get(code, code)


def words_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if any("," in item or " and " in item for item in items):
        # "Nogales, Sierra Vista and southern Arizona" holds a list of its own: only
        # semicolons keep the items apart.
        return "; ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def nice_date(text: str | None) -> str | None:
    """``2026-05-04`` as ``4 May 2026`` (no month names as numbers); other text as it is."""
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return f"{day.day} {day:%B} {day.year}"


@dataclass
class Row:
    """One program of the program list."""

    id: str
    name: str
    specialty: str
    track: str
    city: str
    state: str
    region: str  # the border sub-region's name, or ""
    verdict: str
    tier: int | None
    group: str
    reasons: tuple[str, ...]
    to_verify: tuple[str, ...]  # labels
    synthetic: bool
    # Where to look the program up, "" when the plan does not say; the website only when
    # it is an http(s) address (resplan.identifiers.safe_website), a plan being editable.
    acgme_id: str = ""
    nrmp_code: str = ""
    website: str = ""
    # A tier 3 program kept as a reach (vocabulary.REACH_RULES): it has taken few or no
    # IMGs lately.
    reach: bool = False

    @property
    def place(self) -> str:
        return f"{self.city}, {self.state}"

    @property
    def verdict_label(self) -> str:
        label = VERDICTS.get(self.verdict, self.verdict.capitalize())
        return f"{label}, tier {self.tier}" if self.tier and self.verdict != "skip" else label


@dataclass
class Group:
    key: str
    title: str
    intro: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class ChartRow:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Chart:
    id: str
    title: str
    description: str
    rows: list[ChartRow]
    places: str = "places"  # what a row is, in the plural: "states", "sub-regions"

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(r.counts[key] for r in self.rows) for key, _ in SEGMENTS}

    @property
    def largest(self) -> int:
        return max((r.total for r in self.rows), default=0)


@dataclass
class Step:
    category: str
    category_label: str
    mark: str
    title: str
    detail: str
    when: str
    timing: str


# A reason resting on a part the profile leaves out opens with the plan's sentence on it
# (resplan.stages.common.with_guesses), so that each line of the plan file stands alone.
# A report lists those parts once, under "What your profile leaves out": said again in
# each reason, one part left out filled a page a dozen times (review 11, finding 12).
# There the reason keeps a short pointer instead.
GUESS_POINTER = "(This rests on a guess: see “What your profile leaves out”.)"


def without_gap_sentences(text: str, sentences: tuple[str, ...]) -> str:
    """``text`` without any of ``sentences`` in it, and with GUESS_POINTER once at its end
    when one was taken out; unchanged when none is in it."""
    kept = _without_gaps(text, sentences)
    if kept == text:
        return text
    return f"{kept} {GUESS_POINTER}" if kept else GUESS_POINTER


def _without_gaps(text: str, sentences: tuple[str, ...]) -> str:
    """``text`` without any of ``sentences`` in it ('' when nothing else is left)."""
    kept = text
    for sentence in sentences:
        if sentence and sentence in kept:
            kept = " ".join(part.strip() for part in kept.split(sentence) if part.strip())
    return kept


@dataclass
class Report:
    plan: Any
    labels: Labels
    for_whom: str
    date: str | None
    match_day: str | None
    cycle_stage: str | None
    match_stage: str | None  # RANKED, RESULTS, MATCH_DAY or None (see match_stage)
    calendar_note: str | None
    next_steps: list[Step]
    steps: list[Step]
    rows: list[Row]  # every program, in plan order
    headline: list[tuple[str, str, str]]  # (number, what, extra words)
    groups: list[Group]
    synthetic: list[Group]
    real_count: int
    synthetic_count: int
    charts: list[Chart]
    verify: list[Row]
    verify_synthetic: list[Row]  # only counted: a generated program has nobody to ask
    states: list[str]
    specialties: list[str]
    figures: list
    rules: list[CitedRule]
    extra_summary: list[tuple[str, str]]
    assessment_extra: list[tuple[str, str]]
    # What the what-if pass says beyond its listed changes (that none would move a
    # program, say): shown with the changes, not with the advice on applications.
    what_if_said: list[str] = field(default_factory=list)
    # The plan's date is past its Match's interview season (interviews_over).
    interviews_over: bool = False
    # What the profile leaves out, as the plan words each part (see ``brief``).
    gap_sentences: tuple[str, ...] = ()

    def brief(self, text: str) -> str:
        """``text`` without the sentences on parts the profile leaves out (see
        without_gap_sentences): the report lists them once, under their own heading."""
        return without_gap_sentences(text, self.gap_sentences)

    @property
    def listed(self) -> int:
        """The programs of this Match's list the report's numbers count."""
        return list_counts(self.plan.summary, self.rows).apply

    @property
    def timeline(self) -> list[tuple[str, list[Step]]]:
        """The steps under their dates, in plan order. Steps of one date stay under one
        heading even where the plan puts other steps between them (a step to decide
        first and the longer work both say 'Start on this today'): one heading, said
        once (review 10, finding 16)."""
        out: dict[str, list[Step]] = {}
        for step in self.steps:
            out.setdefault(step.when, []).append(step)
        return list(out.items())

    @property
    def between_cycles(self) -> list[Step]:
        """What to do if the Match ahead ends without a position."""
        return [
            s
            for s in self.steps
            if s.category == "between-cycle" and s.timing not in SINCE_LAST_MATCH
        ]

    @property
    def since_last_match(self) -> list[Step]:
        """A reapplicant's steps between their last Match and the next application."""
        return [
            s for s in self.steps if s.category == "between-cycle" and s.timing in SINCE_LAST_MATCH
        ]


def _group_of(verdict: str, tier: int | None) -> str:
    if verdict == "apply":
        return f"tier{tier}" if tier in (1, 2, 3) else "untiered"
    return verdict if verdict in ("borderline", "skip") else "skip"


def _most_promising(rows: list[Row]) -> list[Row]:
    """Rows as the plan orders them (best tier, apply before borderline), and within those,
    programs known to take IMGs before those whose share of IMGs is not known."""
    unknown = field_label("img_share")
    return sorted(rows, key=lambda r: (r.tier or 4, r.verdict != "apply", unknown in r.to_verify))


def _badge(action) -> tuple[str, str]:
    """The category's label and letter on a step: between cycles and in Match Week, the
    step's timing names it better than "If you do not match"."""
    if action.category == "between-cycle" and action.timing in SINCE_LAST_MATCH:
        return BETWEEN_CYCLES_LABEL, CATEGORY_MARKS["between-cycle"]
    if action.category == "between-cycle" and action.timing == MATCH_WEEK:
        return MATCH_WEEK_LABEL, MATCH_WEEK_MARK
    label = CATEGORIES.get(action.category, action.category.replace("-", " ").capitalize())
    return label, CATEGORY_MARKS.get(action.category, action.category[:1].upper())


def _region_names(plan, labels: Labels) -> dict[str, str]:
    names = dict(labels.subregions)
    names.update({r.id: r.name for r in plan.regions})
    return names


def backup_group(group: Group, fields: Sequence[str]) -> None:
    """The title and intro of the programs of a backup field the plan adds once this
    Match's applications are out: the plan cannot tell whether the list sent holds them,
    so they are not tiered with it; they serve an applicant who applied there, SOAP and a
    next application (guide, Step 6 / Adjusting Your Target Strategy; the SOAP step of
    the plan prepares for them)."""
    names = words_list(sorted(fields))
    one = len(fields) == 1
    group.title = (
        f"{names}: {'a backup field' if one else 'backup fields'}, for SOAP or a next application"
    )
    # A plan made before programs read may have proposed the same field (the plan cannot
    # know what was sent): both cases are said (review 12, finding 1).
    group.intro = (
        f"This plan adds {names} as {'a backup field' if one else 'backup fields'}. "
        f"If you applied in {'it' if one else 'them'}, as a plan made before applications "
        "went out may have proposed, these programs are part of your list: check the facts "
        "of each one that invites you. If you did not, keep them for SOAP, in Match Week, "
        "if this Match ends without a position, and for a next application. Each reason "
        "gives the tier the program would have on such a list."
    )


def _name_tier3(group: Group) -> None:
    """Tier 3 as it is: reach programs when all of its programs are, a broad net that
    says some are reaches when some are."""
    found = sum(1 for row in group.rows if row.reach)
    if not found:
        return
    if found == len(group.rows):
        group.title, group.intro = TIER3_REACHES
    else:
        group.intro = f"{group.intro} {TIER3_SOME_REACHES}"


def build(plan, labels: Labels) -> Report:
    region_names = _region_names(plan, labels)
    late = backups_added_late(plan.specialties, getattr(plan.summary, "cycle_stage", None))
    # Visa sponsorship to verify is named as the visas the applicant would take.
    visas = getattr(plan.assessment, "visas", None)
    rows: list[Row] = []
    gap_sentences = tuple(
        m.says for m in getattr(plan.assessment, "missing", ()) or () if getattr(m, "says", "")
    )
    # Thousands of programs share a few reason and fact lists: word each list once.
    says: dict = {}
    kept_as_reach: dict = {}
    facts: dict = {}
    for p in plan.programs:
        region = region_names.get(p.region, "another border area") if p.region else ""
        reasons = says.get(p.reasons)
        if reasons is None:
            reasons = says[p.reasons] = tuple(
                without_gap_sentences(r.says, gap_sentences) for r in p.reasons
            )
            kept_as_reach[p.reasons] = any(r.rule in REACH_RULES for r in p.reasons)
        to_verify = facts.get(p.to_verify)
        if to_verify is None:
            to_verify = facts[p.to_verify] = tuple(verify_label(f, visas) for f in p.to_verify)
        rows.append(
            Row(
                id=p.id,
                name=p.name,
                specialty=p.specialty,
                track=getattr(p, "track", None) or "",
                city=p.city,
                state=p.state,
                region=region,
                verdict=p.verdict,
                tier=p.tier,
                group=BACKUP
                if p.specialty in late and p.verdict != "skip"
                else _group_of(p.verdict, p.tier),
                reasons=reasons,
                to_verify=to_verify,
                synthetic=bool(getattr(p, "synthetic", None)),
                acgme_id=getattr(p, "acgme_id", None) or "",
                nrmp_code=getattr(p, "nrmp_code", None) or "",
                website=safe_website(getattr(p, "website", None)) or "",
                reach=p.tier == 3 and kept_as_reach[p.reasons],
            )
        )
    groups = [Group(k, t, i) for k, t, i in GROUPS]
    synthetic = [Group(k, t, i) for k, t, i in GROUPS]
    by_key = {g.key: g for g in groups}
    synthetic_by_key = {g.key: g for g in synthetic}
    for row in rows:
        (synthetic_by_key if row.synthetic else by_key)[row.group].rows.append(row)
    for group in (by_key["tier3"], synthetic_by_key["tier3"]):
        _name_tier3(group)
    for group in (by_key[BACKUP], synthetic_by_key[BACKUP]):
        backup_group(group, sorted({r.specialty for r in group.rows}))

    steps = [
        Step(a.category, *_badge(a), a.title, a.detail, a.when, a.timing) for a in plan.actions
    ]
    s = plan.summary
    provenance = plan.provenance
    real = [r for r in rows if not r.synthetic]
    verify = [r for r in rows if r.to_verify]
    stage, monday = match_stage(plan, labels)
    match_day = nice_date(getattr(s, "match_day", None))
    return Report(
        plan=plan,
        labels=labels,
        for_whom=_for_whom(plan),
        date=nice_date(getattr(provenance, "as_of", None)),
        match_day=match_day,
        cycle_stage=getattr(s, "cycle_stage", None),
        match_stage=stage,
        calendar_note=calendar_note(stage, match_day, monday),
        # The plan lists its actions by when they are due (resplan.stages.actions): a
        # choice to make first, then what the season asks now, then the longer work; a
        # dated deadline close at hand goes before them all.
        next_steps=_next_steps(steps, plan, labels),
        steps=steps,
        rows=rows,
        headline=_headline(s, rows, stage),
        groups=[g for g in groups if g.rows],
        synthetic=[g for g in synthetic if g.rows],
        real_count=len(real),
        synthetic_count=len(rows) - len(real),
        charts=_charts(rows, plan, region_names),
        # This Match's programs first, then a backup field's added after the
        # applications went out (a check for SOAP or a next application), then skipped.
        verify=_most_promising(
            [r for r in verify if not r.synthetic and r.verdict != "skip" and r.group != BACKUP]
        )
        + _most_promising([r for r in verify if not r.synthetic and r.group == BACKUP])
        + [r for r in verify if not r.synthetic and r.verdict == "skip"],
        verify_synthetic=[r for r in verify if r.synthetic],
        states=sorted({r.state for r in rows}, key=state_name),
        specialties=sorted({r.specialty for r in rows}),
        figures=_figures(plan, labels),
        rules=_rules(plan, labels),
        extra_summary=_extra(s, known=_SUMMARY_SHOWN),
        assessment_extra=_extra(plan.assessment, known=("weaknesses", "strengths", "missing")),
        what_if_said=what_if_said(plan),
        interviews_over=interviews_over(plan, labels),
        gap_sentences=gap_sentences,
    )


# The rules of the what-if ruleset, as a plan cites them.
WHAT_IF_RULES = "what-if/"


def what_if_said(plan) -> list[str]:
    """The summary's advice from the what-if pass that is not about one of its listed
    changes: for example, that none of the changes it tried would move a program."""
    listed = {w.rule for w in getattr(plan, "what_if", ()) or ()}
    return [
        a.says
        for a in plan.summary.advice
        if a.rule.startswith(WHAT_IF_RULES) and a.rule not in listed
    ]


def _next_steps(steps: list[Step], plan, labels: Labels) -> list[Step]:
    """The first screen's steps: those with a dated deadline within DUE_SOON_DAYS, nearest
    first (SOAP too), then the others in the plan's order."""
    due = _deadlines_soon(plan, labels)
    soon = sorted((st for st in steps if st.timing in due), key=lambda st: due[st.timing])
    rest = [st for st in steps if st.timing not in due]
    return (soon + rest)[:NEXT_ACTIONS]


def _deadlines_soon(plan, labels: Labels) -> dict[str, datetime.date]:
    """Phase id -> its dated deadline, for the calendar's two dated days (the rank list
    deadline, of the rank list and of what must be done by it, and Match Day, which ends
    Match Week) that fall within DUE_SOON_DAYS of the plan's date. Without a Match Day or
    a date in the plan, none."""
    try:
        as_of = datetime.date.fromisoformat(str(plan.provenance.as_of))
        match_day = datetime.date.fromisoformat(str(plan.summary.match_day))
    except (AttributeError, TypeError, ValueError):
        return {}
    # Without the calendar's figure, Match Day is the latest the rank list can be due.
    rank_list = match_day - datetime.timedelta(days=labels.rank_list_days or 0)
    dated = {
        "rank-list-days": rank_list,
        "by-rank-list": rank_list,
        "rank-list": rank_list,
        "match-week": match_day,
    }
    return {phase: day for phase, day in dated.items() if 0 <= (day - as_of).days <= DUE_SOON_DAYS}


def _for_whom(plan) -> str:
    wished = sorted(
        (t for t in plan.specialties if t.wished),
        key=lambda t: (t.rank is None, t.rank or 0, t.name),
    )
    if not wished:
        return "This plan is for an applicant who named no specialty."
    names = [
        f"{t.name} (first choice)" if i == 0 and len(wished) > 1 else t.name
        for i, t in enumerate(wished)
    ]
    return f"This plan is for an applicant to {words_list(names)}."


def real_tiers(rows: list[Row]) -> tuple[int, int, int]:
    """Programs to apply to in tiers 1, 2 and 3 that are real (not generated), on this
    Match's list (not a backup field added after it went out)."""
    tiers = [r.tier for r in rows if r.verdict != "skip" and not r.synthetic and r.group != BACKUP]
    return tiers.count(1), tiers.count(2), tiers.count(3)


@dataclass
class ListCounts:
    """The summary's counts of programs to apply to, borderline and by tier, without the
    programs of a backup field added after this Match's applications went out (the
    report's backup group), and how many of those there are."""

    apply: int
    borderline: int
    tiers: tuple[int, int, int]
    backup: int = 0
    backup_fields: tuple[str, ...] = ()


def list_counts(s, rows: list[Row]) -> ListCounts:
    late = [r for r in rows if r.group == BACKUP]
    if not late:
        return ListCounts(s.apply, s.borderline, (s.tier1, s.tier2, s.tier3))
    tiers = [r.tier for r in late]
    return ListCounts(
        s.apply - sum(r.verdict == "apply" for r in late),
        s.borderline - sum(r.verdict == "borderline" for r in late),
        (s.tier1 - tiers.count(1), s.tier2 - tiers.count(2), s.tier3 - tiers.count(3)),
        len(late),
        tuple(sorted({r.specialty for r in late})),
    )


def list_label(s, stage: str | None = None) -> tuple[str, str]:
    """What the plan's programs not skipped are on its date, and a word on what to do with
    them: before programs read, the programs to apply to; once they read, the applications
    are sent, so the list is to compare with them; once the rank list deadline has passed,
    nothing more goes out in this Match, and the list is for a next application."""
    if not under_way(s):
        return "Programs to apply to", ""
    if stage is None:
        return "Programs in this plan", "compare them with the applications you sent"
    unmatched = (
        "if you did not match" if stage in RESULTS_KNOWN else "if this Match ends without one"
    )
    return "Programs for a next application", unmatched


def _tier3_words(rows: list[Row]) -> str:
    """What tier 3 is in the headline: reach programs when its real programs are all
    reaches (their group says so), else a broad net."""
    real = [r for r in rows if r.group == "tier3" and not r.synthetic]
    return "reach programs" if real and all(r.reach for r in real) else "a broad net"


def _headline(s, rows: list[Row], stage: str | None = None) -> list[tuple[str, str, str]]:
    real = sum(1 for r in rows if r.verdict == "apply" and not r.synthetic and r.group != BACKUP)
    label, meant = list_label(s, stage)
    counted = list_counts(s, rows)
    sample = (
        meant
        if real == counted.apply
        else (f"{real:,} of them {'is a real program' if real == 1 else 'are real programs'}")
    )
    # With a generated sample the tiers count real programs, the ones to act on; the
    # plan's own counts (every program) are in its summary.
    tiers = counted.tiers
    third = _tier3_words(rows)
    if any(r.synthetic for r in rows):
        real_counts = real_tiers(rows)
        kind = " (real)"
        what = [
            f"{words} ({total - n:,} more generated)" if total != n else words
            for words, total, n in zip(
                ("your best fit", "a good fit", third), tiers, real_counts, strict=True
            )
        ]
        tiers = real_counts
    else:
        kind, what = "", ["your best fit", "a good fit", third]
    backup = (
        [
            (
                f"{counted.backup:,}",
                "Programs of a backup field",
                f"{words_list(counted.backup_fields)}: part of your list if you applied "
                "in it, else for SOAP or a next application",
            )
        ]
        if counted.backup
        else []
    )
    return [
        (f"{counted.apply:,}", label, sample),
        (f"{tiers[0]:,}", f"Tier 1 programs{kind}", what[0]),
        (f"{tiers[1]:,}", f"Tier 2 programs{kind}", what[1]),
        (f"{tiers[2]:,}", f"Tier 3 programs{kind}", what[2]),
        (f"{counted.borderline:,}", "Borderline programs", "apply only with an extra step"),
        *backup,
        (f"{s.to_verify:,}", "Programs with facts to verify", "ask the program"),
        (f"{s.skip:,}", "Skipped programs", "a filter would stop your file"),
    ]


def _charts(rows: list[Row], plan, region_names) -> list[Chart]:
    def tally(key_of) -> list[ChartRow]:
        table: dict[str, dict[str, int]] = {}
        for row in rows:
            key = key_of(row)
            if key is None:
                continue
            counts = table.get(key)
            if counts is None:
                counts = table[key] = {k: 0 for k, _ in SEGMENTS}
            counts[row.group if row.group in counts else "tier3"] += 1
        return [ChartRow(k, v) for k, v in table.items()]

    # The charts show the main list: the real programs. A plan of generated programs only
    # (a test of a national catalog) is charted all the same, and its titles say so. A
    # backup field's programs shown apart are not charted: the charts add up to the
    # headline's count and tiers (review 12, finding 2).
    rows = [r for r in rows if r.group != BACKUP]
    real = [r for r in rows if not r.synthetic]
    sample = "" if real else " (generated sample, not real programs)"
    rows = real or rows
    by_state = tally(lambda r: state_name(r.state))
    by_state.sort(key=lambda r: (-(r.total - r.counts["skip"]), -r.total, r.label))
    order = {r.id: i for i, r in enumerate(plan.regions)}
    by_region = tally(lambda r: r.region or None)
    ids = {name: rid for rid, name in region_names.items()}
    by_region.sort(key=lambda r: (order.get(ids.get(r.label), 10**6), r.label))
    if not by_state:
        return []
    charts = [
        Chart(
            "chart-states",
            "Programs by state" + sample,
            "How many programs of the plan are in each state, by tier and verdict.",
            by_state,
            "states",
        )
    ]
    if by_region:
        charts.append(
            Chart(
                "chart-regions",
                "Programs in the border sub-regions" + sample,
                "How many programs of the plan are in each border sub-region, "
                "by tier and verdict, highest priority first.",
                by_region,
                "sub-regions",
            )
        )
    return charts


# Summary fields the report shows in its own words; others are listed as they come.
_SUMMARY_SHOWN = (
    "programs_in_catalog",
    "programs_considered",
    "programs_outside_specialties",
    # Real and generated programs are told apart in the headline and on every row.
    "programs_real",
    "programs_synthetic",
    "apply",
    "borderline",
    "skip",
    "tier1",
    "tier2",
    "tier3",
    "to_verify",
    "applications",
    "spread",
    "advice",
    "cycle_stage",
    "match_day",
    "recommended",
    "shortfall",
    "by_specialty",
    "cost",
)


def _extra(record, known) -> list[tuple[str, str]]:
    """Fields a newer plan has that this report does not know, in plain words: shown, not lost."""
    import attrs

    out: list[tuple[str, str]] = []
    if not attrs.has(type(record)):
        return out
    for a in attrs.fields(type(record)):
        value = getattr(record, a.name)
        if a.name in known or value in (None, (), ""):
            continue
        if isinstance(value, (str, int, float)):
            out.append((a.name.replace("_", " ").capitalize(), str(value)))
    return out


def _cited(plan) -> dict[str, str]:
    """Each rule the plan cites, in id order, with a thing the plan says by it."""
    said: dict[str, str] = {}
    for reason in plan.summary.advice:
        said.setdefault(reason.rule, reason.says)
    for finding in (*plan.assessment.weaknesses, *plan.assessment.strengths):
        for reason in finding.reasons:
            said.setdefault(reason.rule, reason.says)
    for target in (*plan.specialties, *plan.regions):
        for reason in target.reasons:
            said.setdefault(reason.rule, reason.says)
    for action in plan.actions:
        said.setdefault(action.id, action.title)
    outlook = getattr(plan, "outlook", None)
    if outlook is not None:
        for reason in outlook.says:
            said.setdefault(reason.rule, reason.says)
        for item in outlook.specialties:
            for reason in (*item.against, *item.in_favour, *item.context):
                said.setdefault(reason.rule, reason.says)
    # Programs' reasons come in another order from a plan read back from its file, so a
    # rule only programs cite is shown by the first of its texts in text order.
    by_programs: dict[str, str] = {}
    programs = plan.programs
    reason_sets = getattr(programs, "reason_sets", None)
    for reasons in reason_sets if reason_sets is not None else (p.reasons for p in programs):
        for reason in reasons:
            known = by_programs.get(reason.rule)
            if known is None or reason.says < known:
                by_programs[reason.rule] = reason.says
    for rule, says in by_programs.items():
        said.setdefault(rule, says)
    return {rule: said[rule] for rule in sorted(said)}


@dataclass(frozen=True)
class CitedRule:
    """A rule the plan cites, shown by something the plan says with it (readers are applicants:
    the rule's id is kept for advisors in the page's markup, not in its text)."""

    rule: str
    said: str
    source: str


def _first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of ``text``, cut at a word near ``limit`` characters."""
    text = " ".join(text.split())
    end = text.find(". ")
    sentence = text if end < 0 else text[: end + 1]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _rules(plan, labels: Labels) -> list[CitedRule]:
    # The example is the rule's own words: a sentence on a part the profile leaves out,
    # which opens a reason resting on it, says nothing of the rule (review 12, finding 5).
    gaps = tuple(m.says for m in getattr(plan.assessment, "missing", ()) or () if m.says)
    return [
        CitedRule(
            rule,
            _first_sentence(_without_gaps(said, gaps) or said),
            labels.rules[rule].source,
        )
        for rule, said in _cited(plan).items()
        if rule in labels.rules
    ]


def _figures(plan, labels: Labels) -> list:
    seen: dict[Any, Any] = {}
    for rule in _cited(plan):
        for figure in labels.rules[rule].figures if rule in labels.rules else ():
            seen.setdefault((figure.ruleset, figure.name), figure)
    return [seen[key] for key in sorted(seen)]


def rule_source(labels: Labels, rule: str) -> str:
    """Where a cited rule comes from, in the words of its ruleset ('' when unknown here)."""
    found = labels.rules.get(rule)
    return found.source if found is not None else ""


def figure_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(figure_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {figure_value(v)}" for k, v in value.items())
    return str(value)
