"""Stage 7: choose what the applicant should do, and when, from the plan so far.

Every fired action rule adds one action, timed by a phase of the application calendar
and dated from the plan's date (``as_of``), so that no action is dated before it:

- a phase still ahead keeps its own month;
- the phase ``now``, and a phase that is running, give the month of ``as_of``;
- a phase that has passed gives the month of ``as_of`` with the phase's late text (what
  is still possible on that date), except, once the cycle is under way (programs read
  applications), for the categories in the calendar's ``late_next_cycle``: the documents
  went out or the interviews took place, so those actions move to the same phase of the
  next cycle, for a next application. Between the opening of ERAS and the day programs
  start reading, documents can still be finished for this cycle, so they are dated now.
  Once the rank list deadline has passed, every action of a passed phase moves to the
  next cycle: nothing more can change this cycle's application or rank list.

The phases ``decide`` (a choice the other steps depend on) and ``by-rank-list`` (a step
to finish by this cycle's rank list deadline) are dated like ``now``. So is a phase with
a ``next_application`` (a step that builds this application: the file's stories, contacts
with programs) until its last month has passed; then it serves a next application and is
dated like the phase it names, of the next Match.

Actions are listed in date order. Within a month, what is due first leads: a choice
to make, then the steps of a phase that is running or that must be done by the rank
list deadline, then those still possible from a phase that has passed; the steps to
start at once (``now``) follow them once the cycle is under way, since they build the
file over months and pay off later. From the opening of ERAS until then (the calendar's
``documents_first_from``), they follow the documents still due for this application,
and say so, except a check of the profile (category ``verify``). Then calendar order,
category and id.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from resplan.dates import (
    AHEAD,
    UNDER_WAY,
    calendar_parameter,
    cycle_stage,
    in_words,
    late_text,
    match_day,
    month_index,
    phase_by_id,
    phase_first_day,
    phase_months,
    rank_list_deadline,
    under_way_from,
)
from resplan.facts import verify_label
from resplan.plan import VERDICTS, Action, ProgramDecisions, backups_added_late
from resplan.rulebook import whole_parameter
from resplan.stages.common import evaluate, rulebook_memo
from resplan.stages.stale import stale_before
from resplan.stages.table import catalog_table
from resplan.vocabulary import STATES as STATE_NAMES

# Presentation only: the verify action names this many programs and counts the rest
# (every program's own to_verify lists its facts).
VERIFY_LIST_LENGTH = 5
SKIP = VERDICTS.index("skip")
CATEGORY_ORDER = (
    "verify",
    "academic",
    "clinical",
    "materials",
    "interview",
    "networking",
    "between-cycle",
)
NOW = "now"  # the calendar's phase for "start at once": the month of the plan's date
# How soon an action is due within its month (less first); see the module's docstring.
DUE_DECIDE, DUE_RUNNING, DUE_LATE, DUE_AT_ONCE, DUE_AFTER_DOCUMENTS = range(5)
# The calendar's phases dated the month of the plan's date, whatever it is, and how soon
# each is due: a choice the rest depends on, a step to finish by this cycle's rank list
# deadline (due as much as a running phase), and a step to start at once.
# The last days before the rank list deadline come before any choice: a list not
# certified by then does not count.
AT_ONCE = {
    "rank-list-days": DUE_DECIDE,
    "apply-late": DUE_DECIDE,
    "decide": DUE_DECIDE,
    "check-first": DUE_DECIDE,
    "by-rank-list": DUE_RUNNING,
    NOW: DUE_AT_ONCE,
}
# Steps to start at once that keep their place while the documents of this application
# are due: a check of the profile (a document is timed now-this-application).
KEEP_PLACE = frozenset({"verify"})
# How many actions' dates a rulebook keeps (a few dozen phases and categories per cycle
# and date planned for).
DATES_KEPT = 4096


def results_day(cycle: int, rulebook) -> dt.date:
    """The Monday of Match Week, when applicants learn whether they matched."""
    day = match_day(cycle, rulebook)
    return day - dt.timedelta(days=day.weekday())


def plan_facts(draft) -> dict:
    programs = draft.programs  # ProgramDecisions: counted column by column
    counts = dict(zip(VERDICTS, np.bincount(programs.verdict, minlength=3).tolist()))
    tiers = np.bincount(programs.tier, minlength=4).tolist()
    has_facts = np.array([bool(fields) for fields in programs.verify_sets], dtype=bool)
    # A generated program is not real: there is nobody to ask, so it is never on the list.
    real = ~synthetic_mask(programs, draft.catalog)
    # In plan order, so the most promising come first: best tier, apply before borderline,
    # and within those, programs known to take IMGs before those whose share is not known.
    this_match = ~_backups_added_late(draft, programs)
    verify = np.flatnonzero(
        has_facts[programs.to_verify] & (programs.verdict != SKIP) & real & this_match
    )
    share_unknown = np.array(["img_share" in f for f in programs.verify_sets], dtype=bool)
    verify = verify[
        np.lexsort(
            (
                verify,
                share_unknown[programs.to_verify[verify]],
                programs.verdict[verify],
                programs.tier[verify],
            )
        )
    ]
    lines = []
    old = stale_before(draft)
    listed = [programs[index] for index in verify[:VERIFY_LIST_LENGTH].tolist()]
    # One hospital often runs programs of several specialties under one name: with more
    # than one specialty listed, each line names its own (review 11, finding 18).
    several = len({p.specialty for p in listed}) > 1
    # Visa sponsorship is named as the visas the applicant would take.
    visas = [v for v in draft.profile.applicant.visas if v != "none"]
    for index, p in zip(verify[:VERIFY_LIST_LENGTH].tolist(), listed):
        year = programs.programs[index].facts_as_of
        dated = f", listing from {year}" if year is not None and year < old else ""
        in_field = f"{p.specialty}, " if several else ""
        lines.append(
            f"{p.name} ({in_field}{p.city}, {p.state}){dated}: "
            + ", ".join(verify_label(field, visas) for field in p.to_verify)
        )
    if len(verify) > VERIFY_LIST_LENGTH:
        more = len(verify) - VERIFY_LIST_LENGTH
        lines.append(
            f"and {more} more {'program' if more == 1 else 'programs'}: the list of programs "
            "says what to confirm at each"
        )
    # Names as a sentence says them: "the Rio Grande Valley".
    names = draft.rulebook.labels
    high = [names.get(r.id, r.name) for r in draft.regions if r.priority == "high"]
    named = _named_fields(draft, real)
    return {
        "plan.considered": len(programs),
        "plan.apply": counts["apply"],
        "plan.borderline": counts["borderline"],
        "plan.skip": counts["skip"],
        # Generated programs are examples, never advice: the words count real ones.
        "plan.skip_real": int(np.count_nonzero((programs.verdict == SKIP) & real)),
        "plan.borderline_real": int(
            np.count_nonzero((programs.verdict == VERDICTS.index("borderline")) & real)
        ),
        "plan.tier1": tiers[1],
        "plan.tier2": tiers[2],
        "plan.tier3": tiers[3],
        "plan.to_verify": len(verify),
        "plan.synthetic": int(np.count_nonzero(~real)),
        "plan.verify_list": "; ".join(lines) if lines else "none",
        # The visa words of the generic checks, for those who need one only: a green card
        # holder or a citizen is not told to check sponsorship (review 12, finding 9).
        "plan.visa_check": f"{verify_label('visas', visas)}, " if visas else "",
        "plan.visa_favor": (
            " and that sponsor " + " or ".join(f"the {v}" for v in visas) if visas else ""
        ),
        "plan.suggested": frozenset(t.name for t in draft.specialties if t.suggested),
        # What SOAP statements cover: a field the plan added is a backup worth one too.
        "plan.fields": frozenset(draft.profile.applicant.specialties).union(
            t.name for t in draft.specialties if t.suggested
        ),
        # Region names hold commas ("Nogales, Sierra Vista and southern Arizona").
        "plan.high_regions": "; ".join(high) if high else "none",
        "plan.h1b_listed": h1b_listed(draft, real),
        "plan.later_visa_only": later_visa_only(draft, real),
        **named,
    }


def _backups_added_late(draft, programs) -> np.ndarray:
    """Programs of a backup field the plan adds after this Match's applications went out
    (resplan.plan.backups_added_late), until the rank list deadline: no list sent holds
    them, so they are no check for this Match. After the deadline every list is for a
    next application, and so are theirs."""
    cycle = draft.profile.applicant.cycle
    stage = cycle_stage(cycle, draft.as_of, draft.rulebook)
    late = backups_added_late(draft.specialties, stage)
    if not late or draft.as_of > rank_list_deadline(cycle, draft.rulebook):
        return np.zeros(len(programs), dtype=bool)
    if programs.catalog_rows is not None:
        keys = catalog_table(draft.catalog, draft.rulebook.city_regions).keys
        codes = np.array([name in late for name in keys.specialties], dtype=bool)
        return codes[keys.specialty[programs.catalog_rows]]
    # decisions built by hand: read each program's specialty
    return np.array([p.specialty in late for p in programs.programs], dtype=bool)


def h1b_listed(draft, real=None) -> int:
    """Real programs considered in the applicant's states (all of them without a
    preference) whose listing names H-1B sponsorship. A generated program is no route to
    a visa: nobody can apply to it, so it never makes Step 3 or the H-1B the plan's route."""
    programs, states = draft.programs, draft.profile.applicant.states
    if real is None:
        real = ~synthetic_mask(programs, draft.catalog)
    rows = programs.catalog_rows
    if rows is None:
        return sum(
            1
            for p, is_real in zip(programs.programs, real.tolist())
            if is_real and p.visas and "H-1B" in p.visas and (states is None or p.state in states)
        )
    columns = catalog_table(draft.catalog, draft.rulebook.city_regions).columns
    listed = _per_row(columns["program.visas"], rows, lambda v: v is not None and "H-1B" in v)
    if states is not None:
        listed &= _per_row(columns["program.state"], rows, lambda s: s in states)
    return int((listed & real).sum())


def later_visa_only(draft, real) -> int:
    """Real programs not skipped that sponsor a visa the applicant would take, but not the
    first choice (0 for an applicant with one visa or none)."""
    visas = [v for v in draft.profile.applicant.visas if v != "none"]
    if len(visas) < 2 or not len(draft.programs):
        return 0
    first, others = visas[0], set(visas[1:])

    def later_only(listed) -> bool:
        return listed is not None and first not in listed and bool(others & set(listed))

    programs = draft.programs
    kept = (np.asarray(programs.verdict) != SKIP) & real
    rows = programs.catalog_rows
    if rows is None:
        found = np.fromiter((later_only(p.visas) for p in programs.programs), bool, len(programs))
    else:
        columns = catalog_table(draft.catalog, draft.rulebook.city_regions).columns
        found = _per_row(columns["program.visas"], rows, later_only)
    return int((found & kept).sum())


def _per_row(column, rows: np.ndarray, test) -> np.ndarray:
    """``test`` of a column's value at each of ``rows``: once per distinct value where the
    column is coded."""
    if column.codes is not None:
        answers = np.fromiter(map(test, column.categories), bool, len(column.categories))
        return answers[column.codes[rows].astype(np.intp)]
    return np.fromiter(map(test, column.raw[rows]), bool, len(rows))


# The applications ruleset's line under which a named field is short of a list.
APPLICATIONS, FEW_NAMED_FIELD_PROGRAMS = "applications", "few_named_field_programs"
STEP2CK_RESULT_WEEKS = "step2ck_result_weeks"
INTERVIEWS_LATE_WEEKS = "interviews_late_weeks_to_rank_list"


def part_of_month(day: dt.date) -> str:
    """A day as the part of its month people name: "early January" (days 1 to 10),
    "mid-January" (11 to 20), "late January" (21 on)."""
    month = calendar.month_name[day.month]
    if day.day <= 10:
        return f"early {month}"
    return f"mid-{month}" if day.day <= 20 else f"late {month}"


def _named_fields(draft, real) -> dict:
    """The fields the applicant named that this catalog holds no real program of to apply
    to, and among the others, the one with the fewest such programs."""
    wishes = draft.profile.applicant.specialties or ()
    if not wishes:
        return {}
    programs = draft.programs
    open_real = np.flatnonzero((np.asarray(programs.verdict) != SKIP) & real)
    if programs.catalog_rows is not None:
        keys = catalog_table(draft.catalog, draft.rulebook.city_regions).keys
        codes = keys.specialty[programs.catalog_rows[open_real]]
        found = np.bincount(codes, minlength=len(keys.specialties)).tolist()
        counts = dict(zip(keys.specialties, found))
    else:  # decisions built by hand: read each program's specialty
        counts = {}
        for index in open_real.tolist():
            name = programs.programs[index].specialty
            counts[name] = counts.get(name, 0) + 1
    empty = [name for name in wishes if not counts.get(name)]
    facts = {
        "plan.named_empty": _and(empty) if empty else "none",
        "plan.named_empty_count": len(empty),
    }
    held = [name for name in wishes if counts.get(name)]
    if held:
        fewest = min(held, key=lambda name: counts[name])
        facts["plan.named_fewest"] = fewest
        facts["plan.named_fewest_programs"] = counts[fewest]
        states = draft.profile.applicant.states
        if states:
            # Of those, the ones in the states the applicant named: the list they want.
            if programs.catalog_rows is not None:
                table = catalog_table(draft.catalog, draft.rulebook.city_regions)
                rows = programs.catalog_rows[open_real]
                field = table.keys.specialty[rows] == table.keys.specialties.index(fewest)
                there = _per_row(table.columns["program.state"], rows, lambda s: s in states)
                inside = int((field & there).sum())
            else:  # decisions built by hand: read each program
                chosen = [programs.programs[i] for i in open_real.tolist()]
                inside = sum(1 for p in chosen if p.specialty == fewest and p.state in states)
            facts["plan.named_fewest_in_states"] = inside
            facts["plan.named_states"] = _or([STATE_NAMES.get(s, s) for s in states])
            if not inside:
                facts.update(_skipped_in_states(draft, real, fewest, states))
    # Every named field short of a list, not only the shortest: each needs more programs.
    few = whole_parameter(draft.rulebook, APPLICATIONS, FEW_NAMED_FIELD_PROGRAMS, 10)
    short = [name for name in held if counts[name] < few]
    facts["plan.named_short"] = _and(short) if short else "none"
    facts["plan.named_short_count"] = len(short)
    if short:
        first, *others = short
        words = [f"{counts[first]} {'program' if counts[first] == 1 else 'programs'} in {first}"]
        facts["plan.named_short_words"] = _and(words + [f"{counts[n]} in {n}" for n in others])
    return facts


def _skipped_in_states(draft, real, field: str, states) -> dict:
    """With no program of ``field`` to apply to in ``states``: how many real programs of it
    the plan has there all the same (each skipped), how many of those list visas but none
    the applicant would take, and those visas in words."""
    programs = draft.programs
    wanted = draft.profile.applicant.visas
    listed = barred = 0
    visas: set[str] = set()
    for index in np.flatnonzero(real).tolist():
        program = programs.programs[index]
        if program.specialty != field or program.state not in states:
            continue
        listed += 1
        if (
            wanted != ("none",)
            and program.visas is not None
            and not set(program.visas) & set(wanted)
        ):
            barred += 1
            visas |= set(program.visas)
    facts: dict = {
        "plan.named_fewest_listed_in_states": listed,
        "plan.named_fewest_visa_barred": barred,
    }
    if visas:
        names = sorted(visas)
        facts["plan.named_fewest_their_visas"] = (
            f"the {_and(names)} {'visa' if len(names) == 1 else 'visas'}"
        )
    return facts


def _or(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def synthetic_mask(programs, catalog) -> np.ndarray:
    """True for each program (in plan order) that comes from a synthetic catalog."""
    rows, memo = programs.catalog_rows, programs.memo
    if rows is None or memo is None:
        return np.fromiter(
            (p.synthetic for p in programs.programs), dtype=bool, count=len(programs.programs)
        )
    # Once per catalog, not once per plan: a batch plans against one catalog many times.
    column = memo.get(_SYNTHETIC_COLUMN)
    if column is None:
        column = memo[_SYNTHETIC_COLUMN] = np.fromiter(
            catalog.column("synthetic"), dtype=bool, count=len(catalog)
        )
    return column[rows]


_SYNTHETIC_COLUMN = ("actions", "synthetic")  # a key no program text in the memo can have


def preliminary_mask(programs, catalog) -> np.ndarray:
    """True for each program (in plan order) whose track is known to be preliminary: one
    year of training with no place promised after it, a list of another kind than a
    categorical program's (a track the catalog does not give counts as categorical)."""
    rows, memo = programs.catalog_rows, programs.memo
    if rows is None or memo is None:
        return np.fromiter(
            (p.track == "preliminary" for p in programs.programs),
            dtype=bool,
            count=len(programs.programs),
        )
    column = memo.get(_PRELIMINARY_COLUMN)
    if column is None:
        column = memo[_PRELIMINARY_COLUMN] = np.fromiter(
            (track == "preliminary" for track in catalog.column("track")),
            dtype=bool,
            count=len(catalog),
        )
    return column[rows]


_PRELIMINARY_COLUMN = ("actions", "preliminary")


def visa_decides(draft) -> bool:
    """Without a J-1 to fall back on, a program's visa sponsorship decides first whether
    it is open at all: it is the first fact to ask about."""
    env = draft.env
    return bool(env.get("profile.needs_visa")) and "J-1" not in env.get("profile.visas", ())


def visa_first(programs: ProgramDecisions) -> ProgramDecisions:
    """The same decisions, with visa sponsorship first among each program's facts to verify."""
    sets = tuple(
        ("visas", *(f for f in fields if f != "visas")) if "visas" in fields else fields
        for fields in programs.verify_sets
    )
    if sets == programs.verify_sets:
        return programs
    return programs.with_verify(programs.to_verify, sets)


def run(draft, reasons: bool = True):
    """``reasons=False`` sets the plan's facts (``plan.*``) only, and no action: what a
    plan made for the cohort database needs (resplan.pipeline.make_plan, words=False)."""
    if len(draft.programs) and visa_decides(draft):
        draft = draft.evolve(programs=visa_first(draft.programs))
    rulebook, as_of = draft.rulebook, draft.as_of
    cycle = draft.profile.applicant.cycle
    deadline = rank_list_deadline(cycle, rulebook)
    today = month_index(as_of.year, as_of.month)
    # A Step 2 CK sat by this day has its result when programs start reading.
    reading = under_way_from(cycle, rulebook)
    sit_by = reading - dt.timedelta(
        weeks=whole_parameter(rulebook, APPLICATIONS, STEP2CK_RESULT_WEEKS, 4)
    )
    env = {
        **draft.env,
        **plan_facts(draft),
        "plan.as_of": in_words(as_of),
        "plan.match_day": in_words(match_day(cycle, rulebook)),
        "plan.next_match": cycle + 1,
        "plan.cycle_stage": cycle_stage(cycle, as_of, rulebook),
        "plan.rank_list_deadline": in_words(deadline),
        # Whole weeks left; negative once the deadline has passed.
        "plan.weeks_to_rank_list": (deadline - as_of).days // 7,
        # When few invitations are still to come, in words ("mid-January"): from the
        # applications ruleset's weeks before the rank list deadline, so the words and the
        # rules that read the weeks agree.
        "plan.interviews_late_from": part_of_month(
            deadline
            - dt.timedelta(weeks=whole_parameter(rulebook, APPLICATIONS, INTERVIEWS_LATE_WEEKS, 7))
        ),
        "plan.days_to_rank_list": (deadline - as_of).days,
        "plan.days_to_match_day": (match_day(cycle, rulebook) - as_of).days,
        "plan.reading_starts": in_words(reading),
        # Whole weeks since programs started reading; negative before that day.
        "plan.weeks_since_reading": (as_of - reading).days // 7,
        "plan.step2ck_sit_by": in_words(sit_by),
        "plan.days_to_step2ck_sit_by": (sit_by - as_of).days,
        # From the Monday of Match Week the applicant knows whether they matched.
        "plan.if_unmatched": "If you did not match"
        if as_of >= results_day(cycle, rulebook)
        else "If you do not match",
        # The Match before this one: a reapplicant's last cycle may not be over yet.
        "plan.previous_match_day": in_words(match_day(cycle - 1, rulebook)),
        "plan.days_to_previous_match_day": (match_day(cycle - 1, rulebook) - as_of).days,
        # Calendar phases of this cycle whose first day is on or before the plan's date.
        "plan.phases_started": frozenset(
            p.id
            for p in rulebook.phases
            if p.id not in AT_ONCE and phase_first_day(p, cycle, rulebook) <= as_of
        ),
        # Calendar phases of this cycle whose last month is before the plan's month.
        "plan.phases_over": frozenset(
            p.id
            for p in rulebook.phases
            if p.id not in AT_ONCE and phase_months(p, cycle)[1] < today
        ),
    }
    if not reasons:
        return draft.evolve(env=env)
    phases = {p.id: p for p in rulebook.phases}
    labels = rulebook.labels
    next_cycle = frozenset(calendar_parameter(rulebook, "late_next_cycle"))
    under_way = env["plan.cycle_stage"] != AHEAD
    fired, _ = evaluate(rulebook.rules("actions"), env)
    # An action's date follows from its phase and category, the cycle and the plan's date:
    # kept with the rulebook, since a batch plans many applicants of one cycle on one date.
    dates = rulebook_memo(rulebook, "actions.dates")
    if len(dates) >= DATES_KEPT:
        dates.clear()
    dated = []
    for rule in fired:
        phase = phases[rule.effect["timing"]]
        category = rule.effect["category"]
        key = (phase.id, category, cycle, as_of)
        found = dates.get(key)
        if found is None:
            found = dates[key] = date_action(phase, category, cycle, as_of, rulebook, next_cycle)
        month, due, when = found
        if due == DUE_AT_ONCE and not under_way:
            due = DUE_RUNNING  # before the season, starting at once is what is due
        dated.append(
            (
                (month, due),
                Action(
                    id=rule.qualified_id,
                    category=category,
                    title=rule.effect["title"].render(env, labels),
                    detail=rule.effect["detail"].render(env, labels),
                    timing=phase.id,
                    when=when,
                ),
            )
        )
    # Phases of one order (two kinds of step to start at once) share their place.
    order = {p.id: p.order for p in rulebook.phases}
    # While the documents of this application are due, those still to finish (a passed
    # phase's materials) lead what is late, before checks and exams.
    documents = _documents_first(cycle, as_of, rulebook)

    def category_rank(due: int, category: str) -> int:
        if documents and due == DUE_LATE and category == "materials":
            return -1
        return CATEGORY_ORDER.index(category)

    dated.sort(
        key=lambda d: (*d[0], order[d[1].timing], category_rank(d[0][1], d[1].category), d[1].id)
    )
    return draft.evolve(actions=tuple(action for _month, action in dated), env=env)


def date_action(
    phase, category: str, cycle: int, as_of, rulebook, next_cycle: frozenset
) -> tuple[int, int, str]:
    """The month an action of ``phase`` is dated (a month index), how soon it is due within
    that month (``DUE_*``, less first) and its ``when`` text."""
    today = month_index(as_of.year, as_of.month)
    if phase.id == NOW and category not in KEEP_PLACE and _documents_first(cycle, as_of, rulebook):
        return (
            today,
            DUE_AFTER_DOCUMENTS,
            _when(today, calendar_parameter(rulebook, "now_after_documents")),
        )
    if phase.id == NOW and category in calendar_parameter(rulebook, "now_months_long"):
        # A step that takes months cannot reach the file programs already read: say what
        # it is for, interviews while invitations still come, then a next application.
        reading = under_way_from(cycle, rulebook)
        if as_of >= reading:
            weeks = calendar_parameter(rulebook, "now_for_interviews_weeks")
            name = "now_under_way" if (as_of - reading).days < 7 * weeks else "now_next_application"
            return today, DUE_AT_ONCE, _when(today, calendar_parameter(rulebook, name))
    if phase.id in AT_ONCE:
        return today, AT_ONCE[phase.id], _when(today, _label(phase.label, cycle, rulebook))
    if phase.next_application:
        # A step to start at once for this application, until its phase is over; then
        # it serves a next application, dated like that phase of the next Match.
        if phase_months(phase, cycle)[1] >= today:
            return today, DUE_AT_ONCE, _when(today, _label(phase.label, cycle, rulebook))
        later = phase_by_id(rulebook, phase.next_application)
        start, end = phase_months(later, cycle + 1)
        if end >= today:
            month = max(start, today)
            text = _label(later.label, cycle + 1, rulebook)
            return month, DUE_RUNNING, _when(month, f"{text} {_for_next(cycle + 1)}")
        phase, cycle = later, cycle + 1  # long past too: its next season still ahead
    start, end = phase_months(phase, cycle)
    if start > today:  # still ahead
        return start, DUE_RUNNING, _when(start, _label(phase.label, cycle, rulebook))
    if end >= today:  # running
        return today, DUE_RUNNING, _when(today, _label(phase.label, cycle, rulebook))
    # Once rank lists are certified, nothing more goes into this cycle's application: a
    # step of a passed phase, whatever its category, is for a next application.
    ranked = as_of > rank_list_deadline(cycle, rulebook)
    if ranked or (category in next_cycle and cycle_stage(cycle, as_of, rulebook) == UNDER_WAY):
        later = start + 12
        if later < today:  # a phase long past: the first of its months still ahead
            later += 12 * ((today - later + 11) // 12)
        again = cycle + (later - start) // 12
        return (
            later,
            DUE_RUNNING,
            _when(later, f"{_label(phase.label, again, rulebook)} {_for_next(again)}"),
        )
    late = (
        late_text(phase, cycle, as_of, rulebook)
        or f"Late for this step ({_label(phase.label, cycle, rulebook)}), so do what is still possible now"
    )
    return today, DUE_LATE, _when(today, late)


def _documents_first(cycle: int, as_of, rulebook) -> bool:
    """Whether ``as_of`` falls from the calendar's ``documents_first_from`` phase (the
    opening of ERAS) to the day programs start reading: the documents of this application
    are due, and come before the steps that build the file over months."""
    first = phase_first_day(
        phase_by_id(rulebook, calendar_parameter(rulebook, "documents_first_from")), cycle, rulebook
    )
    return first <= as_of and cycle_stage(cycle, as_of, rulebook) == AHEAD


def _for_next(match: int) -> str:
    return f"(for a next application, to the {match} Match, if this one ends without a position)"


def _when(month: int, text: str) -> str:
    year, index = divmod(month, 12)
    return f"{calendar.month_name[index + 1]} {year}: {text}"


def _label(text: str, cycle: int, rulebook) -> str:
    if "{match_day}" in text:
        text = text.replace("{match_day}", in_words(match_day(cycle, rulebook)))
    return text
