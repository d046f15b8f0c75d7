"""Season and wording fixes from the tenth advisor review (findings 1, 2, 6, 15, 16), on
profiles like the review's, against the real border programs at the review's dates."""

from __future__ import annotations

import resplan
from tests.conftest import DATA, STEP1, plan_of

# A US citizen (no visa) with a first-attempt 219, five interviews, whose ECFMG
# certificate waits only for the check of her diploma (review 10, profile 8).
US_CITIZEN = {
    "applicant": {
        "graduation_year": 2026,
        "visa": "none",
        "us_citizen": True,
        "specialties": ["Family Medicine", "Internal Medicine"],
        "states": ["TX", "AZ"],
        "interviews": 5,
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 219, "attempts": 1}},
    "clinical": [{"kind": "sub-internship", "months": 6, "city": "Atlanta", "state": "GA"}],
    "ecfmg": {"status": "pending", "missing": ["credentials"]},
}


def numbers(plan) -> str:
    text = resplan.render_report(plan, "md")
    return text.split("## The numbers", 1)[1].split("\n## ", 1)[0]


def test_after_interview_season_the_numbers_do_not_say_to_apply_to_more_programs(
    host, border_catalog
):
    february = plan_of(host, border_catalog, as_of="2027-02-20", **US_CITIZEN)
    said = numbers(february)
    assert "You can still apply to more programs" not in said
    assert "interview season is over" in said
    assert "put your time into your rank list" in said
    # While interviews still run, adding programs can still help.
    december = plan_of(host, border_catalog, as_of="2026-12-02", **US_CITIZEN)
    assert "You can still apply to more programs: the sooner, the better." in numbers(december)


def test_the_ecfmg_step_does_not_say_ranking_waits_for_the_whole_certificate(host, border_catalog):
    plan = plan_of(host, border_catalog, as_of="2027-02-20", **US_CITIZEN)
    [step] = [a for a in plan.actions if a.id.startswith("applications/ecfmg-certification")]
    assert "the check of your medical diploma and transcript" in step.detail
    assert "NRMP ranks an IMG only if ECFMG certification is in place" not in step.detail
    assert (
        "ECFMG must confirm to NRMP" in step.detail and "Your exams are part of it" in step.detail
    )
    # At rank time a program is asked by when it needs the certificate, not whether
    # ECFMG will be done (only ECFMG and the school can say that).
    [rank] = [a for a in plan.actions if a.id == "applications/verify-before-ranking-no-visa"]
    assert "by which date it needs it" in rank.detail


def test_relationships_with_programs_are_built_before_programs_read_then_kept(host, border_catalog):
    def ids(plan):
        return {a.id for a in plan.actions}

    july = plan_of(host, border_catalog, as_of="2026-07-15", **US_CITIZEN)
    assert {"applications/early-relationships", "applications/early-relationships-anywhere"} & ids(
        july
    )
    assert "applications/keep-in-touch-with-programs" not in ids(july)
    december = plan_of(host, border_catalog, as_of="2026-12-02", **US_CITIZEN)
    assert not {
        "applications/early-relationships",
        "applications/early-relationships-anywhere",
    } & ids(december)
    [keep] = [a for a in december.actions if a.id == "applications/keep-in-touch-with-programs"]
    assert "programs you applied to" in keep.detail and "next application" in keep.detail
    assert "December 2026" in keep.when
    # Once interviews are over, there is nobody new to keep in touch with.
    february = plan_of(host, border_catalog, as_of="2027-02-20", **US_CITIZEN)
    assert "applications/keep-in-touch-with-programs" not in ids(february)


def test_a_first_attempt_step1_pass_is_not_a_record_to_turn_around(host, border_catalog):
    no_step2 = {"step1": STEP1, "step2ck": {"attempts": 0}}
    plan = plan_of(host, border_catalog, as_of="2026-07-15", exams=no_step2)
    [study] = [a for a in plan.actions if a.id.startswith("applications/step2ck-study-plan")]
    assert study.id == "applications/step2ck-study-plan-first-number"
    assert "turns your record around" not in study.title
    assert "doubts" not in study.detail
    assert "first score programs will see" in study.detail
    # A failed Step 1 sitting still gets the step that makes up for it.
    failed = {"step1": {"result": "pass", "attempts": 2}, "step2ck": {"attempts": 0}}
    plan = plan_of(host, border_catalog, as_of="2026-07-15", exams=failed)
    assert any(a.id == "applications/step2ck-study-plan" for a in plan.actions)


def test_wording_a_reader_can_follow(host, border_catalog):
    observer = {
        "clinical": [
            {"kind": "observership", "months": 2, "city": "El Paso", "state": "TX"},
            {"kind": "observership", "months": 2, "city": "Tucson", "state": "AZ"},
        ],
        "applicant": {"visa": "J-1", "specialties": ["Internal Medicine"]},
    }
    plan = plan_of(host, border_catalog, as_of="2026-07-15", **observer)
    findings = plan.assessment.strengths + plan.assessment.weaknesses
    said = " ".join(r.says for f in findings for r in f.reasons)
    said += " ".join(a.detail for a in plan.actions)
    assert "in El Paso and Tucson" in said or "in Tucson and El Paso" in said
    assert "El Paso, Tucson" not in said
    underserved = [a for a in plan.actions if "a free clinic" in a.detail]
    assert underserved and "If you can, choose one that serves" in underserved[0].detail
    # No generated program in the catalog: the verify step does not speak of one.
    [verify] = [a for a in plan.actions if a.id == "applications/verify-program-facts"]
    assert "generated" not in verify.detail


def test_every_step_lists_a_date_heading_once(host, border_catalog):
    # A 245 with seven interviews on 2 December: a step to start today comes first, the
    # longer work next, and other steps to start today after it. One heading for them.
    profile = resplan.load_profile(DATA / "review10_lead" / "p02-step2-245-dec.toml")
    plan = resplan.plan(profile, border_catalog, host=host, as_of="2026-12-02")
    whens = [a.when for a in plan.actions]
    today = "December 2026: Start on this today"
    first, last = whens.index(today), len(whens) - 1 - whens[::-1].index(today)
    assert any(w != today for w in whens[first:last])  # the plan's order splits them
    full = resplan.render_report(plan, "md", full=True)
    assert full.count(f"**{today}**") == 1
    html = resplan.render_report(plan, "html")
    assert html.count(f"<h3>{today}</h3>") == 1
