"""Fixes from the eleventh advisor review (findings 3, 10, 11, 12, 17, 18 and 19), on
profiles like the review's, against the real border programs."""

from __future__ import annotations

import re

import resplan
from resplan.report.labels import load_labels
from resplan.report.view import build
from tests.conftest import DATA, STEP1, plan_of

# An old numeric Step 1 failed once, 20 months of hands-on US work (14 in San Antonio, 4 in
# Laredo, 2 in San Antonio), three US clinical letters, two from writers who will speak
# for the applicant (review 11, profile 2).
LONG_USCE = {
    "applicant": {
        "graduation_year": 2019,
        "visa": ["J-1", "H-1B"],
        "specialties": ["Family Medicine", "Internal Medicine"],
        "states": ["TX"],
    },
    "exams": {"step1": {"result": 201, "attempts": 2}, "step2ck": {"score": 231, "attempts": 1}},
    "ecfmg": {"status": "certified"},
    "languages": [{"name": "Spanish", "level": "intermediate"}],
    "clinical": [
        {"kind": "hands-on", "months": 14, "city": "San Antonio", "state": "TX"},
        {"kind": "externship", "months": 4, "city": "Laredo", "state": "TX"},
        {"kind": "sub-internship", "months": 2, "city": "San Antonio", "state": "TX"},
    ],
    "letters": [
        {"writer": "Family medicine attending", "us_clinical": True, "advocate": True},
        {"writer": "Internal medicine hospitalist", "us_clinical": True, "advocate": True},
        {"writer": "Clinic medical director", "us_clinical": True, "advocate": False},
    ],
}

# A 2026 graduate whose clinical month in Yuma has no kind and whose one letter does not
# say whether it comes from a US clinical supervisor (review 11, profile 8).
GAPS = {
    "applicant": {
        "graduation_year": 2026,
        "visa": "J-1",
        "specialties": ["Internal Medicine", "Transitional Year"],
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 223, "attempts": 1}},
    "languages": [{"name": "Spanish", "level": "medical"}],
    "clinical": [{"months": 1, "city": "Yuma", "state": "AZ"}],
    "letters": [{"writer": "Attending at Yuma elective"}],
}
KIND_GAP = "Your profile leaves out the kind of your clinical work in Yuma, AZ"


def report_text(plan, kind: str) -> str:
    text = resplan.render_report(plan, kind)
    if kind == "html":
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text).replace("&amp;", "&")
    return text


def test_a_long_us_clinical_record_is_stated_with_its_total(host, border_catalog):
    plan = plan_of(host, border_catalog, as_of="2026-12-02", **LONG_USCE)
    strengths = {f.name: f for f in plan.assessment.strengths}
    # The letters and the border months give strengths of their own, which said neither
    # the 20 months nor the work outside the border region.
    assert "us-clinical-letters" in strengths
    [reason] = strengths["us-clinical-experience"].reasons
    assert reason.rule == "assessment/us-clinical-experience-long"
    assert reason.says.startswith("You have 20 months of hands-on US clinical work in all.")
    assert "bring it up in interviews as proof of your skills today" in reason.says
    # Under a year, the usual strength (with its letter) keeps the word.
    shorter = dict(LONG_USCE, clinical=[LONG_USCE["clinical"][0] | {"months": 6}])
    shorter["letters"] = LONG_USCE["letters"][:1]
    plan = plan_of(host, border_catalog, as_of="2026-12-02", **shorter)
    [reason] = {f.name: f for f in plan.assessment.strengths}["us-clinical-experience"].reasons
    assert reason.rule == "assessment/us-clinical-experience"


def test_two_advocates_are_asked_in_the_plural(host, border_catalog):
    plan = plan_of(host, border_catalog, as_of="2026-12-02", **LONG_USCE)
    [step] = [a for a in plan.actions if a.id == "applications/graduation-year-limits-advocate"]
    assert step.title.startswith("Ask the faculty members who speak for you")
    one = dict(LONG_USCE, letters=LONG_USCE["letters"][:1])
    plan = plan_of(host, border_catalog, as_of="2026-12-02", **one)
    [step] = [a for a in plan.actions if a.id == "applications/graduation-year-limits-advocate"]
    assert step.title.startswith("Ask the faculty member who speaks for you")


def test_a_high_step2ck_is_not_said_to_be_its_own_threshold(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        applicant={"visa": "none", "us_citizen": True, "specialties": ["Internal Medicine"]},
        exams={"step1": STEP1, "step2ck": {"score": 240, "attempts": 1}},
    )
    said = [r.says for o in plan.outlook.specialties for r in o.in_favour]
    [high] = [s for s in said if s.startswith("Your Step 2 CK of 240")]
    assert "240 or more" not in high
    assert high.startswith("Your Step 2 CK of 240 is well above the guide's low band")


def test_a_part_left_out_is_said_once_in_a_report_and_pointed_to_elsewhere(host, border_catalog):
    plan = plan_of(host, border_catalog, as_of="2026-07-15", **GAPS)
    # The plan file keeps the sentence on each reason resting on it: each line stands alone.
    rows = [r.says for f in plan.assessment.weaknesses for r in f.reasons]
    assert any(says.startswith(KIND_GAP) for says in rows)
    for kind in ("md", "html"):
        text = report_text(plan, kind)
        gap_sentences = text.count(f"{KIND_GAP}, so until you add it")
        assert gap_sentences == 1, kind  # under "What your profile leaves out" only
        assert text.count("(This rests on a guess") >= 2, kind
    # The step that asks for the parts joins them as a list is joined.
    [ask] = [a for a in plan.actions if a.id == "assessment/fill-profile-gaps"]
    assert ask.detail.startswith(
        "Your profile leaves out the kind of your clinical work in Yuma, AZ and whether your "
        "letter from Attending at Yuma elective comes from a US clinical supervisor."
    )


def test_the_measure_step_says_where_to_ask(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        exams={"step1": STEP1, "step2ck": {"score": 218, "attempts": 1}},
        activities=[{"kind": "research", "title": "Clinical research", "months": 12}],
    )
    [step] = [a for a in plan.actions if a.id == "applications/additional-standardized-measure"]
    assert "If you still work there" not in step.detail
    assert "If you still work with that group or department" in step.detail


def test_programs_to_verify_name_their_specialty_when_a_hospital_runs_several(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        as_of="2026-07-15",
        applicant={
            "graduation_year": 2013,
            "specialties": ["Internal Medicine", "Transitional Year"],
            "states": ["CA"],
        },
    )
    html = resplan.render_report(plan, "html")
    named = re.findall(r"Scripps Mercy Hospital <span class=\"small\">\(([^;]*);", html)
    assert sorted(set(named)) == ["Internal Medicine", "Transitional Year"]


def test_a_reapplicants_first_decision_is_filed_between_cycles(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        as_of="2027-03-25",
        applicant={"cycle": 2028, "previous_cycles": 1, "specialties": ["Psychiatry"]},
    )
    assert "between-cycles/record-what-changed" in {a.id for a in plan.actions}
    report = build(plan, load_labels(plan))
    [step] = [s for s in report.steps if s.title.startswith("Write down what is new")]
    assert step.category_label == "Between cycles"
    assert step in report.since_last_match and step not in report.between_cycles


def test_the_rules_table_shows_a_rules_own_words_not_the_guess(host, border_catalog):
    # Review 12, finding 5: the example of what a rule says skips the sentence on a part
    # the profile leaves out, which opens the reasons resting on it.
    plan = plan_of(host, border_catalog, as_of="2026-07-15", **GAPS)
    rules = {rule.rule: rule.said for rule in build(plan, load_labels(plan)).rules}
    assert not any(said.startswith(("(This rests on a guess", KIND_GAP)) for said in rules.values())
    assert rules["assessment/no-usce"].startswith("You report no hands-on US clinical work")


def test_two_advocates_are_asked_to_contact_programs_in_the_plural(host, border_catalog):
    # Review 12, finding 10: the interview-count step too.
    plan = plan_of(host, border_catalog, as_of="2026-12-02", **LONG_USCE)
    [step] = [a for a in plan.actions if a.id.startswith("applications/count-interviews")]
    assert "Ask the letter writers who offered to speak for you to contact" in step.detail
    assert "one or two of them each." in step.detail
    one = dict(LONG_USCE, letters=LONG_USCE["letters"][:1])
    plan = plan_of(host, border_catalog, as_of="2026-12-02", **one)
    [step] = [a for a in plan.actions if a.id.startswith("applications/count-interviews")]
    assert "Ask the letter writer who offered to speak for you to contact" in step.detail


def test_the_generic_checks_name_the_visa_only_for_those_who_need_one(host, border_catalog):
    # Review 11, finding 9 (and review 12, finding 9): a green card holder is not told to
    # check visa sponsorship; a J-1 applicant is told which visa.
    def detail(plan, rule):
        return {a.id: a.detail for a in plan.actions}[rule]

    green = {"visa": "none", "specialties": ["Internal Medicine"]}
    j1 = {"visa": "J-1", "specialties": ["Internal Medicine"]}
    rule = "applications/verify-program-facts"
    plan = plan_of(host, border_catalog, as_of="2026-07-15", applicant=green)
    assert "sponsorship" not in detail(plan, rule)
    assert "the most years allowed since graduation, and whether it mentions" in detail(plan, rule)
    plan = plan_of(host, border_catalog, as_of="2026-07-15", applicant=j1)
    assert "since graduation, J-1 sponsorship, and whether" in detail(plan, rule)
    for applicant, favor in ((green, "take IMGs."), (j1, "take IMGs and that sponsor the J-1.")):
        plan = plan_of(host, border_catalog, as_of="2027-03-16", applicant=applicant)
        said = " ".join(a.detail for a in plan.actions if a.id.startswith("between-cycles/"))
        assert f"Favor programs that {favor}" in said
        assert "if you need a visa" not in said


def test_with_no_program_of_this_matchs_list_there_is_nothing_to_compare(host, border_catalog):
    # Review 12, finding 3: Emergency Medicine and Anesthesiology, neither in the catalog;
    # in December the plan's only programs are a backup field's, shown apart.
    profile = resplan.load_profile(DATA / "review11" / "p7-245-em-anesth-nospanish.toml")
    plan = resplan.plan(profile, border_catalog, host=host, as_of="2026-12-02")
    for kind in ("md", "html"):
        text = report_text(plan, kind)
        assert "Applications for this Match are already with programs." in text
        assert "Compare your list with these programs" not in text, kind


def test_sent_signals_are_not_upgraded_or_checked_before_sending(host, border_catalog):
    # Review 12, finding 7: an H-1B-only applicant in December. Signals went with the
    # applications in September and cannot be changed.
    profile = resplan.load_profile(DATA / "review10_findings" / "p07-h1b-only-july.toml")

    def signal_words(as_of):
        plan = resplan.plan(profile, border_catalog, host=host, as_of=as_of)
        return " ".join(
            [s.says for s in plan.signals] + [c.why for s in plan.signals for c in s.programs]
        )

    july, december = signal_words("2026-07-15"), signal_words("2026-12-02")
    assert "give it a gold signal if it confirms" in july
    assert "Before you send the signal, check with the program" in july
    for stale in ("give it a gold signal", "you may make this signal gold", "Before you send"):
        assert stale not in december
    assert "Signals cannot be changed once an application is sent" in december
    assert "Before an interview there, and before you rank it, check with the program" in december


def test_past_the_graduation_window_waiting_is_not_said_to_close_more_limits(host, border_catalog):
    # Review 12, finding 4: 14 years out, the what-if note and the choice step agree.
    profile = resplan.load_profile(DATA / "review11" / "p3-205-retake-2013-after.toml")
    plan = resplan.plan(profile, border_catalog, host=host, as_of="2027-03-25")
    advice = {a.rule: a.says for a in plan.summary.advice}
    assert "what-if/no-change-waiting-costs-a-year" not in advice
    said = advice["what-if/no-change-waiting-past-graduation-window"]
    assert "already past the 7 years where most programs with such a limit stop" in said
    assert "would close to you" not in " ".join(advice.values())
