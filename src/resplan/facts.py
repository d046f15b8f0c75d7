"""The facts rules can read, their types, and how they are computed.

Rules never see resplan's Python objects: each stage hands its rules a flat mapping of
dotted names (``profile.step2ck.score``) to plain values, built here. A fact the input
does not give is absent from the mapping, so a rule reading it gets *unknown*.

Lists the profile leaves out (languages, clinical, letters, activities) count as empty:
a plan is made from what the applicant reports. A scalar left out stays unknown.

Something the profile reports without a part rules depend on (Step 2 CK taken but no
score, Spanish without a level, clinical months without a kind) is a *gap*
(:func:`gaps`). Rules decide on the worst value the part could plausibly have
(:func:`profile_facts`), so a plan is never better than the applicant's real one; the
facts as stated, with those parts unknown (:func:`stated_facts`), tell which decisions
rest on such a guess, and the plan names the gap there and asks for it.
"""

from __future__ import annotations

import operator
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from resplan.model import (
    SPANISH_NAMES,
    STEP2CK_PASSING,
    STEP2CK_YEARS_BEFORE_GRADUATION,
    USMLE_ATTEMPT_LIMIT,
    Change,
    Profile,
    Program,
    earliest_exam_day,
    lowest_passing,
)
from resplan.rules.types import BOOL, NUMBER, TEXT, Enum, Level, SetOf
from resplan.vocabulary import (
    ACTIVITY_KINDS,
    LANGUAGE_LEVELS,
    SETTINGS,
    SPONSORED_VISAS,
    STATES,
    TRACKS,
    VISAS,
)

SPANISH_LEVELS = ("none", "basic", "intermediate", "medical", "professional", "fluent", "native")
FITS = ("unlikely", "reach", "possible", "strong")  # worst to best
PRIORITIES = ("none", "low", "medium", "high")  # a program outside every sub-region: none
VERDICTS = ("apply", "borderline", "skip")
STATE = Enum(tuple(sorted(STATES)))
CLINICAL_KINDS_HANDS_ON = ("hands-on", "externship", "sub-internship")
CHANGES = typing.get_args(Change)


def _key(kind: str) -> str:
    return kind.replace("-", "_")


# ------------------------------------------------------------------ the schema


@attrs.frozen
class Fact:
    type: Any
    label: str  # how a plan names this fact to a person (e.g. in to_verify)


PROFILE_FACTS: dict[str, Fact] = {
    "profile.graduation_year": Fact(NUMBER, "graduation year"),
    "profile.cycle": Fact(NUMBER, "Match year applied for"),
    "profile.years_since_graduation": Fact(
        NUMBER, "years from graduation to the June the application opens"
    ),
    "profile.application_year": Fact(
        NUMBER, "the year applications open for the Match applied for (June, the year before)"
    ),
    "profile.visa": Fact(Enum(VISAS), "visa needed (the first choice, if several)"),
    "profile.visas": Fact(
        SetOf(Enum(SPONSORED_VISAS)), "visas the applicant would take (none: empty)"
    ),
    "profile.visa_words": Fact(
        TEXT, "the visas the applicant would take, in words, first choice first"
    ),
    "profile.needs_visa": Fact(BOOL, "whether a visa is needed"),
    "profile.us_citizen": Fact(
        BOOL, "whether the applicant is a US citizen (unless given: unknown)"
    ),
    "profile.specialties": Fact(SetOf(TEXT), "wished specialties"),
    "profile.interviews": Fact(
        NUMBER, "interviews offered so far for this Match (unless given: unknown)"
    ),
    "profile.ecfmg.status": Fact(
        Enum(("certified", "pending")), "ECFMG certification status (unless given: unknown)"
    ),
    "profile.ecfmg.to_finish": Fact(
        TEXT,
        "while ECFMG certification is pending, what is still missing, in words ('the "
        "communication skills requirement, with its English test'), or where to see it "
        "when [ecfmg] does not say",
    ),
    "profile.specialty_words": Fact(
        TEXT, "the wished specialties in words, in the profile's order, joined by 'and' ('none')"
    ),
    "profile.states": Fact(SetOf(STATE), "preferred states"),
    "profile.previous_cycles": Fact(NUMBER, "earlier cycles applied in without matching"),
    "profile.step1.given": Fact(BOOL, "whether the profile gives Step 1 ([exams.step1])"),
    "profile.step1.result": Fact(Enum(("pass", "fail", "score")), "Step 1 result"),
    "profile.step1.score": Fact(NUMBER, "Step 1 numeric score"),
    "profile.step1.attempts": Fact(NUMBER, "Step 1 attempts"),
    "profile.step2ck.given": Fact(BOOL, "whether the profile gives Step 2 CK ([exams.step2ck])"),
    "profile.step2ck.taken": Fact(BOOL, "whether Step 2 CK has been taken"),
    "profile.step2ck.passed": Fact(BOOL, "whether a Step 2 CK pass is on the profile"),
    "profile.step2ck.result": Fact(
        Enum(("pass", "fail", "pending")), "Step 2 CK result ('pending': not out yet)"
    ),
    "profile.step2ck.score": Fact(NUMBER, "Step 2 CK score"),
    "profile.step2ck.attempts": Fact(NUMBER, "Step 2 CK attempts"),
    "profile.step2ck.first_try_after_failures": Fact(
        BOOL, "whether Step 2 CK was passed at its first sitting after failed sittings of Step 1"
    ),
    "profile.step3.taken": Fact(BOOL, "whether Step 3 has been taken"),
    "profile.step3.result": Fact(Enum(("pass", "fail")), "Step 3 result"),
    "profile.step3.attempts": Fact(NUMBER, "Step 3 attempts"),
    "profile.max_attempts": Fact(NUMBER, "most attempts on any Step exam"),
    "profile.max_attempts_exams": Fact(
        TEXT, "the Step exams sat that many times, in words ('Step 1', 'Step 1 and Step 2 CK')"
    ),
    "profile.any_failure": Fact(BOOL, "whether any Step exam was failed"),
    "profile.failed_sittings": Fact(
        NUMBER,
        "failed sittings of the Step exams on record: every sitting of an exam not passed "
        "and failed, every one before the last otherwise (a last result not given or still "
        "to come is not counted)",
    ),
    "profile.spanish_level": Fact(Level(SPANISH_LEVELS), "Spanish level"),
    "profile.languages": Fact(SetOf(TEXT), "languages"),
    "profile.language_words": Fact(
        TEXT,
        "languages with their levels, in words, working Spanish first ('Spanish (native) and ...')",
    ),
    "profile.clinical.months": Fact(NUMBER, "months of US clinical experience"),
    "profile.clinical.hands_on_months": Fact(
        NUMBER, "months of hands-on US clinical experience (not observerships)"
    ),
    "profile.clinical.observership_months": Fact(NUMBER, "months of observerships"),
    "profile.clinical.states": Fact(SetOf(STATE), "states of US clinical experience"),
    "profile.clinical.cities": Fact(SetOf(TEXT), "cities of US clinical experience"),
    "profile.clinical.regions": Fact(SetOf(TEXT), "border sub-regions of US clinical experience"),
    "profile.clinical.border_months": Fact(
        NUMBER, "months of US clinical experience in a border sub-region"
    ),
    "profile.clinical.border_hands_on_months": Fact(
        NUMBER, "months of hands-on US clinical experience in a border sub-region"
    ),
    "profile.letters.total": Fact(NUMBER, "letters of recommendation"),
    "profile.letters.us_clinical": Fact(NUMBER, "letters from US clinical supervisors"),
    "profile.letters.advocates": Fact(NUMBER, "letter writers who will contact programs"),
    "profile.letters.us_faculty": Fact(
        NUMBER,
        "letters the profile says come from US faculty who are not US clinical "
        "supervisors (research mentors, chairs)",
    ),
    "profile.activities.kinds": Fact(SetOf(Enum(ACTIVITY_KINDS)), "kinds of activities"),
    **{
        f"profile.activities.{_key(kind)}_months": Fact(NUMBER, f"months of {kind} activities")
        for kind in ACTIVITY_KINDS
    },
    # One figure for the guide's "underserved or public-health" work, so that a message
    # can quote it without a "0 months" half.
    "profile.activities.community_months": Fact(
        NUMBER, "months of underserved-care and public-health activities together"
    ),
    "profile.training.resident": Fact(
        BOOL, "whether the applicant is in, or has finished, a US residency year"
    ),
    "profile.training.current": Fact(BOOL, "whether the applicant is in a US residency year now"),
    "profile.training.year": Fact(
        TEXT, "that year in words ('preliminary year', 'transitional year', 'US residency year')"
    ),
    "profile.training.in_training_percentile": Fact(
        NUMBER, "percentile on that year's in-training exam"
    ),
    "profile.reapplicant.last_cycle": Fact(NUMBER, "last Match applied for without matching"),
    "profile.reapplicant.changes": Fact(
        SetOf(Enum(CHANGES)), "what the file gained since the last cycle (none: empty)"
    ),
    "profile.reapplicant.changes_words": Fact(
        TEXT, "what the file gained since the last cycle, in words ('nothing' for none)"
    ),
}

PROGRAM_FACTS: dict[str, Fact] = {
    "program.id": Fact(TEXT, "id"),
    "program.name": Fact(TEXT, "name"),
    "program.specialty": Fact(TEXT, "specialty"),
    "program.track": Fact(Enum(TRACKS), "track"),
    "program.city": Fact(TEXT, "city"),
    "program.state": Fact(STATE, "state"),
    "program.setting": Fact(Enum(SETTINGS), "setting"),
    "program.img_share": Fact(NUMBER, "share of residents who are IMGs"),
    "program.visas": Fact(SetOf(Enum(SPONSORED_VISAS)), "visa sponsorship"),
    "program.positions": Fact(NUMBER, "first-year positions"),
    "program.min_step2ck": Fact(NUMBER, "minimum Step 2 CK score"),
    "program.mean_step2ck": Fact(NUMBER, "average Step 2 CK of its residents"),
    "program.max_years_since_graduation": Fact(NUMBER, "most years allowed since graduation"),
    "program.max_attempts": Fact(NUMBER, "most attempts allowed on a Step exam"),
    "program.spanish_preferred": Fact(BOOL, "preference for Spanish speakers"),
    "program.underserved_focus": Fact(BOOL, "focus on underserved patients"),
    "program.rural": Fact(BOOL, "whether it is in a rural place"),
    "program.facts_as_of": Fact(NUMBER, "year the listing's facts date from"),
    "program.border": Fact(BOOL, "whether it is in a border sub-region"),
    "program.region": Fact(TEXT, "border sub-region id ('none' outside them)"),
    "program.region_name": Fact(TEXT, "border sub-region name ('none' outside them)"),
}

# The strengths (assessment ruleset's names) that speak to a border program's patients:
# a message that names "your border strengths" names these, not research or a visa.
BORDER_STRENGTHS = frozenset(
    (
        "spanish",
        "working-spanish",
        "border-experience",
        "underserved-experience",
        "interpreting",
        "border-usce",
        "strong-border-profile",
    )
)

ASSESSMENT_FACTS: dict[str, Fact] = {
    "assessment.weaknesses": Fact(SetOf(TEXT), "weaknesses found in the profile"),
    "assessment.strengths": Fact(SetOf(TEXT), "strengths found in the profile"),
    "assessment.border_strengths": Fact(
        SetOf(TEXT),
        "of those, the border-relevant ones (Spanish, border or underserved work, "
        "interpreting, border clinical time): what a message calls border strengths",
    ),
    "assessment.missing": Fact(SetOf(TEXT), "what the profile leaves out, in words"),
    "assessment.missing_counted": Fact(
        SetOf(TEXT),
        "of what the profile leaves out, the parts the plan counts at a worst value in their "
        "place, in words (a whole exam table left out is not one)",
    ),
    "assessment.missing_deciding": Fact(
        SetOf(TEXT),
        "of those, the parts a program's verdict or tier, a field's fit or a list can hang "
        "on, in words (where a letter's writer works changes only a strength named and how "
        "a letter step is worded)",
    ),
}


def specialty_facts(groups: tuple[str, ...]) -> dict[str, Fact]:
    return {
        "specialty.name": Fact(TEXT, "specialty"),
        "specialty.group": Fact(Enum(groups), "specialty group"),
        "specialty.wished": Fact(BOOL, "whether the applicant wishes for it"),
        "specialty.rank": Fact(NUMBER, "place in the applicant's wishes"),
    }


SPECIALTY_FIT_FACT = {"specialty.fit": Fact(Level(FITS), "fit of the specialty")}
WISHES_FACTS = {
    "wishes.best_fit": Fact(Level(FITS), "best fit among the wished specialties"),
    "wishes.best_fit_with_added": Fact(
        Level(FITS),
        "best fit among the specialties of the plan, wished and added (unknown until the "
        "plan has added its fields)",
    ),
    "wishes.short_catalog": Fact(
        BOOL,
        "whether the applicant named one field only and the catalog holds fewer of its "
        "programs than the specialties ruleset's short_wish_list_programs (unknown "
        "without wishes)",
    ),
}
# Read by the specialties stage's rules (fit and suggest): what a fit's words may claim
# about the field, so that a fit does not call a field "most open" beside a small national
# share, or "open in the border region" where the catalog has no program of it there.
SPECIALTY_CATALOG_FACTS = {
    "specialty.img_share": Fact(
        NUMBER,
        "percent of the specialty's filled first-year positions that non-US IMGs took (the "
        "outlook ruleset's figure; unknown without one)",
    ),
    "specialty.border_programs": Fact(
        NUMBER,
        "real catalog programs of the specialty in a border sub-region, whatever their verdict",
    ),
}
# Read by suggest rules only: a backup field when the catalog holds few programs to apply to.
WISHES_CATALOG_FACTS = {
    "wishes.programs": Fact(NUMBER, "real catalog programs in the wished specialties"),
    "wishes.programs_in_states": Fact(
        NUMBER,
        "of those, the ones in the applicant's preferred states (all of them, none named)",
    ),
    "wishes.named_states": Fact(
        TEXT, "the applicant's preferred states, in words joined by 'or' ('none')"
    ),
}

REGION_FACTS: dict[str, Fact] = {
    "region.id": Fact(TEXT, "sub-region id"),
    "region.name": Fact(TEXT, "sub-region"),
    "region.name_in_text": Fact(
        TEXT,
        "the sub-region's name as a sentence says it, with its article ('the Rio Grande Valley')",
    ),
    "region.state": Fact(STATE, "sub-region state"),
    "region.preferred": Fact(BOOL, "whether its state is among the preferred states"),
    "region.programs": Fact(
        NUMBER, "catalog programs in the sub-region, in the specialties the plan considers"
    ),
    "region.programs_this_match": Fact(
        NUMBER,
        "of those, the programs of this Match's fields: all but a backup field the plan adds "
        "once the applications are out (a choice for a next application)",
    ),
}
REGION_PRIORITY_FACT = {
    "region.priority": Fact(Level(PRIORITIES), "priority of the program's sub-region")
}
SCREEN_FACTS = {"screen.verdict": Fact(Enum(VERDICTS), "screening verdict")}

PLAN_FACTS: dict[str, Fact] = {
    "plan.considered": Fact(NUMBER, "programs considered"),
    "plan.apply": Fact(NUMBER, "programs to apply to"),
    "plan.borderline": Fact(NUMBER, "borderline programs"),
    "plan.skip": Fact(NUMBER, "programs skipped"),
    "plan.skip_real": Fact(NUMBER, "real programs skipped (not from a generated catalog)"),
    "plan.borderline_real": Fact(NUMBER, "real borderline programs (not from a generated catalog)"),
    "plan.tier1": Fact(NUMBER, "tier 1 programs"),
    "plan.tier2": Fact(NUMBER, "tier 2 programs"),
    "plan.tier3": Fact(NUMBER, "tier 3 programs"),
    "plan.to_verify": Fact(
        NUMBER,
        "real programs with facts to verify, not skipped; from the day programs read this "
        "Match's applications to the rank list deadline, without those of a backup field "
        "the plan adds (no list sent holds them)",
    ),
    "plan.synthetic": Fact(NUMBER, "programs considered from synthetic catalogs (not real)"),
    "plan.visa_check": Fact(
        TEXT,
        "the visa sponsorship to check, as a list item ('J-1 sponsorship, '); empty for an "
        "applicant who needs no visa",
    ),
    "plan.visa_favor": Fact(
        TEXT,
        "' and that sponsor the J-1' (the visas the applicant would take); empty for an "
        "applicant who needs no visa",
    ),
    "plan.verify_list": Fact(
        TEXT, "programs to verify (those plan.to_verify counts), most promising first"
    ),
    "plan.suggested": Fact(SetOf(TEXT), "specialties suggested as alternatives"),
    "plan.fields": Fact(
        SetOf(TEXT), "specialties of the plan: the wished ones and those the plan adds"
    ),
    "plan.high_regions": Fact(TEXT, "sub-regions of high priority"),
    "plan.h1b_listed": Fact(
        NUMBER,
        "real programs considered in the preferred states (all, without a preference) "
        "whose listing names H-1B sponsorship",
    ),
    "plan.later_visa_only": Fact(
        NUMBER,
        "real programs not skipped that sponsor a visa the applicant would take, but not "
        "the first choice (0 with one visa or none)",
    ),
    "plan.named_empty": Fact(
        TEXT, "named specialties with no real program to apply to in the catalog ('none')"
    ),
    "plan.named_empty_count": Fact(NUMBER, "how many named specialties that is"),
    "plan.named_fewest": Fact(
        TEXT, "the named specialty with the fewest real programs to apply to (one at least)"
    ),
    "plan.named_fewest_programs": Fact(NUMBER, "how many real programs to apply to it has"),
    "plan.named_fewest_in_states": Fact(
        NUMBER, "of those, how many are in the applicant's preferred states (none named: unknown)"
    ),
    "plan.named_states": Fact(TEXT, "the applicant's preferred states, in words joined by 'or'"),
    "plan.named_fewest_listed_in_states": Fact(
        NUMBER,
        "with none of them to apply to in the preferred states: the real programs of that "
        "specialty the plan has there all the same, every one skipped (else unknown)",
    ),
    "plan.named_fewest_visa_barred": Fact(
        NUMBER, "of those, how many list visas but none the applicant would take"
    ),
    "plan.named_fewest_their_visas": Fact(
        TEXT, "the visas those programs list, in words ('the J-1 visa')"
    ),
    "plan.named_short": Fact(
        TEXT,
        "the named specialties with real programs to apply to, but fewer than the "
        "applications ruleset's few_named_field_programs ('none' if none)",
    ),
    "plan.named_short_count": Fact(NUMBER, "how many named specialties that is"),
    "plan.named_short_words": Fact(
        TEXT, "their programs to apply to, counted per field ('3 programs in Psychiatry')"
    ),
    "plan.as_of": Fact(TEXT, "the date the plan is made for, in words"),
    "plan.match_day": Fact(TEXT, "Match Day of the cycle, in words"),
    "plan.next_match": Fact(NUMBER, "the year of the Match after the cycle"),
    "plan.cycle_stage": Fact(TEXT, "where the cycle stands on that date: 'ahead' or 'under way'"),
    "plan.rank_list_deadline": Fact(TEXT, "the cycle's rank list certification deadline, in words"),
    "plan.weeks_to_rank_list": Fact(
        NUMBER, "whole weeks from the plan's date to the rank list deadline (negative once passed)"
    ),
    "plan.days_to_rank_list": Fact(
        NUMBER, "days from the plan's date to the rank list deadline (negative once passed)"
    ),
    "plan.days_to_match_day": Fact(NUMBER, "days from the plan's date to Match Day (0 on the day)"),
    "plan.reading_starts": Fact(
        TEXT, "the day programs can start reading the cycle's applications, in words"
    ),
    "plan.weeks_since_reading": Fact(
        NUMBER,
        "whole weeks from the day programs start reading to the plan's date (negative before)",
    ),
    "plan.step2ck_sit_by": Fact(
        TEXT,
        "the last day to sit Step 2 CK for the result to be out when programs start reading: "
        "that day less the applications ruleset's step2ck_result_weeks, in words",
    ),
    "plan.days_to_step2ck_sit_by": Fact(
        NUMBER, "days from the plan's date to that last day (negative once passed)"
    ),
    "plan.previous_match_day": Fact(TEXT, "Match Day of the Match before the cycle, in words"),
    "plan.days_to_previous_match_day": Fact(
        NUMBER,
        "days from the plan's date to Match Day of the Match before the cycle (negative once "
        "passed): until then, that Match's results are not known",
    ),
    "plan.if_unmatched": Fact(
        TEXT,
        "'If you do not match', or from the Monday of Match Week 'If you did not match'",
    ),
    "plan.phases_started": Fact(
        SetOf(TEXT), "the calendar's phases of the cycle whose first day is on or before the date"
    ),
    "plan.interviews_late_from": Fact(
        TEXT,
        "when the late weeks of interview season start, as a part of a month ('mid-January'): "
        "the applications ruleset's interviews_late_weeks_to_rank_list before the rank list "
        "deadline",
    ),
    "plan.phases_over": Fact(
        SetOf(TEXT), "the calendar's phases of the cycle whose last month has passed"
    ),
    "plan.stale": Fact(NUMBER, "programs to apply to whose listed facts are out of date"),
}


# The summary stage asks some rules once per considered specialty (see stages/summary.py):
# these facts describe that specialty's programs, and then the volume worked out for it.
SPECIALTY_OPEN_FACTS: dict[str, Fact] = {
    "specialty.open": Fact(
        NUMBER, "real programs of the specialty not skipped, leaving out preliminary tracks"
    ),
    "specialty.generated": Fact(
        NUMBER,
        "programs of the specialty not skipped that come from a generated (synthetic) "
        "catalog: examples, never counted in the applications",
    ),
    "specialty.list_place": Fact(
        NUMBER,
        "place of the specialty's list in the plan: 1 for the main field (a wished field "
        "that fits better than a reach, not a Transitional Year, before any added one; "
        "then the best fit; a wished field before an added one, in the order of the "
        "wishes; then the field with more programs open to the applicant), 2 and on for "
        "the others",
    ),
    "specialty.fields_beside": Fact(NUMBER, "other specialties the plan considers"),
    "specialty.preliminary": Fact(
        NUMBER,
        "real programs of the specialty not skipped whose track is preliminary: one-year "
        "places, counted apart from the list (not in specialty.open)",
    ),
    **{
        f"specialty.open_tier{t}": Fact(NUMBER, f"real programs of the specialty in tier {t}")
        for t in (1, 2, 3)
    },
    "specialty.open_tier3_reach": Fact(
        NUMBER,
        "of the real programs of the specialty in tier 3, the reaches: programs that have "
        "taken few or no IMGs lately, kept for a strong Step 2 CK",
    ),
}
VOLUME_FACTS: dict[str, Fact] = {
    "volume.recommended": Fact(NUMBER, "applications a full list in the specialty holds"),
    "volume.applications": Fact(NUMBER, "applications to send from this catalog in the specialty"),
    "volume.shortfall": Fact(NUMBER, "applications of a full list this catalog cannot hold"),
    **{f"volume.tier{t}": Fact(NUMBER, f"applications to send in tier {t}") for t in (1, 2, 3)},
    "volume.by_tier": Fact(
        TEXT,
        "the applications to send by tier, in words, without a tier that holds none"
        " ('5 in tier 1 and 3 in tier 2', 'all 4 in tier 1')",
    ),
    **{
        f"volume.wanted_tier{t}": Fact(
            NUMBER, f"tier {t} applications the spread asks for, before fitting it to the programs"
        )
        for t in (1, 2, 3)
    },
    "volume.fee": Fact(
        NUMBER, "ERAS fees of the list the plan proposes in the specialty, in US dollars"
    ),
    "volume.fee_catalog": Fact(
        NUMBER, "ERAS fees of the specialty's applications this catalog can take, in US dollars"
    ),
    "volume.fee_ten_more": Fact(
        NUMBER, "what 10 more applications than a full list in the specialty would add"
    ),
    "volume.fee_ten_fewer": Fact(
        NUMBER, "what 10 fewer applications than a full list in the specialty would save"
    ),
}
SUMMARY_FACTS: dict[str, Fact] = {
    "summary.recommended": Fact(NUMBER, "applications full lists hold, all specialties"),
    "summary.applications": Fact(NUMBER, "applications to send from this catalog, all specialties"),
    "summary.shortfall": Fact(NUMBER, "applications of full lists this catalog cannot hold"),
    "summary.fees": Fact(
        NUMBER, "ERAS fees of the lists the plan proposes, all specialties, in US dollars"
    ),
    "summary.fees_catalog": Fact(
        NUMBER,
        "ERAS fees of the applications this catalog can take, all specialties, in US dollars",
    ),
}

# The parts of a profile a what_if rule can change (resplan.stages.what_if), each the
# name of the rule's key: a number or a Spanish level, worked out from the plan's facts.
WHAT_IF_CHANGES: tuple[str, ...] = (
    "step2ck_score",
    "advocate_letters",
    "border_clinical_months",
    "spanish_level",
    "cycles_later",
    "step3",
    "add_visa",
)
# What a change worked out, for its words: a fact is known only for the parts it changes.
WHAT_IF_FACTS: dict[str, Fact] = {
    "what_if.step2ck_score": Fact(NUMBER, "the Step 2 CK score after the change"),
    "what_if.advocate_letters": Fact(
        NUMBER, "letters added from writers who will contact programs"
    ),
    "what_if.border_clinical_months": Fact(
        NUMBER, "months of hands-on US clinical work added in a border sub-region"
    ),
    "what_if.region_name": Fact(TEXT, "the border sub-region those months are planned in"),
    "what_if.spanish_level": Fact(Level(SPANISH_LEVELS), "the Spanish level after the change"),
    "what_if.cycles_later": Fact(NUMBER, "how many cycles later the applicant would apply"),
    "what_if.cycle": Fact(NUMBER, "the Match year applied for after the change"),
    "what_if.visa": Fact(Enum(SPONSORED_VISAS), "the visa added to those the applicant would take"),
}
# What the what-if pass found, for [[summary]] rules that read it: the what-if stage asks
# them once it has planned every change (resplan.stages.what_if), and the summary stage
# leaves them to it.
WHAT_IF_PLAN_FACTS: dict[str, Fact] = {
    "what_if.tried": Fact(NUMBER, "changes planned again for this applicant"),
    "what_if.listed": Fact(NUMBER, "of those, changes that open or improve a program"),
    "what_if.tried_changes": Fact(TEXT, "the changes planned again, in words, joined with '; '"),
    "what_if.programs_with_limits": Fact(
        NUMBER,
        "programs considered that state a limit a change could clear: a Step 2 CK minimum "
        "or average, years since graduation or attempts (real programs only)",
    ),
    "what_if.generated_programs": Fact(
        NUMBER,
        "generated (synthetic) programs the plan considers: no change is compared on them",
    ),
}


# The outlook stage asks its rules once per considered specialty (see stages/outlook.py):
# the specialty's published figure, and what this catalog holds for the applicant.
OUTLOOK_FACTS: dict[str, Fact] = {
    "specialty.img_share": Fact(
        NUMBER, "percent of the specialty's filled first-year positions that non-US IMGs took"
    ),
    "specialty.img_share_season": Fact(NUMBER, "Match year of that percent"),
    "specialty.passed": Fact(
        NUMBER, "real programs of the specialty whose every known filter the applicant passes"
    ),
    "specialty.passed_border": Fact(
        NUMBER, "real programs of the specialty not skipped that are in a border sub-region"
    ),
    "specialty.passed_generated": Fact(
        NUMBER,
        "programs of the specialty from a generated (synthetic) catalog whose every known "
        "filter the applicant passes: examples, not programs to apply to",
    ),
    "specialty.passed_unknown": Fact(
        NUMBER, "of those, programs with facts to verify that could still screen the applicant out"
    ),
    "specialty.passed_preliminary": Fact(
        NUMBER,
        "real programs of the specialty of a preliminary track whose every known filter the "
        "applicant passes: one-year places, not counted in specialty.passed",
    ),
    "specialty.in_catalog": Fact(
        NUMBER,
        "programs of the specialty the catalog holds at all, real or generated, whatever "
        "their verdict (skipped ones too)",
    ),
    "specialty.earlier_without_program": Fact(
        NUMBER,
        "considered specialties before this one (in the plan's order) in which the applicant "
        "passes every known filter of no program at all, real, generated or preliminary",
    ),
}


# The signals stage asks its rules once per considered specialty (signal.*) and once per
# program chosen for a signal (choice.*); see stages/signals.py.
SIGNAL_FACTS: dict[str, Fact] = {
    "signal.known": Fact(BOOL, "whether the season's number of signals for the specialty is known"),
    "signal.count": Fact(NUMBER, "program signals the season gives in the specialty"),
    "signal.gold": Fact(NUMBER, "gold signals, in a specialty with gold and silver ones"),
    "signal.silver": Fact(NUMBER, "silver signals, in a specialty with gold and silver ones"),
    "signal.season": Fact(NUMBER, "latest Match year the number of signals is confirmed for"),
    "signal.confirmed": Fact(BOOL, "whether the number is confirmed for the applicant's Match"),
    "signal.chosen": Fact(NUMBER, "programs the plan chose to signal in the specialty"),
    "signal.unused": Fact(NUMBER, "signals the plan leaves unused in the specialty"),
    "signal.states_named": Fact(BOOL, "whether the applicant named preferred states"),
    "signal.under_way": Fact(
        BOOL, "whether programs already read the applications of the applicant's Match"
    ),
    "signal.elsewhere": Fact(
        NUMBER,
        "programs outside the preferred states whose every known filter the applicant passes",
    ),
    "signal.backup_later": Fact(
        BOOL, "whether the specialty is a backup field the plan adds once applications are out"
    ),
    "signal.backup_silver_only": Fact(
        BOOL,
        "whether the specialty has gold signals and is a field the plan adds beside a wished "
        "field that fits better than a reach: the plan proposes silver signals only in it",
    ),
    "signal.gold_kept": Fact(
        NUMBER,
        "gold signals left unused for an applicant whose only visa route is the H-1B: "
        "only a program whose listing names it gets one (set only where some silver "
        "signal went to a listing that does not)",
    ),
    "signal.gold_visa_unlisted": Fact(
        NUMBER,
        "silver signals that went to programs whose listing does not name the visa a gold "
        "signal needs",
    ),
    "signal.gold_visa": Fact(TEXT, "the visa a listing must name for a gold signal, in words"),
    "signal.few_imgs": Fact(
        NUMBER,
        "programs (in the preferred states, if any) that pass every known filter but get no"
        " signal: their listing shows few IMG residents and no visa the applicant would take",
    ),
    "signal.generated": Fact(
        NUMBER,
        "programs of a generated catalog (in the preferred states, if any) that pass every"
        " known filter and get no signal",
    ),
    "signal.preliminary": Fact(
        NUMBER,
        "real programs of a preliminary track (in the preferred states, if any) that pass"
        " every known filter and get no signal",
    ),
    "signal.in_states": Fact(
        NUMBER, "real programs of the specialty in the preferred states, whatever their verdicts"
    ),
    "signal.in_catalog": Fact(
        NUMBER, "real programs of the specialty in the plan, in any state, whatever their verdicts"
    ),
    "signal.named_states": Fact(
        TEXT, "the applicant's preferred states, in words joined by 'or' ('none')"
    ),
    "signal.divisions": Fact(TEXT, "the regions to name as a geographic preference, in words"),
    "signal.division_count": Fact(NUMBER, "how many regions to name as a geographic preference"),
    "signal.divisions_of_states": Fact(
        BOOL, "whether those regions are the ones of the applicant's preferred states"
    ),
}
CHOICE_FACTS: dict[str, Fact] = {
    "choice.kind": Fact(Enum(("gold", "silver", "signal")), "kind of signal"),
    "choice.tier": Fact(NUMBER, "the program's tier"),
    "choice.place": Fact(TEXT, "the program's city and state, in words"),
    "choice.preferred_state": Fact(BOOL, "whether the program is in a preferred state"),
    "choice.to_verify": Fact(BOOL, "whether the program has facts to verify"),
    "choice.verify": Fact(TEXT, "the program's facts to verify, in words"),
    "choice.lists_filters": Fact(
        BOOL, "whether the program's listing states any fact a filter reads"
    ),
    "choice.takes_you": Fact(
        BOOL, "whether the listing shows it takes IMGs on a visa the applicant would take"
    ),
    "choice.listing_year": Fact(NUMBER, "the year of the program's listing, where given"),
    "choice.your_visas": Fact(
        TEXT, "the visas the applicant would take that the listing says it sponsors, in words"
    ),
    "choice.imgs_shown": Fact(
        BOOL, "whether the listing shows IMG residents or a visa the applicant would take"
    ),
    "choice.gold_kept": Fact(
        BOOL,
        "whether the program gets a silver signal because its listing does not name the "
        "visa a gold signal needs (signal.gold_visa)",
    ),
    "choice.border": Fact(BOOL, "whether the program is in a border sub-region"),
    "choice.region": Fact(TEXT, "the program's border sub-region, in words"),
    "choice.region_priority": Fact(Level(PRIORITIES), "priority of the program's sub-region"),
}


def label(name: str) -> str:
    for table in (PROGRAM_FACTS, PROFILE_FACTS):
        if name in table:
            return table[name].label
    return name


def verify_label(field: str, visas=None) -> str:
    """How a plan names a program fact to verify (a field of ``to_verify``) to one
    applicant: visa sponsorship as the visas they would take ("J-1 sponsorship", "J-1 or
    H-1B sponsorship"), the visa they must ask about; every other fact by its label."""
    if field == "visas" and visas:
        return " or ".join(visas) + " sponsorship"
    return label(f"program.{field}")


# ------------------------------------------------------------------ the values


def _stated_months(items) -> float | None:
    """The months of ``items`` together; unknown when one of them does not say."""
    months = [item.months for item in items]
    return None if None in months else sum(months)


def profile_facts(profile: Profile, city_regions: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """The facts rules decide on: each gap of the profile filled with its worst value."""
    return stated_facts(worst_case(profile), city_regions)


def stated_facts(profile: Profile, city_regions: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """The profile's facts as stated: a fact that depends on a part the profile leaves out
    is unknown. ``city_regions`` maps (city, state) to a border sub-region id."""
    a = profile.applicant
    step1, step2 = profile.exams.step1, profile.exams.step2ck
    facts: dict[str, Any] = {
        "profile.graduation_year": a.graduation_year,
        "profile.cycle": a.cycle,
        # Applications open in June of the year before the Match.
        "profile.years_since_graduation": a.cycle - 1 - a.graduation_year,
        "profile.application_year": a.cycle - 1,
        "profile.visa": a.first_visa,
        "profile.visas": frozenset(v for v in a.visas if v != "none"),
        "profile.visa_words": visa_words(a.visas),
        "profile.needs_visa": a.first_visa != "none",
        "profile.us_citizen": a.us_citizen,
        "profile.specialties": frozenset(a.specialties),
        "profile.specialty_words": _and(list(a.specialties)) if a.specialties else "none",
        "profile.states": frozenset(a.states) if a.states is not None else None,
        "profile.previous_cycles": a.previous_cycles,
        "profile.interviews": a.interviews,
        "profile.step1.given": step1 is not None,
        "profile.step2ck.given": step2 is not None,
        # Left out, the table reads as not sat (docs/profile.md); so does attempts = 0.
        "profile.step2ck.taken": step2 is not None and step2.sat,
        "profile.step2ck.passed": step2 is not None and step2.passed,
        "profile.step3.taken": profile.exams.step3 is not None,
    }
    ecfmg = profile.ecfmg
    if ecfmg is not None:
        facts["profile.ecfmg.status"] = ecfmg.status
        if ecfmg.status == "pending":
            facts["profile.ecfmg.to_finish"] = (
                _and([ECFMG_MISSING_WORDS[m] for m in ECFMG_MISSING_WORDS if m in ecfmg.missing])
                if ecfmg.missing
                else "what ecfmg.org still lists for you. Add it to your profile under [ecfmg] "
                '(for example, missing = ["communication"]), and the next plan will name it'
            )
    training = profile.training
    # Left out, [training] says there is no US residency year (docs/profile.md).
    facts["profile.training.resident"] = training is not None
    facts["profile.training.current"] = training is not None and training.status == "current"
    if training is not None:
        facts["profile.training.year"] = (
            f"{training.kind} year" if training.kind else "US residency year"
        )
        facts["profile.training.in_training_percentile"] = training.in_training_percentile
    if profile.reapplicant is not None:
        facts["profile.reapplicant.last_cycle"] = profile.reapplicant.last_cycle
        changes = profile.reapplicant.changes
        facts["profile.reapplicant.changes"] = None if changes is None else frozenset(changes)
        if changes is not None:
            facts["profile.reapplicant.changes_words"] = changes_words(changes)
    attempts = []  # per exam taken; None where the count is not given
    exams_sat: list[tuple[str, int | None]] = []
    failure = False
    # A last sitting whose result the profile does not give (a Step 2 CK sat, with no
    # score and no result) may have been a fail: no failure is then ruled out.
    unsure = False
    if step1 is not None:
        if isinstance(step1.result, int):
            facts["profile.step1.result"] = "score"
            facts["profile.step1.score"] = step1.result
        elif step1.result is not None:
            facts["profile.step1.result"] = step1.result
            failure |= step1.result == "fail"
        facts["profile.step1.attempts"] = step1.attempts
        attempts.append(step1.attempts)
        exams_sat.append(("Step 1", step1.attempts))
    if step2 is not None:
        facts["profile.step2ck.score"] = step2.score
        facts["profile.step2ck.attempts"] = step2.attempts
        facts["profile.step2ck.result"] = "pass" if step2.passed else step2.result
        if step2.sat:
            attempts.append(step2.attempts)
            exams_sat.append(("Step 2 CK", step2.attempts))
            failure |= step2.result == "fail"
            unsure |= not step2.passed and step2.result is None
    step3 = profile.exams.step3
    if step3 is not None:
        facts["profile.step3.result"] = step3.result
        facts["profile.step3.attempts"] = step3.attempts
        failure |= step3.result == "fail"
        attempts.append(step3.attempts)
        exams_sat.append(("Step 3", step3.attempts))
    if step1 is not None and step1.attempts is not None and step2 is not None:
        if step2.attempts is not None:
            facts["profile.step2ck.first_try_after_failures"] = (
                step2.passed and step2.attempts == 1 and step1.attempts > 1
            )
    known_attempts = [n for n in attempts if n is not None]
    if attempts and len(known_attempts) == len(attempts):
        most = max(known_attempts)
        facts["profile.max_attempts"] = most
        facts["profile.max_attempts_exams"] = _and([name for name, n in exams_sat if n == most])
        failure |= most > 1
    elif any(n is not None and n > 1 for n in attempts):
        failure = True
    facts["profile.failed_sittings"] = _failed_sittings(profile)
    # Without every attempt count and no failure known, whether there was one is unknown;
    # so it is without Step 1, which every applicant sits (docs/profile.md: not judged).
    facts["profile.any_failure"] = (
        True
        if failure
        else (False if step1 is not None and None not in attempts and not unsure else None)
    )

    spanish = [lang for lang in profile.languages if _is_spanish(lang.name)]
    if not spanish:
        facts["profile.spanish_level"] = "none"
    else:
        levels = [lang.level for lang in spanish]
        facts["profile.spanish_level"] = (
            None if None in levels else max(levels, key=SPANISH_LEVELS.index)
        )
    facts["profile.languages"] = frozenset(lang.name for lang in profile.languages)
    # The CV steps name each language once, with the level the profile gives, in the
    # profile's order; working Spanish (medical or more) first, the border programs' asset.
    working = SPANISH_LEVELS.index(facts["profile.spanish_level"] or "none") >= (
        SPANISH_LEVELS.index("medical")
    )
    ordered = sorted(profile.languages, key=lambda lang: not (working and _is_spanish(lang.name)))
    facts["profile.language_words"] = _and(
        [
            lang.name.strip()
            + (f" ({LANGUAGE_LEVEL_WORDS[lang.level]})" if lang.level is not None else "")
            for lang in ordered
        ]
    )

    clinical = profile.clinical
    # An entry of unknown kind may be hands-on work or an observership.
    kindless = any(c.kind is None and c.months != 0 for c in clinical)
    facts["profile.clinical.months"] = _stated_months(clinical)
    facts["profile.clinical.hands_on_months"] = (
        None
        if kindless
        else _stated_months(c for c in clinical if c.kind in CLINICAL_KINDS_HANDS_ON)
    )
    facts["profile.clinical.observership_months"] = (
        None if kindless else _stated_months(c for c in clinical if c.kind == "observership")
    )
    facts["profile.clinical.states"] = frozenset(c.state for c in clinical if c.state)
    facts["profile.clinical.cities"] = frozenset(c.city for c in clinical if c.city)
    regions = {c: city_regions.get((_norm(c.city), c.state or "")) for c in clinical if c.city}
    facts["profile.clinical.regions"] = frozenset(r for r in regions.values() if r)
    facts["profile.clinical.border_months"] = _stated_months(c for c, r in regions.items() if r)
    facts["profile.clinical.border_hands_on_months"] = (
        None
        if kindless
        else _stated_months(
            c for c, r in regions.items() if r and c.kind in CLINICAL_KINDS_HANDS_ON
        )
    )

    letters = profile.letters
    facts["profile.letters.total"] = len(letters)
    facts["profile.letters.us_clinical"] = (
        None
        if any(x.us_clinical is None for x in letters)
        else sum(1 for x in letters if x.us_clinical)
    )
    # A writer who has not offered to contact programs will not: unsaid means no.
    facts["profile.letters.advocates"] = sum(1 for x in letters if x.advocate)
    # The letters the profile says come from US faculty outside patient care. A letter
    # without its origin is a gap of its own (listed with the others), not counted here:
    # so the findings and reasons that read this count never rest on that gap.
    facts["profile.letters.us_faculty"] = sum(
        1 for x in letters if not x.us_clinical and x.origin == "us"
    )

    activities = profile.activities
    facts["profile.activities.kinds"] = frozenset(x.kind for x in activities if x.kind)
    unkinded = any(x.kind is None and x.months != 0 for x in activities)
    for kind in ACTIVITY_KINDS:
        facts[f"profile.activities.{_key(kind)}_months"] = (
            None if unkinded else _stated_months(x for x in activities if x.kind == kind)
        )
    if not unkinded:
        facts["profile.activities.community_months"] = _stated_months(
            x for x in activities if x.kind in ("underserved", "public-health")
        )
    return {k: v for k, v in facts.items() if v is not None}


# Each change of a reapplicant's file in words, in the order a plan names them.
CHANGE_WORDS: dict[str, str] = {
    "step2ck": "a new Step 2 CK result",
    "step3": "Step 3 passed",
    "us-clinical": "new US clinical work",
    "letters": "new letters",
    "research": "research output",
    "certificate": "a course or certificate finished",
    "spanish": "better Spanish",
    "border-work": "new work with border or underserved communities",
}


def changes_words(changes) -> str:
    """``("letters", "step2ck")`` as "a Step 2 CK passed and new letters"; "nothing" for none."""
    words = [CHANGE_WORDS[c] for c in CHANGE_WORDS if c in changes]
    if not words:
        return "nothing"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


# A language's level as a CV gives it.
LANGUAGE_LEVEL_WORDS = {
    "native": "native",
    "fluent": "fluent",
    "professional": "professional working proficiency",
    "medical": "medical level",
    "intermediate": "intermediate",
    "basic": "basic",
}


# What [ecfmg] missing names, in the plan's words and order.
ECFMG_MISSING_WORDS = {
    "exams": "ECFMG's confirmation of your Step exams",
    "communication": "the communication skills requirement (an English test)",
    "credentials": "the check of your medical diploma and transcript",
    "other": "another requirement (see ecfmg.org)",
}


def visa_words(visas) -> str:
    """``("J-1", "H-1B")`` as "J-1 or H-1B"; "none" for none."""
    return " or ".join(visas)


def _failed_sittings(profile: Profile) -> int | None:
    """The failed sittings on record: an exam whose last result is a fail failed at every
    sitting; otherwise (passed, pending, or a last result not given) every sitting before
    the last one failed. Unknown while an exam taken does not give its sittings, or Step 1
    its result."""
    exams = profile.exams
    failed = 0
    if exams.step1 is not None:
        if exams.step1.attempts is None or exams.step1.result is None:
            return None
        failed += exams.step1.attempts - (exams.step1.result != "fail")
    step2 = exams.step2ck
    if step2 is not None and step2.sat:
        if step2.attempts is None:
            return None
        failed += step2.attempts - (step2.passed or step2.result != "fail")
    if exams.step3 is not None:
        if exams.step3.attempts is None:
            return None
        failed += exams.step3.attempts - (exams.step3.result != "fail")
    return failed


def _is_spanish(name: str) -> bool:
    return name.strip().lower() in SPANISH_NAMES


# ------------------------------------------------------------------ gaps


@attrs.frozen
class Gap:
    """A part the profile leaves out of something it reports, and its worst value."""

    key: str  # the field, as input messages name it: "exams.step2ck.score", "clinical[1].kind"
    label: str  # what is left out, in words: "your Step 2 CK score"
    assumed: str  # what the plan counts until it is given, in words
    fill: Any = attrs.field(eq=False, repr=False)  # Profile -> the Profile with it filled
    # What the plan says of it, where the usual sentence does not fit (a whole table left out).
    words: str = attrs.field(default="", eq=False, repr=False)
    # Whether the plan counts a worst value in its place: a whole exam table left out is
    # read as unknown or as not sat, and no value stands in for it.
    counted: bool = attrs.field(default=True, eq=False, repr=False)
    # Whether a program's verdict or tier, a field's fit or a list can hang on it: where a
    # letter's writer works changes only a strength named and how a letter step is worded,
    # so the step that asks for it does not come before the plan's real first steps.
    deciding: bool = attrs.field(default=True, eq=False, repr=False)

    @property
    def says(self) -> str:
        if self.words:
            return self.words
        return f"Your profile leaves out {self.label}, so until you add it this plan counts {self.assumed}."


# What a plan counts for each part a profile may leave out of what it reports (see
# gaps), by key ("[]" for any item of a list), as docs/profile.md says it.
GAP_WORST: dict[str, str] = {
    "exams.step1.result": "a fail (a pass with no score if your profile has Step 3, which "
    "comes after Step 1 is passed)",
    "exams.step1.attempts": f"{USMLE_ATTEMPT_LIMIT} attempts, the most USMLE allows",
    "exams.step2ck.score": "the lowest passing score that can apply to you "
    f"({STEP2CK_PASSING[-1].score} for recent graduates) when your result is "
    '"pass"; without a result, no pass yet (the score is unknown)',
    "exams.step2ck.attempts": f"{USMLE_ATTEMPT_LIMIT} attempts, the most USMLE allows",
    "exams.step3.attempts": f"{USMLE_ATTEMPT_LIMIT} attempts, the most USMLE allows",
    "languages[].level": f"{LANGUAGE_LEVELS[0]} for Spanish (the level of another language "
    "is no gap: no rule reads it)",
    "clinical[].kind": "an observership (unless months is 0)",
    "clinical[].months": "no months",
    "letters[].us_clinical": "a letter from someone else",
    "letters[].origin": 'a letter from abroad ("abroad"), asked for once us_clinical is false',
    "activities[].kind": "other work (unless months is 0)",
    "activities[].months": "no months",
}

# Every exam's result and sittings: what a count of failed sittings reads.
_EXAM_RESULTS = (
    "exams.step1.result",
    "exams.step1.attempts",
    "exams.step2ck.attempts",
    "exams.step2ck.result",
    "exams.step3.result",
    "exams.step3.attempts",
)
# The profile keys each profile fact is computed from (docs/profile.md lists, per key,
# the rules that read its facts).
FACT_INPUTS: dict[str, tuple[str, ...]] = {
    "profile.graduation_year": ("applicant.graduation_year",),
    "profile.cycle": ("applicant.cycle",),
    "profile.years_since_graduation": ("applicant.graduation_year", "applicant.cycle"),
    "profile.visa": ("applicant.visa",),
    "profile.visas": ("applicant.visa",),
    "profile.visa_words": ("applicant.visa",),
    "profile.needs_visa": ("applicant.visa",),
    "profile.us_citizen": ("applicant.us_citizen",),
    "profile.specialties": ("applicant.specialties",),
    "profile.specialty_words": ("applicant.specialties",),
    "profile.states": ("applicant.states",),
    "profile.previous_cycles": ("applicant.previous_cycles",),
    "profile.interviews": ("applicant.interviews",),
    "profile.ecfmg.status": ("ecfmg.status",),
    "profile.ecfmg.to_finish": ("ecfmg.status", "ecfmg.missing"),
    "profile.letters.us_faculty": ("letters[].origin", "letters[].us_clinical"),
    "profile.step1.given": ("exams.step1.result", "exams.step1.attempts"),
    "profile.step1.result": ("exams.step1.result",),
    "profile.step1.score": ("exams.step1.result",),
    "profile.step1.attempts": ("exams.step1.attempts",),
    "profile.step2ck.given": ("exams.step2ck.score", "exams.step2ck.attempts"),
    "profile.step2ck.taken": ("exams.step2ck.attempts",),
    "profile.step2ck.passed": ("exams.step2ck.score", "exams.step2ck.result"),
    "profile.step2ck.result": ("exams.step2ck.score", "exams.step2ck.result"),
    "profile.step2ck.score": ("exams.step2ck.score",),
    "profile.step2ck.attempts": ("exams.step2ck.attempts",),
    "profile.step2ck.first_try_after_failures": (
        "exams.step1.attempts",
        "exams.step2ck.attempts",
        "exams.step2ck.score",
        "exams.step2ck.result",
    ),
    "profile.step3.taken": ("exams.step3.result", "exams.step3.attempts"),
    "profile.step3.result": ("exams.step3.result",),
    "profile.step3.attempts": ("exams.step3.attempts",),
    "profile.application_year": ("applicant.cycle",),
    "profile.max_attempts": (
        "exams.step1.attempts",
        "exams.step2ck.attempts",
        "exams.step3.attempts",
    ),
    "profile.max_attempts_exams": (
        "exams.step1.attempts",
        "exams.step2ck.attempts",
        "exams.step3.attempts",
    ),
    "profile.failed_sittings": _EXAM_RESULTS,
    "profile.any_failure": _EXAM_RESULTS,
    "profile.spanish_level": ("languages[].name", "languages[].level"),
    "profile.languages": ("languages[].name",),
    "profile.clinical.months": ("clinical[].months",),
    "profile.clinical.hands_on_months": ("clinical[].kind", "clinical[].months"),
    "profile.clinical.observership_months": ("clinical[].kind", "clinical[].months"),
    "profile.clinical.states": ("clinical[].state",),
    "profile.clinical.cities": ("clinical[].city",),
    "profile.clinical.regions": ("clinical[].city", "clinical[].state"),
    "profile.clinical.border_months": ("clinical[].city", "clinical[].state", "clinical[].months"),
    "profile.clinical.border_hands_on_months": (
        "clinical[].kind",
        "clinical[].city",
        "clinical[].state",
        "clinical[].months",
    ),
    "profile.letters.total": ("letters[].writer",),
    "profile.letters.us_clinical": ("letters[].us_clinical",),
    "profile.letters.advocates": ("letters[].advocate",),
    "profile.activities.kinds": ("activities[].kind",),
    **{
        f"profile.activities.{_key(kind)}_months": ("activities[].kind", "activities[].months")
        for kind in ACTIVITY_KINDS
    },
    "profile.activities.community_months": ("activities[].kind", "activities[].months"),
    "profile.training.resident": ("training.status",),
    "profile.training.current": ("training.status",),
    "profile.training.year": ("training.kind",),
    "profile.training.in_training_percentile": ("training.in_training_percentile",),
    "profile.reapplicant.last_cycle": ("reapplicant.last_cycle",),
    "profile.reapplicant.changes": ("reapplicant.changes",),
    "profile.reapplicant.changes_words": ("reapplicant.changes",),
}


def _set_exam(exam: str, **changes):
    def fill(profile: Profile) -> Profile:
        exams = profile.exams
        part = attrs.evolve(getattr(exams, exam), **changes)
        return attrs.evolve(profile, exams=attrs.evolve(exams, **{exam: part}))

    return fill


def _unchanged(profile: Profile) -> Profile:
    return profile


def _set_item(section: str, index: int, **changes):
    def fill(profile: Profile) -> Profile:
        items = list(getattr(profile, section))
        items[index] = attrs.evolve(items[index], **changes)
        return attrs.evolve(profile, **{section: tuple(items)})  # type: ignore[arg-type]

    return fill


def lowest_step2ck_pass(profile: Profile) -> int:
    """The lowest Step 2 CK passing score that can apply to this applicant."""
    floor = lowest_passing(
        STEP2CK_PASSING,
        earliest_exam_day(profile.applicant.graduation_year, STEP2CK_YEARS_BEFORE_GRADUATION),
    )
    return (floor or STEP2CK_PASSING[0]).score


def _where(item, index: int, what: str) -> str:
    place = ", ".join(p for p in (getattr(item, "city", None), getattr(item, "state", None)) if p)
    if what == "clinical":
        return (
            f"your clinical work in {place}"
            if place
            else f"clinical entry {index + 1} of your profile"
        )
    if what == "activities":
        title = f" ({item.title})" if item.title else ""
        return f"activity {index + 1} of your profile{title}"
    return (
        f"your letter from {item.writer}" if item.writer else f"letter {index + 1} of your profile"
    )


def gaps(profile: Profile) -> tuple[Gap, ...]:
    """What the profile leaves out of what it reports, in the order of the profile.

    Only parts that rules read: a Spanish level, but not the level of another language.
    A worst value is the far end of the field's own scale (the lowest pass, the most
    attempts USMLE allows, the lowest language level, an observership, no months), never
    a threshold of resplan's.
    """
    found = []
    limit = f"{USMLE_ATTEMPT_LIMIT} attempts, the most USMLE allows"
    step1, step2 = profile.exams.step1, profile.exams.step2ck
    if step1 is None:
        # Nothing to fill: Step 1's facts stay unknown, and no rule decides on them.
        found.append(
            Gap(
                "exams.step1",
                "your Step 1 result and sittings",
                "them as unknown",
                _unchanged,
                "Your profile does not give your Step 1, so this plan cannot judge it. Add "
                "[exams.step1] with your result and how many times you sat it.",
                counted=False,
            )
        )
    else:
        if step1.result is None and profile.exams.step3 is not None:
            # Step 3 comes after Step 1 is passed: the worst result left is a bare pass.
            found.append(
                Gap(
                    "exams.step1.result",
                    "your Step 1 result",
                    "a pass with no score",
                    _set_exam("step1", result="pass"),
                )
            )
        elif step1.result is None:
            found.append(
                Gap(
                    "exams.step1.result",
                    "your Step 1 result",
                    "a fail",
                    _set_exam("step1", result="fail"),
                )
            )
        if step1.attempts is None:
            found.append(
                Gap(
                    "exams.step1.attempts",
                    "how many times you sat Step 1",
                    limit,
                    _set_exam("step1", attempts=USMLE_ATTEMPT_LIMIT),
                )
            )
    if step2 is None:
        # Read as not sat (docs/profile.md): the facts say so already.
        found.append(
            Gap(
                "exams.step2ck",
                "your Step 2 CK",
                "it as not sat yet",
                _unchanged,
                "Your profile does not give your Step 2 CK, so this plan reads it as not sat "
                "yet. If you have sat it, add [exams.step2ck] with your sittings and your "
                "score or result; if not, write attempts = 0 there.",
                counted=False,
            )
        )
    elif step2.sat:
        if step2.score is None and step2.result is None:
            # Sat, with no score: not passed yet, or a result still to come (docs/profile.md
            # asks for no score until a pass). Nothing to fill: no pass is the reading.
            found.append(
                Gap(
                    "exams.step2ck.result",
                    "your Step 2 CK result",
                    "no pass yet",
                    _unchanged,
                    "Your profile gives Step 2 CK sittings but no score, so this plan reads it "
                    "as not passed yet. If you passed, add your score. If you wait for the "
                    'result, write result = "pending"; if you failed, write result = "fail".',
                )
            )
        if step2.score is None and step2.result == "pass":
            lowest = lowest_step2ck_pass(profile)
            found.append(
                Gap(
                    "exams.step2ck.score",
                    "your Step 2 CK score",
                    f"{lowest}, the lowest passing score",
                    _set_exam("step2ck", score=lowest),
                )
            )
        if step2.attempts is None:
            found.append(
                Gap(
                    "exams.step2ck.attempts",
                    "how many times you sat Step 2 CK",
                    limit,
                    _set_exam("step2ck", attempts=USMLE_ATTEMPT_LIMIT),
                )
            )
    step3 = profile.exams.step3
    # A Step 3 without its result is no gap: a result still awaited is common, and a fail
    # would be a failed attempt the applicant may not have. It stays unknown, and an
    # action (applications/step3-result) asks for it.
    if step3 is not None:
        if step3.attempts is None:
            found.append(
                Gap(
                    "exams.step3.attempts",
                    "how many times you sat Step 3",
                    limit,
                    _set_exam("step3", attempts=USMLE_ATTEMPT_LIMIT),
                )
            )
    for index, lang in enumerate(profile.languages):
        if lang.level is None and _is_spanish(lang.name):
            found.append(
                Gap(
                    f"languages[{index}].level",
                    "the level of your Spanish",
                    f"your Spanish as {LANGUAGE_LEVELS[0]}",
                    _set_item("languages", index, level=LANGUAGE_LEVELS[0]),
                )
            )
    found.extend(
        _kind_and_months_gaps(profile.clinical, "clinical", "observership", "it as an observership")
    )
    for index, letter in enumerate(profile.letters):
        if letter.us_clinical is None:
            where = _where(letter, index, "letters")
            found.append(
                Gap(
                    f"letters[{index}].us_clinical",
                    f"whether {where} comes from a US clinical supervisor",
                    "it as a letter from someone else",
                    _set_item("letters", index, us_clinical=False),
                )
            )
        if letter.us_clinical is False and letter.origin is None:
            # A US clinical supervisor works in the US: the origin of that letter is known.
            # With its kind unknown too, the plan asks for the kind first (one question a
            # letter), and counts no US faculty letter in its place.
            found.append(
                Gap(
                    f"letters[{index}].origin",
                    f"whether the writer of {_where(letter, index, 'letters')} works in the US",
                    "it as a letter from abroad",
                    _set_item("letters", index, origin="abroad"),
                    deciding=False,
                )
            )
    found.extend(
        _kind_and_months_gaps(profile.activities, "activities", "other", "it as other work")
    )
    return tuple(found)


def _kind_and_months_gaps(items, field: str, least_kind: str, least_kind_words: str) -> list[Gap]:
    """Gaps of a list whose entries have a kind and a length in months (clinical work,
    activities): an unknown kind is read as the kind that counts least, unknown months as
    none. A kind matters only when the entry may have lasted some months."""
    found = []
    for index, item in enumerate(items):
        where = _where(item, index, field)
        if item.kind is None and item.months != 0:
            found.append(
                Gap(
                    f"{field}[{index}].kind",
                    f"the kind of {where}",
                    least_kind_words,
                    _set_item(field, index, kind=least_kind),
                )
            )
        if item.months is None:
            found.append(
                Gap(
                    f"{field}[{index}].months",
                    f"how many months {where} lasted",
                    "no months",
                    _set_item(field, index, months=0.0),
                )
            )
    return found


def guessed_facts(
    profile: Profile, found: tuple[Gap, ...], city_regions: Mapping[tuple[str, str], str]
) -> dict[str, tuple[Gap, ...]]:
    """Each fact whose value rules decide on rests on a gap's worst value, with those gaps.

    A fact rests on a gap when leaving that one gap open changes it (sums and maxima may
    rest on several).
    """
    if not found:
        return {}
    full = stated_facts(worst_case(profile, found), city_regions)
    out: dict[str, list[Gap]] = {}
    for gap in found:
        others = tuple(g for g in found if g is not gap)
        open_one = stated_facts(worst_case(profile, others), city_regions)
        for name in sorted(full.keys() | open_one.keys()):
            if full.get(name) != open_one.get(name):
                out.setdefault(name, []).append(gap)
    return {name: tuple(gaps_) for name, gaps_ in out.items()}


def worst_case(profile: Profile, found: tuple[Gap, ...] | None = None) -> Profile:
    """The profile with each gap filled with its worst value."""
    for gap in gaps(profile) if found is None else found:
        profile = gap.fill(profile)
    return profile


def program_facts(
    program: Program,
    city_regions: Mapping[tuple[str, str], str],
    region_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    facts = {f"program.{a.name}": getattr(program, a.name) for a in attrs.fields(Program)}
    if program.visas is not None:
        facts["program.visas"] = frozenset(program.visas)
    region = city_regions.get((_norm(program.city), program.state))
    facts["program.border"] = region is not None
    facts["program.region"] = region or "none"
    facts["program.region_name"] = (region_names or {}).get(region, region) if region else "none"
    facts.pop("program.source")
    facts.pop("program.synthetic")  # no rule decides by it: a plan marks such programs
    for name in ("acgme_id", "nrmp_code", "website"):  # where to look it up, not what it is
        facts.pop(f"program.{name}")
    return {k: v for k, v in facts.items() if v is not None}


def program_fact_columns(
    programs: Sequence[Program],
    city_regions: Mapping[tuple[str, str], str],
    fields: Mapping[str, list] | None = None,
) -> dict[str, list]:
    """:func:`program_facts` of each program, one list per fact (None where a program's fact
    is unknown), without a dict per program; ``program.region_name`` is left out (it
    depends on the plan's regions). The column table of a catalog is built from these.
    ``fields``: the programs' field values as one list per field, when the catalog was
    read as columns (they are then not read from each program)."""
    columns = {
        f"program.{field.name}": (
            fields[field.name]
            if fields is not None
            else list(map(operator.attrgetter(field.name), programs))
        )
        for field in attrs.fields(Program)
        if field.name not in ("source", "synthetic")
    }
    # One frozenset per distinct list of visas: a catalog has a handful.
    visa_sets: dict = {}
    columns["program.visas"] = [
        None
        if v is None
        else visa_sets[v]
        if v in visa_sets
        else visa_sets.setdefault(v, frozenset(v))
        for v in columns["program.visas"]
    ]
    cities = columns["program.city"]
    places: dict[tuple, str | None] = dict.fromkeys(zip(cities, columns["program.state"]))
    for city, state in places:
        places[city, state] = city_regions.get((_norm(city), state))
    regions = [places[place] for place in zip(cities, columns["program.state"])]
    columns["program.border"] = [region is not None for region in regions]
    columns["program.region"] = [region or "none" for region in regions]
    return columns


def _norm(city: str | None) -> str:
    return " ".join((city or "").lower().split())


def city_key(city: str, state: str) -> tuple[str, str]:
    return (_norm(city), state)
