"""Application lists, counts and plan wording of the ninth advisor review (review 6
findings 10, 17, 19, 20, 23 and smaller ones), on the review's kind of profiles: each test
plans a few lines of profile against a small catalog or the example catalogs, and names
what the plan says to that person, and what it no longer says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import resplan
from resplan.vocabulary import tier_words
from tests.conftest import EXAMPLES, make_catalog, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SYNTHETIC = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
JULY = "2026-07-01"
STEP2_221 = {"score": 221, "attempts": 1}
BORDER_STRENGTHS = {
    "languages": [{"name": "Spanish", "level": "fluent"}],
    "clinical": [{"kind": "hands-on", "months": 3, "city": "El Paso", "state": "TX"}],
    "letters": [{"writer": "Internist, El Paso", "us_clinical": True}],
}


def plan_of(host, catalog, *, as_of=JULY, applicant=None, **sections):
    applicant = {"visa": "J-1", "graduation_year": 2023, "previous_cycles": 0, **(applicant or {})}
    sections.setdefault("exams", {"step1": {"result": "pass", "attempts": 1}, "step2ck": STEP2_221})
    for key, value in BORDER_STRENGTHS.items():
        sections.setdefault(key, value)
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def volume(plan, name: str):
    [found] = [v for v in plan.summary.by_specialty if v.name == name]
    return found


def said(reasons) -> dict[str, str]:
    return {r.rule.split("/")[-1]: r.says for r in reasons}


def outlook(plan, name: str):
    [found] = [o for o in plan.outlook.specialties if o.specialty == name]
    return found


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


@pytest.fixture(scope="module")
def generated(host):
    return host.read_catalog(SYNTHETIC)


# ---------------------------------------------------------------- 1. preliminary tracks apart

# El Paso Internal Medicine: two institutions with a categorical and a preliminary track,
# and a third with a preliminary track only; all take many IMGs and sponsor a J-1.
TRACKS = make_catalog(
    *(
        {
            "id": f"tx-elpaso-{place}-im-{track[:4]}",
            "name": f"Fictional Border Hospital {place.upper()}",
            "track": track,
            "img_share": 0.6,
            "visas": ["J-1"],
            "facts_as_of": 2025,
            "source": "test fixture, fictional",
        }
        for place, track in (
            ("a", "categorical"),
            ("a", "preliminary"),
            ("b", "categorical"),
            ("b", "preliminary"),
            ("c", "preliminary"),
        )
    )
)
INTERNAL_MEDICINE_TX = {"specialties": ["Internal Medicine"], "states": ["TX"]}


def test_preliminary_tracks_are_counted_apart_from_the_categorical_list(host):
    """Two categorical and three preliminary tracks: the list, its tiers and fees count
    the 2 categorical programs; the 3 preliminary ones are said apart, as one-year places."""
    plan = plan_of(host, TRACKS, applicant=INTERNAL_MEDICINE_TX)
    im = volume(plan, "Internal Medicine")
    assert im.applications == 2 and im.available == (2, 0, 0) and im.tiers == (2, 0, 0)
    words = said(im.reasons)
    assert words["send-from-this-catalog"] == (
        "From this catalog, send 2 applications in Internal Medicine: both in tier 1."
    )
    assert (
        "you can apply to, fewer than your list in it needs" in words["catalog-short-of-full-list"]
    )
    assert "has 2 programs in Internal Medicine" in words["catalog-short-of-full-list"]
    apart = words["preliminary-tracks-apart"]
    assert apart.startswith("Your catalog also has 3 preliminary programs in Internal Medicine")
    assert "one year of training" in apart and "The figures above do not count them." in apart
    assert plan.summary.applications == 2
    passed = outlook(plan, "Internal Medicine")
    assert passed.passed == 2
    context = said(passed.context)
    assert context["programs-passed"] == (
        "In this plan's catalog you pass every known filter of 2 programs in Internal Medicine."
    )
    assert context["preliminary-programs-passed"] == (
        "You also pass every known filter of 3 preliminary programs in Internal Medicine: "
        "one year of training each, counted apart."
    )


def test_two_programs_in_one_tier_are_both_in_it():
    assert tier_words((2, 0, 0)) == "both in tier 1"
    assert tier_words((0, 2, 0)) == "both in tier 2"
    assert tier_words((0, 0, 3)) == "all 3 in tier 3"


def test_only_preliminary_tracks_do_not_read_as_no_program_at_all(host):
    only = make_catalog(
        *(
            {
                "id": f"tx-elpaso-{place}-im-prel",
                "name": f"Fictional Border Hospital {place.upper()}",
                "track": "preliminary",
                "img_share": 0.6,
                "visas": ["J-1"],
            }
            for place in "ab"
        )
    )
    plan = plan_of(host, only, applicant=INTERNAL_MEDICINE_TX)
    im = volume(plan, "Internal Medicine")
    assert im.applications == 0
    words = said(im.reasons)
    assert "catalog-has-none-of-field" not in words
    assert words["catalog-has-only-preliminary-of-field"].startswith(
        "Your catalog has no categorical program in Internal Medicine that you can apply to, "
        "only 2 preliminary ones."
    )
    context = said(outlook(plan, "Internal Medicine").context)
    assert "no-program-passed" not in context
    assert context["only-preliminary-programs-passed"].startswith(
        "In this plan's catalog you pass every known filter of 2 preliminary programs "
        "in Internal Medicine, and of no categorical one."
    )


def test_a_catalog_without_preliminary_tracks_says_nothing_of_them(host, border):
    plan = plan_of(host, border, applicant=INTERNAL_MEDICINE_TX)
    text = " ".join(r.says for v in plan.summary.by_specialty for r in v.reasons)
    text += " ".join(r.says for o in plan.outlook.specialties for r in o.context)
    assert "preliminary program" not in text


# ---------------------------------------------------------------- 19. a fallback track's list

FAILED_ONCE = {"step1": {"result": "fail", "attempts": 2}, "step2ck": STEP2_221}
FAMILY_INTERNAL_TX = {"specialties": ["Family Medicine", "Internal Medicine"], "states": ["TX"]}


def test_a_transitional_year_beside_categorical_fields_gets_a_fallback_list(host, border):
    """A J-1 applicant to Family and Internal Medicine with a failed attempt: the plan adds
    a Transitional Year as a way in. It is a fallback beside two categorical lists, so its
    list is a fallback's (15), not a full Transitional Year list (30)."""
    plan = plan_of(host, border, applicant=FAMILY_INTERNAL_TX, exams=FAILED_ONCE)
    ty = volume(plan, "Transitional Year")
    assert ty.recommended == 15
    words = said(ty.reasons)
    assert "volume-transitional-year" not in words
    assert words["volume-transitional-year-fallback"].startswith(
        "A Transitional Year is one year of training, a fallback beside your other fields."
    )
    assert "about 15 applications" in words["volume-transitional-year-fallback"]


def test_a_transitional_year_alone_keeps_its_own_list(host):
    """Only a Transitional Year, in a catalog with enough of them that the plan adds no
    other field: it keeps the Transitional Year's own list."""
    years = make_catalog(
        *(
            {"id": f"tx-elpaso-ty-{n:02}", "specialty": "Transitional Year", "visas": ["J-1"]}
            for n in range(12)
        )
    )
    plan = plan_of(host, years, applicant={"specialties": ["Transitional Year"], "states": ["TX"]})
    assert [v.name for v in plan.summary.by_specialty] == ["Transitional Year"]
    assert volume(plan, "Transitional Year").recommended == 30
    assert "volume-transitional-year" in said(volume(plan, "Transitional Year").reasons)


def test_a_transitional_year_wished_alone_beside_the_backup_the_plan_adds(host, border):
    """Only a Transitional Year, with 4 in the border catalog: the plan adds Family
    Medicine, which leads to a complete residency, so it gets the full list."""
    plan = plan_of(host, border, applicant={"specialties": ["Transitional Year"], "states": ["TX"]})
    assert volume(plan, "Transitional Year").recommended == 15
    assert volume(plan, "Family Medicine").recommended == 77


# ---------------------------------------------------------------- 20. a backup field's list


def test_a_main_field_and_a_backup_are_sized_as_such(host, border):
    """No specialty named: the plan picks a main field and a backup. The backup's list is
    a backup's share, so the two stay at the IMG average across all fields (137), not
    154."""
    plan = plan_of(host, border, applicant={"states": ["TX"]})
    sizes = {v.name: v.recommended for v in plan.summary.by_specialty}
    assert sorted(sizes.values()) == [60, 77]
    assert plan.summary.recommended == 137
    [backup] = [v for v in plan.summary.by_specialty if v.recommended == 60]
    words = said(backup.reasons)
    assert words["volume-backup-field"].startswith(
        f"{backup.name} is the backup field of this plan. Keep its list to about 60 applications"
    )
    advice = said(plan.summary.advice)
    assert "full-lists-over-average" not in advice


def test_a_backup_added_beside_a_wished_field_gets_a_backup_list(host):
    """Internal Medicine wished, with only 5 programs in the catalog; the plan adds Family
    Medicine as the backup. Added only because the catalog is short, it gets a short
    list, so that the wished field keeps most of the budget (review 9, finding 8):
    77 + 20."""
    plan = plan_of(host, TRACKS, applicant=INTERNAL_MEDICINE_TX)
    assert volume(plan, "Internal Medicine").recommended == 77
    family = volume(plan, "Family Medicine")
    assert family.recommended == 20
    assert "volume-backup-for-short-catalog" in said(family.reasons)
    assert plan.summary.recommended == 97


def test_a_backup_that_fits_better_than_the_wish_keeps_the_full_list(host, border):
    """Diagnostic Radiology with a low score is unlikely: the added Internal Medicine is
    where the full list goes, and Radiology gets the short list."""
    plan = plan_of(
        host,
        border,
        applicant={"specialties": ["Diagnostic Radiology"], "states": ["TX"]},
        languages=[],
        clinical=[],
        letters=[],
    )
    sizes = {v.name: v.recommended for v in plan.summary.by_specialty}
    assert sizes["Diagnostic Radiology"] == 10
    assert max(sizes.values()) == 77


# ---------------------------------------------------------------- 23. region sentences once


def test_each_region_sentence_is_said_once(host, border):
    """No working Spanish, Internal Medicine in any border state: the advice every region
    would repeat (a medical Spanish course; look up the programs of a place the catalog
    lacks) is said at the first region that gives it, not at each of them; what is said of
    each region itself stays with it."""
    plan = plan_of(
        host,
        border,
        applicant={"specialties": ["Internal Medicine"]},
        languages=[{"name": "Spanish", "level": "basic"}],
    )
    sentences = [
        sentence
        for region in plan.regions
        for reason in region.reasons
        for sentence in reason.says.split(". ")
    ]
    assert len(sentences) == len(set(sentences))
    course = [r for r in plan.regions if any("medical Spanish course" in x.says for x in r.reasons)]
    assert len(course) == 1
    without = [r for r in plan.regions for x in r.reasons if x.rule == "regions/no-working-spanish"]
    assert len(without) > 2
    for region in without:
        [reason] = [x for x in region.reasons if x.rule == "regions/no-working-spanish"]
        assert f"Without working Spanish you bring less to {region.name}" in reason.says or (
            "Without working Spanish you bring less to" in reason.says
        )
    lacking = [r for r in plan.regions if r.priority == "none"]
    assert len(lacking) > 1
    look_up = [r for r in lacking if any("look up its programs" in x.says for x in r.reasons)]
    assert len(look_up) == 1


# ---------------------------------------------------------------- generated programs in counts


def test_skipped_and_borderline_counts_leave_generated_programs_out(host, border, generated):
    """Generated programs are examples, never advice: the sentences on skipped and
    borderline programs count the real ones."""
    both = resplan.merge_catalogs([border, generated])
    plan = plan_of(host, both, applicant={"specialties": ["Internal Medicine"]})
    real = [p for p in plan.programs if not p.synthetic]
    skipped = sum(1 for p in real if p.verdict == "skip")
    assert plan.summary.skip > skipped
    advice = said(plan.summary.advice)
    if skipped:
        assert advice["reallocate-skipped"].startswith(f"{skipped} program")
    else:
        assert "reallocate-skipped" not in advice
    borderline = sum(1 for p in real if p.verdict == "borderline")
    if borderline:
        assert advice["borderline-programs"].startswith(f"{borderline} program")
    else:
        assert "borderline-programs" not in advice


# ---------------------------------------------------------------- exams left out of the profile


@pytest.mark.parametrize(
    ("as_of", "now"), [("2026-07-01", True), ("2027-01-20", True), ("2027-03-10", False)]
)
def test_exams_left_out_are_dated_for_the_plans_date(host, border, as_of, now):
    """No exams in the profile: before the rank list deadline of the applicant's Match the
    plan's steps hang on them, so adding them comes first; after it, it is for a next
    application and dated with its documents, not 'today'."""
    profile = make_profile(
        applicant={"visa": "J-1", "graduation_year": 2023, "specialties": ["Internal Medicine"]},
        **BORDER_STRENGTHS,
    )
    plan = resplan.plan(profile, border, host=host, as_of=as_of)
    steps = {a.id: a for a in plan.actions}
    for exam in ("step1", "step2ck"):
        if now:
            assert steps[f"assessment/add-{exam}-to-profile"].when.endswith("Start on this today")
            assert f"assessment/add-{exam}-to-profile-next-application" not in steps
        else:
            later = steps[f"assessment/add-{exam}-to-profile-next-application"]
            assert f"assessment/add-{exam}-to-profile" not in steps
            assert not later.when.endswith("Start on this today") and "2027" in later.when
            assert "Before a next application" in later.detail


# ---------------------------------------------------------------- one reason for a tier


def test_a_program_has_one_reason_for_its_tier(host, border, generated):
    """A program that two or three rules place in its tier says why once: the first rule
    of its tier; what its IMG share says comes before its being rural."""
    both = resplan.merge_catalogs([border, generated])
    plan = plan_of(host, both, applicant={"specialties": ["Internal Medicine", "Family Medicine"]})
    placed = [p for p in plan.programs if p.verdict != "skip"]
    for program in placed:
        told = [r.says for r in program.reasons if r.says.startswith("Tier ")]
        assert len(told) == 1, (program.id, told)
    unknown_rural = [
        p for p in placed if p.tier == 3 and any(r.rule == "tiering/broader-net" for r in p.reasons)
    ]
    assert unknown_rural
    assert not any(r.rule == "tiering/rural-off-border" for p in unknown_rural for r in p.reasons)


# ---------------------------------------------------------------- a letter of unknown kind


def test_a_letter_of_unknown_kind_is_told_only_where_it_counts(host, border):
    """One letter whose kind the profile leaves out: the sentence saying so leads the
    reasons that rest on it (the letter finding, a fit that asks for US clinical letters),
    not every reason that reads a finding of another kind (the list's size and spread,
    which rest on the scores)."""
    plan = plan_of(
        host,
        border,
        applicant=INTERNAL_MEDICINE_TX,
        letters=[{"writer": "Department chair, home country"}],
    )
    told = "Your profile leaves out whether your letter from Department chair, home country"
    [letter] = [w for w in plan.assessment.weaknesses if w.name == "no-us-letter"]
    assert any(r.says.startswith(told) for r in letter.reasons)
    im = volume(plan, "Internal Medicine")
    assert not [r.rule for r in im.reasons if told in r.says]
    everywhere = [r.says for v in plan.summary.by_specialty for r in v.reasons]
    everywhere += [r.says for r in plan.summary.advice]
    assert not [s for s in everywhere if told in s]


# ---------------------------------------------------------------- where a letter's writer works


def test_a_letter_writer_of_unknown_place_does_not_lead_the_plan(host, border):
    """A non-clinical letter whose writer's place the profile leaves out: no program, tier
    or field hangs on it, so asking for it does not outrank the plan's real first steps."""
    plan = plan_of(
        host,
        border,
        applicant=INTERNAL_MEDICINE_TX,
        letters=[{"writer": "Research mentor", "us_clinical": False}],
    )
    steps = [a.id for a in plan.actions]
    assert "assessment/fill-profile-gaps" not in steps
    ask = steps.index("assessment/fill-profile-gaps-wording")
    assert ask > 0 and steps[0] != "assessment/fill-profile-gaps-wording"
    [action] = [a for a in plan.actions if a.id == "assessment/fill-profile-gaps-wording"]
    assert "whether the writer of your letter from Research mentor works in the US" in (
        action.detail
    )
    # A gap that can decide still comes first.
    plan = plan_of(
        host,
        border,
        applicant=INTERNAL_MEDICINE_TX,
        letters=[{"writer": "Research mentor"}],
    )
    assert plan.actions[0].id == "assessment/fill-profile-gaps"


# ---------------------------------------------------------------- an advocate in December

REVIEW8 = Path(__file__).parent / "data" / "review8"


def test_in_december_an_advocate_writes_to_programs_with_no_graduation_limit(host, border):
    """Nine years past graduation, with a letter writer who offered to contact programs:
    on 1 December the applications are out, and the plan asks that writer to email the
    programs that state no graduation-year limit, not those whose limit excludes him."""
    profile = resplan.load_profile(REVIEW8 / "v04.toml")
    assert profile.letters and any(x.advocate for x in profile.letters)
    december = {
        a.id: a for a in resplan.plan(profile, border, host=host, as_of="2026-12-01").actions
    }
    ask = december["applications/graduation-year-limits-advocate"]
    assert ask.when.startswith("December 2026")
    assert "programs that state no limit on years since graduation" in ask.detail
    assert "Do not ask for it where a program's limit excludes you" in ask.detail
    june = {a.id for a in resplan.plan(profile, border, host=host, as_of="2026-06-15").actions}
    assert "applications/graduation-year-limits-advocate" not in june
