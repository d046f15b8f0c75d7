"""Invoke tasks: thin wrappers over resplan's command line (``resplan.cli.main``).

invoke plan                     # the example profile and catalog -> plans/example.toml and .html
invoke plan --profile P --out O
invoke plan --as-of 2026-11-30   # plan from a given date (default: today)
invoke plan --with-synthetic     # also the synthetic national sample (not real programs)
invoke test
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).parent

EXAMPLE_PROFILE = "examples/profiles/example.toml"
# The real border programs: advice is made from real programs unless asked otherwise.
EXAMPLE_CATALOGS = ("examples/catalog/border-programs.toml",)
# A generated national sample (not real programs) that --with-synthetic adds, so that
# tiers 2 and 3 (programs away from the border) have something in them to show. Its
# programs are marked synthetic in the plan and every report.
SYNTHETIC_CATALOG = "examples/catalog/synthetic-national-sample.toml"
SYNTHETIC_SAMPLE = {"programs": 600, "seed": 2027}


def catalogs(given, with_synthetic: bool) -> list[str]:
    """The catalogs a task plans with: those given (default: the real border programs),
    and the synthetic sample only when asked for."""
    chosen = list(given or EXAMPLE_CATALOGS)
    if with_synthetic and SYNTHETIC_CATALOG not in chosen:
        chosen.append(SYNTHETIC_CATALOG)
    return chosen


def _resplan(*argv: str) -> None:
    from resplan.cli import main

    code = main(list(argv))
    if code:
        raise Exit(code=code)


@task(
    help={
        "profile": "applicant profile (TOML)",
        "catalog": "catalog file (repeatable)",
        "out": "where to write the plan",
        "report": "where to write its HTML report (default: the plan's name with .html)",
        "as_of": "the date to plan from, YYYY-MM-DD (default: today)",
        "with_synthetic": "add the synthetic national sample (not real programs)",
    },
    iterable=["catalog"],
)
def plan(
    c,
    profile=EXAMPLE_PROFILE,
    catalog=None,
    out="plans/example.toml",
    report="",
    as_of=None,
    with_synthetic=False,
):
    """Write a plan and its HTML report (defaults: the example profile, the real border programs)."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    argv = [
        "plan",
        profile,
        "--out",
        out,
        "--report",
        report or str(Path(out).with_suffix(".html")),
    ]
    for path in catalogs(catalog, with_synthetic):
        argv += ["--catalog", path]
    if as_of:
        argv += ["--as-of", as_of]
    _resplan(*argv)


# The README's screenshot: the example plan on a fixed date, so that it only changes when
# the report or the plan does.
SCREENSHOT_AS_OF = "2026-04-20"


@task(help={"out": "the PNG to write", "as_of": "the plan's date, YYYY-MM-DD"})
def screenshot(c, out="docs/report-first-screen.png", as_of=SCREENSHOT_AS_OF):
    """Write the example plan's HTML report and a PNG of its first screen (headless chromium)."""
    import shutil
    import tempfile

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise Exit("no chromium: apt-get install chromium", code=2)
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "example.html"
        plan(c, out=str(Path(folder) / "example.toml"), report=str(html), as_of=as_of)
        c.run(
            f"{chromium} --headless=new --no-sandbox --disable-gpu --hide-scrollbars "
            f"--force-device-scale-factor=1 --window-size=1280,900 "
            f"--screenshot={Path(out).resolve()} {html.as_uri()}",
            hide=True,
        )
    print(f"wrote {out}")


@task
def plugins(c):
    """List the installed plugins and their rulesets."""
    _resplan("plugins")


@task(help={"args": "extra arguments for pytest"})
def test(c, args=""):
    """Run the test suite."""
    c.run(f"{sys.executable} -m pytest {args}", pty=False)


@task
def docs(c):
    """Regenerate docs/rules.md, docs/facts.md and docs/profile.md from the installed rulesets."""
    _resplan("docs", "--out", "docs")


@task(help={"programs": "how many programs", "seed": "random seed", "out": ".toml or .csv"})
def synth(c, programs=13400, seed=1, out="plans/national.toml"):
    """Write a synthetic national catalog."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    _resplan("synth-catalog", "--programs", str(programs), "--seed", str(seed), "--out", out)


@task(help={"path": "catalog file"})
def check_catalog(c, path="examples/catalog/border-programs.toml"):
    """Report every problem in a catalog."""
    _resplan("check-catalog", path)


@task(
    help={
        "quick": "smoke run: fewer repetitions, 100 profiles, smaller sizes",
        "args": "more arguments for benchmarks/run.py (e.g. '--profile --only plan')",
    }
)
def bench(c, quick=False, args=""):
    """Run the benchmarks: a table of figures and targets, JSON in benchmarks/results/."""
    import importlib.util

    if importlib.util.find_spec("rule_engine") is None:  # the screening peer
        c.run(f"{sys.executable} -m pip install -r {ROOT / 'benchmarks' / 'requirements.txt'}")
    quick_flag = " --quick" if quick else ""
    c.run(
        f"{sys.executable} {ROOT / 'benchmarks' / 'run.py'}{quick_flag} {args}".rstrip(), pty=False
    )


@task(
    help={
        "profile": "applicant profile (repeatable; default: examples/profiles/*.toml)",
        "catalog": "catalog file (repeatable)",
        "out_dir": "where the plans go",
        "jobs": "worker processes (default: every core)",
        "as_of": "the date to plan from, YYYY-MM-DD (default: today)",
        "with_synthetic": "add the synthetic national sample (not real programs)",
    },
    iterable=["profile", "catalog"],
)
def batch(
    c, profile=None, catalog=None, out_dir="plans/batch", jobs=0, as_of=None, with_synthetic=False
):
    """Write one plan per profile and a summary.csv (defaults: the example profiles)."""
    profiles = profile or sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "examples" / "profiles").glob("*.toml")
    )
    argv = ["batch", *profiles, "--out-dir", out_dir]
    for path in catalogs(catalog, with_synthetic):
        argv += ["--catalog", path]
    if jobs:
        argv += ["--jobs", str(jobs)]
    if as_of:
        argv += ["--as-of", as_of]
    _resplan(*argv)


@task(help={"properties": "examples per consistency property (0: static checks only)"})
def check_rules(c, properties=0):
    """Check the installed rulesets (and, with --properties N, their consistency)."""
    _resplan("check", "--properties", str(properties))
