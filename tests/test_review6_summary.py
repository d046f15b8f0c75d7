"""How a plan's summary and outlook read for profiles of the sixth advisor review
(/work/review6 in its session): generated (synthetic) programs are shown as examples and
never counted in the applications to send, what a full list lacks or the fees.

Each profile is a few lines, planned against the border programs and, where a finding was
about it, the generated national sample too.
"""

from __future__ import annotations

import pytest

import resplan
from tests.conftest import EXAMPLES, make_catalog, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SYNTHETIC = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
JULY, SEPTEMBER = "2026-07-01", "2026-09-01"
STEP2_226 = {"score": 226, "attempts": 1}


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


@pytest.fixture(scope="module")
def generated(host):
    return host.read_catalog(SYNTHETIC)


@pytest.fixture(scope="module")
def both(border, generated):
    return resplan.merge_catalogs([border, generated])


def plan_of(host, catalog, *, as_of=JULY, applicant=None, **sections):
    applicant = {"visa": "J-1", "graduation_year": 2025, "previous_cycles": 0, **(applicant or {})}
    sections.setdefault("exams", {"step1": {"result": "pass", "attempts": 1}, "step2ck": STEP2_226})
    profile = make_profile(applicant=applicant, **sections)
    return resplan.plan(profile, catalog, host=host, as_of=as_of)


def volume(plan, name: str):
    [found] = [v for v in plan.summary.by_specialty if v.name == name]
    return found


def said(item) -> dict[str, str]:
    """A volume's reasons (or an outlook's context) by rule name."""
    reasons = item.context if hasattr(item, "context") else item.reasons
    return {r.rule.split("/")[-1]: r.says for r in reasons}


def outlook(plan, name: str):
    [found] = [o for o in plan.outlook.specialties if o.specialty == name]
    return found


PEDIATRICS_AZ = {"specialties": ["Pediatrics"], "states": ["AZ"]}
# The review's u4: fluent Spanish, a Tucson rotation and a pediatrician who speaks for her.
U4 = {
    "languages": [{"name": "Spanish", "level": "fluent"}],
    "clinical": [{"kind": "hands-on", "months": 2, "city": "Tucson", "state": "AZ"}],
    "letters": [{"writer": "Pediatrician, Tucson", "us_clinical": True, "advocate": True}],
    "activities": [{"kind": "underserved", "title": "Vaccination drives", "months": 6}],
}
INTERNAL_MEDICINE = {"specialties": ["Internal Medicine"], "states": ["TX"]}


# ---------------------------------------------------------------- 1, 2. generated programs


def test_a_field_with_only_generated_programs_sends_no_application(host, both):
    plan = plan_of(host, both, applicant=PEDIATRICS_AZ, **U4)
    shown = [p for p in plan.programs if p.specialty == "Pediatrics" and p.verdict != "skip"]
    assert shown and all(p.synthetic for p in shown)
    pediatrics = volume(plan, "Pediatrics")
    assert pediatrics.applications == 0 and pediatrics.available == (0, 0, 0)
    assert pediatrics.shortfall == pediatrics.recommended
    reasons = said(pediatrics)
    assert "send-from-this-catalog" not in reasons
    assert "catalog-short-of-full-list" not in reasons
    assert reasons["catalog-has-no-real-program-of-field"].startswith(
        "Your catalog has no real program in Pediatrics that you can apply to."
    )
    apart = reasons["generated-programs-apart"]
    assert apart.startswith(f"This plan also shows {len(shown)} programs in Pediatrics")
    assert "you cannot apply to them" in apart
    # No real program of the field named: the backup field is added, as with no program.
    backup = volume(plan, "Family Medicine")
    assert plan.summary.applications == backup.applications
    # The outlook counts the real programs, and says what the generated ones are.
    context = said(outlook(plan, "Pediatrics"))
    assert outlook(plan, "Pediatrics").passed == 0
    assert "programs-passed" not in context
    assert context["no-real-program-passed"].startswith(
        "This catalog has no real program in Pediatrics that you can apply to."
    )
    # No fee is said for applications that cannot be sent.
    words = " ".join(r.says for r in pediatrics.reasons)
    assert "applications from this catalog cost" not in words


def test_generated_programs_are_not_in_the_count_fees_or_shortfall(host, both, border):
    mixed = plan_of(host, both, as_of=SEPTEMBER, applicant=INTERNAL_MEDICINE)
    real = plan_of(host, border, as_of=SEPTEMBER, applicant=INTERNAL_MEDICINE)
    im, im_real = volume(mixed, "Internal Medicine"), volume(real, "Internal Medicine")
    # The generated sample adds no application: the real programs are the same in both.
    assert im.applications == im_real.applications
    assert im.shortfall == im_real.shortfall
    assert im.available == im_real.available
    reasons = said(im)
    generated = sum(
        1
        for p in mixed.programs
        if p.specialty == "Internal Medicine" and p.synthetic and p.verdict != "skip"
    )
    assert generated > 0
    assert reasons["generated-programs-apart"].startswith(
        f"This plan also shows {generated} programs in Internal Medicine from a generated sample."
    )
    for name in ("send-from-this-catalog", "catalog-short-of-full-list"):
        assert reasons[name] == said(im_real)[name]
    fees = "eras-fees-specialty-catalog-part"
    assert reasons.get(fees) == said(im_real).get(fees)
    assert mixed.summary.cost == real.summary.cost
    # The outlook: real programs passed, and the generated ones said apart.
    context = said(outlook(mixed, "Internal Medicine"))
    assert outlook(mixed, "Internal Medicine").passed == outlook(real, "Internal Medicine").passed
    assert "come from a generated sample: they are examples" in context["generated-programs-passed"]


def test_a_plan_of_real_programs_says_nothing_of_generated_ones(host, border):
    plan = plan_of(host, border, applicant=INTERNAL_MEDICINE)
    words = " ".join(
        says
        for item in (*plan.summary.by_specialty, *plan.outlook.specialties)
        for says in said(item).values()
    )
    assert "generated" not in words and "real program" not in words
    reasons = said(volume(plan, "Internal Medicine"))
    assert reasons["send-from-this-catalog"].startswith("From this catalog, send ")


def test_the_report_says_the_whole_list_is_still_to_find(host, generated):
    plan = plan_of(host, generated, applicant=PEDIATRICS_AZ, **U4)
    assert plan.summary.applications == 0 and plan.summary.programs_real == 0
    report = resplan.render_report(plan, "md")
    short = plan.summary.shortfall
    assert (
        f"- This catalog has no real program you can apply to: find about {short} programs"
        in report
    )
    assert "Send about" not in report
    assert "so the applications to send do not count them." in report
    html = resplan.render_report(plan, "html")
    assert "This catalog has no real program you can apply to" in html
    assert "Send about" not in html


# ---------------------------------------------------------------- 3. no border program


def in_favour(plan, name: str) -> dict[str, str]:
    return {r.rule.split("/")[-1]: r.says for r in outlook(plan, name).in_favour}


def test_no_border_program_is_not_called_the_programs_this_plan_aims_at(host, border, both):
    for catalog in (border, both):
        plan = plan_of(host, catalog, applicant=PEDIATRICS_AZ, **U4)
        pediatrics = in_favour(plan, "Pediatrics")
        assert "spanish-for-border" not in pediatrics
        assert pediatrics["spanish-no-program"] == (
            "Your Spanish would count as a strength in border programs, "
            "from the first day of patient care."
        )
        # The route the guide names for a border file: Family Medicine, added as backup,
        # whose border programs the Spanish sentence rightly names.
        [backup] = [t for t in plan.specialties if t.name == "Family Medicine"]
        assert backup.suggested
        assert "spanish-for-border" in in_favour(plan, "Family Medicine")
        words = " ".join(r.says for r in outlook(plan, "Pediatrics").in_favour)
        assert "this plan aims at" not in words


def test_programs_away_from_the_border_only_say_so(host):
    phoenix = {"id": "phx", "specialty": "Pediatrics", "city": "Phoenix", "state": "AZ"}
    tucson = {"id": "tus", "specialty": "Pediatrics", "city": "Tucson", "state": "AZ"}
    away = plan_of(host, make_catalog(phoenix), applicant=PEDIATRICS_AZ, **U4)
    assert in_favour(away, "Pediatrics")["spanish-no-border-program"].endswith(
        "But this catalog has no border program in Pediatrics that you can apply to."
    )
    near = plan_of(host, make_catalog(phoenix, tucson), applicant=PEDIATRICS_AZ, **U4)
    assert in_favour(near, "Pediatrics")["spanish-for-border"].endswith(
        "in the border programs this plan aims at, from the first day of patient care."
    )
