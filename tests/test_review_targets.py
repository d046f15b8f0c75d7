"""Tiers, signals and list sizes of plans for profiles an advisor reviewed (tests/data/review).

Each test runs `resplan plan` on one reviewed profile against the example catalogs and
reads the plan file, the way the advisor read it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES

REVIEW = Path(__file__).parent / "data" / "review"
CATALOGS = (
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
)


def plan_of(tmp_path, profile: str | Path, as_of: str = "2026-06-15", text: str | None = None):
    source = REVIEW / profile if isinstance(profile, str) else profile
    if text is not None:
        source = tmp_path / "profile.toml"
        source.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(source), "--out", str(out), "--as-of", as_of]
    for catalog in CATALOGS:
        argv += ["--catalog", str(catalog)]
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
    assert all(p["tier"] == 1 for p in inside)
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
    assert f"but in {outside[0]['state']}, outside the states you named" in says


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

    # Signals go to real programs before generated ones, then to the named states before
    # the others: the order of (generated, elsewhere) never goes back.
    def key(p):
        return (_is_synthetic(p), p["state"] not in states)

    keys = [key(c) for c in chosen]
    assert keys == sorted(keys)
    assert any(not elsewhere for _, elsewhere in keys)
    # No program left out had a better claim than one that got a signal.
    names = {(c["name"], c["city"], c["state"]) for c in chosen}
    for p in placed(plan):
        if p["specialty"] != "Internal Medicine" or p["verdict"] != "apply":
            continue
        if (p["name"], p["city"], p["state"]) not in names:
            assert key(p) >= keys[-1], p["id"]
    # The geographic preference names the regions of the applicant's states.
    assert signals["geographic"].startswith("Your ERAS application has one geographic preference")
    assert f"the states you want to train in: {regions}" in signals["geographic"]
    elsewhere = [c for c in chosen if c["state"] not in states]
    assert all("outside the states you named" in c["why"] for c in elsewhere)
    assert not any("outside the states you named" in c["why"] for c in chosen if c not in elsewhere)


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
    assert len([s for s in plan["signals"] if s.get("geographic")]) >= 2
    assert len(given) == 1
