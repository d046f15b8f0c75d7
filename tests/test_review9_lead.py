"""Findings of the ninth advisor review (review 9) fixed by the lead: the SOAP step's
personal statements follow the applicant's own fields (finding 11)."""

from __future__ import annotations

import textwrap

import pytest

import resplan
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"


def _plan(host, tmp_path, applicant: str, as_of: str = "2026-09-25", visa: str = '"J-1"'):
    path = tmp_path / "profile.toml"
    path.write_text(
        textwrap.dedent(
            """\
            [applicant]
            graduation_year = 2022
            cycle = 2027
            visa = {visa}
            {applicant}

            [exams.step1]
            result = "pass"
            attempts = 1

            [exams.step2ck]
            score = 228
            attempts = 1
            """
        ).format(applicant=applicant, visa=visa)
    )
    profile = resplan.load_profile(path)
    return resplan.plan(profile, resplan.load_catalog(BORDER), host=host, as_of=as_of)


def _soap(plan):
    (step,) = [a for a in plan.actions if a.id.startswith("between-cycles/soap")]
    return step


@pytest.mark.parametrize(
    ("applicant", "fields"),
    [
        # The border catalog has no Pediatrics program, so the plan adds Internal
        # Medicine as a backup field: a SOAP statement for it too (review 10, #12).
        ('specialties = ["Pediatrics"]', "Internal Medicine and Pediatrics"),
        ('specialties = ["Psychiatry", "Internal Medicine"]', "Internal Medicine and Psychiatry"),
    ],
)
def test_soap_statements_are_for_the_applicants_own_fields(host, tmp_path, applicant, fields):
    soap = _soap(_plan(host, tmp_path, applicant))
    assert soap.id == "between-cycles/soap"
    assert f"short personal statements for {fields} and for preliminary or transitional years" in (
        soap.detail
    )
    # A field neither named nor added by the plan gets no statement.
    assert "Family Medicine" not in soap.detail


def test_soap_statements_without_named_fields_go_to_the_open_ones(host, tmp_path):
    soap = _soap(_plan(host, tmp_path, ""))
    assert soap.id == "between-cycles/soap-open-fields"
    assert "the fields you would take (Internal Medicine and Family Medicine are open to IMGs)" in (
        soap.detail
    )


def _outlook_words(plan) -> str:
    return " ".join(
        reason.says
        for item in plan.outlook.specialties
        for reason in (*item.against, *item.in_favour, *item.context)
    )


def test_a_us_citizen_is_told_the_specialty_share_is_another_groups(host, tmp_path):
    """Finding 14: the share of non-US IMGs by specialty is not a US citizen's group."""
    citizen = _plan(
        host, tmp_path, 'us_citizen = true\nspecialties = ["Psychiatry"]', "2026-06-10", '"none"'
    )
    said = _outlook_words(citizen)
    assert "non-US IMGs took 8% of the first-year positions filled in Psychiatry" in said
    assert "You count as a US IMG, a group this figure leaves out" in said
    visa = _plan(host, tmp_path, 'specialties = ["Psychiatry"]', "2026-06-10")
    said = _outlook_words(visa)
    assert "non-US IMGs took 8% of the first-year positions filled in Psychiatry" in said
    assert "You count as a US IMG" not in said


def _strength_words(plan) -> str:
    return " ".join(reason.says for f in plan.assessment.strengths for reason in f.reasons)


@pytest.mark.parametrize("score", [228, 245])
def test_strengths_say_no_near_miss_whatever_the_score(host, tmp_path, score):
    """Finding 13: with a 245 no minimum is a few points away; with a 228 the programs
    whose minimum it just misses say so on their rows, not the strengths."""
    path = tmp_path / "profile.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            [applicant]
            graduation_year = 2022
            cycle = 2027
            visa = "J-1"
            specialties = ["Internal Medicine"]

            [exams.step1]
            result = "pass"
            attempts = 1

            [exams.step2ck]
            score = {score}
            attempts = 1

            [[clinical]]
            kind = "hands-on"
            months = 6
            city = "El Paso"
            state = "TX"

            [[letters]]
            writer = "US clinical supervisor"
            us_clinical = true
            advocate = true
            """
        )
    )
    plan = resplan.plan(
        resplan.load_profile(path), resplan.load_catalog(BORDER), host=host, as_of="2026-06-20"
    )
    said = _strength_words(plan)
    labels = {f.label for f in plan.assessment.strengths}
    assert {"a supervisor who will speak for you", "a strong border-region record"} <= labels
    assert "near-miss" not in said and "minimum" not in said
    assert "makes a program look closely at your file" in said
    assert "Border programs look for such a record when they choose whom to interview" in said


def test_a_border_program_with_some_imgs_says_its_share_is_under_the_guides(host, tmp_path):
    """Finding 12: a 12-17% share is tier 1 as a border program, said as under 20-30%."""
    plan = _plan(host, tmp_path, 'specialties = ["Internal Medicine"]\nstates = ["AZ", "CA"]')
    some = [
        reason.says
        for program in plan.programs
        for reason in program.reasons
        if reason.rule == "tiering/border-some-img"
    ]
    assert some
    for says in some:
        assert "takes some IMGs" in says and "under the 20% to 30% the guide looks for" in says
