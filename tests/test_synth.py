"""The synthetic national catalog: reproducible, well-formed, shaped like the national figures."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import statistics
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resplan import synth
from resplan.synth import (
    CSV_COLUMNS,
    PROGRAM_KEYS,
    check_provenance,
    dumps_catalog_csv,
    dumps_catalog_toml,
    load_national,
    synthesize_catalog,
)

SIZE = 13_400
SEED = 7

# Published figures the catalog is calibrated to (repeated here on purpose: the test
# checks the data file against them as well as the catalog).
NRMP_2025_PROGRAMS = {
    "Internal Medicine": 758,
    "Family Medicine": 817,
    "Pediatrics": 250,
    "Psychiatry": 404,
}
J1_SHARE = 0.637  # J Grad Med Educ 2022, of programs with a known policy
H1B_SHARE = 0.22  # J Grad Med Educ 2022
VISA_UNKNOWN = 0.25  # Cureus 42115: about a quarter left visa blank
IMG_MEDIANS = {"university": 0.088, "community": 0.41, "community-university-affiliated": 0.62}
IMG_OVERALL_MEDIAN = 0.4075  # FREIDA 2025 IM listing
IMG_UNKNOWN = 0.237  # FREIDA 2025 IM listing: 163 of 689 without a share

STATES = {
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
}
BORDER_CITIES = {
    "TX": {
        "El Paso",
        "McAllen",
        "Edinburg",
        "Harlingen",
        "Brownsville",
        "Weslaco",
        "Laredo",
        "Eagle Pass",
        "Del Rio",
    },
    "NM": {"Las Cruces"},
    "AZ": {"Tucson", "Yuma", "Nogales", "Sierra Vista"},
    "CA": {"El Centro", "Brawley", "Calexico", "Chula Vista", "National City", "San Diego"},
}
SETTINGS = {"university", "community", "community-university-affiliated", "military"}
TRACKS = {"categorical", "preliminary", "transitional"}
ALWAYS = ("id", "name", "specialty", "track", "city", "state", "setting", "source")


@pytest.fixture(scope="module")
def big() -> list[dict]:
    return synthesize_catalog(SIZE, SEED)


@pytest.fixture(scope="module")
def big_toml(big) -> str:
    return dumps_catalog_toml(big)


def share(items, predicate) -> float:
    items = list(items)
    return sum(1 for item in items if predicate(item)) / len(items)


def check_program(p: dict, seed: int) -> None:
    keys = list(p)
    assert set(keys) <= set(PROGRAM_KEYS), keys
    assert keys == [k for k in PROGRAM_KEYS if k in p], "keys out of catalog order"
    for key in ALWAYS:
        assert key in p, key
    assert all(value is not None for value in p.values())

    assert isinstance(p["id"], str) and p["id"].startswith(f"synth-{seed}-")
    assert p["name"].startswith("Synthetic ")
    assert (
        p["source"] == f"synthetic: resplan synth-catalog seed {seed}, calibrated to national.toml"
    )
    assert p["track"] in TRACKS
    assert p["state"] in STATES
    assert p["setting"] in SETTINGS
    assert isinstance(p["city"], str) and p["city"]
    assert isinstance(p["specialty"], str) and p["specialty"]
    if p["specialty"] == "Transitional Year":
        assert p["track"] == "transitional"
    if p["track"] == "transitional":
        assert p["specialty"] == "Transitional Year"
    if p["specialty"] in NRMP_2025_PROGRAMS and p["track"] == "preliminary":
        assert p["specialty"] == "Internal Medicine"

    if "img_share" in p:
        v = p["img_share"]
        assert isinstance(v, float) and 0.0 <= v <= 1.0 and round(v, 3) == v
    if "visas" in p:
        v = p["visas"]
        assert isinstance(v, list)
        assert v == [x for x in ("J-1", "H-1B") if x in v] and len(set(v)) == len(v)
    if "positions" in p:
        assert type(p["positions"]) is int and p["positions"] >= 1
    if "min_step2ck" in p:
        assert type(p["min_step2ck"]) is int and 194 <= p["min_step2ck"] <= 270
    if "max_years_since_graduation" in p:
        assert type(p["max_years_since_graduation"]) is int and p["max_years_since_graduation"] >= 1
    if "max_attempts" in p:
        assert type(p["max_attempts"]) is int and p["max_attempts"] >= 1
    for key in ("spanish_preferred", "underserved_focus", "rural"):
        if key in p:
            assert type(p[key]) is bool


def check_catalog(programs: list[dict], seed: int) -> None:
    ids = [p["id"] for p in programs]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    for p in programs:
        check_program(p, seed)


# ---------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_bytes(big, big_toml):
    again = synthesize_catalog(SIZE, SEED)
    assert again == big
    assert dumps_catalog_toml(again) == big_toml
    assert dumps_catalog_csv(again) == dumps_catalog_csv(big)


def test_different_seed_gives_a_different_catalog():
    a, b = synthesize_catalog(300, 1), synthesize_catalog(300, 2)

    def strip(ps):
        return [{k: v for k, v in p.items() if k not in ("id", "name", "source")} for p in ps]

    assert strip(a) != strip(b)
    assert dumps_catalog_toml(a) != dumps_catalog_toml(b)


def test_same_bytes_in_a_fresh_process_whatever_the_hash_seed():
    here = hashlib.sha256(dumps_catalog_toml(synthesize_catalog(400, 11)).encode()).hexdigest()
    code = (
        "import hashlib; from resplan.synth import synthesize_catalog as s, dumps_catalog_toml as d;"
        "print(hashlib.sha256(d(s(400, 11)).encode()).hexdigest())"
    )
    src = str(Path(synth.__file__).resolve().parents[1])
    for hash_seed in ("1", "2"):
        env = dict(
            os.environ,
            PYTHONHASHSEED=hash_seed,
            PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]),
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here


def test_a_smaller_catalog_is_a_prefix_of_a_larger_one(big):
    assert synthesize_catalog(50, SEED) == big[:50]


def test_zero_programs_and_bad_arguments():
    assert synthesize_catalog(0, 3) == []
    with pytest.raises(ValueError):
        synthesize_catalog(10, -1)
    with pytest.raises(ValueError):
        synthesize_catalog(-1, 1)
    with pytest.raises(TypeError):
        synthesize_catalog(10, True)
    with pytest.raises(TypeError):
        synthesize_catalog(10.0, 1)


# ---------------------------------------------------------------- format


def test_every_program_respects_the_catalog_format(big):
    assert len(big) == SIZE
    check_catalog(big, SEED)


@settings(max_examples=40, deadline=None)
@given(programs=st.integers(0, 40), seed=st.integers(0, 2**40))
def test_any_small_catalog_is_well_formed_and_reproducible(programs, seed):
    catalog = synthesize_catalog(programs, seed)
    assert len(catalog) == programs
    check_catalog(catalog, seed)
    assert synthesize_catalog(programs, seed) == catalog
    marked = {"catalog": {"synthetic": True}} if catalog else {}
    assert tomllib.loads(dumps_catalog_toml(catalog)) == {**marked, "program": catalog}


def test_unknown_facts_are_omitted_not_defaulted(big):
    for key in (
        "img_share",
        "visas",
        "positions",
        "min_step2ck",
        "max_years_since_graduation",
        "max_attempts",
        "spanish_preferred",
        "underserved_focus",
        "rural",
    ):
        assert any(key not in p for p in big), key
        assert any(key in p for p in big), key
    # A known empty visa list exists and is distinct from an unknown one.
    assert any(p.get("visas") == [] for p in big)


def test_tracks(big):
    tracks = Counter((p["specialty"], p["track"]) for p in big)
    assert tracks[("Internal Medicine", "preliminary")] > 0
    assert tracks[("Transitional Year", "transitional")] > 0
    assert {s for s, t in tracks if t == "preliminary"} <= {"Internal Medicine", "General Surgery"}


# ---------------------------------------------------------------- shape


def test_nrmp_specialties_in_the_ratio_of_their_program_counts(big):
    counts = Counter(
        p["specialty"]
        for p in big
        if p["track"] == "categorical" and p["specialty"] in NRMP_2025_PROGRAMS
    )
    total, published = sum(counts.values()), sum(NRMP_2025_PROGRAMS.values())
    for name, programs in NRMP_2025_PROGRAMS.items():
        assert counts[name] / total == pytest.approx(programs / published, abs=0.02), name
    others = sum(
        1
        for p in big
        if (p["specialty"], p["track"]) not in {(s, "categorical") for s in NRMP_2025_PROGRAMS}
    )
    four_share = load_national()["specialty_mix"]["nrmp_four_share"]["value"]
    assert 1 - others / len(big) == pytest.approx(four_share, abs=0.02)


def test_visa_shares(big):
    known = [p for p in big if "visas" in p]
    assert 1 - len(known) / len(big) == pytest.approx(VISA_UNKNOWN, abs=0.02)
    assert share(known, lambda p: "J-1" in p["visas"]) == pytest.approx(J1_SHARE, abs=0.02)
    assert share(known, lambda p: "H-1B" in p["visas"]) == pytest.approx(H1B_SHARE, abs=0.02)
    # Community programs accept J-1 less often than university programs.
    j1 = {
        s: share([p for p in known if p["setting"] == s], lambda p: "J-1" in p["visas"])
        for s in ("university", "community")
    }
    assert j1["community"] < j1["university"]
    assert all(p["visas"] == [] for p in known if p["setting"] == "military")


def test_most_programs_publish_no_minimum_or_policies(big):
    assert share(big, lambda p: "min_step2ck" not in p) > 0.5
    assert share(big, lambda p: "max_years_since_graduation" not in p) > 0.5
    assert share(big, lambda p: "max_attempts" not in p) > 0.5


def test_internal_medicine_img_share_medians_by_setting():
    # The FREIDA medians describe Internal Medicine, about a fifth of the catalog, split
    # three ways by setting: at 13,400 programs a setting's median rests on ~500 programs
    # and moves by up to ~0.04 from seed to seed. 40,000 programs (0.2 s) keep the
    # sampling error well inside the tolerance whatever the seed.
    im = [p for p in synthesize_catalog(40_000, SEED) if p["specialty"] == "Internal Medicine"]
    assert share(im, lambda p: "img_share" not in p) == pytest.approx(IMG_UNKNOWN, abs=0.02)
    known = [p for p in im if "img_share" in p]
    for setting, median in IMG_MEDIANS.items():
        values = [p["img_share"] for p in known if p["setting"] == setting]
        assert len(values) > 1000
        assert statistics.median(values) == pytest.approx(median, abs=0.025), setting
    # The assumed setting mix reproduces FREIDA's overall median.
    overall = statistics.median(p["img_share"] for p in known)
    assert overall == pytest.approx(IMG_OVERALL_MEDIAN, abs=0.025)


def test_settings_follow_the_assumed_mix(big):
    mix = load_national()["settings"]
    total = sum(mix[s] for s in SETTINGS)
    counts = Counter(p["setting"] for p in big)
    for s in SETTINGS:
        assert counts[s] / len(big) == pytest.approx(mix[s] / total, abs=0.02), s


def test_every_state_and_every_border_city_is_represented(big):
    assert {p["state"] for p in big} == STATES
    places = {(p["state"], p["city"]) for p in big}
    for state, cities in BORDER_CITIES.items():
        for city in cities:
            assert (state, city) in places, city
    # Border programs lean toward Spanish and underserved care (assumed shares).
    border = [p for p in big if p["city"] in BORDER_CITIES.get(p["state"], ())]
    rest = [p for p in big if p not in border and p["state"] not in BORDER_CITIES]

    def spanish(ps):
        return share([p for p in ps if "spanish_preferred" in p], lambda p: p["spanish_preferred"])

    assert spanish(border) > spanish(rest)


def test_rural_follows_the_assumed_shares(big):
    rural = load_national()["rural"]
    assert share(big, lambda p: "rural" not in p) == pytest.approx(rural["unknown_share"], abs=0.02)
    known = [p for p in big if "rural" in p]
    by_setting = {
        s: share(
            [
                p
                for p in known
                if p["setting"] == s and p["city"] not in BORDER_CITIES.get(p["state"], ())
            ],
            lambda p: p["rural"],
        )
        for s in SETTINGS
    }
    for setting, expected in rural["true_share_by_setting"].items():
        assert by_setting[setting] == pytest.approx(expected, abs=0.03), setting
    assert by_setting["community"] > by_setting["university"]


# ---------------------------------------------------------------- writers


def test_toml_round_trips_to_the_same_dicts(big, big_toml):
    first = big_toml.splitlines()[0]
    assert first.startswith("# Synthetic residency program catalog")
    assert "seed 7" in first and "national.toml" in first
    parsed = tomllib.loads(big_toml)
    assert parsed == {"catalog": {"synthetic": True}, "program": big}
    assert [list(p) for p in parsed["program"]] == [list(p) for p in big]


def test_toml_writer_orders_keys_and_labels_non_synthetic_catalogs():
    program = {
        "source": "FREIDA listing",
        "state": "TX",
        "id": "x-1",
        "name": "Real Program",
        "specialty": "Internal Medicine",
        "city": "El Paso",
        "facts_as_of": 2025,
        "visas": [],
    }
    text = dumps_catalog_toml([program])
    assert not text.lower().startswith("# synthetic")
    parsed = tomllib.loads(text)["program"][0]
    assert list(parsed) == [
        "id",
        "name",
        "specialty",
        "city",
        "state",
        "visas",
        "facts_as_of",
        "source",
    ]


def read_csv(text: str) -> list[dict]:
    """Read the CSV back by its documented rules (empty = unknown, none = no visa)."""
    ints = {"positions", "min_step2ck", "max_years_since_graduation", "max_attempts", "facts_as_of"}
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    out = []
    for row in rows:
        program = {}
        for key in CSV_COLUMNS:
            cell = row[key]
            if cell == "":
                continue
            if key in ints:
                program[key] = int(cell)
            elif key == "img_share":
                program[key] = float(cell)
            elif key == "visas":
                program[key] = [] if cell == "none" else cell.split(";")
            elif key in ("spanish_preferred", "underserved_focus", "rural", "synthetic"):
                assert cell in ("true", "false")
                program[key] = cell == "true"
            else:
                program[key] = cell
        out.append(program)
    return out


def test_csv_header_cells_and_round_trip(big):
    text = dumps_catalog_csv(big)
    assert text.split("\n", 1)[0] == (
        "id,name,specialty,track,city,state,setting,img_share,visas,positions,min_step2ck,"
        "max_years_since_graduation,max_attempts,spanish_preferred,underserved_focus,rural,"
        "facts_as_of,source,synthetic"
    )
    assert "\r" not in text and text.endswith("\n")
    assert read_csv(text) == [dict(p, synthetic=True) for p in big]
    first = next(csv.DictReader(io.StringIO(text)))
    assert first["facts_as_of"] == ""  # synthetic programs are not facts of any year
    assert {row["synthetic"] for row in csv.DictReader(io.StringIO(text))} == {"true"}


def test_csv_writes_none_for_a_known_empty_visa_list_and_refuses_unknown_keys():
    base = {
        "id": "a",
        "name": "N",
        "specialty": "Psychiatry",
        "city": "C",
        "state": "TX",
        "source": "s",
    }
    text = dumps_catalog_csv(
        [
            dict(base, visas=[]),
            dict(base, id="b"),
            dict(base, id="c", visas=["J-1", "H-1B"], spanish_preferred=False),
        ]
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["visas"] for r in rows] == ["none", "", "J-1;H-1B"]
    assert rows[2]["spanish_preferred"] == "false" and rows[1]["spanish_preferred"] == ""
    with pytest.raises(ValueError, match="colour"):
        dumps_catalog_csv([dict(base, colour="red")])


# ---------------------------------------------------------------- the data file


def test_every_figure_has_a_source_or_is_marked_an_assumption():
    data = load_national()
    assert check_provenance(data) == []
    for path in (
        ("specialty_mix", "nrmp_four_share"),
        ("settings",),
        ("geography",),
        ("other_specialties",),
        ("img_share", "spread"),
        ("visas", "h1b_given_j1"),
        ("min_step2ck", "distribution"),
        ("max_years_since_graduation", "unknown_share"),
        ("max_attempts", "unknown_share"),
        ("spanish_preferred",),
        ("underserved_focus",),
        ("rural",),
    ):
        node = data
        for key in path:
            node = node[key]
        assert node.get("assumption") is True, path
        assert "assumption" in node["note"].lower(), path


def test_published_figures_are_carried_with_their_sources():
    data = load_national()
    for name, programs in NRMP_2025_PROGRAMS.items():
        assert data["nrmp_2025"][name]["programs"] == programs
    assert "NRMP 2025" in data["nrmp_2025"]["source"]
    visas = data["visas"]
    assert visas["j1_share_of_known"]["value"] == J1_SHARE
    assert visas["h1b_share_of_known"]["value"] == H1B_SHARE
    assert visas["unknown_share"]["value"] == VISA_UNKNOWN
    for key in ("j1_share_of_known", "h1b_share_of_known", "unknown_share"):
        assert visas[key]["source"] and "assumption" not in visas[key]
    medians = data["img_share"]["median_by_setting"]
    assert {k: medians[k] for k in IMG_MEDIANS} == IMG_MEDIANS
    assert "FREIDA" in medians["source"] and "assumption" not in medians


def test_provenance_check_catches_an_unmarked_number():
    assert check_provenance({"format": 1, "a": {"b": 0.5}}) == [
        "a.b = 0.5 has neither a source nor an assumption mark"
    ]
    assert check_provenance({"a": {"assumption": True, "b": 1}}) == [
        "a is an assumption without a note"
    ]
    assert check_provenance({"a": {"source": "x", "b": {"c": [1, 2]}}}) == []


def test_the_data_file_is_package_data_not_shared_data():
    text = Path(synth.__file__).read_text(encoding="utf-8")
    assert "/work/shared" not in text
    assert 'resources.files("resplan") / "data" / "national.toml"' in text
