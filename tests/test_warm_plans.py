"""Plans made one after another in one process, on one catalog, are the plans a fresh
process makes: what a plan keeps with the catalog for later plans (rule outcomes,
rendered reasons) never changes another profile's plan, in whichever order they come."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import resplan
from resplan.stages.table import ProgramTable
from tests.conftest import AS_OF, EXAMPLES, ROOT

PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml"))
CATALOGS = (
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, str]:
    """Each example profile's plan, each made by `resplan plan` in a process of its own."""
    out = tmp_path_factory.mktemp("fresh")
    runs = {}
    for profile in PROFILES:
        argv = [sys.executable, "-m", "resplan", "--no-cache", "plan", str(profile)]
        for catalog in CATALOGS:
            argv += ["--catalog", str(catalog)]
        argv += ["--out", str(out / f"{profile.stem}.toml"), "--as-of", AS_OF.isoformat()]
        runs[profile.stem] = subprocess.Popen(
            argv, cwd=ROOT, env=dict(os.environ), stderr=subprocess.PIPE, text=True
        )
    for name, run in runs.items():
        _, errors = run.communicate()
        assert run.returncode == 0, f"{name}: {errors}"
    return {p.stem: (out / f"{p.stem}.toml").read_text(encoding="utf-8") for p in PROFILES}


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_plans_in_one_process_are_fresh_process_plans(fresh, order):
    host = resplan.load_host(use_env=False)
    catalog = resplan.merge_catalogs(
        [host.read_catalog(Path(path)) for path in CATALOGS], [str(p) for p in CATALOGS]
    )
    profiles = PROFILES if order == "forward" else PROFILES[::-1]
    # Twice over: the second round finds everything the first kept with the catalog.
    for _ in range(2):
        for path in profiles:
            plan = resplan.plan(resplan.load_profile(path), catalog, host=host, as_of=AS_OF)
            assert resplan.dumps_plan(plan) == fresh[path.stem], path.stem


def test_selections_worked_out_alone_give_the_same_plans(fresh, monkeypatch):
    """What a selection of programs takes from the whole catalog's table (rule outcomes,
    parts of conditions, message partitions, worked out once per catalog) is what it
    would work out from its own rows."""
    original = ProgramTable.select

    def alone(self, rows):
        table = original(self, rows)
        table._parent, table._lift = None, False  # nothing taken from the whole table
        return table

    monkeypatch.setattr(ProgramTable, "select", alone)
    host = resplan.load_host(use_env=False)
    catalog = resplan.merge_catalogs(
        [host.read_catalog(Path(path)) for path in CATALOGS], [str(p) for p in CATALOGS]
    )
    for path in PROFILES:
        plan = resplan.plan(resplan.load_profile(path), catalog, host=host, as_of=AS_OF)
        assert resplan.dumps_plan(plan) == fresh[path.stem], path.stem


def test_a_table_lets_go_of_the_selection_used_longest_ago(fresh, monkeypatch):
    """Past SELECTIONS_KEPT, the selection used longest ago goes and the one just used
    stays; plans made while selections come and go are a fresh process's plans."""
    import numpy as np

    from resplan.stages import table as table_module

    monkeypatch.setattr(table_module, "SELECTIONS_KEPT", 2)
    host = resplan.load_host(use_env=False)
    catalog = resplan.merge_catalogs(
        [host.read_catalog(Path(path)) for path in CATALOGS], [str(p) for p in CATALOGS]
    )
    whole = table_module.catalog_table(catalog, host.rulebook.city_regions)
    first, second, third = (np.arange(n, dtype=np.intp) for n in (1, 2, 3))
    kept = whole.select(first)._selection
    whole.select(second)
    assert whole.select(first)._selection is kept  # used again: now the latest
    whole.select(third)  # the second set goes, not the first
    assert whole.select(first)._selection is kept
    assert len(whole._selections) == 2
    for path in PROFILES:
        plan = resplan.plan(resplan.load_profile(path), catalog, host=host, as_of=AS_OF)
        assert resplan.dumps_plan(plan) == fresh[path.stem], path.stem
