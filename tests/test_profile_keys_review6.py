"""Profile keys of review 6's findings 8, 29 and 32: the applicant's own count of
interviews, ECFMG certification status, and where a letter writer works.

Each key is checked at the boundary (one message per problem, with file, field path and
line), read by the plan when given, and asked for when left out: unknown is not false.
"""

from __future__ import annotations

import pytest

import resplan
from tests.conftest import EXAMPLES, make_profile
from tests.test_profile_input import line_of, plan, profile_text

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
STEP2 = {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 226, "attempts": 1}}


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


def plan_of(host, catalog, as_of, applicant=None, **sections):
    applicant = {
        "visa": "J-1",
        "graduation_year": 2024,
        "previous_cycles": 0,
        "specialties": ["Internal Medicine"],
        "states": ["TX"],
        **(applicant or {}),
    }
    sections.setdefault("exams", STEP2)
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def action(plan, rule: str):
    found = [a for a in plan.actions if a.id == f"applications/{rule}"]
    return found[0] if found else None


# ---------------------------------------------------------------- the boundary


@pytest.mark.parametrize(
    ("applicant", "rest", "needle", "message"),
    [
        (
            "interviews = -1",
            "",
            "interviews",
            "applicant.interviews: -1 is not a number of interviews",
        ),
        (
            'interviews = "three"',
            "",
            "interviews",
            "applicant.interviews: expected a whole number, got 'three' (text)",
        ),
        ("", '[ecfmg]\nmissing = ["exams"]\n', "[ecfmg]", "ecfmg.status: is required but missing"),
        (
            "",
            '[ecfmg]\nstatus = "certified"\nmissing = ["exams"]\n',
            "missing",
            'ecfmg.missing: names what is missing, but status is "certified"',
        ),
        (
            "",
            '[ecfmg]\nstatus = "pending"\nmissing = ["oet"]\n',
            "missing",
            "ecfmg.missing[0]: 'oet' is not one of exams, communication, credentials, other",
        ),
        (
            "",
            '[[letters]]\nwriter = "PI"\norigin = "usa"\n',
            "origin",
            "letters[0].origin: 'usa' is not one of us, abroad (did you mean 'us'?)",
        ),
        (
            "",
            '[[letters]]\nwriter = "PI"\nus_clinical = true\norigin = "abroad"\n',
            "origin",
            'letters[0].origin: is "abroad", but us_clinical is true',
        ),
    ],
)
def test_a_bad_new_key_is_named_with_its_line(tmp_path, capsys, applicant, rest, needle, message):
    text = profile_text(applicant=applicant, rest=rest)
    status, errors, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    [error] = errors
    path = tmp_path / "profile.toml"
    assert error.startswith(f"{path}:{line_of(text, needle)}: {message}"), error


def test_the_new_keys_are_documented():
    root = EXAMPLES.parent
    profile_md = (root / "docs" / "profile.md").read_text(encoding="utf-8")
    for key in ("applicant.interviews", "letters[].origin", "ecfmg.status", "ecfmg.missing"):
        section = profile_md.split(f"### `{key}`\n", 1)[1].split("\n### ", 1)[0]
        assert "- Left out: " in section or "Left out, [ecfmg] is unknown" in section, key
        # The rules that read a key are listed from conditions and reasons; the list of
        # what is missing is said only in the step's detail.
        if key != "ecfmg.missing":
            assert "- Rules that read it, or its findings: `" in section, key
        else:
            assert "- In a plan: The certification step names what is missing" in section
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "`interviews = 3`" in readme and "`[ecfmg]`" in readme and '`origin = "us"`' in readme


# ---------------------------------------------------------------- interviews (finding 8)

JANUARY = "2027-01-15"


def test_without_a_count_the_interview_step_asks_for_one(host, border):
    plan = plan_of(host, border, JANUARY)
    step = action(plan, "count-interviews-no-advocate")
    assert step is not None
    assert "add your count to your profile under [applicant] (for example, interviews = 3)" in (
        step.detail
    )
    assert action(plan, "few-interviews-no-advocate") is None


def test_a_few_interviews_are_compared_with_the_medians(host, border):
    plan = plan_of(host, border, JANUARY, applicant={"interviews": 3})
    step = action(plan, "few-interviews-no-advocate")
    assert step.title == "You have 3 interviews: act now, while programs still invite"
    assert step.detail.startswith(
        "You have 3 interviews. In an NRMP survey of independent applicants in Internal "
        "Medicine (those not from US MD schools, about 2011), those who matched had a median "
        "of 8, and those who did not had 2. Yours is under the median of those who matched"
    )
    assert action(plan, "count-interviews-no-advocate") is None
    assert "for example, interviews = 3" not in step.detail


def test_one_interview_is_said_in_the_singular(host, border):
    letters = [{"writer": "Attending", "us_clinical": True, "advocate": True}]
    plan = plan_of(host, border, JANUARY, applicant={"interviews": 1}, letters=letters)
    step = action(plan, "few-interviews")
    assert step.title.startswith("You have 1 interview: ")
    assert "Ask the letter writer who offered to speak for you" in step.detail


def test_enough_interviews_turn_to_preparing_them(host, border):
    plan = plan_of(host, border, JANUARY, applicant={"interviews": 9})
    step = action(plan, "enough-interviews")
    assert step.title == "You have 9 interviews: prepare each one well"
    assert "at or above the median of those who matched" in step.detail
    assert action(plan, "few-interviews-no-advocate") is None


def test_the_count_says_nothing_before_interview_season(host, border):
    plan = plan_of(host, border, "2026-07-15", applicant={"interviews": 0})
    ids = {a.id for a in plan.actions}
    assert not {i for i in ids if "interviews" in i}


# ---------------------------------------------------------------- ECFMG (finding 29)


def test_without_a_status_the_certification_step_is_for_everyone(host, border):
    plan = plan_of(host, border, "2026-11-20")
    step = action(plan, "ecfmg-certification-by-rank-list")
    assert step.title.startswith("If you are not ECFMG certified yet")
    assert 'add [ecfmg] to your profile, with status = "certified" or status = "pending"' in (
        step.detail
    )


def test_a_pending_certification_names_what_is_missing(host, border):
    ecfmg = {"status": "pending", "missing": ["credentials", "communication"]}
    plan = plan_of(host, border, "2026-11-20", ecfmg=ecfmg)
    assert action(plan, "ecfmg-certification-by-rank-list") is None
    step = action(plan, "ecfmg-certification-by-rank-list-pending")
    assert step.title == "Finish your ECFMG certification before the rank list deadline"
    assert step.detail.startswith(
        "Your ECFMG certification is not complete yet. Still to finish: the communication "
        "skills requirement (an English test) and the check of your medical diploma and "
        "transcript. By the rank list deadline (3 March 2027), ECFMG must confirm to NRMP "
        "that you meet what NRMP asks of an IMG"
    )
    assert "skip this step" not in step.detail


def test_a_pending_certification_without_its_parts_asks_for_them(host, border):
    plan = plan_of(host, border, "2026-07-15", ecfmg={"status": "pending"})
    step = action(plan, "ecfmg-certification-pending")
    assert "Still to finish: what ecfmg.org still lists for you. Add it to your profile" in (
        step.detail
    )


def test_a_certified_applicant_gets_no_certification_step(host, border):
    for as_of in ("2026-07-15", "2026-11-20", "2027-02-10"):
        plan = plan_of(host, border, as_of, ecfmg={"status": "certified"})
        assert not [a.id for a in plan.actions if "ecfmg-certification" in a.id], as_of


# ---------------------------------------------------------------- letter origin (finding 32)

US_RESEARCH = [
    {"writer": "PI, neuroscience lab", "us_clinical": False, "origin": "us", "advocate": True},
    {"writer": "Co-investigator", "us_clinical": False, "origin": "us"},
    {"writer": "Department chair", "us_clinical": False, "origin": "us"},
]


def test_three_us_faculty_letters_count_as_us_letters(host, border):
    plan = plan_of(host, border, "2026-05-20", letters=US_RESEARCH)
    strengths = {f.name: f for f in plan.assessment.strengths}
    [reason] = strengths["us-faculty-letters"].reasons
    assert reason.says.startswith(
        "You have 3 letters from US physicians you observed or worked with outside hands-on"
    )
    step = action(plan, "first-us-clinical-letter-beside-us-faculty")
    assert step.detail.startswith(
        "Your 3 letters from US faculty show that US physicians know your work. Keep at least one"
    )
    # Still no clinical letter: that weakness stays, and the plain step gives way.
    assert "no-us-letter" in {f.name for f in plan.assessment.weaknesses}
    assert action(plan, "first-us-clinical-letter") is None
    assert not [m for m in plan.assessment.missing if m.key.endswith(".origin")]


def test_a_home_letter_is_no_us_letter(host, border):
    letters = [{"writer": "Surgeon, home school", "us_clinical": False, "origin": "abroad"}]
    plan = plan_of(host, border, "2026-05-20", letters=letters)
    assert "us-faculty-letters" not in {f.name for f in plan.assessment.strengths}
    assert action(plan, "first-us-clinical-letter") is not None
    assert not plan.assessment.missing


def test_an_origin_left_out_is_asked_for_not_taken_as_abroad_in_silence(host, border):
    letters = [{"writer": "Surgeon, home school", "us_clinical": False}]
    plan = plan_of(host, border, "2026-05-20", letters=letters)
    [missing] = plan.assessment.missing
    assert missing.key == "letters[0].origin"
    assert missing.says == (
        "Your profile leaves out whether the writer of your letter from Surgeon, home school "
        "works in the US, so until you add it this plan counts it as a letter from abroad."
    )
    # A US clinical supervisor's letter needs no origin: it comes from the US.
    clinical = [{"writer": "Attending", "us_clinical": True}]
    assert not plan_of(host, border, "2026-05-20", letters=clinical).assessment.missing
