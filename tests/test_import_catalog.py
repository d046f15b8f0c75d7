"""Importing a spreadsheet of programs (issue 12, part 1): mappings, readings, ids, bad
rows, suggestions and mappings from plugins."""

from __future__ import annotations

import tomllib

import pytest

import resplan
from resplan.cli import main
from resplan.errors import InputError, PluginError
from resplan.importing import (
    ImportMapping,
    choose_mapping,
    import_rows,
    installed_mappings,
    read_sheet,
)
from tests.conftest import EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"

# As a person pastes it from a listing into a spreadsheet and saves it: a byte-order
# mark, Windows line ends, quoted cells with commas, state names and codes, percentages
# written three ways, visas spelt as listings spell them, blanks and "N/A".
LISTING = (
    "\ufeffProgram Name,City,State,Specialty,% IMG,Visa Sponsorship,Program Setting,"
    "First Year Positions\r\n"
    "Texas Tech University Health Sciences Center El Paso,El Paso,Texas,Internal medicine,"
    "64.4%,J1,University-based,PGY-1: 17\r\n"
    'HCA Healthcare Las Palmas Del Sol,El Paso,TX,Internal Medicine,77,"J-1, H-1B",'
    '"Community-based, university affiliated hospital",15 positions\r\n'
    "UTRGV Doctors Hospital at Renaissance,Edinburg,TX,Family medicine,45,None,"
    "Community-based,8\r\n"
    "University of New Mexico,Albuquerque,New Mexico,Psychiatry,10%,,University-based,\r\n"
    "Banner University Medical Center Tucson,Tucson,AZ,Internal Medicine,N/A,Both,,\r\n"
)


def write(tmp_path, text, name="listing.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def programs_of(path):
    return {p["id"]: p for p in tomllib.loads(path.read_text(encoding="utf-8"))["program"]}


def test_a_pasted_listing_imports_with_a_shipped_mapping_and_plans(tmp_path, capsys):
    listing, out = write(tmp_path, LISTING), tmp_path / "catalog.toml"
    assert main(["import-catalog", str(listing), "--mapping", "freida", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    programs = programs_of(out)
    ttu = programs["tx-el-paso-texas-tech-university-health-sciences-center-el-paso-im"]
    assert (
        ttu["state"],
        ttu["specialty"],
        ttu["img_share"],
        ttu["visas"],
        ttu["positions"],
        ttu["setting"],
    ) == ("TX", "Internal Medicine", 0.644, ["J-1"], 17, "university")
    hca = programs["tx-el-paso-hca-healthcare-las-palmas-del-sol-im"]
    assert (hca["img_share"], hca["visas"], hca["positions"], hca["setting"]) == (
        0.77,
        ["J-1", "H-1B"],
        15,
        "community-university-affiliated",
    )
    utrgv = programs["tx-edinburg-utrgv-doctors-hospital-at-renaissance-fm"]
    assert (utrgv["img_share"], utrgv["visas"]) == (0.45, [])  # "None": known, sponsors none
    # Blank and N/A cells are unknown: the facts are left out, never invented.
    unm = programs["nm-albuquerque-university-of-new-mexico-psych"]
    assert "visas" not in unm and "positions" not in unm
    banner = programs["az-tucson-banner-university-medical-center-tucson-im"]
    assert "img_share" not in banner and "setting" not in banner
    assert banner["visas"] == ["J-1", "H-1B"]
    assert list(programs) == sorted(programs)
    assert all(
        p["source"] == "listing.csv, imported with the freida mapping" for p in programs.values()
    )

    assert main(["check-catalog", str(out)]) == 0
    plan = tmp_path / "plan.toml"
    assert (
        main(
            [
                "plan",
                str(PROFILE),
                "--catalog",
                str(out),
                "--out",
                str(plan),
                "--as-of",
                "2026-01-15",
            ]
        )
        == 0
    )
    planned = {p["id"]: p for p in tomllib.loads(plan.read_text(encoding="utf-8"))["programs"]}
    assert (
        planned["tx-el-paso-texas-tech-university-health-sciences-center-el-paso-im"]["verdict"]
        == "apply"
    )
    # The Edinburg program sponsors no visa and the applicant needs a J-1.
    assert planned["tx-edinburg-utrgv-doctors-hospital-at-renaissance-fm"]["verdict"] == "skip"


def test_the_same_rows_in_another_order_give_the_same_bytes(tmp_path):
    header, *rows = LISTING.split("\r\n")[:-1]
    shuffled = write(
        tmp_path, "\n".join([header.removeprefix("\ufeff"), *reversed(rows)]) + "\n", "shuffled.csv"
    )
    listing = write(tmp_path, LISTING)
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    for source, out in ((listing, first), (shuffled, second)):
        assert (
            main(
                [
                    "import-catalog",
                    str(source),
                    "--mapping",
                    "freida",
                    "--out",
                    str(out),
                    "--source",
                    "FREIDA, copied in May 2026",
                ]
            )
            == 0
        )
    # Only the comment naming the file differs.
    assert first.read_text().splitlines()[1:] == second.read_text().splitlines()[1:]


def test_a_tab_separated_paste_reads_like_a_csv(tmp_path, capsys):
    pasted = write(
        tmp_path,
        "Program Name\tCity\tState\tSpecialty\t% IMG\tVisa Sponsorship"
        "\tProgram Director\n"
        "Valley Hospital\tHarlingen\tTX\tInternal Medicine\t60%\tJ-1, H1B"
        "\tDr. Somebody\n",
    )
    out = tmp_path / "out.toml"
    assert main(["import-catalog", str(pasted), "--mapping", "freida", "--out", str(out)]) == 0
    assert programs_of(out)["tx-harlingen-valley-hospital-im"]["visas"] == ["J-1", "H-1B"]
    assert "columns not read: Program Director" in capsys.readouterr().out


def test_a_column_the_mapping_reads_given_twice_is_refused(tmp_path, capsys):
    listing = write(tmp_path, HEADER.replace("\n", ",City\n") + "A,El Paso,TX,IM,,,Juarez\n")
    assert (
        main(
            [
                "import-catalog",
                str(listing),
                "--mapping",
                "freida",
                "--out",
                str(tmp_path / "o.toml"),
            ]
        )
        == 2
    )
    assert (
        "listing.csv:1: City: the header has this column more than once (City (column B), "
        "City (column G))"
    ) in capsys.readouterr().err


BAD = (
    "Program Name,City,State,Specialty,% IMG,Visa Sponsorship\n"
    "Good Hospital,El Paso,TX,Internal Medicine,50%,J-1\n"
    "Misspelt State,Laredo,Texass,Internal Medicine,50%,J-1\n"
    "Too Many IMGs,El Paso,TX,Internal Medicine,150%,F-1 maybe\n"
    ",Laredo,TX,Cardiology,20,Yes\n"
    "Good Hospital,El Paso,TX,Internal Medicine,50%,J-1\n"
    "Other Good Hospital,Yuma,AZ,Family Medicine,,\n"
)


def test_every_bad_row_is_reported_at_once_and_nothing_is_written(tmp_path, capsys):
    listing, out = write(tmp_path, BAD), tmp_path / "catalog.toml"
    out.write_text("# an older catalog\n")
    assert main(["import-catalog", str(listing), "--mapping", "freida", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert out.read_text() == "# an older catalog\n"
    expected = [
        (3, "State (column C)", "'Texass'"),
        (4, "% IMG (column E)", "'150%'"),
        (4, "Visa Sponsorship (column F)", "'F-1 maybe'"),
        (5, "Program Name (column A)", "blank"),
        (5, "Specialty (column D)", "'Cardiology'"),
        (5, "Visa Sponsorship (column F)", "'Yes'"),
        (6, "", "repeats line 2"),
    ]
    lines = err.splitlines()
    for line, column, value in expected:
        assert any(
            f"listing.csv:{line}: " in text and column in text and value in text for text in lines
        ), (line, column, value)
    assert "4 rows cannot be read; nothing was written" in err
    assert not any(":2:" in text or ":7:" in text for text in lines)


def test_skip_bad_writes_the_rows_that_read_and_lists_the_others(tmp_path, capsys):
    listing, out = write(tmp_path, BAD), tmp_path / "catalog.toml"
    assert (
        main(
            ["import-catalog", str(listing), "--mapping", "freida", "--out", str(out), "--skip-bad"]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "skipped 4 rows (lines 3, 4, 5, 6)" in captured.out
    assert sum(text.startswith("resplan: skipped: ") for text in captured.err.splitlines()) == 7
    assert set(programs_of(out)) == {
        "tx-el-paso-good-hospital-im",
        "az-yuma-other-good-hospital-fm",
    }
    assert main(["check-catalog", str(out)]) == 0


def test_without_a_mapping_or_with_one_that_does_not_fit_the_fitting_one_is_suggested(
    tmp_path, capsys
):
    listing, out = write(tmp_path, LISTING), tmp_path / "catalog.toml"
    assert main(["import-catalog", str(listing), "--out", str(out)]) == 2
    assert "give --mapping freida" in capsys.readouterr().err
    assert (
        main(["import-catalog", str(listing), "--mapping", "resplan-csv", "--out", str(out)]) == 2
    )
    err = capsys.readouterr().err
    assert "the mapping 'resplan-csv' needs the column 'name', which the header lacks" in err
    assert "give --mapping freida" in err
    assert not out.exists()
    # resplan's own CSV is recognised as such.
    assert (
        main(
            ["import-catalog", str(EXAMPLES / "catalog" / "border-programs.csv"), "--out", str(out)]
        )
        == 2
    )
    assert "give --mapping resplan-csv" in capsys.readouterr().err
    assert main(["import-catalog", str(listing), "--mapping", "freda", "--out", str(out)]) == 2
    assert "no such mapping (did you mean 'freida'?)" in capsys.readouterr().err


def test_a_file_no_mapping_fits_names_the_closest_and_what_it_lacks(tmp_path, capsys):
    listing = write(tmp_path, "Hospital,Town,State,Field\nA,B,TX,Internal Medicine\n")
    assert main(["import-catalog", str(listing), "--out", str(tmp_path / "o.toml")]) == 2
    err = capsys.readouterr().err
    assert "no installed mapping fits its headers" in err and "docs/catalogs.md" in err


def test_resplans_own_csv_imports_to_the_same_catalog():
    sheet = read_sheet(EXAMPLES / "catalog" / "border-programs.csv")
    mappings = [m for _p, m in installed_mappings(resplan.load_host(use_env=False))]
    imported = import_rows(sheet, choose_mapping("resplan-csv", sheet, mappings))
    assert not imported.problems
    assert resplan.Catalog(imported.programs) == resplan.load_catalog(
        EXAMPLES / "catalog" / "border-programs.toml"
    )


def read(tmp_path, text, mapping="freida"):
    sheet = read_sheet(write(tmp_path, text))
    mappings = [m for _p, m in installed_mappings(resplan.load_host(use_env=False))]
    return import_rows(sheet, choose_mapping(mapping, sheet, mappings))


HEADER = "Program Name,City,State,Specialty,% IMG,Visa Sponsorship\n"


@pytest.mark.parametrize(
    ("cells", "shares"),
    [
        (["45", "60", "1"], [0.45, 0.6, 0.01]),  # a column of percentages: 1 is 1%
        (["0.45", "0.6", "1"], [0.45, 0.6, 1.0]),  # a column of shares: 1 is all of them
        (["45%", "1"], [0.45, 0.01]),  # a % sign makes the column percentages
        (["0", "0.5%"], [0.0, 0.005]),
    ],
)
def test_a_share_column_reads_as_its_other_cells_say(tmp_path, cells, shares):
    rows = "".join(f"P{i},El Paso,TX,Internal Medicine,{cell},\n" for i, cell in enumerate(cells))
    imported = read(tmp_path, HEADER + rows)
    assert not imported.problems
    by_name = {p.name: p.img_share for p in imported.programs}
    assert [by_name[f"P{i}"] for i in range(len(cells))] == shares


def test_a_column_whose_numbers_are_only_0_and_1_asks_what_1_means(tmp_path):
    imported = read(
        tmp_path, HEADER + "A,El Paso,TX,Internal Medicine,1,\nB,El Paso,TX,Internal Medicine,0,\n"
    )
    assert [p.line for p in imported.problems] == [2]
    assert "write 1% or 100%" in imported.problems[0].message


@pytest.mark.parametrize(
    ("cell", "visas"),
    [
        ("J1", ("J-1",)),
        ("J-1", ("J-1",)),
        ("H1B", ("H-1B",)),
        ("H-1B", ("H-1B",)),
        ("Both", ("J-1", "H-1B")),
        ("None", ()),
        ("J-1 and H-1B", ("J-1", "H-1B")),
        ("H1B/J1", ("J-1", "H-1B")),
        ("J-1 visa only", ("J-1",)),
        ("", None),
    ],
)
def test_visa_spellings(tmp_path, cell, visas):
    imported = read(tmp_path, HEADER + f"A,El Paso,TX,Internal Medicine,,{cell}\n")
    assert not imported.problems
    assert imported.programs[0].visas == visas


def test_positions_states_and_specialties_as_listings_write_them(tmp_path):
    text = (
        "Program Name,City,State,Specialty,% IMG,Visa Sponsorship,Positions\n"
        "A,Las Cruces,new mexico,OB/GYN,,,PGY-1: 4\n"
        "B,Tucson,Ariz,Family Medicine,,,4 categorical and 2 preliminary\n"
        "C,San Diego,C.A.,Med/Peds,,,12 positions\n"
    )
    imported = read(tmp_path, text)
    programs = {p.name: p for p in imported.programs}
    assert (programs["A"].state, programs["A"].specialty, programs["A"].positions) == (
        "NM",
        "Obstetrics and Gynecology",
        4,
    )
    assert (programs["C"].state, programs["C"].specialty, programs["C"].positions) == (
        "CA",
        "Internal Medicine-Pediatrics",
        12,
    )
    assert {p.line for p in imported.problems} == {3}  # "Ariz" and two numbers
    assert {p.field for p in imported.problems} == {"State (column C)", "Positions (column G)"}


def test_ids_from_a_program_code_and_collisions_told_apart_whatever_the_order(tmp_path):
    header = "Program Name,City,State,Specialty,% IMG,Visa Sponsorship,Track,ACGME ID,Positions\n"
    rows = [
        "Same Hospital,El Paso,TX,Internal Medicine,,,Categorical,,10",
        "Same Hospital,El Paso,TX,Internal Medicine,,,Preliminary,,4",
        "Twin Clinic,Yuma,AZ,Family Medicine,,,,,6",
        "Twin Clinic,Yuma,AZ,Family Medicine,,,,,8",
        "Coded Program,Tucson,AZ,Psychiatry,,,,4000321045,",
    ]
    ids = []
    for order in (rows, list(reversed(rows))):
        imported = read(tmp_path, header + "\n".join(order) + "\n")
        assert not imported.problems
        ids.append({(p.id, p.positions) for p in imported.programs})
    assert ids[0] == ids[1]
    assert ids[0] == {
        ("tx-el-paso-same-hospital-im-categorical", 10),
        ("tx-el-paso-same-hospital-im-preliminary", 4),
        ("az-yuma-twin-clinic-fm", 6),
        ("az-yuma-twin-clinic-fm-2", 8),
        ("4000321045", None),
    }


def test_the_output_may_not_replace_the_input(tmp_path, capsys):
    listing = write(tmp_path, LISTING)
    assert main(["import-catalog", str(listing), "--mapping", "freida", "--out", str(listing)]) == 2
    assert "is an input of this run" in capsys.readouterr().err
    assert listing.read_bytes() == LISTING.encode("utf-8")


OWN_MAPPING = """
[mapping]
name = "school-sheet"
title = "Our school's program spreadsheet"
optional = ["rural"]

[columns]
name = "Hospital"
city = "Town"
state = "ST"
specialty = "Field"
rural = "Rural?"
img_share = "IMGs"

[read]
img_share = "share"
unknown = ["ask"]

[read.specialty]
"Gen Med" = "Internal Medicine"
"""


def test_a_mapping_file_of_ones_own(tmp_path):
    mapping = write(tmp_path, OWN_MAPPING, "school.toml")
    sheet = write(
        tmp_path,
        "Hospital,Town,ST,Field,Rural?,IMGs\n"
        "Border Clinic,Del Rio,TX,Gen Med,yes,1\n"
        "City Hospital,Laredo,TX,Family Medicine,ask,0.3\n",
        "school.csv",
    )
    out = tmp_path / "out.toml"
    assert main(["import-catalog", str(sheet), "--mapping", str(mapping), "--out", str(out)]) == 0
    programs = programs_of(out)
    clinic = programs["tx-del-rio-border-clinic-im"]
    assert (clinic["rural"], clinic["img_share"]) == (True, 1.0)
    assert "rural" not in programs["tx-laredo-city-hospital-fm"]


def test_a_mistake_in_a_mapping_file_names_its_line(tmp_path, capsys):
    mapping = write(
        tmp_path, OWN_MAPPING.replace('rural = "Rural?"', 'rurality = "Rural?"'), "school.toml"
    )
    sheet = write(tmp_path, "Hospital,Town,ST,Field\nA,B,TX,Internal Medicine\n", "s.csv")
    assert (
        main(
            [
                "import-catalog",
                str(sheet),
                "--mapping",
                str(mapping),
                "--out",
                str(tmp_path / "o.toml"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "school.toml:12: columns.rurality: not a program fact (did you mean 'rural'?)" in err
    assert "'rural' has no column in [columns]" in err


class SchoolPlugin:
    name = "our-school"

    @resplan.hookimpl
    def resplan_import_mappings(self):
        return [ImportMapping.from_text(OWN_MAPPING, "our-school/school.toml")]


def test_a_plugin_supplies_a_mapping_that_is_suggested_and_read(tmp_path):
    host = resplan.load_host(plugins=[SchoolPlugin()], use_env=False)
    plugins = {m.name: plugin for plugin, m in installed_mappings(host)}
    assert plugins["school-sheet"] == "our-school"
    assert plugins["freida"] == "catalog-formats"
    mappings = [m for _p, m in installed_mappings(host)]
    sheet = read_sheet(
        write(tmp_path, "Hospital,Town,ST,Field,IMGs\nBorder Clinic,Del Rio,TX,Gen Med,0.5\n")
    )
    with pytest.raises(InputError, match="give --mapping school-sheet"):
        choose_mapping(None, sheet, mappings)
    imported = import_rows(sheet, choose_mapping("school-sheet", sheet, mappings))
    assert [(p.id, p.img_share) for p in imported.programs] == [
        ("tx-del-rio-border-clinic-im", 0.5)
    ]


def test_two_plugins_with_one_mapping_name_fail_naming_both():
    class Clash:
        name = "clash"

        @resplan.hookimpl
        def resplan_import_mappings(self):
            return [
                ImportMapping.from_text(OWN_MAPPING.replace("school-sheet", "freida"), "clash.toml")
            ]

    host = resplan.load_host(plugins=[Clash()], use_env=False)
    with pytest.raises(PluginError) as excinfo:
        installed_mappings(host)
    message = str(excinfo.value)
    assert "import mapping 'freida'" in message
    assert "'catalog-formats' from resplan" in message and "'clash' from clash" in message


def test_a_plugin_whose_mapping_is_broken_is_named():
    class Broken:
        name = "broken-mappings"

        @resplan.hookimpl
        def resplan_import_mappings(self):
            return [ImportMapping.from_text("[mapping]\nname = 'x'\n", "broken.toml")]

    host = resplan.load_host(plugins=[Broken()], use_env=False)
    with pytest.raises(PluginError, match="'broken-mappings'.*resplan_import_mappings"):
        installed_mappings(host)


def test_the_docs_give_every_shipped_mapping_and_its_headers():
    from tests.conftest import ROOT

    docs = (ROOT / "docs" / "catalogs.md").read_text(encoding="utf-8")
    shipped = [
        m
        for plugin, m in installed_mappings(resplan.load_host(use_env=False))
        if plugin == "catalog-formats"
    ]
    assert {m.name for m in shipped} == {"freida", "residency-explorer", "resplan-csv"}
    for mapping in shipped:
        assert f"### `{mapping.name}`: {mapping.title}" in docs
        for fact, headers in mapping.columns:
            assert f"`{fact}`" in docs
            if mapping.name != "resplan-csv":  # its headers are the facts' names
                assert all(f"`{header}`" in docs for header in headers), (mapping.name, fact)
    assert "(docs/catalogs.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_resplan_plugins_lists_the_mappings(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "    import mapping freida: FREIDA-like program listing" in out


def test_a_sheet_saved_in_a_windows_code_page_or_without_rows_says_what_to_do(tmp_path, capsys):
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "Hospital Peña,Laredo,TX,Internal Medicine,,\n").encode("cp1252"))
    assert (
        main(
            ["import-catalog", str(latin), "--mapping", "freida", "--out", str(tmp_path / "o.toml")]
        )
        == 2
    )
    assert 'save it from your spreadsheet as "CSV UTF-8"' in capsys.readouterr().err
    empty = write(tmp_path, HEADER, "header-only.csv")
    assert (
        main(
            ["import-catalog", str(empty), "--mapping", "freida", "--out", str(tmp_path / "o.toml")]
        )
        == 2
    )
    assert "header-only.csv:1: has a header but no rows of programs" in capsys.readouterr().err
    assert not (tmp_path / "o.toml").exists()


def test_program_codes_read_as_listings_and_spreadsheets_give_them():
    from resplan.importing import _acgme_id, _nrmp_code

    assert _nrmp_code(" 1000140c0 ") == "1000140C0"
    assert _acgme_id("1404800001") == "1404800001"
    with pytest.raises(ValueError, match="dropped its leading 0"):
        _acgme_id("404800001")


@pytest.mark.parametrize("mapping", ["freida", "residency-explorer"])
def test_an_acgme_number_is_the_id_and_the_code_people_look_up(tmp_path, mapping):
    header = (
        "Program Name,City,State,Specialty,% IMG,Visa Sponsorship,ACGME ID\n"
        if mapping == "freida"
        else "Program,Specialty,City,State,ACGME Program ID\n"
    )
    row = (
        "Texas Tech El Paso,El Paso,TX,Internal Medicine,64%,J1,1404821093\n"
        if mapping == "freida"
        else "Texas Tech El Paso,Internal Medicine,El Paso,TX,1404821093\n"
    )
    imported = read(tmp_path, header + row, mapping)
    assert not imported.problems
    (program,) = imported.programs
    assert program.id == "1404821093" and program.acgme_id == "1404821093"


def test_a_minus_sign_is_part_of_the_number_and_every_bad_cell_of_a_row_is_reported(
    tmp_path, capsys
):
    # "-4" positions was read as 4: a sign that flips a fact is worse than an error. The
    # range checks of the cells that read also run when another cell of the row does not.
    header = "id,name,specialty,track,city,state,positions,min_step2ck,facts_as_of,source"
    rows = [
        "x-1,A,Internal Medicine,categorical,Tucson,AZ,-4,\u2212230,-2019,s",
        "x-2,B,Internal Medicine,categorical,Tucson,AZ,PGY-1: 12,Minimum: 220,2025,s",
    ]
    listing = tmp_path / "listing.csv"
    listing.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "catalog.toml"
    args = ["import-catalog", str(listing), "--mapping", "resplan-csv", "--out", str(out)]
    assert main(args) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if ":2:" in line]
    assert [line.split(":2: ", 1)[1].split(": ", 1) for line in lines] == [
        ["positions (column G)", "'-4': -4 is not a number of positions (1–1000)"],
        ["min_step2ck (column H)", "'\u2212230': -230 is not a Step 2 CK score (1–300)"],
        ["facts_as_of (column I)", "'-2019': expected a year such as 2025, not a negative number"],
    ]
    assert not out.exists()
    # The row without a minus reads: "PGY-1" and "Minimum:" keep their meaning.
    listing.write_text(f"{header}\n{rows[1]}\n", encoding="utf-8")
    assert main(args) == 0
    [program] = programs_of(out).values()
    assert program["positions"] == 12 and program["min_step2ck"] == 220
