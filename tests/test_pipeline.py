"""The pipeline end to end on the built-in rulesets, stage by stage."""

from __future__ import annotations

import random

import resplan
from resplan.cli import main
from resplan.pipeline import STAGES
from tests.conftest import EXAMPLES, make_catalog, make_profile

EXAMPLE = EXAMPLES / "profiles" / "example.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"

BORDER_STRENGTHS = dict(
    languages=[{"name": "Spanish", "level": "native"}],
    clinical=[{"kind": "hands-on", "months": 6, "city": "McAllen", "state": "TX"}],
    letters=[{"writer": "a", "us_clinical": True}, {"writer": "b", "us_clinical": True}],
    activities=[{"kind": "border-health", "title": "clinic", "months": 24}],
)


def test_stage_order_is_declared_once():
    assert [name for name, _run in STAGES] == [
        "assess",
        "specialties",
        "regions",
        "screen",
        "tier",
        "stale",
        "verified",
        "actions",
        "summary",
        "signals",
        "outlook",
        "what_if",
    ]


def test_example_plan_cites_a_rule_for_every_skip_borderline_and_tier(
    host, example_profile, border_catalog
):
    plan = resplan.plan(example_profile, border_catalog, host=host)
    assert plan.programs, "the example catalog has programs in the wished specialties"
    qualified = {r.qualified_id for rs in host.rulebook.rulesets for r in rs.rules}
    for program in plan.programs:
        if program.verdict != "apply":
            assert program.reasons, program.id
        if program.verdict == "skip":
            assert program.tier is None
        else:
            assert program.tier in (1, 2, 3)
        for reason in program.reasons:
            assert reason.rule in qualified
            assert reason.says and "{" not in reason.says


def test_considered_programs_are_the_wished_and_suggested_specialties(
    host, example_profile, border_catalog
):
    plan = resplan.plan(example_profile, border_catalog, host=host)
    considered = {t.name for t in plan.specialties}
    assert {"Internal Medicine", "Family Medicine"} <= considered
    assert {p.specialty for p in plan.programs} <= considered
    assert plan.summary.programs_considered + plan.summary.programs_outside_specialties == len(
        border_catalog
    )


def test_unknown_minimum_is_to_verify_not_a_silent_pass(host):
    profile = make_profile(
        applicant={"specialties": ["Internal Medicine"]},
        exams={"step2ck": {"score": 221, "attempts": 1}},
    )
    catalog = make_catalog({"id": "known", "min_step2ck": 240}, {"id": "unknown"})
    plan = resplan.plan(profile, catalog, host=host)
    by_id = {p.id: p for p in plan.programs}
    assert by_id["known"].verdict == "skip"
    assert "min_step2ck" not in by_id["known"].to_verify
    assert by_id["unknown"].verdict != "skip"
    assert "min_step2ck" in by_id["unknown"].to_verify
    assert any(a.category == "verify" for a in plan.actions)


def test_near_miss_is_borderline_with_strengths_and_skip_without(host):
    catalog = make_catalog({"id": "p", "min_step2ck": 225, "visas": ["J-1"]})
    exams = {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 221, "attempts": 1}}
    strong = make_profile(
        applicant={"specialties": ["Internal Medicine"]}, exams=exams, **BORDER_STRENGTHS
    )
    plain = make_profile(applicant={"specialties": ["Internal Medicine"]}, exams=exams)
    assert resplan.plan(strong, catalog, host=host).programs[0].verdict == "borderline"
    assert resplan.plan(plain, catalog, host=host).programs[0].verdict == "skip"


def test_visa_not_sponsored_is_skipped_with_its_reason(host):
    profile = make_profile(applicant={"specialties": ["Internal Medicine"], "visa": "H-1B"})
    plan = resplan.plan(profile, make_catalog({"id": "p", "visas": ["J-1"]}), host=host)
    [program] = plan.programs
    assert program.verdict == "skip"
    assert any("visa" in r.rule for r in program.reasons)


def test_shuffled_catalog_gives_identical_plan(host, example_profile, border_catalog):
    programs = list(border_catalog.programs)
    random.Random(4).shuffle(programs)
    shuffled = resplan.Catalog(programs)
    in_order = resplan.Catalog(list(border_catalog.programs))  # built in code, as shuffled is
    first = resplan.dumps_plan(resplan.plan(example_profile, in_order, host=host))
    again = resplan.dumps_plan(resplan.plan(example_profile, shuffled, host=host))
    assert first == again
    # Read from its file, the catalog's digest is the file's: nothing else changes.
    from_file = resplan.dumps_plan(resplan.plan(example_profile, border_catalog, host=host))
    assert from_file == first.replace(shuffled._digest, border_catalog._digest)


def test_provenance_names_rulesets_plugins_and_inputs(host, example_profile, border_catalog):
    plan = resplan.plan(example_profile, border_catalog, host=host)
    names = {r.name for r in plan.provenance.rulesets}
    assert {"screening", "tiering", "specialties", "regions", "assessment"} <= names
    assert all(len(r.sha256) == 64 for r in plan.provenance.rulesets)
    assert {p.name for p in plan.provenance.plugins} >= {"screening", "catalog-formats"}
    assert [i.role for i in plan.provenance.inputs] == ["profile", "catalog"]
    assert plan.provenance.inputs[1].items == len(border_catalog)


def test_actions_are_in_calendar_order_and_dated_by_cycle(host, example_profile, border_catalog):
    plan = resplan.plan(example_profile, border_catalog, host=host)
    order = {p.id: p.order for p in host.rulebook.phases}
    assert [order[a.timing] for a in plan.actions] == sorted(order[a.timing] for a in plan.actions)
    cycle = example_profile.applicant.cycle
    assert all(
        str(cycle) in a.when or str(cycle - 1) in a.when or str(cycle + 1) in a.when
        for a in plan.actions
    )


def test_more_severe_verdict_wins(host):
    # Both the visa filter and the graduation filter fire: the plan says skip, citing both.
    profile = make_profile(
        applicant={"specialties": ["Internal Medicine"], "visa": "J-1", "graduation_year": 2010}
    )
    catalog = make_catalog({"id": "p", "visas": [], "max_years_since_graduation": 5})
    [program] = resplan.plan(profile, catalog, host=host).programs
    assert program.verdict == "skip"
    assert len(program.reasons) >= 2


def test_findings_carry_labels_and_messages_use_them(host, example_profile, border_catalog):
    plan = resplan.plan(example_profile, border_catalog, host=host)
    findings = plan.assessment.weaknesses + plan.assessment.strengths
    assert findings and all(f.label and f.label != f.name for f in findings)
    text = resplan.dumps_plan(plan)
    assert "(low-step2ck" not in text and "strong-border-profile)" not in text


def test_the_order_of_letters_languages_clinical_work_and_activities_changes_no_byte(tmp_path):
    """The same applicant listed in another order gets the same plan, its profile digest
    included (review 7, finding 1)."""
    import tomllib

    import tomli_w

    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for key in ("languages", "clinical", "letters", "activities"):
        assert len(data[key]) > 1, key  # so that reversing it changes the file
        data[key] = data[key][::-1]
    reordered = tmp_path / "reordered.toml"
    reordered.write_text(tomli_w.dumps(data), encoding="utf-8")
    plans = []
    for profile in (EXAMPLE, reordered):
        out = tmp_path / f"plan-{len(plans)}.toml"
        argv = ["plan", str(profile), "--catalog", str(BORDER), "--out", str(out)]
        assert main([*argv, "--as-of", "2026-06-01"]) == 0
        plans.append(out.read_bytes())
    assert plans[0] == plans[1]
    # A change of substance still changes the digest.
    data["letters"] = data["letters"][:1]
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(tomli_w.dumps(data), encoding="utf-8")
    out = tmp_path / "fewer-plan.toml"
    argv = ["plan", str(fewer), "--catalog", str(BORDER), "--out", str(out)]
    assert main([*argv, "--as-of", "2026-06-01"]) == 0
    digest = [line for line in out.read_text().splitlines() if line.startswith("sha256")]
    assert digest != [line for line in plans[0].decode().splitlines() if line.startswith("sha256")]
