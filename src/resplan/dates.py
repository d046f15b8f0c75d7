"""The date a plan is made for, and where an application cycle stands on it.

Every plan is made on a date, ``as_of`` (today unless given), recorded in its
provenance: the same inputs and date give the same plan. The calendar ruleset says when
each phase of a cycle falls; this module works out the cycle's Match Day from the rule
the calendar states (the third Friday of March), refuses a cycle whose Match Day has
passed, and says whether a cycle is still ahead or already under way.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from resplan.errors import InputError, ResplanError

CALENDAR = "calendar"  # the ruleset whose parameters and phases time a plan
# The calendar's parameters that code reads (this module, stages.actions, stages.stale).
CALENDAR_PARAMETERS = frozenset(
    {
        "match_day_month",
        "match_day_weekday",
        "match_day_week",
        "under_way_from",
        "under_way_from_day",
        "late_next_cycle",
        "facts_stale_after_years",
        "rank_list_days_before_match_day",
        "documents_first_from",
        "now_after_documents",
        "now_months_long",
        "now_under_way",
        "now_for_interviews_weeks",
        "now_next_application",
    }
)
AHEAD, UNDER_WAY = "ahead", "under way"
# The plan dates accepted. The season figures resplan holds (rulesets/season.toml: fees
# and signals) are those of the 2025 and 2026 Matches, so a plan dated years before them
# would speak of a season they do not describe: a date that early is a typo (1999 for
# 2029, 0001). A few years' margin still lets an older plan be made again on its date.
EARLIEST_SEASON_KNOWN = 2025  # the earliest Match whose figures rulesets/season.toml cites
AS_OF_YEARS_BEFORE_SEASON = 5
EARLIEST_AS_OF = dt.date(EARLIEST_SEASON_KNOWN - AS_OF_YEARS_BEFORE_SEASON, 1, 1)
# The last Match a profile may name is 2100 (model.Applicant.cycle): no later plan date.
LATEST_AS_OF = dt.date(2100, 12, 31)

WEEKDAYS = tuple(calendar.day_name)  # Monday ... Sunday


def today() -> dt.date:
    """The default ``as_of``: the local date. Tests replace it to pin a date."""
    return dt.date.today()


def parse_as_of(text: str) -> dt.date:
    """A YYYY-MM-DD date, or ValueError with a message for a person."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD (for example 2026-11-30)")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar (YYYY-MM-DD)") from None
    return check_as_of_window(day)


def check_as_of_window(day: dt.date) -> dt.date:
    """``day``, or ValueError when it is outside the plan dates resplan accepts
    (:data:`EARLIEST_AS_OF` to :data:`LATEST_AS_OF`)."""
    if day < EARLIEST_AS_OF:
        raise ValueError(
            f"{day.isoformat()} is too early for a plan date: resplan's season figures start "
            f"with the {EARLIEST_SEASON_KNOWN} Match, and it plans on days from "
            f"{EARLIEST_AS_OF.isoformat()} on (check the year)"
        )
    if day > LATEST_AS_OF:
        raise ValueError(
            f"{day.isoformat()} is too late for a plan date: the last Match a profile may "
            f"name is {LATEST_AS_OF.year} (check the year)"
        )
    return day


def as_of_or_today(as_of: dt.date | str | None) -> dt.date:
    if as_of is None:
        return today()
    if isinstance(as_of, dt.datetime):  # a datetime is a date too; keep the day only
        return check_as_of_window(as_of.date())
    if isinstance(as_of, dt.date):
        return check_as_of_window(as_of)
    if isinstance(as_of, str):
        return parse_as_of(as_of)
    raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")


def in_words(day: dt.date) -> str:
    """A date as people read it: 19 March 2027."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def calendar_parameter(rulebook, name: str) -> Any:
    for ruleset in rulebook.rulesets:
        if ruleset.name == CALENDAR and name in ruleset.parameters:
            return ruleset.parameters[name].value
    raise ResplanError(
        f"the {CALENDAR} ruleset has no parameter {name!r}: plans cannot be dated without it"
    )


def match_day(cycle: int, rulebook) -> dt.date:
    """Match Day of the ``cycle`` Match: the n-th given weekday of the given month."""
    month = int(calendar_parameter(rulebook, "match_day_month"))
    weekday_name = calendar_parameter(rulebook, "match_day_weekday")
    week = int(calendar_parameter(rulebook, "match_day_week"))
    if weekday_name not in WEEKDAYS or not 1 <= month <= 12 or not 1 <= week <= 4:
        raise ResplanError(
            f"the {CALENDAR} ruleset's Match Day rule (week {week}, "
            f"{weekday_name}, month {month}) is not a day of the year"
        )
    weekday = WEEKDAYS.index(weekday_name)
    first = dt.date(cycle, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def rank_list_deadline(cycle: int, rulebook) -> dt.date:
    """The day rank lists of the ``cycle`` Match must be certified by, counted back from
    Match Day by the calendar's ``rank_list_days_before_match_day``."""
    days = calendar_parameter(rulebook, "rank_list_days_before_match_day")
    if type(days) is not int or not 1 <= days <= 60:
        raise ResplanError(
            f"the {CALENDAR} ruleset's rank_list_days_before_match_day "
            f"({days!r}) is not a number of days from 1 to 60"
        )
    return match_day(cycle, rulebook) - dt.timedelta(days=days)


def phase_by_id(rulebook, phase_id: str):
    for phase in rulebook.phases:
        if phase.id == phase_id:
            return phase
    raise ResplanError(f"the {CALENDAR} ruleset has no phase {phase_id!r}")


def month_index(year: int, month: int) -> int:
    """Months counted from year 0, so that two months compare and subtract."""
    return year * 12 + month - 1


def phase_months(phase, cycle: int) -> tuple[int, int]:
    """The first and last month of ``phase`` in the ``cycle`` Match, as month indexes."""
    (year, month), (until_year, until_month) = phase.start, phase.end
    return month_index(cycle + year, month), month_index(cycle + until_year, until_month)


def phase_first_day(phase, cycle: int, rulebook) -> dt.date:
    """The day ``phase`` of the ``cycle`` Match starts: the first of its first month, except
    for the phase a cycle is under way from, which starts on the calendar's
    ``under_way_from_day`` (programs read applications from a set day, not a month)."""
    year, month = phase.start
    day = 1
    if phase.id == calendar_parameter(rulebook, "under_way_from"):
        day = calendar_parameter(rulebook, "under_way_from_day")
        if type(day) is not int or not 1 <= day <= 28:
            raise ResplanError(
                f"the {CALENDAR} ruleset's under_way_from_day ({day!r}) is not a day from 1 to 28"
            )
    return dt.date(cycle + year, month, day)


def under_way_from(cycle: int, rulebook) -> dt.date:
    """The first day the ``cycle`` Match is under way: programs start reading applications."""
    opens = phase_by_id(rulebook, calendar_parameter(rulebook, "under_way_from"))
    return phase_first_day(opens, cycle, rulebook)


def cycle_stage(cycle: int, as_of: dt.date, rulebook) -> str:
    """``ahead`` before programs start reading applications, ``under way`` from that day on:
    until then the documents can still be finished and sent for this cycle."""
    return UNDER_WAY if as_of >= under_way_from(cycle, rulebook) else AHEAD


def late_text(phase, cycle: int, as_of: dt.date, rulebook) -> str:
    """What is still possible on ``as_of`` once ``phase`` has passed: the phase's
    ``late_before`` text for the first of its phases still to start, else its ``late``."""
    ahead = []
    for phase_id, text in phase.late_before:
        first = phase_first_day(phase_by_id(rulebook, phase_id), cycle, rulebook)
        if first > as_of:
            ahead.append((first, phase_id, text))
    return min(ahead)[2] if ahead else phase.late


def check_cycle(
    cycle: int, as_of: dt.date, rulebook, *, file: str = "<profile>", line: int | None = None
) -> None:
    """Refuse a cycle whose Match Day is before ``as_of``: there is nothing left to plan."""
    day = match_day(cycle, rulebook)
    if as_of > day:
        raise InputError.one(
            file,
            f"the {cycle} Match is over: its Match Day was {in_words(day)}, before this "
            f"plan's date ({as_of.isoformat()}). Set cycle to the Match you apply for "
            f"next (the first one still ahead is {first_open_cycle(as_of, rulebook)}).",
            field="applicant.cycle",
            line=line,
        )


def first_open_cycle(as_of: dt.date, rulebook) -> int:
    cycle = as_of.year
    return cycle if as_of <= match_day(cycle, rulebook) else cycle + 1


def check_profile_cycle(profile, as_of: dt.date, rulebook, path, *, as_of_option: str = "") -> None:
    """:func:`check_cycle` for a profile read from ``path``, with the line of its cycle.

    ``as_of_option`` names the option the date was given with (``--as-of``), if it was.
    A date given there after the Match that follows the next one from today, and after the
    Match that follows the profile's too, is more likely a typo in its year than a profile
    one cycle out of date: the message then names that option, not the profile's cycle."""
    cycle = profile.applicant.cycle
    day = match_day(cycle, rulebook)
    if as_of <= day:
        return
    next_cycle = first_open_cycle(today(), rulebook)
    if (
        as_of_option
        and as_of > match_day(next_cycle + 1, rulebook)
        and as_of > match_day(cycle + 1, rulebook)
    ):
        raise InputError.one(
            as_of_option,
            f"{as_of.isoformat()} is after Match Day of the {cycle} Match your profile "
            f"({path}) applies for ({in_words(day)}), and after the {next_cycle + 1} Match, "
            f"the one after the next from today: check this date first (a typo in its "
            f"year?). If it is right, set cycle to {first_open_cycle(as_of, rulebook)}, the "
            "first Match still ahead on it.",
        )
    line = None
    if str(path) == "-":  # standard input was read once; it has no line to look up again
        return check_cycle(profile.applicant.cycle, as_of, rulebook, file=str(path))
    try:
        from resplan.sources import read_toml

        _data, locate = read_toml(path)
        line = locate(("applicant", "cycle"))
    except (InputError, OSError):  # it was read a moment ago; the line is a courtesy
        pass
    check_cycle(profile.applicant.cycle, as_of, rulebook, file=str(path), line=line)
