"""Catalog formats: TOML (``[[program]]`` tables) and CSV (the same column names)."""

from resplan.plugins import CatalogReader, hookimpl
from resplan.sources import read_csv_catalog, read_toml_catalog


@hookimpl
def resplan_catalog_readers():
    return [
        CatalogReader(name="toml", suffixes=(".toml",), read=read_toml_catalog),
        CatalogReader(name="csv", suffixes=(".csv",), read=read_csv_catalog),
    ]
