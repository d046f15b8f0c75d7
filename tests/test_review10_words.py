"""Wording findings of the tenth advisor review (review10): what the plan and its report
say, read as the person reads them, on the review's profiles (tests/data/review9,
tests/data/review10_words) against the real border programs on 2 December 2026.

Each test names the sentence the person now reads, and the one they no longer read.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import attrs
import pytest

import resplan
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
DATA = Path(__file__).parent / "data"
AS_OF = "2026-12-02"


@cache
def _border():
    return resplan.load_catalog(BORDER)


@pytest.fixture(scope="module")
def plan_of(host):
    """The plan of a profile under tests/data (as 'review9/p09-...'), made once."""
    made: dict[str, resplan.Plan] = {}

    def plan(name: str):
        if name not in made:
            profile = resplan.load_profile(DATA / f"{name}.toml")
            made[name] = resplan.plan(profile, _border(), host=host, as_of=AS_OF)
        return made[name]

    return plan


def test_the_fees_line_says_what_the_figure_is(plan_of):
    # Review 10: "ERAS fees of full lists" named the figure without saying what it is.
    markdown = resplan.render_report(plan_of("review9/p09-peds-research-year"), "md")
    line = next(x for x in markdown.splitlines() if "What ERAS charges" in x)
    assert line.startswith(
        "- What ERAS charges to send the lists this plan proposes, for a next application, "
        "at the 2026 ERAS season's prices: $1,960 in total. Pediatrics $1,740"
    )
    assert "fees of full lists" not in markdown


def test_no_hands_on_work_is_called_none_not_little(plan_of):
    # Review 9 #17: "Little hands-on US clinical experience" was said to someone with none.
    plan = plan_of("review9/p09-peds-research-year")
    [usce] = [w for w in plan.assessment.weaknesses if w.name == "limited-usce"]
    assert usce.label == "no hands-on US clinical experience"
    assert usce.reasons[0].says.startswith("You report no hands-on US clinical work")
    markdown = resplan.render_report(plan, "md")
    assert "- No hands-on US clinical experience: You report no hands-on" in markdown
    assert "Little hands-on" not in markdown and "0 months of hands-on" not in markdown
    against = [r.says for s in plan.outlook.specialties for r in s.against]
    assert (
        "You report no hands-on US clinical work; programs want to see how you work in a "
        "US hospital."
    ) in against


def test_the_catalog_not_you_sentence_is_said_once(plan_of):
    # Review 10: "That says more about the catalog than about you" came once per field
    # the catalog lacks; it is said at the first, and the next field is only named. The
    # catalog holds neither field at all, so no filter is blamed (review 11, finding 7).
    plan = plan_of("review10_words/peds-neuro-no-programs")
    markdown = resplan.render_report(plan, "md")
    assert markdown.count("That says something about the catalog, nothing about you.") == 1
    neurology = next(s for s in plan.outlook.specialties if s.specialty == "Neurology")
    assert [r.says for r in neurology.context][-1] == (
        "This catalog holds no Neurology program at all either. Add Neurology programs to it too."
    )


def _step(plan, rule: str):
    return next(a for a in plan.actions if a.id == rule)


def test_the_cv_step_names_each_language_once_with_its_level(plan_of):
    # Review 10: "List every language (English, Spanish) ... with its level (native, fluent,
    # professional working proficiency, medical Spanish), Spanish first" listed names, then
    # levels that were not the person's, and put English before the "Spanish first".
    step = _step(plan_of("review9/p09-peds-research-year"), "applications/cv-languages-first")
    assert step.detail == (
        "Near the top of your CV, list your languages with their levels, Spanish first: "
        "Spanish (native) and English (fluent)."
    )
    # Basic Spanish is not put first: the languages keep the profile's order.
    step = _step(plan_of("review9/p10-interviews-jan"), "applications/cv-languages")
    assert (
        "each with an honest level: Tagalog (native), English (fluent) and Spanish (intermediate)."
    ) in step.detail


def test_a_pediatrics_applicant_is_told_the_interview_figures_are_internal_medicines(plan_of):
    # Review 9 #15: a Pediatrics applicant was compared with Internal Medicine's medians
    # ("fewer than matched applicants had") without being told they are not her field's.
    plan = plan_of("review10_words/peds-three-interviews")
    step = _step(plan, "applications/few-interviews-other-field")
    assert step.detail.startswith(
        "You have 3 interviews. resplan has no interview figures for Pediatrics; the nearest "
        "it holds are Internal Medicine's. In an NRMP survey of independent applicants in "
        "Internal Medicine"
    )
    assert "Yours is under the Internal Medicine median of those who matched" in step.detail
    # Without a count, the step asks for it, and says whose the figures are as well.
    plan = plan_of("review9/p09-peds-research-year")
    step = _step(plan, "applications/count-interviews-other-field")
    assert "resplan has no interview figures for Pediatrics" in step.detail
    # An Internal Medicine applicant reads the step as before.
    step = _step(plan_of("review9/p10-interviews-jan"), "applications/few-interviews")
    assert step.detail.startswith("You have 2 interviews. In an NRMP survey of independent")


def _outlook_words(plan) -> list[str]:
    return [r.says for r in plan.outlook.says]


def test_a_border_record_with_basic_spanish_weighs_nothing_and_says_what_would(plan_of):
    # Review 8 #26: a strong border-region record counted in the person's favor as fully
    # with basic Spanish as with working Spanish, and the sentence did not say why not.
    plan = plan_of("review10_words/border-record-basic-spanish")
    [im] = plan.outlook.specialties
    assert im.in_favour == ()
    assert (
        "Your border-region record is strong, but your Spanish is at basic level, so border "
        "programs count the record for less than with working Spanish. At that level Spanish "
        "helps you greet patients and earn their trust, but most clinical visits still need "
        "an interpreter. Medical Spanish, used with patients, would let the record count in "
        "your favor."
    ) in _outlook_words(plan)


def test_the_same_record_with_medical_spanish_still_counts_for_the_person(host):
    profile = resplan.load_profile(DATA / "review10_words" / "border-record-basic-spanish.toml")
    medical = attrs.evolve(
        profile,
        languages=tuple(
            attrs.evolve(lang, level="medical") if lang.name == "Spanish" else lang
            for lang in profile.languages
        ),
    )
    plan = resplan.plan(medical, _border(), host=host, as_of=AS_OF)
    [im] = plan.outlook.specialties
    assert [r.rule for r in im.in_favour] == ["outlook/border-record"]
    assert not any("border-region record is strong" in w for w in _outlook_words(plan))


def test_the_outlook_says_one_statement_a_bullet_and_findings_under_their_field(plan_of):
    # Review 9 #17: the group figures, the survey and NRMP's caution were one paragraph, and
    # a field's findings ran on after its band in the same line.
    markdown = resplan.render_report(plan_of("review9/p09-peds-research-year"), "md")
    lines = markdown.splitlines()
    at = lines.index("- In Family Medicine, your file stands close to the typical IMG applicant.")
    assert lines[at + 1].startswith("  - Against you: You report no hands-on US clinical work")
    assert lines[at + 2].startswith("  - In your favor: Your Spanish counts as a strength")
    assert lines[at + 3].startswith("  - For context: In the 2025 Match, non-US IMGs took 15%")
    assert any(x.startswith("- In a survey of 744 IMGs of the 2022 Match") for x in lines)
    assert any(x.startswith("- NRMP builds its outcome data from past Matches") for x in lines)


def test_the_step2_steps_leave_ecfmg_certification_to_its_own_step(plan_of):
    # Review 9 #17: what ECFMG certification needs by the rank list deadline was said in
    # the Step 2 CK step and again in the certification step; once is enough.
    plan = plan_of("review9/p04-step2-pending-feb")
    pending = _step(plan, "applications/step2ck-result-pending")
    assert "ECFMG certification" not in pending.detail
    certification = _step(plan, "applications/ecfmg-certification-by-rank-list-pending")
    assert "ECFMG must confirm to NRMP" in certification.detail
    words = " ".join(a.detail for a in plan.actions)
    assert words.count("ECFMG must confirm to NRMP") == 1


GAP = "Your profile leaves out the level of your Spanish, so until you add it this plan counts"


def test_a_profile_gap_heads_only_the_program_rows_that_rest_on_it(host):
    # Review 9 #17: the gap's sentence headed every program row, even where the row's
    # reason holds whatever the Spanish level is. The plan says it once with the gaps of
    # the profile, and a row only where its reason rests on the level counted for it.
    from tests.conftest import make_catalog

    catalog = make_catalog(
        {
            "id": "tx-elpaso-spanish-im",
            "city": "El Paso",
            "state": "TX",
            "img_share": 0.6,
            "visas": ["J-1"],
            "spanish_preferred": True,
        },
        {
            "id": "tx-elpaso-other-im",
            "city": "El Paso",
            "state": "TX",
            "img_share": 0.6,
            "visas": ["J-1"],
            "spanish_preferred": False,
        },
    )
    profile = resplan.load_profile(DATA / "review10_words" / "spanish-without-level.toml")
    plan = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    assert [m.says for m in plan.assessment.missing][0].startswith(GAP)
    rows = {p.id: p.reasons for p in plan.programs}
    [other] = rows["tx-elpaso-other-im"]
    assert other.rule == "tiering/border-img-welcoming" and not other.says.startswith(GAP)
    [spanish] = rows["tx-elpaso-spanish-im"]
    assert spanish.rule == "tiering/spanish-preferred-without-working-spanish"
    assert spanish.says.startswith(GAP)
    # On the real border programs, no tier 1 row repeats it.
    real = resplan.plan(profile, _border(), host=host, as_of=AS_OF)
    tier1 = [r.says for p in real.programs if p.tier == 1 for r in p.reasons]
    assert tier1 and not [s for s in tier1 if s.startswith(GAP)]
