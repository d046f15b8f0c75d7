"""resplan's benchmarks: the figures of issue 6, each beside its target.

    python benchmarks/run.py             # the full run (a few minutes)
    python benchmarks/run.py --quick     # a smoke run: fewer repetitions, smaller batch and sizes
    python benchmarks/run.py --only plan,screen
    python benchmarks/run.py --profile   # also: cProfile of plan computation on 13,400 programs

Prints a table (figure, measured, target, met?) and writes every figure with its details
to ``benchmarks/results/latest.json``. Nothing here asserts: speed is measured, never
tested. See ``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import resplan
from resplan import synth
from resplan.batch import run_batch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PROFILE = ROOT / "examples" / "profiles" / "example.toml"
EXAMPLE_PROFILES = sorted((ROOT / "examples" / "profiles").glob("*.toml"))
NATIONAL = 13_400

sys.path.insert(0, str(HERE))
from cohort import bench_cohort, make_cohort  # noqa: E402

FIGURES = (
    "plan",
    "what_if",
    "screen",
    "cli",
    "import",
    "batch",
    "cohort",
    "scaling",
    "report",
    "memory",
)
# The example plan's catalogs with the synthetic sample, as `invoke plan --with-synthetic`
# combines them (the larger of the two example plans).
EXAMPLE_CATALOGS = (
    ROOT / "examples" / "catalog" / "border-programs.toml",
    ROOT / "examples" / "catalog" / "synthetic-national-sample.toml",
)


def compile_bytecode() -> None:
    """Compile resplan's modules (and its built-in plugins') to bytecode, as installing it
    does. A checkout run with PYTHONDONTWRITEBYTECODE set (the development machine's
    shell) would otherwise compile every module again in every new process, which is no
    part of the start-up a user of an installed resplan waits for."""
    import compileall

    for folder in (Path(resplan.__file__).parent, ROOT / "plugins"):
        if folder.is_dir():
            compileall.compile_dir(folder, quiet=1)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ helpers


def other_plugins() -> tuple[str, ...]:
    """Installed plugins that are not resplan's own. The targets are for the built-in
    rulesets, so every figure is taken with these disabled (and they are listed)."""
    host = resplan.load_host(use_env=False)
    return tuple(sorted(p.name for p in host.plugins if p.distribution != "resplan"))


def timed(fn, runs: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``runs`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def write_catalog(programs: int, seed: int, folder: Path) -> Path:
    path = folder / f"synthetic-{programs}.toml"
    if not path.exists():
        path.write_text(
            synth.dumps_catalog_toml(synth.synthesize_catalog(programs, seed)), encoding="utf-8"
        )
    return path


def draft_before(stage: str, profile, catalog, host):
    """The Draft the pipeline hands to ``stage``, made by the stages before it."""
    from resplan.facts import profile_facts
    from resplan.pipeline import STAGES, Draft

    draft = Draft(
        profile=profile,
        catalog=catalog,
        rulebook=host.rulebook,
        env=profile_facts(profile, host.rulebook.city_regions),
    )
    for name, run in STAGES:
        if name == stage:
            return draft, run
        draft = run(draft)
    raise LookupError(f"no stage {stage!r} in resplan.pipeline.STAGES")


def stage_breakdown(profile, catalog, host, runs: int) -> dict[str, float]:
    """Median milliseconds of each part of ``resplan.plan``, the way pipeline.make_plan runs it."""
    from resplan import pipeline
    from resplan.facts import profile_facts
    from resplan.plan import Plan

    parts: dict[str, list[float]] = {}

    def clock(name, fn):
        start = time.perf_counter()
        value = fn()
        parts.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        return value

    for _ in range(runs):
        env = clock("profile facts", lambda: profile_facts(profile, host.rulebook.city_regions))
        draft = pipeline.Draft(profile=profile, catalog=catalog, rulebook=host.rulebook, env=env)
        for name, run in pipeline.STAGES:
            draft = clock(f"stage {name}", lambda run=run, draft=draft: run(draft))
        prov = clock(
            "provenance (input digests)", lambda: pipeline.provenance(profile, catalog, host)
        )
        plan = Plan(
            provenance=prov,
            assessment=draft.assessment,
            specialties=draft.specialties,
            regions=draft.regions,
            programs=draft.programs,
            actions=draft.actions,
            summary=draft.summary,
        )
        clock(
            "plugins' adjust_plan", lambda plan=plan: pipeline.adjust(plan, profile, catalog, host)
        )
    return {name: round(statistics.median(ms), 3) for name, ms in parts.items()}


def first_plan_stages(paths, catalog, host) -> tuple[list[float], dict[str, float]]:
    """CPU milliseconds of the stages (the what-if pass aside) of each profile's first plan
    in this process, and each stage's median. A plan keeps what it decided for later plans
    of the same situation (the same profile again): what a new applicant costs is this."""
    from resplan import pipeline
    from resplan.facts import profile_facts

    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for path in paths:
        try:
            profile = resplan.load_profile(path)
        except resplan.InputError:
            continue
        env = profile_facts(profile, host.rulebook.city_regions)
        draft = pipeline.Draft(profile=profile, catalog=catalog, rulebook=host.rulebook, env=env)
        total = 0.0
        for name, run in pipeline.STAGES:
            start = time.process_time()
            draft = run(draft)
            ms = (time.process_time() - start) * 1000
            stages.setdefault(name, []).append(ms)
            if name != "what_if":
                total += ms
        totals.append(total)
    return totals, {name: round(statistics.median(ms), 3) for name, ms in stages.items()}


WRAPPER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
child = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "code": child.returncode, "stderr": child.stderr[-2000:],
                  "maxrss_kib": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


def run_wrapped(argv: list[str], env: dict | None = None, ok=(0,)) -> dict:
    """Run ``argv`` under a small wrapper process that times it and reads its peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    result = json.loads(out.stdout)
    if result["code"] not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {result['code']}: {result['stderr']}")
    return result


def figure(key, name, measured, unit, target=None, op=None, details=None, digits=1):
    met = None
    if target is not None and measured is not None:
        met = measured <= target if op == "<=" else measured >= target
    return {
        "key": key,
        "figure": name,
        "measured": measured,
        "unit": unit,
        "target": target,
        "op": op,
        "met": met,
        "digits": digits,
        "details": details or {},
    }


def info(key, name, measured, unit, details=None, digits=1):
    return figure(key, name, measured, unit, details=details, digits=digits)


# ------------------------------------------------------------------ the figures


def bench_plan(ctx) -> list[dict]:
    host, catalog, profile = ctx["host"], ctx["catalog"], ctx["profile"]
    runs = ctx["runs"]
    log(f"plan computation: {runs} runs over {len(catalog)} programs")
    start = time.perf_counter()
    plan = resplan.plan(profile, catalog, host=host)  # the first plan against this catalog
    first_ms = (time.perf_counter() - start) * 1000
    samples = timed(lambda: resplan.plan(profile, catalog, host=host), runs, warmup=0)
    try:
        breakdown = stage_breakdown(profile, catalog, host, max(3, runs // 2))
    except Exception as exc:  # the pipeline changed shape: the figure itself still stands
        breakdown = {"unavailable": repr(exc)}
    start = time.perf_counter()
    text = resplan.dumps_plan(plan)
    dumps_ms = (time.perf_counter() - start) * 1000
    median = statistics.median(samples) * 1000
    first = ctx["cohort"][ctx["reference_cohort"] :][: ctx["first_plan_cohort"]]
    log(f"stages of a first plan: {len(first)} drawn profiles, each planned once")
    totals, first_stages = first_plan_stages(first, catalog, host)
    again = sum(v for k, v in breakdown.items() if k.startswith("stage ") and k != "stage what_if")
    rows = [
        info(
            "stages_again_ms",
            "  stages of the same profile planned again (what-if pass aside)",
            again,
            "ms",
            digits=2,
        ),
        figure(
            "stages_first_ms",
            f"stages of an applicant's first plan, {len(catalog):,} programs (what-if pass "
            f"aside; median CPU over {len(totals)} drawn profiles)",
            statistics.median(totals) if totals else None,
            "ms",
            3,
            "<=",
            {"stages_ms": first_stages, "samples_ms": [round(t, 3) for t in totals]},
            digits=2,
        ),
    ]
    return rows + [
        figure(
            "plan_ms",
            f"plan computation, {len(catalog):,} programs (median of {runs})",
            median,
            "ms",
            10,
            "<=",
            {
                "samples_ms": [round(s * 1000, 3) for s in samples],
                "first_plan_ms (not in the median)": round(first_ms, 3),
                "programs_in_catalog": len(catalog),
                "programs_considered": plan.summary.programs_considered,
                "profile": str(ctx["profile_path"].relative_to(ROOT)),
                "breakdown_ms": breakdown,
                "dumps_plan_ms (not in this figure)": round(dumps_ms, 3),
                "plan_toml_bytes": len(text.encode("utf-8")),
            },
        )
    ]


def bench_reference(ctx) -> list[dict]:
    """resplan's screen stage against the hand-written NumPy reference (reference.py): the
    same decisions and facts to verify, checked program by program, and the time ratio."""
    import reference

    from resplan.stages import screen

    host, catalog = ctx["host"], ctx["catalog"]
    ref = reference.ReferenceColumns(catalog, host.rulebook)
    draft, _run = draft_before("screen", ctx["profile"], catalog, host)
    runs = max(21, ctx["runs"] * 5)
    log(f"screening: resplan and the NumPy reference, {runs} runs each, in turns")
    screen.run(draft)
    reference.screen_draft(ref, draft)

    def cpu(fn) -> float:
        start = time.process_time()
        fn()
        return time.process_time() - start

    # CPU time of this process, in turns: both are single-threaded NumPy, and on a shared
    # machine wall time mostly measures the other processes.
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(cpu(lambda: screen.run(draft)))
        theirs.append(cpu(lambda: reference.screen_draft(ref, draft)))
    ours_ms, theirs_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000

    checked = list(EXAMPLE_PROFILES) + ctx["cohort"][: ctx["reference_cohort"]]
    drawn = set(ctx["cohort"][: ctx["reference_cohort"]])
    log(f"screening: comparing with the reference program by program for {len(checked)} profiles")
    disagree, compared, refused = [], 0, []
    # The screen stage keeps what it decided for a situation (the same applicant again, a
    # what-if change that moves nothing), so the runs above, one draft screened again and
    # again, measure that memory. An applicant screened for the first time is timed here:
    # the drawn profiles, each screened once, against the reference on the same draft.
    ours_first, theirs_first = [], []
    for path in checked:
        try:
            prof = resplan.load_profile(path)
        except resplan.InputError:  # a drawn profile resplan refuses is planned by neither
            refused.append(Path(path).name)
            continue
        d, _ = draft_before("screen", prof, catalog, host)
        start = time.process_time()
        screened = screen.run(d)
        middle = time.process_time()
        theirs_out = reference.screen_draft(ref, d)
        end = time.process_time()
        if path in drawn:
            ours_first.append(middle - start)
            theirs_first.append(end - middle)
        mine = reference.resplan_decisions(screened.screening)
        compared += len(mine)
        disagree += [
            (Path(path).name, *row)
            for row in reference.disagreements(mine, ref.decisions(theirs_out))
        ]
    first_ms = statistics.median(ours_first) * 1000 if ours_first else None
    ref_first_ms = statistics.median(theirs_first) * 1000 if theirs_first else None
    for name, pid, a, b in disagree[:20]:
        log(f"DISAGREE {name} {pid}: resplan {a} / reference {b}")
    programs = len(draft_before("tier", ctx["profile"], catalog, host)[0].screening.table.programs)
    return [
        info(
            "screen_stage_ms",
            f"  resplan screening stage, {programs:,} programs (CPU)",
            ours_ms,
            "ms",
            {"samples_ms": [round(s * 1000, 3) for s in ours]},
            digits=2,
        ),
        info(
            "screen_reference_ms",
            "  hand-written NumPy reference, same decisions (CPU)",
            theirs_ms,
            "ms",
            {"samples_ms": [round(s * 1000, 3) for s in theirs]},
            digits=2,
        ),
        info(
            "screen_reference_ratio_again",
            "  the same draft screened again: resplan / NumPy reference",
            ours_ms / theirs_ms,
            "x",
            {"resplan_ms": round(ours_ms, 3), "reference_ms": round(theirs_ms, 3)},
            digits=1,
        ),
        figure(
            "screen_reference_ratio",
            f"screening an applicant for the first time: resplan / NumPy reference "
            f"(x slower; medians over {len(ours_first)} drawn profiles, CPU)",
            first_ms / ref_first_ms if first_ms and ref_first_ms else None,
            "x",
            4,
            "<=",
            {
                "resplan_ms": round(first_ms, 3) if first_ms else None,
                "reference_ms": round(ref_first_ms, 3) if ref_first_ms else None,
                "reference_missing_rules": list(ref.missing),
            },
            digits=1,
        ),
        figure(
            "screen_reference_disagreements",
            f"screening decisions differing from the reference ({compared:,} programs, "
            f"{len(checked) - len(refused)} profiles)",
            len(disagree),
            "",
            0,
            "<=",
            {
                "profiles": [Path(x).name for x in checked],
                "refused_profiles": refused,
                "disagreements": [list(map(str, row)) for row in disagree[:200]],
            },
            digits=0,
        ),
    ]


def bench_what_if(ctx) -> list[dict]:
    """The what-if pass (resplan.stages.what_if: each change decided again) against one plan.

    One plan is ``resplan.plan`` with the what-if plugin disabled, so that it does not
    contain the pass; the pass is the what_if stage alone, on the Draft the stages before
    it make. Both over the same catalog and its column table, medians of ``runs``.
    """
    host, catalog, profile, runs = ctx["host"], ctx["catalog"], ctx["profile"], ctx["runs"]
    without = resplan.load_host(disable=(*ctx["disable"], "what-if"), use_env=False)
    log(f"what-if pass: {runs} runs of it and of one plan without it, {len(catalog):,} programs")
    plan_s = statistics.median(timed(lambda: resplan.plan(profile, catalog, host=without), runs))
    draft, run = draft_before("what_if", profile, catalog, host)
    pass_s = statistics.median(timed(lambda: run(draft), runs))
    done = run(draft)
    rules = len(host.rulebook.rules("what_if"))
    details = {
        "plan_without_what_if_ms": round(plan_s * 1000, 3),
        "what_if_pass_ms": round(pass_s * 1000, 3),
        "what_if_rules": rules,
        "changes_listed": [w.change for w in done.what_if],
        "programs_in_catalog": len(catalog),
        "programs_considered": len(draft.programs),
    }
    return [
        info(
            "what_if_plan_ms",
            f"  one plan without the what-if pass, {len(catalog):,} programs",
            plan_s * 1000,
            "ms",
        ),
        info(
            "what_if_pass_ms",
            f"  the what-if pass ({len(done.what_if)} "
            f"{'change' if len(done.what_if) == 1 else 'changes'} listed, of {rules} "
            "rules)",
            pass_s * 1000,
            "ms",
        ),
        figure("what_if_ratio", "what-if pass / one plan", pass_s / plan_s, "x", 10, "<=", details),
    ]


def bench_screen(ctx) -> list[dict]:
    from resplan.stages import screen

    rows = bench_reference(ctx)
    try:
        import peer
    except ImportError as exc:
        log(f"screening peer skipped: {exc} (pip install -r benchmarks/requirements.txt)")
        return rows + [
            figure(
                "screen_ratio",
                "screening: resplan vs rule-engine peer (x faster)",
                None,
                "x",
                30,
                ">=",
                {"skipped": str(exc)},
            )
        ]
    host, catalog = ctx["host"], ctx["catalog"]
    p = peer.Peer(host.rulebook)
    draft, _run = draft_before("screen", ctx["profile"], catalog, host)
    runs, peer_runs = ctx["runs"], max(1, ctx["runs"] // 2)
    log(f"screening: resplan {runs} runs, rule-engine peer {peer_runs} runs")
    ours = timed(lambda: screen.run(draft), runs)
    theirs = timed(lambda: p.screen(draft), peer_runs)
    ours_ms, theirs_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    programs = len(p.screen(draft))

    # The same verdicts, program by program, for the example profiles and part of the cohort.
    checked = list(EXAMPLE_PROFILES) + ctx["cohort"][: ctx["agreement_cohort"]]
    log(f"screening: comparing verdicts program by program for {len(checked)} profiles")
    disagree, compared, verdicts = [], 0, {"apply": 0, "borderline": 0, "skip": 0}
    for path in checked:
        prof = resplan.load_profile(path)
        d, _ = draft_before("screen", prof, catalog, host)
        mine = peer.resplan_verdicts(screen.run(d).screening)
        theirs_v = p.screen(d)
        compared += len(mine)
        for verdict, _rules in mine.values():
            verdicts[verdict] += 1
        disagree += [(Path(path).name, *row) for row in peer.disagreements(mine, theirs_v)]
    for name, pid, a, b in disagree[:20]:
        log(f"DISAGREE {name} {pid}: resplan {a} / peer {b}")

    default_resolver = None
    if not ctx["quick"]:
        # What a user gets with rule-engine's default resolver: every missing fact makes it
        # compute 'did you mean' suggestions. Shown for context, not the peer of the figure.
        import rule_engine

        slow = peer.Peer(host.rulebook)
        slow.rules = [(i, v, s, rule_engine.Rule(r.text)) for i, v, s, r in slow.rules]
        start = time.perf_counter()
        slow.screen(draft)
        default_resolver = round((time.perf_counter() - start) * 1000, 1)

    ratio = theirs_ms / ours_ms
    details = {
        "resplan_screen_ms": round(ours_ms, 3),
        "peer_ms": round(theirs_ms, 3),
        "resplan_samples_ms": [round(s * 1000, 3) for s in ours],
        "peer_samples_ms": [round(s * 1000, 3) for s in theirs],
        "programs_screened": programs,
        "rules": len(p.rules),
        "peer_missing_rules": p.missing,
        "peer_default_resolver_ms (context only)": default_resolver,
    }
    return rows + [
        info(
            "screen_resplan_ms", f"  resplan screening stage, {programs:,} programs", ours_ms, "ms"
        ),
        info("screen_peer_ms", "  rule-engine peer, same rules and programs", theirs_ms, "ms"),
        figure(
            "screen_ratio",
            "screening: resplan vs rule-engine peer (x faster)",
            ratio,
            "x",
            30,
            ">=",
            details,
        ),
        figure(
            "screen_disagreements",
            f"screening verdicts differing from the peer ({compared:,} programs, "
            f"{len(checked)} profiles)",
            len(disagree),
            "",
            0,
            "<=",
            {
                "profiles": [Path(x).name for x in checked],
                "verdicts": verdicts,
                "disagreements": [list(map(str, row)) for row in disagree[:200]],
            },
            digits=0,
        ),
    ]


def bench_cli(ctx) -> list[dict]:
    runs, cache_runs = ctx["cli_runs"], ctx["cache_runs"]
    out = ctx["tmp"] / "cli-plan.toml"

    def argv(*flags):
        return [
            sys.executable,
            "-m",
            "resplan",
            *flags,
            *(arg for name in ctx["disable"] for arg in ("--disable", name)),
            "plan",
            str(ctx["profile_path"]),
            "--catalog",
            str(ctx["catalog_path"]),
            "--out",
            str(out),
        ]

    log(f"resplan plan end to end: {runs} runs in a subprocess without the cache")
    results = [run_wrapped(argv("--no-cache")) for _ in range(runs)]
    seconds = statistics.median(r["seconds"] for r in results)
    peak_mb = max(r["maxrss_kib"] for r in results) * 1024 / 1e6
    uncached = out.read_bytes()

    # The first time: an empty cache folder each run (the run reads the TOML and fills it).
    log(f"resplan plan, first time (empty cache): {cache_runs} runs")
    cold = []
    for n in range(cache_runs):
        folder = ctx["tmp"] / f"cache-cold-{n}"
        cold.append(run_wrapped(argv(), env={"RESPLAN_CACHE_DIR": str(folder)}))
    # Read before: the cache filled by the runs above (the last one), then fresh processes.
    log(f"resplan plan, catalog read before (warm cache): {cache_runs} runs")
    warm_env = {"RESPLAN_CACHE_DIR": str(ctx["tmp"] / f"cache-cold-{cache_runs - 1}")}
    warm = [run_wrapped(argv(), env=warm_env) for _ in range(cache_runs)]
    same = out.read_bytes() == uncached
    cold_s = statistics.median(r["seconds"] for r in cold)
    warm_s = statistics.median(r["seconds"] for r in warm)
    # CPU time (user + system) of the same runs: what the command itself costs, which a
    # machine busy with other work changes far less than the wall time.
    cold_cpu = statistics.median(r["cpu_seconds"] for r in cold)
    warm_cpu = statistics.median(r["cpu_seconds"] for r in warm)

    # Where the time goes, measured in this process (a fresh host; the catalog read again).
    start = time.perf_counter()
    host = resplan.load_host(disable=ctx["disable"], use_env=False, cache=False)
    load_host_s = time.perf_counter() - start
    start = time.perf_counter()
    catalog = host.read_catalog(ctx["catalog_path"])
    read_s = time.perf_counter() - start
    cached_host = resplan.load_host(disable=ctx["disable"], use_env=False)
    cached_host.read_catalog(ctx["catalog_path"])  # fills this run's cache folder
    start = time.perf_counter()
    cached_host.read_catalog(ctx["catalog_path"])
    cached_read_s = time.perf_counter() - start
    plan = resplan.plan(ctx["profile"], catalog, host=host)
    start = time.perf_counter()
    resplan.write_plan(plan, ctx["tmp"] / "inproc-plan.toml")
    write_s = time.perf_counter() - start
    parts = {
        "load_host_s": round(load_host_s, 3),
        "read_catalog_s": round(read_s, 3),
        "write_plan_s": round(write_s, 3),
        "plan_s": round(ctx.get("plan_median_s", float("nan")), 3),
    }
    return [
        figure(
            "cli_warm_s",
            f"resplan plan, catalog read before (cache), {NATIONAL:,} programs "
            f"(median of {cache_runs})",
            warm_s,
            "s",
            0.35,
            "<=",
            {
                "samples_s": [round(r["seconds"], 3) for r in warm],
                "plan_identical_to_no_cache": same,
            },
            digits=2,
        ),
        info(
            "cli_warm_cpu_s",
            "  CPU time of those runs (user + system)",
            warm_cpu,
            "s",
            {"samples_s": [round(r["cpu_seconds"], 3) for r in warm]},
            digits=2,
        ),
        figure(
            "cli_cold_s",
            f"resplan plan, first time (empty cache, fills it) (median of {cache_runs})",
            cold_s,
            "s",
            0.8,
            "<=",
            {"samples_s": [round(r["seconds"], 3) for r in cold]},
            digits=2,
        ),
        info(
            "cli_cold_cpu_s",
            "  CPU time of those runs (user + system)",
            cold_cpu,
            "s",
            {"samples_s": [round(r["cpu_seconds"], 3) for r in cold]},
            digits=2,
        ),
        figure(
            "cli_s",
            f"resplan plan CLI end to end, --no-cache, {NATIONAL:,} programs",
            seconds,
            "s",
            1.5,
            "<=",
            {"samples_s": [round(r["seconds"], 3) for r in results], "in_process_parts": parts},
            digits=2,
        ),
        info(
            "cli_cpu_s",
            "  CPU time of those runs (user + system)",
            statistics.median(r["cpu_seconds"] for r in results),
            "s",
            digits=2,
        ),
        info(
            "cli_read_catalog_s", "  of which: read the catalog (in process)", read_s, "s", digits=2
        ),
        info(
            "cli_cached_read_s",
            "  read the catalog from the cache (in process)",
            cached_read_s,
            "s",
            digits=3,
        ),
        info(
            "cli_write_plan_s",
            "  of which: write the plan TOML (in process)",
            write_s,
            "s",
            digits=2,
        ),
        figure(
            "peak_mb",
            "peak memory of the CLI run (max RSS)",
            peak_mb,
            "MB",
            200,
            "<=",
            {"maxrss_kib": [r["maxrss_kib"] for r in results]},
        ),
    ]


def bench_import(ctx) -> list[dict]:
    runs = ctx["import_runs"]
    log(f"import resplan: {runs} fresh interpreters each")

    def clock(code):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare, full = [], []
    clock("import resplan")  # warm the file cache and the bytecode
    for _ in range(runs):
        bare.append(clock("pass"))
        full.append(clock("import resplan"))
    ms = (statistics.median(full) - statistics.median(bare)) * 1000
    top = []
    try:
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import resplan"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        rows = []
        for line in out.splitlines()[1:]:  # "import time: self | cumulative | name"
            self_us, cumulative_us, name = line.split("|", 2)
            rows.append((int(cumulative_us), int(self_us.split(":")[1]), name.strip()))
        top = [
            {"module": name, "cumulative_ms": round(c / 1000, 1), "self_ms": round(s / 1000, 1)}
            for c, s, name in sorted(rows, reverse=True)[:15]
        ]
    except Exception as exc:  # importtime's format is informative only
        top = [{"unavailable": repr(exc)}]
    return [
        figure(
            "import_ms",
            "import resplan in a fresh interpreter",
            ms,
            "ms",
            200,
            "<=",
            {
                "python_c_pass_ms": round(statistics.median(bare) * 1000, 1),
                "python_c_import_ms": round(statistics.median(full) * 1000, 1),
                "importtime_top": top,
            },
        )
    ]


def bench_batch(ctx) -> list[dict]:
    profiles = ctx["cohort"][: ctx["batch_profiles"]]
    jobs = ctx["jobs"]
    out = ctx["tmp"] / "batch-out"
    log(f"batch: {len(profiles)} profiles, jobs={jobs} (the longest figure)")
    start = time.perf_counter()
    result = run_batch(profiles, [ctx["catalog_path"]], out, jobs=jobs, disable=ctx["disable"])
    seconds = time.perf_counter() - start
    rate = len(result.planned) / seconds
    return [
        figure(
            "batch_pps",
            f"resplan batch, {len(profiles):,} profiles, jobs={jobs}",
            rate,
            "plans/s",
            50,
            ">=",
            {
                "seconds": round(seconds, 2),
                "planned": len(result.planned),
                "errors": list(result.errors),
            },
        )
    ]


def bench_scaling(ctx) -> list[dict]:
    """Cost per program as the catalog grows: the time each added program costs, step by step.

    A plan has a fixed part that no catalog size changes (the profile-only stages, a few
    NumPy calls per rule, provenance); plan time / programs at 1,000 programs mostly
    measures that part. What grows with the catalog is the time per added program, from
    one size to the next: flat means linear. Both are reported. The sizes are timed in
    turns, so that drift of the machine is shared by all of them, in CPU time of the
    process: a step of 2,000 programs adds under a millisecond to a plan, less than what
    other work on a shared machine adds to its wall time. The catalogs' objects are
    frozen out of the cyclic collector's sight first, as `resplan plan` freezes its
    catalog: a full collection walking 140,000 programs would land on one plan or another.

    Each timed plan starts as the plan of `resplan plan` does, just after that freeze:
    with the collector's young generations empty, so the collections it sets off are
    those of its own new objects. Left to itself, the collector ran about once per turn
    of the six sizes (the turn's net new objects, less than two thresholds' worth), at
    the same place in each turn: one size paid for the others' objects in most turns
    (the 3,000-program plan in three turns of four, 0.7 ms each), and its step looked
    three to six times as costly as the others.
    """
    host, profile, sizes = ctx["host"], ctx["profile"], ctx["sizes"]
    catalogs = {0: resplan.Catalog([])}
    for size in sizes:
        log(f"scaling: {size:,} programs (synthesize, write, read)")
        catalogs[size] = resplan.load_catalog(
            write_catalog(size, ctx["seed"], ctx["tmp"]), host=host
        )
    runs = max(5, ctx["runs"]) * 4
    log(f"scaling: {runs} turns over {len(catalogs)} catalogs")
    samples: dict[int, list[float]] = {size: [] for size in catalogs}
    for catalog in catalogs.values():  # warm up: the first plan builds the catalog's columns
        resplan.plan(profile, catalog, host=host)

    from resplan.stages.table import catalog_table

    def forget_decisions(catalog) -> None:
        # A plan keeps what the screen and tier stages decided for its situation, and the
        # outcomes of rules that read the applicant's facts by the values they read: the
        # same profile planned again would time that memory, not the cost of each program.
        # The outcomes by facts go too because they are kept up to 4 MB a selection
        # (FACT_OUTCOMES_BYTES), which at 100,000 programs is less than one plan's: that
        # size decided them afresh while the smaller ones read them from memory. The
        # columns and the outcomes of rules that read the catalog alone stay, as for a
        # new applicant who wishes for the same specialties.
        table = catalog_table(catalog, host.rulebook.city_regions)
        for selection in table._selections.values():
            selection.decided.clear()
            selection.decided_bytes = 0
            selection.by_facts.clear()
            selection.by_facts_bytes = 0

    collections = {size: 0 for size in catalogs}
    gc.collect()
    gc.freeze()
    try:
        for _ in range(runs):
            for size, catalog in catalogs.items():
                forget_decisions(catalog)
                # Untimed: the young generations empty, as after `resplan plan`'s freeze
                # (see the docstring); the plan's own collections stay in its time.
                gc.collect()
                before = sum(generation["collections"] for generation in gc.get_stats())
                start = time.process_time()
                resplan.plan(profile, catalog, host=host)
                samples[size].append(time.process_time() - start)
                collections[size] += (
                    sum(generation["collections"] for generation in gc.get_stats()) - before
                )
    finally:
        gc.unfreeze()
    ms = {size: statistics.median(times) * 1000 for size, times in samples.items()}
    rows = [
        info(
            "scaling_fixed",
            "  plan over a catalog of no programs",
            ms[0],
            "ms",
            {
                "samples_ms": [round(t * 1000, 3) for t in samples[0]],
                # The collector's passes per plan at each size, from its own new objects.
                "collections_per_plan": {
                    size: round(count / runs, 2) for size, count in collections.items()
                },
            },
            digits=2,
        )
    ]
    steps = {}
    for low, high in zip(sizes, sizes[1:]):
        added = (ms[high] - ms[low]) / (high - low) * 1000
        steps[f"{low}-{high}"] = added
        rows.append(
            info(
                f"scaling_{low}_{high}",
                f"  cost per added program, {low:,} to {high:,} programs",
                added,
                "us/program",
                {"plan_ms": {low: round(ms[low], 3), high: round(ms[high], 3)}, "runs": runs},
                digits=2,
            )
        )
    for size in sizes:
        rows.append(
            info(
                f"scaling_mean_{size}",
                f"  plan time / programs at {size:,} programs",
                ms[size] / size * 1000,
                "us/program",
                {"plan_ms": round(ms[size], 3)},
                digits=2,
            )
        )
    # A step that costs nothing or less is noise larger than the step: no ratio to give.
    low = min(steps.values())
    spread = max(steps.values()) / low if low > 0 else float("inf")
    return rows + [
        figure(
            "scaling_spread",
            f"cost per added program, {min(sizes):,} to {max(sizes):,} programs (max / min)",
            spread,
            "x",
            2,
            "<=",
            {step: round(us, 3) for step, us in steps.items()},
            digits=2,
        )
    ]


def bench_memory(ctx) -> list[dict]:
    """Memory that scales: `resplan plan` end to end on CSV catalogs of 13,400, 100,000 and
    1,000,000 programs (quick: not the last), each in a subprocess whose peak RSS a small
    wrapper reads with resource.getrusage. A catalog that large is a spreadsheet export,
    so the sizes are compared in CSV; each catalog is synthesized in a subprocess too."""
    sizes = (NATIONAL, 100_000) if ctx["quick"] else (NATIONAL, 100_000, 1_000_000)
    runs = 1 if ctx["quick"] else 2
    measured = {}
    for size in sizes:
        path = ctx["tmp"] / f"synthetic-{size}.csv"
        if not path.exists():
            log(f"memory: synthesizing {size:,} programs as CSV (a subprocess)")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "resplan",
                    "synth-catalog",
                    "--programs",
                    str(size),
                    "--seed",
                    str(ctx["seed"]),
                    "--out",
                    str(path),
                ],
                check=True,
                capture_output=True,
            )
        out = ctx["tmp"] / f"memory-plan-{size}.toml"
        argv = [
            sys.executable,
            "-m",
            "resplan",
            *(arg for name in ctx["disable"] for arg in ("--disable", name)),
            "plan",
            str(ctx["profile_path"]),
            "--catalog",
            str(path),
            "--out",
            str(out),
        ]
        log(f"memory: resplan plan on {size:,} programs, {runs} run(s) in a subprocess")
        # A million programs make a 270 MB CSV file, over the 64 MB input limit by default;
        # and the catalog is read afresh (no catalog cache), as a first run reads it.
        settings = {"RESPLAN_MAX_INPUT_MB": "1024", "RESPLAN_NO_CACHE": "1"}
        results = [run_wrapped(argv, env=settings) for _ in range(runs)]
        measured[size] = {
            "peak_mb": max(r["maxrss_kib"] for r in results) * 1024 / 1e6,
            "seconds": statistics.median(r["seconds"] for r in results),
            "plan_mb": out.stat().st_size / 1e6,
            "samples_s": [round(r["seconds"], 2) for r in results],
        }
    base = measured[NATIONAL]["peak_mb"]
    rows = [
        info(
            f"memory_{size}_mb",
            f"  peak memory, resplan plan on {size:,} programs (CSV)",
            m["peak_mb"],
            "MB",
            {**m, "seconds": round(m["seconds"], 2)},
        )
        for size, m in measured.items()
    ]
    rows.append(
        figure(
            "memory_100k_above_mb",
            "peak memory at 100,000 programs above the 13,400 case (CSV)",
            measured[100_000]["peak_mb"] - base,
            "MB",
            200,
            "<=",
            {"peak_mb": {k: round(v["peak_mb"], 1) for k, v in measured.items()}},
        )
    )
    if 1_000_000 in measured:
        m = measured[1_000_000]
        rows += [
            figure(
                "memory_1m_mb",
                "peak memory, resplan plan on 1,000,000 programs (CSV)",
                m["peak_mb"],
                "MB",
                1500,
                "<=",
                m,
            ),
            figure(
                "memory_1m_s",
                "resplan plan end to end on 1,000,000 programs (CSV)",
                m["seconds"],
                "s",
                20,
                "<=",
                m,
            ),
        ]
    return rows


# ------------------------------------------------------------------ report


def bench_report(ctx) -> list[dict]:
    """Reports as `resplan report` makes them: read the plan file, render, in process."""
    from resplan.report import render_report

    host, runs = ctx["host"], ctx["runs"]
    national = ctx["tmp"] / "report-national.toml"
    resplan.write_plan(resplan.plan(ctx["profile"], ctx["catalog"], host=host), national)
    example = ctx["tmp"] / "report-example.toml"
    catalogs = [host.read_catalog(path) for path in EXAMPLE_CATALOGS]
    resplan.write_plan(
        resplan.plan(ctx["profile"], resplan.merge_catalogs(catalogs), host=host), example
    )
    # One report first: the template compiles and the installed rulesets are found once per
    # process (the CLI pays that once; it is in the end-to-end row below).
    render_report(resplan.read_plan(example), "html")
    log(f"reports: {runs} runs of each format, national and example plans")
    medians, sizes, reads = {}, {}, {}
    for name, path in (("national", national), ("example", example)):
        for format in ("html", "md", "csv"):
            samples = timed(
                lambda path=path, format=format: render_report(resplan.read_plan(path), format),
                runs,
            )
            medians[name, format] = statistics.median(samples)
            sizes[name, format] = len(
                render_report(resplan.read_plan(path), format).encode("utf-8")
            )
        reads[name] = statistics.median(timed(lambda path=path: resplan.read_plan(path), runs))
    considered = len(resplan.read_plan(national).programs)
    out = ctx["tmp"] / "report-example.html"
    cli = [
        run_wrapped([sys.executable, "-m", "resplan", "report", str(example), "--out", str(out)])
        for _ in range(ctx["cli_runs"])
    ]
    details = {
        f"{name}_{format}_ms": round(seconds * 1000, 1)
        for (name, format), seconds in medians.items()
    }
    details.update({f"{name}_{format}_bytes": size for (name, format), size in sizes.items()})
    details.update({f"{name}_read_plan_ms": round(s * 1000, 1) for name, s in reads.items()})
    return [
        figure(
            "report_national_s",
            f"HTML report of the national plan ({NATIONAL:,} programs "
            f"in the catalog, {considered:,} in the plan): read the plan, render",
            medians["national", "html"],
            "s",
            1,
            "<=",
            details,
            digits=2,
        ),
        info(
            "report_national_read_s",
            "  of which: read the plan file",
            reads["national"],
            "s",
            digits=2,
        ),
        figure(
            "report_national_mb",
            "size of that HTML report",
            sizes["national", "html"] / 1e6,
            "MB",
            10,
            "<=",
            digits=1,
        ),
        info(
            "report_national_md_csv_s",
            "  Markdown / CSV of the national plan (CSV shown)",
            medians["national", "csv"],
            "s",
            digits=2,
        ),
        figure(
            "report_example_ms",
            "HTML report of the example plan: read the plan, render",
            medians["example", "html"] * 1000,
            "ms",
            200,
            "<=",
            digits=0,
        ),
        info(
            "report_example_cli_s",
            "  resplan report end to end (a new process)",
            statistics.median(r["seconds"] for r in cli),
            "s",
            digits=2,
        ),
    ]


def fmt(value, digits, unit):
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"
    return f"{text} {unit}".rstrip()


def _decimals(value) -> int:
    """The decimals a target is written with: 10, 1.5, 0.35."""
    return len(f"{float(value):g}".partition(".")[2])


def table(figures: list[dict]) -> str:
    rows = [("figure", "measured", "target", "met?")]
    for f in figures:
        target = (
            ""
            if f["target"] is None
            else f"{f['op'].replace('<=', '≤').replace('>=', '≥')} "
            f"{fmt(f['target'], _decimals(f['target']), f['unit'])}"
        )
        met = "" if f["met"] is None else ("yes" if f["met"] else "NO")
        rows.append((f["figure"], fmt(f["measured"], f["digits"], f["unit"]), target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, r in enumerate(rows):
        lines.append(
            " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w) if i < 3 else c
                for i, (c, w) in enumerate(zip(r, widths))
            ).rstrip()
        )
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict:
    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except Exception:
            return ""

    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    try:
        import rule_engine

        peer_version = rule_engine.__version__
    except ImportError:
        peer_version = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "resplan": resplan.__version__,
        "commit": commit,
        "rule_engine": peer_version,
    }


def profile_plan(ctx, top: int = 30) -> str:
    """cProfile of plan computation on the national catalog: top functions, both orders."""
    host, catalog, profile = ctx["host"], ctx["catalog"], ctx["profile"]
    resplan.plan(profile, catalog, host=host)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        resplan.plan(profile, catalog, host=host)
    profiler.disable()
    RESULTS.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(RESULTS / "plan.prof")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(
        f"cProfile of 3 plans, {len(catalog):,} programs (saved to "
        f"{(RESULTS / 'plan.prof').relative_to(ROOT)})\n"
    )
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: fewer repetitions, 100 profiles, sizes up to 10,000",
    )
    parser.add_argument(
        "--only",
        default=",".join(FIGURES),
        help=f"comma-separated figures to run (of {', '.join(FIGURES)})",
    )
    parser.add_argument("--runs", type=int, help="timed repetitions (default 7, quick 3)")
    parser.add_argument(
        "--batch-profiles", type=int, help="profiles in the batch (default 1000, quick 100)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="batch worker processes (default 2)")
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the synthetic catalog and cohort"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile of plan computation (saved to results/plan.prof)",
    )
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "latest.json", help="where to write JSON"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args(argv)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = sorted(set(only) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")

    quick = args.quick
    runs = args.runs or (3 if quick else 7)
    compile_bytecode()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="resplan-bench-") as tmp:
        tmp = Path(tmp)
        # The catalog cache of this run only (never the user's): figures read by this
        # process and the ones it starts begin from an empty cache.
        os.environ["RESPLAN_CACHE_DIR"] = str(tmp / "cache")
        log(f"synthetic catalog: {NATIONAL:,} programs, seed {args.seed}")
        catalog_path = write_catalog(NATIONAL, args.seed, tmp)
        disable = other_plugins()
        if disable:
            log(f"built-in rulesets only: disabling {', '.join(disable)}")
        host = resplan.load_host(disable=disable, use_env=False)
        ctx = {
            "quick": quick,
            "runs": runs,
            "seed": args.seed,
            "tmp": tmp,
            "jobs": args.jobs,
            "cli_runs": 1 if quick else 3,
            "import_runs": 3 if quick else 9,
            "cache_runs": 3 if quick else 9,
            "batch_profiles": args.batch_profiles or (100 if quick else 1000),
            "agreement_cohort": 0 if quick else 20,
            "reference_cohort": 20 if quick else 200,
            # Profiles planned once each for the stages of a first plan (bench_plan), drawn
            # after the ones the screening reference takes: no profile is timed twice.
            "first_plan_cohort": 20 if quick else 100,
            "sizes": (1_000, 3_000, 10_000) if quick else (1_000, 3_000, 10_000, 30_000, 100_000),
            "host": host,
            "catalog_path": catalog_path,
            "national_programs": NATIONAL,
            "disable": disable,
            "catalog": resplan.load_catalog(catalog_path, host=host),
            "profile_path": PROFILE,
            "profile": resplan.load_profile(PROFILE),
        }
        needs_cohort = max(
            ctx["batch_profiles"] if {"batch", "cohort"} & set(only) else 0,
            max(ctx["agreement_cohort"], ctx["reference_cohort"]) if "screen" in only else 0,
            ctx["reference_cohort"] + ctx["first_plan_cohort"] if "plan" in only else 0,
        )
        ctx["cohort"] = make_cohort(needs_cohort, tmp / "cohort", args.seed) if needs_cohort else []
        figures: list[dict] = []
        benches = {
            "plan": bench_plan,
            "what_if": bench_what_if,
            "screen": bench_screen,
            "cli": bench_cli,
            "import": bench_import,
            "batch": bench_batch,
            "scaling": bench_scaling,
            "cohort": lambda ctx: bench_cohort(ctx, figure, info, log, run_wrapped),
            "report": bench_report,
            "memory": bench_memory,
        }
        for name in FIGURES:
            if name in only:
                figures += benches[name](ctx)
                if name == "plan":
                    ctx["plan_median_s"] = figures[-1]["measured"] / 1000
        profile_text = profile_plan(ctx) if args.profile else ""

    elapsed = time.perf_counter() - started
    report = {
        "schema": 1,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "seconds": round(elapsed, 1),
        "machine": machine(),
        "disabled_plugins": list(ctx["disable"]),
        "figures": figures,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    m = report["machine"]
    print(
        f"resplan {m['resplan']} ({m['commit'] or 'no git'}), Python {m['python']}, "
        f"{m['cpu_count']} CPUs, {'quick' if quick else 'full'} run in {elapsed:.0f} s"
    )
    print(table(figures))
    print(f"\nJSON: {args.json}")
    if profile_text:
        print("\n" + profile_text)
    unmet = [f for f in figures if f["met"] is False]
    return 1 if args.strict and unmet else 0


if __name__ == "__main__":
    sys.exit(main())
