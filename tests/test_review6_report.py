"""How a plan and its report read for profiles of the sixth advisor review (/work/review6
in its session): the report's badges, signals, facts to verify and wording.

Each profile is a few lines, planned against the border programs on the date the advisor
used.
"""

from __future__ import annotations

import re

import pytest

import resplan
from resplan.report.labels import load_labels
from resplan.report.view import build
from tests.conftest import EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
MATCH_WEEK, NOVEMBER = "2027-03-16", "2026-11-20"


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


def plan_of(host, border, *, as_of, applicant=None, **sections):
    applicant = {
        "visa": "J-1",
        "graduation_year": 2022,
        "previous_cycles": 0,
        "specialties": ["Internal Medicine"],
        **(applicant or {}),
    }
    sections.setdefault(
        "exams",
        {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 228, "attempts": 1}},
    )
    profile = make_profile(applicant=applicant, **sections)
    return resplan.plan(profile, border, host=host, as_of=as_of)


def steps(plan) -> dict:
    """The report's steps by title."""
    return {s.title: s for s in build(plan, load_labels(plan)).steps}


# ---------------------------------------------------------------- 6. Match Week's badge


def test_in_match_week_if_you_matched_is_not_badged_if_you_do_not_match(host, border):
    plan = plan_of(host, border, as_of=MATCH_WEEK)
    by_title = steps(plan)
    matched = by_title["If you matched: get ready to start, and start your visa now"]
    assert (matched.category_label, matched.mark) == ("Match Week", "M")
    soap = by_title["If you learned on Monday that you did not match, apply through SOAP this week"]
    assert soap.category_label == "Match Week"
    # Plan B after this Match keeps its badge.
    after = by_title["If you did not match: start a US clinical role the week after Match Day"]
    assert (after.category_label, after.mark) == ("If you do not match", "B")
    html = resplan.render_report(plan, "html")
    assert (
        '<b aria-hidden="true">M</b> Match Week</span> <span class="step-title">If you matched'
        in html
    )


def test_before_match_week_soap_is_a_match_week_step(host, border):
    plan = plan_of(host, border, as_of=NOVEMBER)
    by_title = steps(plan)
    soap = by_title["If Monday of Match Week says you did not match, apply through SOAP"]
    assert (soap.category_label, soap.mark) == ("Match Week", "M")
    assert not any(t.startswith("If you matched") for t in by_title)


# ---------------------------------------------------------------- 27, 17. facts to verify

H1B_ONLY = {
    "visa": "H-1B",
    "states": ["TX", "NM"],
    "specialties": ["Family Medicine", "Internal Medicine"],
}
JULY = "2026-07-15"


def test_for_an_h1b_only_applicant_visa_sponsorship_is_asked_first(host, border):
    plan = plan_of(host, border, as_of=JULY, applicant=H1B_ONLY)
    asked = [p.to_verify for p in plan.programs if "visas" in p.to_verify]
    assert asked and all(fields[0] == "visas" for fields in asked)
    report = build(plan, load_labels(plan))
    # Named as the visa the applicant needs (review 10, open item).
    assert all(r.to_verify[0] == "H-1B sponsorship" for r in report.verify if r.to_verify)
    # Within a tier, programs known to take IMGs come before those whose share is not
    # known. Tier 1 holds only the known ones (review6 finding 12); tier 2 holds both.
    unknown = [("share of residents who are IMGs" in r.to_verify) for r in report.verify]
    by_tier = {t: [u for r, u in zip(report.verify, unknown) if r.tier == t] for t in (1, 2)}
    assert by_tier[1] and True not in by_tier[1]
    assert by_tier[2] == sorted(by_tier[2]) and True in by_tier[2] and False in by_tier[2]


def test_with_a_j1_the_visa_is_one_fact_among_others(host, border):
    plan = plan_of(host, border, as_of=JULY, applicant={"states": ["TX", "NM"]})
    asked = [p.to_verify for p in plan.programs if len(p.to_verify) > 1 and "visas" in p.to_verify]
    assert asked and all(fields[0] != "visas" for fields in asked)


def test_a_listing_date_belongs_to_the_program_not_to_its_last_fact(host, border):
    plan = plan_of(host, border, as_of=JULY, applicant=H1B_ONLY)
    [verify] = [a for a in plan.actions if a.id == "applications/verify-program-facts"]
    # Which programs the step names first follows their tiers; each old listing's date
    # stands with its program's name and place.
    # (With programs of several specialties listed, each names its own first.)
    assert re.search(
        r"\((?:[A-Z][A-Za-z ]+, )?Yuma, AZ\), listing from 2019: H-1B sponsorship", verify.detail
    )
    assert "(listed in" not in verify.detail


# ---------------------------------------------------------------- 9, 16. signals


def signals(plan) -> dict:
    return {s.specialty: s for s in plan.signals}


# The review's u8: J-1 first, H-1B later; Internal Medicine and a Transitional Year, Texas.
U8 = {
    "visa": ["J-1", "H-1B"],
    "graduation_year": 2024,
    "specialties": ["Internal Medicine", "Transitional Year"],
    "states": ["TX"],
}
U8_EXAMS = {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 230, "attempts": 1}}


def test_one_signal_is_for_a_program_not_all_for_programs(host, border):
    plan = plan_of(host, border, as_of=NOVEMBER, applicant=U8, exams=U8_EXAMS)
    by_field = signals(plan)
    one = by_field["Transitional Year"].says
    assert "This plan proposes 1 signal in Transitional Year, for a program in the states" in one
    assert "all for programs" not in one
    several = by_field["Internal Medicine"].says
    assert "signals in Internal Medicine, all for programs in the states you named" in several


def test_the_gold_signal_reason_is_short_sentences(host, border):
    plan = plan_of(host, border, as_of=JULY, applicant={"states": ["TX", "NM"]})
    gold = [c.why for c in signals(plan)["Internal Medicine"].programs if c.kind == "gold"]
    assert gold
    for why in gold:
        assert why.startswith("Gold signals are for the programs you want most. ")
        assert "give this gold signal to that program." in why
        assert "put a program you want more in its place" not in why


# ---------------------------------------------------------------- 22, 24. summary advice


def advice(plan) -> dict[str, str]:
    return {r.rule.split("/")[-1]: r.says for r in plan.summary.advice}


def test_the_later_visa_sentence_only_where_a_program_sponsors_only_it(host, border):
    # Every border program that lists a visa lists a J-1: none sponsors only the H-1B.
    j1_first = plan_of(host, border, as_of=NOVEMBER, applicant=U8, exams=U8_EXAMS)
    assert "later-choice-visa-border" not in advice(j1_first)
    h1b_first = plan_of(
        host, border, as_of=NOVEMBER, applicant={**U8, "visa": ["H-1B", "J-1"]}, exams=U8_EXAMS
    )
    said = advice(h1b_first)["later-choice-visa-border"]
    assert said.split(" programs of this plan sponsor only your later choice of visa.")[0].isdigit()


def test_the_average_applications_figure_is_dated_as_its_source_dates_it(host, border):
    said = advice(plan_of(host, border, as_of=JULY))["which-over-how-many"]
    assert "now average" not in said
    assert "In ERAS data charted by B. Carmody, IMGs sent 79 applications each on average" in said
    assert "in 2007, and about 137 in a later year." in said


# ---------------------------------------------------------------- 14. fields picked, 15. age


def volume_says(plan, name: str) -> dict[str, str]:
    [found] = [v for v in plan.summary.by_specialty if v.name == name]
    return {r.rule.split("/")[-1]: r.says for r in found.reasons}


def test_fields_picked_without_wishes_are_not_backups_added_late(host, border):
    plan = plan_of(host, border, as_of="2026-09-25", applicant={"specialties": []})
    for name in ("Internal Medicine", "Family Medicine"):
        said = volume_says(plan, name)
        assert "backup-field-next-application" not in said
        assert said["picked-field-under-way"].startswith(
            f"You named no specialty, so this plan picks {name} for you."
        )
    # A backup added beside a named field, once the applications went out, is one.
    named = plan_of(
        host,
        border,
        as_of="2026-09-25",
        applicant={"specialties": ["Psychiatry"]},
        languages=[{"name": "Spanish", "level": "fluent"}],
    )
    added = [t.name for t in named.specialties if t.suggested]
    assert added
    for name in added:
        said = volume_says(named, name)
        assert "picked-field-under-way" not in said
        assert said["backup-field-next-application"].startswith(f"This plan adds {name} as")


def test_years_since_graduation_are_not_called_age(host, border):
    plan = plan_of(host, border, as_of=JULY, applicant={"graduation_year": 2020})
    [im] = [o for o in plan.outlook.specialties if o.specialty == "Internal Medicine"]
    [said] = [r.says for r in im.against if r.rule.endswith("years-since-graduation")]
    assert "and younger applicants matched more often" not in said
    assert said.endswith(
        "In one survey, younger IMGs matched more often, and a long time since "
        "graduation can read the same way to programs."
    )


# ---------------------------------------------------------------- 19, 30. one reason once


def specialty_says(plan, name: str) -> list[str]:
    [found] = [t for t in plan.specialties if t.name == name]
    return [r.says for r in found.reasons]


def test_border_strengths_and_a_us_record_make_one_reason(host, border):
    # The review's u7: Step 2 CK 224, professional Spanish, 4 months in San Diego, 2 letters.
    plan = plan_of(
        host,
        border,
        as_of="2027-01-15",
        applicant={"visa": "none", "specialties": ["Family Medicine"], "states": ["CA", "AZ"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 224, "attempts": 1},
        },
        languages=[{"name": "Spanish", "level": "professional"}],
        clinical=[{"kind": "hands-on", "months": 4, "city": "San Diego", "state": "CA"}],
        letters=[
            {"writer": "FM physician", "us_clinical": True, "advocate": True},
            {"writer": "FM physician", "us_clinical": True},
        ],
    )
    said = specialty_says(plan, "Family Medicine")
    assert sum("The guide names Family Medicine" in s for s in said) == 1
    assert any(
        "and your hands-on US clinical work with 2 US clinical letters help make up" in s
        for s in said
    )


def test_a_us_record_without_border_strengths_keeps_its_own_reason(host, border):
    plan = plan_of(
        host,
        border,
        as_of=JULY,
        exams={
            "step1": {"result": "pass", "attempts": 2},
            "step2ck": {"score": 250, "attempts": 1},
        },
        clinical=[{"kind": "hands-on", "months": 3, "city": "Houston", "state": "TX"}],
        letters=[{"writer": "IM attending", "us_clinical": True}] * 2,
    )
    said = specialty_says(plan, "Internal Medicine")
    assert sum("The guide names Internal Medicine" in s for s in said) == 1
    assert any("is the kind of record that gets such files read" in s for s in said)


def test_a_backup_field_is_added_with_one_reason(host, border):
    # The review's u5: General Surgery only, Step 2 CK 215, no Spanish.
    plan = plan_of(
        host,
        border,
        as_of="2026-09-01",
        applicant={"specialties": ["General Surgery"], "states": ["CA", "AZ"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 215, "attempts": 1},
        },
        languages=[{"name": "English", "level": "fluent"}],
    )
    said = specialty_says(plan, "Internal Medicine")
    # The catalog has no General Surgery program: that does not add the field again.
    assert not any(s.startswith("Your catalog has no program in the field you named") for s in said)
    assert any(s.startswith("Your wished specialties are at best a reach fit.") for s in said)


# ---------------------------------------------------------------- 8. interviews, 29. ECFMG


def by_id(plan) -> dict:
    return {a.id.split("/")[-1]: a for a in plan.actions}


def test_in_interview_season_the_plan_asks_to_count_interviews(host, border):
    advocate = [{"writer": "FM physician", "us_clinical": True, "advocate": True}]
    plan = plan_of(host, border, as_of="2027-01-15", letters=advocate)
    step = by_id(plan)["count-interviews"]
    assert "those who matched had a median of 8 interviews, and those who did not had 2." in (
        step.detail
    )
    assert "Ask the letter writer who offered to speak for you" in step.detail
    assert "count-interviews-no-advocate" not in by_id(plan)
    alone = by_id(plan_of(host, border, as_of="2027-01-15"))
    assert "offered to speak for you" not in alone["count-interviews-no-advocate"].detail
    # Before programs read applications, and once interviews are over, there is nothing
    # to count yet or any more.
    for as_of in (JULY, "2027-02-15"):
        steps = by_id(plan_of(host, border, as_of=as_of, letters=advocate))
        assert "count-interviews" not in steps and "count-interviews-no-advocate" not in steps


def test_ecfmg_certification_is_due_by_the_rank_list_deadline(host, border):
    step = by_id(plan_of(host, border, as_of=NOVEMBER))["ecfmg-certification-by-rank-list"]
    assert step.title.endswith("finish it before the rank list deadline")
    assert step.when == "November 2026: Start now and finish before the rank list deadline"
    assert "Late, since programs are already reading applications" not in step.when
    assert "By the rank list deadline (3 March 2027), ECFMG must confirm to NRMP" in step.detail
    assert "check them on nrmp.org and ecfmg.org" in step.detail
    # Before programs read applications, it is made ready with the documents.
    ahead = by_id(plan_of(host, border, as_of=JULY))
    assert ahead["ecfmg-certification"].timing == "prepare"
    assert "ecfmg-certification-by-rank-list" not in ahead


# ---------------------------------------------------------------- 31. one spelling, US terms

BRITISH = ("centre", "licence", "recognise", "favour", "practise", "towards")


def test_us_terms_are_spelled_as_us_sources_spell_them(host, border):
    plans = [
        plan_of(host, border, as_of="2026-09-10", applicant={"specialties": ["Family Medicine"]}),
        plan_of(host, border, as_of=MATCH_WEEK, languages=[{"name": "Spanish", "level": "basic"}]),
        plan_of(
            host,
            border,
            as_of="2027-03-25",
            applicant={"previous_cycles": 1, "states": ["TX"], "cycle": 2028},
            clinical=[{"kind": "hands-on", "months": 3, "city": "Houston", "state": "TX"}],
        ),
    ]
    for plan in plans:
        text = " ".join(
            (
                resplan.render_report(plan, "md", full=True),
                *(a.title + " " + a.detail for a in plan.actions),
            )
        ).lower()
        assert not [word for word in BRITISH if word in text]
    detail = " ".join(a.detail for a in plans[0].actions)
    assert "community health center" in detail
    matched = [a for a in plans[1].actions if a.title.startswith("If you matched")]
    assert matched and "training license or permit" in matched[0].detail
