"""Lists, signals, regions and backup fields in plans of small profiles like those an
advisor reviewed in the fourth review, against the real border programs.

Each test names what a plan must say, where it said something untrue for the person.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from resplan.cli import main
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"

# A 2024 graduate with a J-1, a pass on Step 1 and a Step 2 CK of 226, fluent Spanish
# and 5 months of hands-on work in El Paso: {wishes} and {states} are filled in per test.
PROFILE = """
[applicant]
graduation_year = 2024
cycle = 2027
visa = "J-1"
specialties = {wishes}
{states}
previous_cycles = 0

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = 226
attempts = 1

[[languages]]
name = "Spanish"
level = "fluent"

[[clinical]]
kind = "hands-on"
months = 5
city = "El Paso"
state = "TX"

[[letters]]
writer = "Program director, El Paso"
us_clinical = true
advocate = true
"""


def plan_of(tmp_path: Path, wishes: list[str], states: list[str] | None, as_of: str) -> dict:
    named = f"states = {states!r}".replace("'", '"') if states is not None else ""
    profile = tmp_path / "profile.toml"
    text = PROFILE.format(wishes=repr(wishes).replace("'", '"'), states=named)
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of, "--out", str(out)]
    assert main(argv) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


def specialty_reasons(plan: dict, name: str) -> dict[str, str]:
    [target] = [s for s in plan["specialties"] if s["name"] == name]
    return {r["rule"]: r["says"] for r in target["reasons"]}


def listed_in(field: str, states: set[str] | None = None) -> int:
    catalog = tomllib.loads(BORDER.read_text(encoding="utf-8"))
    return sum(
        1
        for p in catalog["program"]
        if p["specialty"] == field and (states is None or p["state"] in states)
    )


# ---------------------------------------------------------------- 1. a backup field's reason


def test_the_backup_field_reason_names_the_states_that_hold_too_few(tmp_path):
    """The catalog holds fewer than 10 Family Medicine programs, and New Mexico fewer
    still: the reason for the backup field says both, not only the catalog's count."""
    total, there = listed_in("Family Medicine"), listed_in("Family Medicine", {"NM"})
    assert 0 < there < total < 10
    plan = plan_of(tmp_path, ["Family Medicine"], ["NM"], "2026-08-15")
    says = specialty_reasons(plan, "Internal Medicine")
    assert "specialties/suggest-internal-medicine-for-short-list" not in says
    assert says["specialties/suggest-internal-medicine-for-short-list-in-states"] == (
        f"Your catalog has only {total} programs in the field you named, and only {there} of "
        f"them {'is' if there == 1 else 'are'} in New Mexico, where you want to train. That is "
        "too few for a full list, so the plan adds Internal Medicine as your backup field. "
        "Also look for more programs in your own field in New Mexico, and add them to your "
        "catalog."
    )


def test_the_backup_field_reason_says_when_no_program_is_in_the_states(tmp_path):
    total = listed_in("Psychiatry")
    assert 1 < total < 10 and listed_in("Psychiatry", {"CA"}) == 0
    plan = plan_of(tmp_path, ["Psychiatry"], ["CA"], "2026-08-15")
    [backup] = [s for s in plan["specialties"] if not s.get("wished")]
    says = " ".join(r["says"] for r in backup["reasons"])
    assert (
        f"Your catalog has only {total} programs in the field you named, and none of them is "
        "in California, where you want to train." in says
    )


def test_without_named_states_the_backup_field_reason_counts_the_catalog(tmp_path):
    total = listed_in("Family Medicine")
    plan = plan_of(tmp_path, ["Family Medicine"], None, "2026-08-15")
    says = specialty_reasons(plan, "Internal Medicine")
    assert says["specialties/suggest-internal-medicine-for-short-list"].startswith(
        f"Your catalog has only {total} programs in the field you named, too few for a full list."
    )
    # Every state named, the catalog's count is the states' count: said the same way.
    every = plan_of(tmp_path, ["Family Medicine"], ["TX", "NM", "AZ", "CA"], "2026-08-15")
    assert "specialties/suggest-internal-medicine-for-short-list" in specialty_reasons(
        every, "Internal Medicine"
    )
