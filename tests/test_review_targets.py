"""Tiers, signals and list sizes of plans for profiles an advisor reviewed (tests/data/review).

Each test runs `resplan plan` on one reviewed profile against the example catalogs and
reads the plan file, the way the advisor read it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from resplan.vocabulary import STATES
from tests.conftest import EXAMPLES

REVIEW = Path(__file__).parent / "data" / "review"
CATALOGS = (
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
)


def plan_of(
    tmp_path,
    profile: str | Path,
    as_of: str = "2026-06-15",
    text: str | None = None,
    catalogs=CATALOGS,
    report: str | None = None,
):
    source = REVIEW / profile if isinstance(profile, str) else profile
    if text is not None:
        source = tmp_path / "profile.toml"
        source.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(source), "--out", str(out), "--as-of", as_of]
    for catalog in catalogs:
        argv += ["--catalog", str(catalog)]
    if report is not None:
        argv += ["--report", str(tmp_path / report)]
    assert main(argv) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


def placed(plan) -> list[dict]:
    return [p for p in plan["programs"] if p["verdict"] != "skip"]


def rules_of(program) -> set[str]:
    return {r["rule"] for r in program.get("reasons", [])}


# ---------------------------------------------------------------- 1. the applicant's states


def test_border_programs_outside_the_named_states_are_tier_2(tmp_path):
    # Profile a wants Arizona and California only, and speaks no Spanish.
    plan = plan_of(tmp_path, "a-nospanish.toml")
    border = [p for p in placed(plan) if p.get("region")]
    inside = [p for p in border if p["state"] in ("AZ", "CA")]
    outside = [p for p in border if p["state"] not in ("AZ", "CA")]
    assert inside and outside
    # Inside them, tier 1 unless nothing is known of the program's IMG residents.
    assert all(
        p["tier"] == (2 if "tiering/border-img-share-unknown" in rules_of(p) else 1) for p in inside
    )
    assert any(p["tier"] == 1 for p in inside)
    assert all(p["tier"] == 2 for p in outside)
    assert all("tiering/border-outside-named-states" in rules_of(p) for p in outside)
    # Weslaco's program, mostly IMGs, is in Texas: no longer tier 1.
    weslaco = [p for p in outside if p["city"] == "Weslaco"]
    assert weslaco and all(p["tier"] == 2 for p in weslaco)
    says = next(
        r["says"]
        for r in outside[0]["reasons"]
        if r["rule"] == "tiering/border-outside-named-states"
    )
    # The state by its name: readers may not know the two-letter codes.
    assert f"but in {STATES[outside[0]['state']]}, outside the states you named" in says


def test_without_named_states_every_border_program_can_be_tier_1(tmp_path):
    text = (REVIEW / "a-nospanish.toml").read_text().replace('states = ["AZ", "CA"]\n', "")
    assert "states" not in text.split("[exams")[0]
    plan = plan_of(tmp_path, "a-nospanish.toml", text=text)
    texas = [p for p in placed(plan) if p.get("region") and p["state"] == "TX"]
    assert texas and any(p["tier"] == 1 for p in texas)
    assert not any("tiering/border-outside-named-states" in rules_of(p) for p in placed(plan))


def _signalled(plan, specialty="Internal Medicine"):
    return next(s for s in plan["signals"] if s["specialty"] == specialty)


def _is_synthetic(program) -> bool:
    return program["id"].startswith("synth-")


@pytest.mark.parametrize(
    ("profile", "states", "regions"),
    [
        ("a-nospanish.toml", ("AZ", "CA"), "Mountain and Pacific."),
        ("b-245.toml", ("TX", "CA"), "West South Central and Pacific."),
    ],
)
def test_signals_go_to_the_named_states_first(tmp_path, profile, states, regions):
    plan = plan_of(tmp_path, profile)
    signals = _signalled(plan)
    chosen = signals["programs"]
    assert chosen

    # Signals go only to programs in the named states (they go with the geographic
    # preference), real programs before generated ones: that order never goes back.
    assert all(c["state"] in states for c in chosen)
    keys = [_is_synthetic(c) for c in chosen]
    assert keys == sorted(keys)
    # No program of the named states left out had a better claim than one that got a signal.
    names = {(c["name"], c["city"], c["state"]) for c in chosen}
    for p in placed(plan):
        if p["specialty"] != "Internal Medicine" or p["verdict"] != "apply":
            continue
        if p["state"] in states and (p["name"], p["city"], p["state"]) not in names:
            assert _is_synthetic(p) >= keys[-1], p["id"]
    # The geographic preference names the regions of the applicant's states.
    assert signals["geographic"].startswith("Your ERAS application has one geographic preference")
    assert f"the states you want to train in: {regions}" in signals["geographic"]
    assert not any("outside the states you named" in c["why"] for c in chosen)


def test_b_signals_no_tier_1_program_elsewhere_before_its_own_states(tmp_path):
    # Profile b (TX and CA) had silver signals in Alaska, Illinois and New York ahead of
    # Texas and California programs, because they were tier 1.
    plan = plan_of(tmp_path, "b-245.toml")
    chosen = _signalled(plan)["programs"]
    states = [c["state"] for c in chosen]
    real_here = [c for c in chosen if not _is_synthetic(c) and c["state"] in ("TX", "CA")]
    assert len(real_here) >= 3 and chosen[: len(real_here)] == real_here
    generated = [c for c in chosen if _is_synthetic(c)]
    here = [c["state"] in ("TX", "CA") for c in generated]
    # Generated programs too: those in Texas and California before those elsewhere.
    assert here == sorted(here, reverse=True)
    assert "AK" not in states[: len(real_here)]


@pytest.mark.parametrize(
    ("profile", "as_of"), [("d-nostep2.toml", "2026-06-15"), ("i-nowishes.toml", "2026-09-10")]
)
def test_one_geographic_preference_per_plan(tmp_path, profile, as_of):
    plan = plan_of(tmp_path, profile, as_of)
    given = {s["geographic"] for s in plan["signals"] if s.get("geographic")}
    # Every specialty with a signal to send names the one preference (a specialty with
    # no program to signal in the named states has none to go with).
    assert all(s.get("geographic") for s in plan["signals"] if s.get("programs"))
    assert len([s for s in plan["signals"] if s.get("geographic")]) >= 1
    assert len(given) == 1


# ---------------------------------------------------------------- 2. a later choice of visa


def test_a_later_choice_of_visa_moves_down_only_programs_off_the_border(tmp_path):
    # Profile g takes H-1B first, J-1 second, and wants Texas and California.
    plan = plan_of(tmp_path, "g-j1-h1b.toml", "2026-11-30")
    moved = [p for p in placed(plan) if "tiering/later-choice-visa-only" in rules_of(p)]
    assert moved and not any(p.get("region") for p in moved)
    # Border programs in the applicant's states that a tier 1 rule holds stay in tier 1,
    # the J-1-only ones among them (those known to take IMGs: review6 finding 12).
    held = [
        p
        for p in placed(plan)
        if p.get("region")
        and p["state"] in ("TX", "CA")
        and any(r["says"].startswith("Tier 1:") for r in p.get("reasons", []))
        # An H-1B-only program moves down for the missing Step 3, not for the visa.
        and "tiering/h1b-without-step3" not in rules_of(p)
    ]
    assert len(held) >= 6 and all(p["tier"] == 1 for p in held)
    advice = {a["rule"]: a["says"] for a in plan["summary"]["advice"]}
    assert "such a program keeps its tier" in advice["tiering/later-choice-visa-border"]
    assert "it moves down 1 tier." in advice["tiering/later-choice-visa-border"]


# ---------------------------------------------------------------- 3. signal counts


def _anesthesiology_catalog(tmp_path) -> Path:
    programs = []
    for n, (city, state) in enumerate(
        [("El Paso", "TX"), ("Laredo", "TX"), ("San Diego", "CA")]
        + [("Houston", "TX")] * 8
        + [("Dallas", "TX")] * 6
    ):
        programs.append(
            "\n".join(
                [
                    "[[program]]",
                    f'id = "anes-{n:02}"',
                    f'name = "Fictional Anesthesiology {n:02}"',
                    'specialty = "Anesthesiology"',
                    'track = "categorical"',
                    f'city = "{city}"',
                    f'state = "{state}"',
                    'visas = ["J-1", "H-1B"]',
                    "img_share = 0.3",
                    "max_years_since_graduation = 10",
                    "max_attempts = 3",
                    "min_step2ck = 200",
                    "mean_step2ck = 230",
                    'source = "test, fictional"',
                ]
            )
        )
    path = tmp_path / "anesthesiology.toml"
    path.write_text("\n\n".join(programs) + "\n", encoding="utf-8")
    return path


def test_signal_counts_of_the_2025_season_for_more_specialties(tmp_path):
    plan = plan_of(tmp_path, "b-245.toml")
    neurology = _signalled(plan, "Neurology")
    assert (neurology["signals"], neurology["season"], neurology["confirmed"]) == (8, 2025, False)
    assert "gold" not in neurology
    assert (
        "In the ERAS season of the 2025 Match, Neurology applicants could send 8 signals."
        in neurology["says"]
    )
    assert "knows no number" not in neurology["says"]
    # The catalogs' only Neurology programs are generated: they get no signal, and the
    # field no geographic preference of its own.
    assert not neurology.get("programs") and "geographic" not in neurology
    assert "from a generated sample. It is not real" in neurology["says"]


def test_anesthesiology_gives_5_gold_and_10_silver_signals(tmp_path):
    text = (
        (REVIEW / "b-245.toml")
        .read_text()
        .replace(
            'specialties = ["Neurology", "Internal Medicine"]', 'specialties = ["Anesthesiology"]'
        )
    )
    assert "Anesthesiology" in text
    plan = plan_of(tmp_path, "b-245.toml", text=text, catalogs=(_anesthesiology_catalog(tmp_path),))
    anes = _signalled(plan, "Anesthesiology")
    assert (anes["gold"], anes["silver"], anes["signals"], anes["season"]) == (5, 10, 15, 2025)
    kinds = [c["kind"] for c in anes["programs"]]
    assert kinds == ["gold"] * 5 + ["silver"] * 10
    assert "5 gold and 10 silver signals (15 in all)" in anes["says"]
    # No Internal Medicine survey quoted for Anesthesiology.
    assert "evidence" not in anes


# ---------------------------------------------------------------- 4. small numbers


def test_fee_and_count_sentences_at_small_numbers(tmp_path):
    # Profile d against the border programs only: no Pediatrics program it can apply to,
    # and a short Family Medicine list.
    plan = plan_of(tmp_path, "d-nostep2.toml", catalogs=CATALOGS[:1], report="plan.md")
    by = {b["name"]: b for b in plan["summary"]["by_specialty"]}
    fm, peds = by["Family Medicine"], by["Pediatrics"]
    assert 0 < fm["applications"] <= 10 and peds["applications"] == 0
    # Fees are those of the full lists: "10 fewer" goes with a full list longer than ten.
    for entry in (fm, peds):
        fewer = any("10 fewer" in r["says"] for r in entry["reasons"])
        assert fewer == (entry["recommended"] > 10)
    signals = _signalled(plan, "Pediatrics")
    assert "only 0 programs" not in signals["says"]
    assert (
        # No Pediatrics program in any state: not said as if the states were the cause.
        "This catalog has no Pediatrics program, so this plan proposes no signal in "
        "Pediatrics." in signals["says"]
    )
    outlook = next(o for o in plan["outlook"]["specialties"] if o["specialty"] == "Pediatrics")
    words = " ".join([outlook["says"], *(r["says"] for r in outlook.get("against", []))])
    words += " ".join(r["says"] for r in outlook.get("in_favour", []))
    assert "of no program" not in words
    report = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert "$0" not in report and "for 0 applications" not in report
    assert f"Pediatrics ${plan['summary']['cost']['by_specialty'][0]['fee']:,} for " in report or (
        "Pediatrics $" in report
    )


def test_ten_fewer_is_said_for_a_list_longer_than_ten(tmp_path):
    plan = plan_of(tmp_path, "a-nospanish.toml")
    im = next(b for b in plan["summary"]["by_specialty"] if b["name"] == "Internal Medicine")
    assert im["applications"] > 10
    says = {r["rule"]: r["says"] for r in im["reasons"]}
    assert says["season/eras-fees-ten-fewer"].startswith("10 fewer would save $")


# ---------------------------------------------------------------- 5. full-list sizes


def test_other_fields_follow_the_internal_medicine_figure_that_applies(tmp_path):
    # Profile b: Step 2 CK 245 on the first attempt, scores not low: Internal Medicine's
    # full list is 60, and Neurology's is the same, not 77.
    plan = plan_of(tmp_path, "b-245.toml")
    by = {b["name"]: b for b in plan["summary"]["by_specialty"]}
    assert by["Internal Medicine"]["recommended"] == 60
    assert by["Neurology"]["recommended"] == 60
    first = by["Neurology"]["reasons"][0]
    assert first["rule"] == "tiering/volume-field-scores-not-low"
    assert "77" not in first["says"] and "about 60 applications" in first["says"]


def test_low_scores_keep_77_in_every_field_and_transitional_year_is_short(tmp_path):
    # Profile i: a failed attempt, low by the guide's bands. Without wishes its plan now
    # holds only a main field and a backup, so it names three fields, a Transitional Year
    # among them.
    text = (REVIEW / "i-nowishes.toml").read_text(encoding="utf-8")
    text = text.replace(
        "[applicant]\n",
        '[applicant]\nspecialties = ["Internal Medicine", "Family Medicine", "Transitional Year"]\n',
    )
    plan = plan_of(tmp_path, "i-nowishes.toml", "2026-09-10", text=text)
    by = {b["name"]: b for b in plan["summary"]["by_specialty"]}
    assert "Transitional Year" in by
    ty = by["Transitional Year"]
    # Beside two fields with categorical places it is a fallback: a short list.
    assert (
        ty["recommended"] == 15
        and ty["reasons"][0]["rule"] == "tiering/volume-transitional-year-fallback"
    )
    full = {n: b["recommended"] for n, b in by.items() if n != "Transitional Year"}
    fits = {s["name"]: s["fit"] for s in plan["specialties"]}
    for name, recommended in full.items():
        if fits[name] != "unlikely":
            assert recommended == by["Internal Medicine"]["recommended"] == 77, name
