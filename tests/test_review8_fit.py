"""Advice that fits the person, from the eighth advisor review (review8 in its session):
plans of new profiles against the real border programs, some with the generated national
sample beside them.

Each test reproduces a finding on a profile like the review's, at its date, and reads
what the plan now says to that person.
"""

from __future__ import annotations

import pytest

import resplan
from tests.conftest import EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SYNTHETIC = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
SEPTEMBER = "2026-09-20"
STEP1 = {"result": "pass", "attempts": 1}


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


@pytest.fixture(scope="module")
def both(border, host):
    return resplan.merge_catalogs([border, host.read_catalog(SYNTHETIC)])


def plan_of(host, catalog, *, as_of=SEPTEMBER, applicant=None, **sections):
    applicant = {"visa": "J-1", "graduation_year": 2023, "previous_cycles": 0, **(applicant or {})}
    sections.setdefault("exams", {"step1": STEP1, "step2ck": {"score": 223, "attempts": 1}})
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def action_ids(plan) -> list[str]:
    return [a.id for a in plan.actions]


# ---------------------------------------------------------------- 1. generated programs

# The review's v10: no states, no specialties, J-1 or H-1B, Step 2 CK 223, basic Spanish,
# an externship in Miami with a letter.
V10 = {
    "applicant": {"visa": ["J-1", "H-1B"]},
    "languages": [{"name": "Spanish", "level": "basic"}],
    "clinical": [{"kind": "externship", "months": 2, "city": "Miami", "state": "FL"}],
    "letters": [{"writer": "Internist, Miami", "us_clinical": True, "advocate": False}],
}


def test_generated_programs_change_neither_the_visa_route_nor_the_changes(host, border, both):
    """The generated sample lists H-1B programs and programs with limits; none of them is
    real, so the visa route stays the J-1 and no change is said to open a program."""
    alone, mixed = plan_of(host, border, **V10), plan_of(host, both, **V10)
    assert any(p.synthetic and p.verdict != "skip" for p in mixed.programs)
    for plan in (alone, mixed):
        ids = action_ids(plan)
        assert "applications/j1-realistic-route-anywhere" in ids
        assert "applications/step3-for-h1b" not in ids
    assert [w.rule for w in mixed.what_if] == [w.rule for w in alone.what_if]
    for change in mixed.what_if:
        assert not any("not a real program" in name for name in change.programs)
    advice = [a.says for a in mixed.summary.advice]
    assert not any("not a real program" in s or "Synthetic" in s for s in advice)


# ---------------------------------------------------------------- 3. a permanent resident

# The review's v09: a Cuban graduate with a green card (no visa, not a US citizen).
V09 = {
    "specialties": ["Family Medicine", "Pediatrics"],
    "states": ["TX", "CA"],
    "graduation_year": 2019,
}


@pytest.mark.parametrize("citizen", [True, False, None])
def test_a_permanent_resident_is_not_told_she_needs_a_visa(host, border, citizen):
    """Needing no visa is read as a citizen or a permanent resident only when the profile
    does not say which: a permanent resident is a citizen of another country and needs no
    visa, so she is never told that such a citizen needs one."""
    applicant = {**V09, "visa": "none"}
    if citizen is not None:
        applicant["us_citizen"] = citizen
    plan = plan_of(
        host,
        border,
        as_of="2027-02-20",
        applicant=applicant,
        exams={"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}},
        languages=[{"name": "Spanish", "level": "native"}],
    )
    said = {a.rule: a.says for a in plan.summary.advice}
    everything = " ".join(said.values())
    assert "citizen of another country" not in everything
    if citizen is None:
        assert "US permanent resident (green card holder)" in said["assessment/no-visa-read-as"]
        assert "If you are neither, you need a J-1 or H-1B visa" in everything
    else:
        assert "assessment/no-visa-read-as" not in said
        assert "need a J-1 or H-1B visa" not in everything


# ---------------------------------------------------------------- 4. unmatched, no open field

# The review's v12: a US citizen from a Caribbean school, unmatched in Anesthesiology and
# Emergency Medicine, planned the day after Match Day for the next Match.
V12 = {
    "applicant": {
        "visa": "none",
        "us_citizen": True,
        "graduation_year": 2026,
        "cycle": 2028,
        "specialties": ["Anesthesiology", "Emergency Medicine"],
        "states": ["TX", "AZ"],
        "previous_cycles": 1,
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 228, "attempts": 1}},
    "clinical": [{"kind": "sub-internship", "months": 2, "city": "Phoenix", "state": "AZ"}],
    "letters": [{"writer": "Anesthesiologist, Phoenix", "us_clinical": True, "advocate": False}],
}


def test_unmatched_in_fields_not_open_to_imgs_gets_a_backup_field(host, border):
    plan = plan_of(host, border, as_of="2027-03-20", **V12)
    added = [t for t in plan.specialties if t.suggested]
    assert [t.name for t in added] == ["Internal Medicine"]
    said = " ".join(r.says for r in added[0].reasons)
    assert "You applied in Anesthesiology and Emergency Medicine and did not match." in said
    assert "adds Internal Medicine as your backup field for the next Match" in said
    assert "a preliminary year in Internal Medicine, or a Transitional Year" in said
    assert any(p.specialty == "Internal Medicine" and p.verdict == "apply" for p in plan.programs)


def test_a_first_application_in_those_fields_adds_a_backup_only_for_the_empty_catalog(host, border):
    """Not unmatched yet (and a 228 is not low): nothing in the file calls for a backup.
    But the catalog holds neither field, so the plan adds one for that reason, as it does
    for one such field (review 11, finding 2), and says so, not that she went unmatched."""
    first = {**V12, "applicant": {**V12["applicant"], "previous_cycles": 0, "cycle": 2027}}
    plan = plan_of(host, border, as_of="2026-07-15", **first)
    added = [t for t in plan.specialties if t.suggested]
    assert [t.name for t in added] == ["Internal Medicine"]
    said = " ".join(r.says for r in added[0].reasons)
    assert "Your catalog has no program in any of the fields you named" in said
    assert "did not match" not in said


# ---------------------------------------------------------------- 5. a reach field's list

# The review's v08: Radiology and Anesthesiology with a 219, no Spanish, J-1, California
# and Texas, an observership only.
V08 = {
    "applicant": {
        "specialties": ["Diagnostic Radiology", "Anesthesiology"],
        "states": ["CA", "TX"],
        "graduation_year": 2024,
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 219, "attempts": 1}},
    "clinical": [{"kind": "observership", "months": 2, "city": "Houston", "state": "TX"}],
}


def volume(plan, name: str):
    [found] = [v for v in plan.summary.by_specialty if v.name == name]
    return found


def test_a_reach_field_beside_a_better_field_gets_a_short_list(host, border):
    plan = plan_of(host, border, **V08)
    fits = {t.name: t.fit for t in plan.specialties}
    assert fits["Anesthesiology"] == "reach"
    assert fits["Internal Medicine"] in ("possible", "strong")
    reach, backup = volume(plan, "Anesthesiology"), volume(plan, "Internal Medicine")
    unlikely = volume(plan, "Diagnostic Radiology")
    assert unlikely.recommended < reach.recommended < backup.recommended
    assert reach.recommended == 15
    said = " ".join(r.says for r in reach.reasons)
    assert "Anesthesiology is a reach for you now" in said
    assert "put your full list in the field that fits you best" in said
    assert "a full list of 15" not in said and "A full list holds" not in said
    # The total no longer passes the IMG average of about 137 across fields.
    assert plan.summary.recommended == 10 + 15 + backup.recommended < 137
    assert "tiering/full-lists-over-average" not in {a.rule for a in plan.summary.advice}


# ---------------------------------------------------------------- 6. H-1B only

# The review's v07: cannot take a J-1, Step 3 not yet, Step 2 CK 232, Internal and Family
# Medicine in California, Arizona and New Mexico, fluent Spanish.
V07 = {
    "applicant": {
        "visa": "H-1B",
        "specialties": ["Internal Medicine", "Family Medicine"],
        "states": ["CA", "AZ", "NM"],
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 232, "attempts": 1}},
    "languages": [{"name": "Spanish", "level": "fluent"}],
    "clinical": [{"kind": "externship", "months": 2, "city": "Albuquerque", "state": "NM"}],
    "letters": [{"writer": "Internist, Albuquerque", "us_clinical": True, "advocate": False}],
}


def test_an_h1b_only_applicant_is_told_the_size_of_the_h1b_search(host, border):
    """The plan does not push a J-1 on an applicant who cannot take one: the first step
    says a J-1-only program is off the list, and a step sizes the H-1B search by the
    national listing (137 of 689 Internal Medicine programs, FREIDA 2025)."""
    plan = plan_of(host, border, **V07)
    by_id = {a.id: a for a in plan.actions}
    first = by_id["applications/h1b-only-none-listed"].detail
    assert "Decide now whether you would take a J-1" not in first
    assert "if it sponsors only a J-1, it is off your list" in first
    size = by_id["applications/h1b-only-search-size"].detail
    assert "137 of 689 Internal Medicine programs listed H-1B sponsorship" in size
    assert "in any state" in size and "Step 3" in size
    # Not for an applicant who would also take a J-1.
    either = {**V07, "applicant": {**V07["applicant"], "visa": ["H-1B", "J-1"]}}
    assert "applications/h1b-only-search-size" not in action_ids(plan_of(host, border, **either))


# ---------------------------------------------------------------- 8. nothing new: a field added

# The review's v05: unmatched once in Internal Medicine, nothing new since (changes = []),
# J-1, California and Arizona, Step 2 CK 224, an observership only.
V05 = {
    "applicant": {
        "graduation_year": 2021,
        "cycle": 2028,
        "specialties": ["Internal Medicine"],
        "states": ["CA", "AZ"],
        "previous_cycles": 1,
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 224, "attempts": 1}},
    "languages": [{"name": "Spanish", "level": "intermediate"}],
    "clinical": [{"kind": "observership", "months": 3, "city": "San Diego", "state": "CA"}],
    "reapplicant": {"last_cycle": 2027, "changes": []},
}


def test_a_reapplicant_with_nothing_new_gets_the_field_the_choice_step_asks_for(host, border):
    plan = plan_of(host, border, as_of="2027-05-01", **V05)
    step = next(a for a in plan.actions if a.id.startswith("between-cycles/same-file-choice"))
    assert "add a specialty open to you" in step.detail
    added = [t for t in plan.specialties if t.suggested]
    assert [t.name for t in added] == ["Family Medicine"]
    said = " ".join(r.says for r in added[0].reasons)
    assert "You applied once before without matching, with the file you have now." in said
    assert volume(plan, "Family Medicine").applications > 0
    # A reapplicant whose file changed keeps the field it named.
    changed = {**V05, "reapplicant": {"last_cycle": 2027, "changes": ["us-clinical"]}}
    assert not [
        t for t in plan_of(host, border, as_of="2027-05-01", **changed).specialties if t.suggested
    ]
