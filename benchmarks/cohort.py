"""A reproducible synthetic cohort of applicant profiles for the batch benchmark.

Each profile starts from one of ``examples/profiles/*.toml`` and changes what moves a plan
the most: the visa, the wished specialties and preferred states, years since graduation,
earlier cycles, Step 1 attempts and the Step 2 CK score (or no Step 2 CK yet). Everything
comes from one ``random.Random(seed)``, so the same arguments write the same files.
"""

from __future__ import annotations

import copy
import random
import sys
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PROFILES = ROOT / "examples" / "profiles"

# Mostly the fields IMGs with low scores aim at, some others so every specialty group shows.
SPECIALTY_POOL = (
    ["Internal Medicine"] * 6
    + ["Family Medicine"] * 5
    + ["Pediatrics"] * 3
    + ["Psychiatry"] * 3
    + ["Transitional Year"] * 2
    + [
        "Neurology",
        "Pathology",
        "General Surgery",
        "Obstetrics and Gynecology",
        "Emergency Medicine",
        "Anesthesiology",
        "Internal Medicine-Pediatrics",
        "Diagnostic Radiology",
        "Dermatology",
    ]
)
BORDER_STATES = ("TX", "NM", "AZ", "CA")


def make_cohort(count: int, folder: Path, seed: int = 1) -> list[Path]:
    """Write ``count`` profiles ``applicant-0000.toml``... to ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = [
        tomllib.loads(p.read_text(encoding="utf-8"))
        for p in sorted(EXAMPLE_PROFILES.glob("*.toml"))
    ]
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        data = copy.deepcopy(bases[index % len(bases)])
        applicant = data["applicant"]
        applicant["visa"] = rng.choice(("none", "J-1", "J-1", "J-1", "H-1B"))
        wishes = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            name = rng.choice(SPECIALTY_POOL)
            if name not in wishes:
                wishes.append(name)
        applicant["specialties"] = wishes
        applicant["states"] = sorted(rng.sample(BORDER_STATES, rng.randint(1, 4)))
        applicant["previous_cycles"] = rng.choice((0, 0, 0, 1, 2))
        applicant["graduation_year"] = applicant["cycle"] - 1 - rng.randint(0, 12)
        exams = data.setdefault("exams", {})
        exams["step1"] = {"result": "pass", "attempts": rng.choice((1, 1, 1, 1, 2))}
        if rng.random() < 0.15:
            exams.pop("step2ck", None)
        else:
            exams["step2ck"] = {
                "score": rng.randint(196, 262),
                "attempts": rng.choice((1, 1, 1, 1, 1, 2)),
            }
        path = folder / f"applicant-{index:04d}.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths


# ------------------------------------------------------------------ the cohort figures

NATIONAL_COHORT = 16_000  # about the IMGs in a Match year (issue 14)


class _PlanClock:
    """Times ``resplan.plan`` (and ``resplan.cohort.cohort_plan``, the plan a batch into a
    database without plan files makes) in every process of a batch run in this process:
    the CPU a batch spends planning, apart from what it spends around the plans (reading profiles,
    records, messages, start-up, the database). Forked workers inherit the wrapper; each
    writes its sums to ``folder`` as it ends. (Where workers are spawned, not forked, no
    split is measured.)"""

    def __init__(self, folder: Path):
        import os

        self.folder, self.parent = folder, os.getpid()
        folder.mkdir(parents=True, exist_ok=True)
        self.sums = {"plan": 0.0, "plans": 0}

    def __enter__(self):
        import resplan
        import resplan.cohort

        self.real = resplan.plan
        self.real_cohort = resplan.cohort.cohort_plan
        resplan.plan = self.timed
        resplan.cohort.cohort_plan = self.timed_cohort
        return self

    def __exit__(self, *exc):
        import resplan
        import resplan.cohort

        resplan.plan = self.real
        resplan.cohort.cohort_plan = self.real_cohort

    def timed(self, *args, **kwargs):
        return self._timed(self.real, args, kwargs)

    def timed_cohort(self, *args, **kwargs):
        return self._timed(self.real_cohort, args, kwargs)

    def _timed(self, real, args, kwargs):
        import os
        import time
        from multiprocessing import util

        if os.getpid() != self.parent and not self.sums.get("armed"):
            self.sums["armed"] = True
            util.Finalize(None, self.dump, exitpriority=100)  # runs as a pool worker ends
        start = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            self.sums["plan"] += time.process_time() - start
            self.sums["plans"] += 1

    def dump(self) -> None:
        import json
        import os
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime
        (self.folder / f"worker-{os.getpid()}.json").write_text(
            json.dumps({"plan": self.sums["plan"], "plans": self.sums["plans"], "cpu": cpu})
        )

    def workers(self) -> list[dict]:
        import json

        return [json.loads(p.read_text()) for p in sorted(self.folder.glob("worker-*.json"))]


def _decisions(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM decisions").fetchone()[0]


def _catalog_taken_as_real(ctx, tmp: Path) -> Path:
    """The benchmark's national catalog with nothing saying its programs are generated (a
    source that does not start with "synthetic", no ``synthetic`` mark): the plan takes
    them as real programs, as it does those of a catalog imported from real listings."""
    from resplan import synth

    path = tmp / "national-as-real.toml"
    programs = [
        dict(program, source="benchmark: a generated program, taken as real")
        for program in synth.synthesize_catalog(ctx["national_programs"], ctx["seed"])
    ]
    path.write_text(synth.dumps_catalog_toml(programs), encoding="utf-8")
    return path


def bench_cohort(ctx, figure, info, log, run_wrapped) -> list[dict]:
    """The three figures of a cohort planned into one database (issue 14, part 5).

    - plans/s: ``run_batch`` of the cohort (1,000 profiles; quick 100) over the national
      catalog with ``jobs=2``, ``db=...``, ``plans=False``, in process: profiles planned
      (bad ones included: they are rows too) per second of wall time, worker start-up
      and catalog loading included.
    - the national cohort: ``resplan batch`` of 16,000 profiles (quick: 1,600) with
      ``--db --plans none --jobs 2`` in a new process, interpreter start included.
    - bytes per decision: the national run's database file / its rows in ``decisions``.
    """
    import os
    import resource
    import time

    import resplan
    from resplan.batch import run_batch

    def cpu() -> float:  # this process and its workers (counted once they have ended)
        return sum(
            u.ru_utime + u.ru_stime
            for u in (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
        )

    def parent_cpu() -> float:
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    tmp, jobs = ctx["tmp"], ctx["jobs"]
    count = ctx["batch_profiles"]
    profiles = ctx["cohort"][:count]
    if len(profiles) < count:
        profiles = make_cohort(count, tmp / "cohort", ctx["seed"])
    db = tmp / "cohort-rate.sqlite"
    log(f"cohort database: {len(profiles)} profiles, jobs={jobs}, no plan files")

    def batch_into(db: Path, profiles: list[Path], catalog: Path):
        return run_batch(
            profiles, [catalog], None, jobs=jobs, disable=ctx["disable"], db=db, plans=False
        )

    clock = _PlanClock(tmp / "cohort-plan-clock")
    start, start_cpu, start_parent = time.perf_counter(), cpu(), parent_cpu()
    with clock:
        result = batch_into(db, profiles, ctx["catalog_path"])
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
    parent_seconds = parent_cpu() - start_parent
    rate_decisions = _decisions(db)
    workers = clock.workers()
    profiles_done = len(result.rows)
    split: dict = {"unavailable": "workers were not forked"}
    if workers:
        # Per profile (bad ones included), in ms of CPU: the plans themselves, the rest of
        # the workers' time, and this process (loading the catalog, the database).
        plan_s = sum(w["plan"] for w in workers)
        planned = sum(w["plans"] for w in workers) or 1
        worker_s = sum(w["cpu"] for w in workers)
        around = (worker_s - plan_s + parent_seconds) / profiles_done
        share = planned / profiles_done
        split = {
            "worker_plan_ms": round(plan_s / profiles_done * 1000, 2),
            "worker_other_ms": round((worker_s - plan_s) / profiles_done * 1000, 2),
            "parent_ms": round(parent_seconds / profiles_done * 1000, 2),
            "plan_ms_each": round(plan_s / planned * 1000, 2),
            "planned_share": round(share, 3),
            # What 2 free cores would reach, all else the same, if a plan cost this much.
            "plans_per_s_if_a_plan_took": {
                f"{ms} ms": round(2 / (around + share * ms / 1000), 1) for ms in (34, 10, 5, 3)
            },
            "load_average": round(os.getloadavg()[0], 1),
        }

    # The synthetic catalog marks every program as generated, and the what-if pass compares
    # real programs only, so the figure above has no what-if work that a catalog of real
    # programs pays. The same programs, taken as real, show what such a catalog costs.
    as_real_path = _catalog_taken_as_real(ctx, tmp)
    # Read once before the clock starts, as the national catalog is by the setup: both
    # rates then load their catalog from the cache, and differ by the what-if pass alone.
    resplan.load_host(disable=ctx["disable"]).read_catalog(as_real_path)
    as_real_profiles = profiles[: max(50, count // 2)]
    as_real_db = tmp / "cohort-rate-as-real.sqlite"
    log(f"cohort database, programs taken as real: {len(as_real_profiles)} profiles")
    start, start_cpu = time.perf_counter(), cpu()
    as_real = batch_into(as_real_db, as_real_profiles, as_real_path)
    as_real_seconds, as_real_cpu = time.perf_counter() - start, cpu() - start_cpu

    national = NATIONAL_COHORT // 10 if ctx["quick"] else NATIONAL_COHORT
    folder = tmp / "national-cohort"
    log(f"national cohort: writing {national:,} profiles")
    paths = make_cohort(national, folder, ctx["seed"])
    big = tmp / "national.sqlite"
    argv = [
        sys.executable,
        "-m",
        "resplan",
        *(arg for name in ctx["disable"] for arg in ("--disable", name)),
        "batch",
        *map(str, paths),
        "--catalog",
        str(ctx["catalog_path"]),
        "--db",
        str(big),
        "--plans",
        "none",
        "--jobs",
        str(jobs),
    ]
    log(f"national cohort: resplan batch of {national:,} profiles into one database")
    run = run_wrapped(argv, ok=(0, 2))  # 2: the cohort has bad profiles, as real ones do
    decisions = _decisions(big)
    size = big.stat().st_size
    # The machine is shared: CPU time per plan, all processes together, says what the work
    # costs whatever else runs; 2 cores / that is what an idle machine could reach at most.
    rate_cpu_ms = cpu_seconds / len(result.rows) * 1000
    national_cpu_ms = run["cpu_seconds"] / national * 1000
    name = f"national cohort, {national:,} profiles" + (" (quick: a tenth)" if ctx["quick"] else "")
    return [
        figure(
            "cohort_pps",
            f"resplan batch into a database, {len(profiles):,} profiles, "
            f"jobs={jobs}, no plan files",
            len(result.rows) / seconds,
            "plans/s",
            200,
            ">=",
            {
                "seconds": round(seconds, 2),
                "planned": len(result.planned),
                "not_planned": len(result.errors),
                "decisions": rate_decisions,
                "decisions_per_plan": round(rate_decisions / max(1, len(result.planned))),
                "cpu_seconds": round(cpu_seconds, 2),
            },
        ),
        info(
            "cohort_cpu_ms",
            "  CPU time per plan, all processes",
            rate_cpu_ms,
            "ms",
            {"plans_per_s_if_2_cores_were_free": round(2000 / rate_cpu_ms, 1), **split},
        ),
        *(
            [
                info(
                    "cohort_cpu_worker_plan_ms",
                    "    of which the plans (in the workers)",
                    split["worker_plan_ms"],
                    "ms",
                    {"plan_ms_each": split["plan_ms_each"], "share": split["planned_share"]},
                    digits=2,
                ),
                info(
                    "cohort_cpu_worker_other_ms",
                    "    the workers' other work (profiles, records, messages, start)",
                    split["worker_other_ms"],
                    "ms",
                    digits=2,
                ),
                info(
                    "cohort_cpu_parent_ms",
                    "    the batch's own process (catalog, database)",
                    split["parent_ms"],
                    "ms",
                    digits=2,
                ),
                info(
                    "cohort_pps_at_10ms",
                    "  plans/s on 2 free cores if a plan took 10 ms, the rest as measured",
                    split["plans_per_s_if_a_plan_took"]["10 ms"],
                    "plans/s",
                    split["plans_per_s_if_a_plan_took"],
                ),
            ]
            if "worker_plan_ms" in split
            else []
        ),
        figure(
            "cohort_pps_real",
            f"  the same, {len(as_real_profiles):,} profiles, every program taken as real "
            "(the what-if pass compares them)",
            len(as_real.rows) / as_real_seconds,
            "plans/s",
            200,
            ">=",
            {
                "seconds": round(as_real_seconds, 2),
                "planned": len(as_real.planned),
                "cpu_ms_per_plan": round(as_real_cpu / len(as_real.rows) * 1000, 2),
            },
        ),
        figure(
            "cohort_national_s",
            name + ": resplan batch --db --plans none",
            run["seconds"],
            "s",
            120 if not ctx["quick"] else 12,
            "<=",
            {
                "profiles": national,
                "decisions": decisions,
                "db_bytes": size,
                "peak_rss_mb": round(run["maxrss_kib"] * 1024 / 1e6, 1),
                "plans_per_s": round(national / run["seconds"], 1),
                "cpu_seconds": round(run["cpu_seconds"], 1),
            },
        ),
        info(
            "cohort_national_cpu_ms",
            "  CPU time per plan, all processes, start-up included",
            national_cpu_ms,
            "ms",
            {"seconds_if_2_cores_were_free": round(run["cpu_seconds"] / 2, 1)},
        ),
        figure(
            "cohort_bytes",
            "cohort database size per decision",
            size / decisions,
            "bytes",
            100,
            "<=",
            {"db_bytes": size, "decisions": decisions},
        ),
    ]
