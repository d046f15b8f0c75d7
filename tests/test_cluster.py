"""A batch on a Dask cluster writes the same plans and the same database as a local one."""

from __future__ import annotations

import contextlib
import sqlite3
import sys

import pytest

from resplan.batch import run_batch
from resplan.cli import main
from tests.conftest import DATA, EXAMPLES

PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml"))
CATALOGS = [EXAMPLES / "catalog" / "border-programs.toml", DATA / "catalog-small.toml"]
BAD_VISA = '[applicant]\ngraduation_year = 2022\ncycle = 2027\nvisa = "Tourist"\n'
AS_OF = "2026-06-01"


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "cohort.sqlite"}


def dump(path):
    with contextlib.closing(sqlite3.connect(path)) as db:
        return list(db.iterdump())


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    # Threads in this process: quick to start, and the tasks still travel through the
    # scheduler as on a real cluster.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def profiles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profiles")
    for path in PROFILES:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "bad-visa.toml").write_text(BAD_VISA)
    return sorted(str(p) for p in folder.glob("*.toml"))


@pytest.fixture(scope="module")
def local_run(profiles, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    run_batch(profiles, CATALOGS, out, jobs=2, as_of=AS_OF, db=out / "cohort.sqlite")
    return out


def test_a_dask_cluster_writes_what_a_local_run_writes(cluster, profiles, local_run, tmp_path):
    from distributed import Client

    from resplan.cluster import DaskExecutor

    with Client(cluster, set_as_default=False) as client:
        result = run_batch(
            list(reversed(profiles)),
            CATALOGS,
            tmp_path,
            as_of=AS_OF,
            db=tmp_path / "cohort.sqlite",
            executor=DaskExecutor(client),
        )
    assert len(result.planned) == len(PROFILES) and len(result.errors) == 1
    assert files(tmp_path) == files(local_run)
    assert dump(tmp_path / "cohort.sqlite") == dump(local_run / "cohort.sqlite")


def test_the_scheduler_option_plans_on_the_cluster(cluster, profiles, local_run, tmp_path, capsys):
    code = main(
        [
            "batch",
            *profiles,
            *(a for c in CATALOGS for a in ("--catalog", str(c))),
            "--as-of",
            AS_OF,
            "--out-dir",
            str(tmp_path),
            "--db",
            str(tmp_path / "cohort.sqlite"),
            "--scheduler",
            cluster.scheduler_address,
        ]
    )
    assert code == 2, capsys.readouterr().err  # the bad profile, as in a local run
    assert files(tmp_path) == files(local_run)
    assert dump(tmp_path / "cohort.sqlite") == dump(local_run / "cohort.sqlite")


def test_a_bad_catalog_on_the_cluster_is_bad_input(cluster, profiles, tmp_path, capsys):
    code = main(
        [
            "batch",
            *profiles,
            "--catalog",
            str(tmp_path / "missing.toml"),
            "--out-dir",
            str(tmp_path / "out"),
            "--scheduler",
            cluster.scheduler_address,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "missing.toml" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_without_dask_the_option_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    code = main(
        [
            "batch",
            str(PROFILES[0]),
            "--catalog",
            str(CATALOGS[1]),
            "--out-dir",
            str(tmp_path / "out"),
            "--scheduler",
            "tcp://127.0.0.1:1",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "resplan[dask]" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_any_executor_will_do(profiles, local_run, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as executor:
        run_batch(
            profiles,
            CATALOGS,
            tmp_path,
            as_of=AS_OF,
            db=tmp_path / "cohort.sqlite",
            executor=executor,
        )
    assert files(tmp_path) == files(local_run)
    assert dump(tmp_path / "cohort.sqlite") == dump(local_run / "cohort.sqlite")


def test_a_worker_that_lives_on_reads_a_changed_catalog_again(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    catalog = tmp_path / "catalog.toml"
    profile = str(PROFILES[0])
    with ThreadPoolExecutor(1) as executor:  # the same process for both batches
        for number, source in enumerate(CATALOGS):
            catalog.write_bytes(source.read_bytes())
            out = tmp_path / f"run{number}"
            run_batch([profile], [catalog], out, as_of=AS_OF, executor=executor)
            single = tmp_path / f"single{number}.toml"
            assert (
                main(
                    [
                        "plan",
                        profile,
                        "--catalog",
                        str(catalog),
                        "--as-of",
                        AS_OF,
                        "--out",
                        str(single),
                    ]
                )
                == 0
            )
            assert (out / PROFILES[0].name).read_bytes() == single.read_bytes()
