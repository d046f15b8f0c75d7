"""The guide's tiers, as a user sees them in the plan file that `resplan plan` writes.

Each test writes a small profile and catalog for one defect that advisors found, runs
the command, and reads the plan: the verdict, the tier and the reasons of each program.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main

PROFILE = """\
[applicant]
graduation_year = 2022
cycle = 2027
visa = "J-1"
specialties = ["Internal Medicine", "Family Medicine"]
states = ["TX", "NM"]
previous_cycles = 0

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = 221
attempts = 1

[[languages]]
name = "Spanish"
level = "native"

[[clinical]]
kind = "hands-on"
months = 3
city = "McAllen"
state = "TX"
"""


def program(id: str, city: str, state: str, specialty: str = "Internal Medicine", **facts) -> str:
    lines = [
        "[[program]]",
        f'id = "{id}"',
        f'name = "Fictional {id}"',
        f'specialty = "{specialty}"',
        'track = "categorical"',
        f'city = "{city}"',
        f'state = "{state}"',
        'visas = ["J-1"]',
    ]
    for key, value in facts.items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value)}")
    lines.append('source = "test, fictional"')
    return "\n".join(lines) + "\n"


def plan_file(
    tmp_path, *programs: str, catalog_name: str = "catalog.toml", catalog_text: str | None = None
) -> dict:
    """Run `resplan plan` on the profile above and these programs; the plan file, read."""
    (tmp_path / "profile.toml").write_text(PROFILE, encoding="utf-8")
    catalog = tmp_path / catalog_name
    catalog.write_text(
        catalog_text if catalog_text is not None else "\n".join(programs), encoding="utf-8"
    )
    out = tmp_path / "plan.toml"
    assert (
        main(["plan", str(tmp_path / "profile.toml"), "--catalog", str(catalog), "--out", str(out)])
        == 0
    )
    return tomllib.loads(out.read_text(encoding="utf-8"))


def programs_of(plan: dict) -> dict[str, dict]:
    return {p["id"]: p for p in plan["programs"]}


def rules(entry: dict) -> set[str]:
    return {r["rule"] for r in entry.get("reasons", [])}


def says(entry: dict, rule: str) -> str:
    return next(r["says"] for r in entry["reasons"] if r["rule"] == rule)


# ---------------------------------------------------------------- tier 1 is the guide's


def test_border_programs_known_to_take_imgs_are_tier_1(tmp_path):
    plan = plan_file(
        tmp_path,
        # A border Family Medicine program in the city where the applicant rotated, with
        # nothing stated but its name and place (like every real one in the examples).
        program("tx-mcallen-valley-fm", "McAllen", "TX", specialty="Family Medicine"),
        program("tx-elpaso-some-im", "El Paso", "TX", img_share=0.15),
        # Known facts that count against a border program: few IMG residents.
        program("tx-laredo-few-im", "Laredo", "TX", img_share=0.07, underserved_focus=True),
    )
    got = programs_of(plan)

    # Nothing known of its IMG residents: tier 2 until that is checked (review6 finding
    # 12: tier 1 is the border programs known to take IMGs).
    plain = got["tx-mcallen-valley-fm"]
    assert (plain["verdict"], plain["tier"]) == ("apply", 2)
    assert rules(plain) == {"tiering/border-img-share-unknown"}
    assert says(plain, "tiering/border-img-share-unknown") == (
        "Tier 2, not 1: a border program (Rio Grande Valley), but its listing does not say "
        "how many of its residents are IMGs. Check that it takes IMGs first: if it does, "
        "count it as tier 1."
    )
    assert "img_share" in plain["to_verify"]  # the one fact that could move it up
    assert not any(r.startswith("tiering/") and "unconfirmed" in r for r in rules(plain))

    some = got["tx-elpaso-some-im"]
    assert some["tier"] == 1 and "tiering/border-some-img" in rules(some)
    assert "15%" in says(some, "tiering/border-some-img")

    few = got["tx-laredo-few-im"]
    assert (few["verdict"], few["tier"]) == ("apply", 2)
    assert {r for r in rules(few) if r.startswith("tiering/")} == {"tiering/border-few-imgs"}
    assert "7%" in says(few, "tiering/border-few-imgs")
    assert plan["summary"]["tier1"] == 1 and plan["summary"]["tier2"] == 2


def test_safety_net_spanish_and_img_majority_programs_join_tier_1_in_the_named_states(tmp_path):
    plan = plan_file(
        tmp_path,
        program(
            "tx-houston-safetynet-im",
            "Houston",
            "TX",
            underserved_focus=True,
            spanish_preferred=True,
            img_share=0.3,
        ),
        program("tx-dallas-majority-im", "Dallas", "TX", setting="community", img_share=0.62),
        program(
            "tx-dallas-underserved-im",
            "Dallas",
            "TX",
            underserved_focus=True,
            spanish_preferred=False,
            img_share=0.3,
        ),
        # The same kind of program in a state the applicant did not name (TX and NM).
        program("ny-bronx-majority-im", "Bronx", "NY", setting="community", img_share=0.62),
    )
    got = programs_of(plan)
    assert got["tx-houston-safetynet-im"]["tier"] == 1
    assert "tiering/spanish-safety-net" in rules(got["tx-houston-safetynet-im"])
    assert got["tx-dallas-majority-im"]["tier"] == 1
    assert "62%" in says(got["tx-dallas-majority-im"], "tiering/img-majority")
    # Underserved but not seeking Spanish speakers, off the border: the guide's tier 2.
    assert got["tx-dallas-underserved-im"]["tier"] == 2
    assert "tiering/underserved-off-border" in rules(got["tx-dallas-underserved-im"])
    # Outside the named states neither is tier 1: held at tier 2, as a border program
    # outside them is (review6 finding 3).
    majority = got["ny-bronx-majority-im"]
    assert majority["tier"] == 2
    assert rules(majority) == {"tiering/img-majority-outside-named-states"}
    assert says(majority, "tiering/img-majority-outside-named-states") == (
        "Tier 2, not 1: most of this program's residents are IMGs (62%), but it is in "
        "New York, outside the states you named. resplan keeps tier 1 for programs in "
        "your states."
    )


# ---------------------------------------------------------------- programs that take no IMGs


def test_a_program_known_to_take_no_imgs_is_skipped_and_says_why(tmp_path):
    plan = plan_file(
        tmp_path,
        # UC San Diego Internal Medicine as listed: no IMG residents. An underserved focus
        # used to lift it to tier 1.
        program(
            "ca-sandiego-zero-im",
            "San Diego",
            "CA",
            img_share=0.0,
            positions=42,
            underserved_focus=True,
        ),
        program(
            "ca-sandiego-few-im",
            "San Diego",
            "CA",
            img_share=0.03,
            underserved_focus=True,
            spanish_preferred=True,
        ),
        program("oh-dayton-five-im", "Dayton", "OH", img_share=0.05),
        program("oh-dayton-six-im", "Dayton", "OH", img_share=0.06),
    )
    got = programs_of(plan)

    zero = got["ca-sandiego-zero-im"]
    assert zero["verdict"] == "skip" and "tier" not in zero
    assert rules(zero) == {"screening/no-img-residents"}
    text = says(zero, "screening/no-img-residents")
    assert "no IMGs in recent years" in text and "leaves open" not in text

    few = got["ca-sandiego-few-im"]
    assert few["verdict"] == "skip" and "tier" not in few
    assert "3%" in says(few, "screening/few-img-residents")
    assert got["oh-dayton-five-im"]["verdict"] == "skip"

    # Just above the bound: kept, in tier 3, and said to have few IMG residents, not
    # called part of the broader net (review 9, finding 5).
    six = got["oh-dayton-six-im"]
    assert (six["verdict"], six["tier"]) == ("apply", 3)
    assert "tiering/few-imgs-off-border" in rules(six)
    assert "broader net" not in says(six, "tiering/few-imgs-off-border")
    assert plan["summary"]["skip"] == 3


def test_tier_3_never_holds_a_program_with_five_percent_imgs_or_fewer(tmp_path):
    shares = [0.0, 0.01, 0.02, 0.049, 0.05, 0.051, 0.09, 0.2]
    plan = plan_file(
        tmp_path,
        *(
            program(f"oh-dayton-{i}-im", "Dayton", "OH", img_share=share, setting="university")
            for i, share in enumerate(shares)
        ),
    )
    by_share = {share: programs_of(plan)[f"oh-dayton-{i}-im"] for i, share in enumerate(shares)}
    for share, entry in by_share.items():
        if share <= 0.05:
            assert entry["verdict"] == "skip", share
        else:
            assert entry["tier"] == 3, share


# ---------------------------------------------------------------- rural places


RURAL_CSV = """\
id,name,specialty,track,city,state,setting,img_share,visas,rural,source
ks-salina-rural-fm,Fictional Prairie Hospital,Family Medicine,categorical,Salina,KS,community,0.45,J-1,true,"test, fictional"
ks-wichita-urban-fm,Fictional City Hospital,Family Medicine,categorical,Wichita,KS,community,0.45,J-1,false,"test, fictional"
ks-wichita-unstated-fm,Fictional Plains Hospital,Family Medicine,categorical,Wichita,KS,community,0.45,J-1,,"test, fictional"
nm-deming-rural-fm,Fictional Border Clinic,Family Medicine,categorical,Deming,NM,community,0.3,J-1,true,"test, fictional"
"""


@pytest.mark.parametrize("form", ["csv", "toml"])
def test_a_rural_img_heavy_community_program_off_the_border_is_tier_3(tmp_path, form):
    if form == "csv":
        plan = plan_file(tmp_path, catalog_name="catalog.csv", catalog_text=RURAL_CSV)
    else:
        plan = plan_file(
            tmp_path,
            program(
                "ks-salina-rural-fm",
                "Salina",
                "KS",
                specialty="Family Medicine",
                setting="community",
                img_share=0.45,
                rural=True,
            ),
            program(
                "ks-wichita-urban-fm",
                "Wichita",
                "KS",
                specialty="Family Medicine",
                setting="community",
                img_share=0.45,
                rural=False,
            ),
            program(
                "ks-wichita-unstated-fm",
                "Wichita",
                "KS",
                specialty="Family Medicine",
                setting="community",
                img_share=0.45,
            ),
            program(
                "nm-deming-rural-fm",
                "Deming",
                "NM",
                specialty="Family Medicine",
                setting="community",
                img_share=0.3,
                rural=True,
            ),
        )
    got = programs_of(plan)
    rural = got["ks-salina-rural-fm"]
    assert (rural["verdict"], rural["tier"]) == ("apply", 3)
    # Both tier-3 rules hold; the program says why once, by the first of them.
    tier3 = {"tiering/rural-off-border", "tiering/img-friendly-nationwide"}
    assert rules(rural) & tier3 == {"tiering/img-friendly-nationwide"}
    # The same program in a city, or where nobody says: the guide's tier 2.
    assert got["ks-wichita-urban-fm"]["tier"] == 2
    assert got["ks-wichita-unstated-fm"]["tier"] == 2
    assert "rural" not in got["ks-wichita-unstated-fm"].get("to_verify", [])
    # A rural border program stays in tier 1: the guide names southern New Mexico's.
    assert got["nm-deming-rural-fm"]["tier"] == 1


def test_check_catalog_reports_a_bad_rural_value(tmp_path, capsys):
    toml = tmp_path / "c.toml"
    toml.write_text(program("ks-salina-a-fm", "Salina", "KS", rural="yes"), encoding="utf-8")
    csv = tmp_path / "c.csv"
    csv.write_text(RURAL_CSV.replace(",true,", ",sometimes,", 1), encoding="utf-8")
    assert main(["check-catalog", str(toml), str(csv)]) == 2
    err = capsys.readouterr().err
    assert f"{toml}:9: ks-salina-a-fm: program[0].rural: expected true or false" in err
    assert f"{csv}:2: ks-salina-rural-fm: rural: expected true or false, got 'sometimes'" in err
    assert "2 problems" in err


def test_example_plan_keeps_border_programs_in_tiers_1_and_2_and_no_tier_at_5_percent(tmp_path):
    # The example applicant against the real border programs and the synthetic sample.
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "plan.toml"
    argv = [
        "plan",
        str(root / "examples" / "profiles" / "example.toml"),
        "--out",
        str(out),
        "--as-of",
        "2026-11-30",
    ]
    for path in ("border-programs.toml", "synthetic-national-sample.toml"):
        argv += ["--catalog", str(root / "examples" / "catalog" / path)]
    assert main(argv) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    shares = {}
    for path in ("border-programs.toml", "synthetic-national-sample.toml"):
        catalog = tomllib.loads((root / "examples" / "catalog" / path).read_text(encoding="utf-8"))
        shares.update({p["id"]: p.get("img_share") for p in catalog["program"]})
    placed = [p for p in plan["programs"] if p["verdict"] != "skip"]
    assert {p["tier"] for p in placed} == {1, 2, 3}
    for entry in placed:
        if entry.get("region"):
            assert entry["tier"] in (1, 2), entry["id"]
        share = shares[entry["id"]]
        assert share is None or share > 0.05, entry["id"]
    # No real border Family Medicine program lists its share of IMG residents: each is
    # tier 2, to check first in the applicant's states (TX, NM), McAllen's included, and
    # held back for its state in the other border states.
    family = [p for p in placed if p["id"].endswith("-fm") and not p["id"].startswith("synth-")]
    assert family and all(p["tier"] == 2 for p in family)
    for p in family:
        reason = (
            "tiering/border-img-share-unknown"
            if p["state"] in ("TX", "NM")
            else "tiering/border-outside-named-states"
        )
        assert {r["rule"] for r in p["reasons"]} == {reason}, p["id"]
    assert any(p["state"] not in ("TX", "NM") for p in family)
    assert any(p["id"].startswith("tx-mcallen-") for p in family)
