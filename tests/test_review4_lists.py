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


# ---------------------------------------------------------------- 3. a backup field added late


def test_a_backup_field_added_after_applications_went_out_is_not_in_the_application(tmp_path):
    """Planned in October, the Internal Medicine backup is added after the applications
    went out: the applicant may not have applied in it, so the plan does not say their
    ERAS application shows its number of signals; the field they named still does."""
    plan = plan_of(tmp_path, ["Family Medicine"], ["NM"], "2026-10-15")
    says = {s["specialty"]: s["says"] for s in plan["signals"]}
    assert "This plan adds Internal Medicine as a backup field after" in says["Internal Medicine"]
    assert "Your ERAS application shows it." not in says["Internal Medicine"]
    assert "Check it with the AAMC." in says["Internal Medicine"]
    assert "Your ERAS application shows it." in says["Family Medicine"]


# ---------------------------------------------------------------- 2. preliminary tracks

# Fictional Internal Medicine programs in El Paso: two institutions with a categorical and
# a preliminary track each (the preliminary one first by id), and a preliminary-only one.
PRELIMINARY_CATALOG = """
[[program]]
id = "tx-elpaso-a-im-1prelim"
name = "Fictional Border Hospital A"
specialty = "Internal Medicine"
track = "preliminary"
city = "El Paso"
state = "TX"
img_share = 0.6
visas = ["J-1"]
facts_as_of = 2025
source = "test fixture, fictional"

[[program]]
id = "tx-elpaso-a-im-2cat"
name = "Fictional Border Hospital A"
specialty = "Internal Medicine"
track = "categorical"
city = "El Paso"
state = "TX"
img_share = 0.6
visas = ["J-1"]
facts_as_of = 2025
source = "test fixture, fictional"

[[program]]
id = "tx-elpaso-b-im-1prelim"
name = "Fictional Border Hospital B"
specialty = "Internal Medicine"
track = "preliminary"
city = "El Paso"
state = "TX"
img_share = 0.5
visas = ["J-1"]
facts_as_of = 2025
source = "test fixture, fictional"

[[program]]
id = "tx-elpaso-b-im-2cat"
name = "Fictional Border Hospital B"
specialty = "Internal Medicine"
track = "categorical"
city = "El Paso"
state = "TX"
img_share = 0.5
visas = ["J-1"]
facts_as_of = 2025
source = "test fixture, fictional"

[[program]]
id = "tx-elpaso-c-im"
name = "Fictional Border Hospital C"
specialty = "Internal Medicine"
track = "preliminary"
city = "El Paso"
state = "TX"
img_share = 0.7
visas = ["J-1"]
facts_as_of = 2025
source = "test fixture, fictional"
"""


def plan_with_catalog(tmp_path: Path, catalog: str, states: list[str] | None) -> dict:
    path = tmp_path / "catalog.toml"
    path.write_text(catalog, encoding="utf-8")
    named = f"states = {states!r}".replace("'", '"') if states is not None else ""
    profile = tmp_path / "profile.toml"
    profile.write_text(PROFILE.format(wishes='["Internal Medicine"]', states=named), "utf-8")
    out = tmp_path / "plan.toml"
    argv = [
        "plan",
        str(profile),
        "--catalog",
        str(path),
        "--as-of",
        "2026-06-15",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


def test_signals_go_to_categorical_tracks_and_say_what_a_preliminary_year_is(tmp_path):
    """An applicant to categorical Internal Medicine: the signal of an institution goes to
    its categorical track, never to a preliminary one, and the plan says why the
    preliminary tracks get none and what a preliminary year is."""
    plan = plan_with_catalog(tmp_path, PRELIMINARY_CATALOG, None)
    [im] = [s for s in plan["signals"] if s["specialty"] == "Internal Medicine"]
    chosen = [c["id"] for c in im["programs"]]
    assert chosen == ["tx-elpaso-a-im-2cat", "tx-elpaso-b-im-2cat"]
    assert (
        "Besides preliminary tracks, this plan has only 2 programs in Internal Medicine"
        in (im["says"])
    )
    assert (
        "3 programs of a preliminary track pass every known filter too, but this plan "
        "proposes no signal for them." in im["says"]
    )
    assert (
        "A preliminary year is one year of training, and no place is promised for the year "
        "after" in im["says"]
    )
    assert "not a goal" in im["says"]


def test_with_only_preliminary_tracks_in_the_states_no_signal_is_proposed(tmp_path):
    only = "\n[[program]]".join(
        part
        for part in PRELIMINARY_CATALOG.split("\n[[program]]")
        if 'track = "categorical"' not in part
    )
    plan = plan_with_catalog(tmp_path, only, ["TX"])
    [im] = [s for s in plan["signals"] if s["specialty"] == "Internal Medicine"]
    assert not im.get("programs")
    assert "In Texas, 3 programs of a preliminary track pass every known filter too" in im["says"]
    assert "So this plan proposes no signal in Internal Medicine." in im["says"]
    # Nothing says that no program passes, or that the catalog has none.
    assert "No program of Internal Medicine" not in im["says"]
    assert "has no program" not in im["says"]


# ---------------------------------------------------------------- 4. border-relevant background


def test_a_region_names_only_border_relevant_strengths_as_border_background(tmp_path):
    """Working Spanish is border-relevant; letters from US supervisors and an advocate are
    strengths, but not border-relevant ones: a region's reason does not call them so."""
    text = PROFILE.format(wishes='["Internal Medicine"]', states='states = ["TX"]')
    text = text.replace('level = "fluent"', 'level = "professional"')
    text = text.replace('city = "El Paso"\nstate = "TX"', 'city = "Houston"\nstate = "TX"')
    text += '\n[[letters]]\nwriter = "Attending, Houston"\nus_clinical = true\n'
    profile = tmp_path / "profile.toml"
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", "2026-08-15"]
    assert main([*argv, "--out", str(out)]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    strengths = {s["name"] for s in plan["assessment"]["strengths"]}
    assert {"working-spanish", "us-clinical-letters", "advocate"} <= strengths
    says = [
        r["says"]
        for region in plan["regions"]
        for r in region["reasons"]
        if r["rule"] == "regions/border-work-and-preferred-state"
    ]
    assert says
    for words in says:
        assert "your border-relevant background (working Spanish) fits the patients" in words
        assert "letters" not in words and "speak for you" not in words


# ---------------------------------------------------------------- finding 6: none in the states


def test_no_program_to_apply_to_in_the_states_is_said_as_none_with_its_cause(tmp_path):
    """An H-1B-only applicant to Internal Medicine in Arizona: every Arizona program of the
    catalog lists only the J-1, so none is open. The step says none (never "only 0"), and
    names the cause: the visas those programs list."""
    catalog = tomllib.loads(BORDER.read_text(encoding="utf-8"))
    arizona = [
        p
        for p in catalog["program"]
        if p["specialty"] == "Internal Medicine" and p["state"] == "AZ"
    ]
    assert arizona and all(p.get("visas") == ["J-1"] for p in arizona)
    text = PROFILE.format(wishes='["Internal Medicine"]', states='states = ["AZ"]')
    profile = tmp_path / "profile.toml"
    profile.write_text(text.replace('visa = "J-1"', 'visa = "H-1B"'), encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", "2026-09-25"]
    assert main([*argv, "--out", str(out)]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    words = " ".join(a["title"] + " " + a["detail"] for a in plan["actions"])
    assert "Only 0" not in words
    by_id = {a["id"]: a for a in plan["actions"]}
    assert "applications/named-field-few-in-states" not in by_id
    step = by_id["applications/named-field-none-open-in-states-visa"]
    assert "none of them is in Arizona, where you want to train." in step["detail"]
    assert (
        f"This catalog lists {len(arizona)} Internal Medicine programs there, but their "
        "listings name only the J-1 visa, which your profile does not name" in step["detail"]
    )


def test_a_field_the_catalog_has_none_of_in_the_states_is_said_plainly(tmp_path):
    plan = plan_of(tmp_path, ["Psychiatry"], ["CA"], "2026-08-15")
    by_id = {a["id"]: a for a in plan["actions"]}
    step = by_id["applications/named-field-none-in-states"]
    assert step["detail"].startswith(
        "This catalog has no Psychiatry program in California, where you want to train."
    )
    assert "Only 0" not in step["detail"]


# ---------------------------------------------------------------- finding 9: rank list days


def test_in_the_last_days_before_the_rank_list_deadline_certifying_comes_first(tmp_path):
    """The 2027 rank list deadline is 3 March 2027 by resplan's calendar: the day before,
    the first step is to certify the list by tomorrow, with the date; on the day, today;
    a few days before, with the days left; two weeks before, no such step yet."""
    titles = {}
    for as_of in ("2027-03-03", "2027-03-02", "2027-02-27", "2027-02-17"):
        folder = tmp_path / as_of
        folder.mkdir()
        plan = plan_of(folder, ["Internal Medicine"], ["TX"], as_of)
        titles[as_of] = plan["actions"][0]["title"]
        certify = [a for a in plan["actions"] if a["id"].startswith("between-cycles/certify-")]
        assert len(certify) == (0 if as_of == "2027-02-17" else 1)
    assert (
        titles["2027-03-03"] == "Certify your rank list today: the deadline is today, 3 March 2027"
    )
    assert titles["2027-03-02"] == "Certify your rank list by tomorrow, 3 March 2027"
    assert titles["2027-02-27"] == "Certify your rank list by 3 March 2027, in 4 days"
    assert not titles["2027-02-17"].startswith("Certify")


def test_once_interviews_are_over_the_visa_question_is_not_a_first_choice(tmp_path):
    text = PROFILE.format(wishes='["Internal Medicine"]', states='states = ["AZ"]')
    profile = tmp_path / "profile.toml"
    profile.write_text(text.replace('visa = "J-1"', 'visa = "H-1B"'), encoding="utf-8")

    def ids(as_of: str) -> list[str]:
        out = tmp_path / f"{as_of}.toml"
        argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of]
        assert main([*argv, "--out", str(out)]) == 0
        return [a["id"] for a in tomllib.loads(out.read_text(encoding="utf-8"))["actions"]]

    assert "applications/h1b-only-none-listed" in ids("2026-09-25")
    late = ids("2027-03-02")
    assert "applications/h1b-only-none-listed" not in late
    assert late[0] == "between-cycles/certify-rank-list-tomorrow"
    assert "applications/verify-before-ranking" in late


# ---------------------------------------------------------------- finding 3: Match Week and Match Day


def plan_and_report(tmp_path: Path, as_of: str) -> tuple[dict, str]:
    profile = tmp_path / "profile.toml"
    text = PROFILE.format(wishes='["Internal Medicine"]', states='states = ["TX"]')
    # A Step 1 passed at the second sitting: a weak point, so the plan has steps for the
    # case of no match.
    text = text.replace('result = "pass"\nattempts = 1', 'result = "pass"\nattempts = 2', 1)
    profile.write_text(text.replace('visa = "J-1"', 'visa = "none"'), encoding="utf-8")
    out, report = tmp_path / f"{as_of}.toml", tmp_path / f"{as_of}.md"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of]
    assert main([*argv, "--out", str(out), "--report", str(report)]) == 0
    return tomllib.loads(out.read_text(encoding="utf-8")), report.read_text(encoding="utf-8")


def test_on_match_day_the_result_is_known_and_the_plan_says_so(tmp_path):
    """Match Day of the 2027 Match is 19 March 2027; its Monday, 15 March, gave the result.
    The plan speaks of a known result (did not match), has a step for the applicant who
    matched, and no longer says that applications are with programs or that steps can
    still help in this Match."""
    plan, report = plan_and_report(tmp_path, "2027-03-19")
    titles = [a["title"] for a in plan["actions"]]
    assert "If you matched: get ready to start" in titles
    assert not any(t.startswith("If you do not match") for t in titles)
    assert any(t.startswith("If you did not match: ") for t in titles)
    assert (
        "Today is Match Day (19 March 2027). On Monday, 15 March 2027, you learned whether "
        "you matched: the steps below cover both cases." in report
    )
    assert "already with programs" not in report
    assert "can still help now" not in report
    assert "For a next application, if you did not match:" in report


def test_before_match_week_the_result_is_still_ahead(tmp_path):
    plan, report = plan_and_report(tmp_path, "2027-03-10")
    titles = [a["title"] for a in plan["actions"]]
    assert any(t.startswith("If you do not match: ") for t in titles)
    assert not any(t.startswith("If you matched") for t in titles)
    assert "The rank list deadline has passed: the steps below cover Match Week and after." in (
        report
    )
    # In a Match Week, a visa applicant is also told to start the visa.
    visa = plan_of(tmp_path, ["Internal Medicine"], ["TX"], "2027-03-16")
    matched = [a for a in visa["actions"] if a["id"] == "between-cycles/if-matched-visa"]
    assert matched and "ECFMG is the sponsor" in matched[0]["detail"]


# ---------------------------------------------------------------- finding 1: the whole file


def test_a_file_far_from_graduation_is_sized_as_for_low_scores_and_checks_limits_first(tmp_path):
    """A 2014 graduate with a Step 2 CK of 226 (not low by the guide's bands): 12 years
    past graduation, the list is sized and spread as for low scores, said with the
    reason, and the signals say to check each program's graduation limit first."""
    text = PROFILE.format(wishes='["Internal Medicine"]', states="")
    profile = tmp_path / "profile.toml"
    profile.write_text(text.replace("graduation_year = 2024", "graduation_year = 2014"), "utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", "2026-06-10"]
    assert main([*argv, "--out", str(out)]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    assert "graduation-gap" in {w["name"] for w in plan["assessment"]["weaknesses"]}
    [im] = [s for s in plan["summary"]["by_specialty"] if s["name"] == "Internal Medicine"]
    reasons = {r["rule"]: r["says"] for r in im["reasons"]}
    assert im["recommended"] == 77 and "tiering/volume-internal-medicine-low-scores" in reasons
    assert im["target_spread"] == [40, 20, 40]
    assert "tiering/spread-even" not in reasons
    assert reasons["tiering/spread-graduation-gap"].startswith(
        "Your scores are not low by the guide's bands, but you are 12 years past graduation"
    )
    [signals] = [s for s in plan["signals"] if s["specialty"] == "Internal Medicine"]
    assert (
        "Before you send a signal, ask each program of this list for its limit on years since "
        "graduation" in signals["says"]
    )
    # The check that decides the list comes first.
    first = plan["actions"][0]
    assert first["id"] == "applications/graduation-year-limits"
    assert first["title"] == "Check each program's graduation-year limit first"


def test_a_recent_graduate_with_good_scores_and_us_work_keeps_the_even_spread(tmp_path):
    plan = plan_of(tmp_path, ["Internal Medicine"], None, "2026-06-10")
    [im] = [s for s in plan["summary"]["by_specialty"] if s["name"] == "Internal Medicine"]
    assert im["recommended"] == 60 and im["target_spread"] == [35, 35, 30]


# ---------------------------------------------------------------- finding 8: the what-if's place


def test_added_border_months_are_planned_where_the_applicant_already_works(tmp_path):
    """2 months of hands-on work in El Paso and fluent Spanish: El Paso is of the highest
    priority, like the Rio Grande Valley with more programs; the what-if plans the added months in El Paso,
    where the applicant's supervisors are, not in the larger sub-region."""
    text = PROFILE.format(wishes='["Internal Medicine"]', states='states = ["TX"]')
    text = text.replace("months = 5", "months = 2")
    profile = tmp_path / "profile.toml"
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", "2026-07-15"]
    assert main([*argv, "--out", str(out)]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    high = [r["id"] for r in plan["regions"] if r["priority"] == "high"]
    assert {"tx-el-paso", "tx-rio-grande-valley"} <= set(high)
    words = " ".join(a["says"] for a in plan["summary"]["advice"]) + " ".join(
        str(w) for w in plan.get("what_if", [])
    )
    assert "hands-on US clinical work in a border area (El Paso)" in words
    assert "border area (Rio Grande Valley)" not in words
