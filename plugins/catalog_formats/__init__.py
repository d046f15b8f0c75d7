"""Catalog formats: TOML (``[[program]]`` tables) and CSV (the same column names), and
the import mappings of the layouts people paste from program listings (``mappings/``)."""

from importlib.resources import files

from resplan.plugins import CatalogReader, hookimpl
from resplan.sources import read_csv_catalog, read_toml_catalog


@hookimpl
def resplan_catalog_readers():
    return [
        CatalogReader(name="toml", suffixes=(".toml",), read=read_toml_catalog),
        CatalogReader(name="csv", suffixes=(".csv",), read=read_csv_catalog),
    ]


@hookimpl
def resplan_import_mappings():
    from resplan.importing import ImportMapping  # only import-catalog reads mappings

    folder = files(__name__) / "mappings"
    return [
        ImportMapping.from_path(folder / name)
        for name in sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    ]
