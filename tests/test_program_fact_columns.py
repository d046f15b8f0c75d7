"""The column table is built from resplan.facts.program_fact_columns: the same values as
program_facts gives program by program, for every kind of program a catalog holds."""

from __future__ import annotations

import resplan
from resplan import facts as F
from resplan.stages.table import catalog_table
from tests.conftest import DATA, EXAMPLES


def test_columns_hold_what_program_facts_gives_each_program(host):
    catalogs = [
        host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml"),
        host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml"),
        host.read_catalog(DATA / "catalog-small.toml"),
    ]
    programs = resplan.merge_catalogs(catalogs).programs
    city_regions = host.rulebook.city_regions
    columns = F.program_fact_columns(programs, city_regions)
    rows = [F.program_facts(p, city_regions) for p in programs]
    # Every fact rules read, and whatever else program_facts gives (identifiers).
    names = (set(F.PROGRAM_FACTS) | set(columns) | {n for row in rows for n in row}) - {
        "program.region_name"
    }
    for name in sorted(names):
        assert columns.get(name, [None] * len(programs)) == [row.get(name) for row in rows], name
    # Both kinds of value occur: known and unknown, inside and outside the border regions.
    assert None in columns["program.min_step2ck"] and {True, False} <= set(
        columns["program.border"]
    )


def test_the_table_reads_the_same_facts(host):
    catalog = host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")
    table = catalog_table(catalog, host.rulebook.city_regions)
    for index, program in enumerate(catalog.programs):
        row = F.program_facts(program, host.rulebook.city_regions)
        for name, values in table.raw.items():
            assert values[index] == row.get(name), (program.id, name)
