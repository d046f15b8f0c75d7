from __future__ import annotations

import atexit
import datetime
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import resplan
from resplan.convert import structure
from resplan.model import Catalog, Profile, Program

# Speed is measured in benchmarks/, never asserted in tests: hypothesis' per-example
# deadline and its "generation is slow" check are timing assertions that fail on a busy
# machine, so the suite turns them off.
# The examples are derived from each test's name, not drawn anew per run: the suite runs
# three times in CI, and a rare counterexample found by chance would fail one run and not
# the next. To look for new ones, run with ``--hypothesis-profile=resplan-explore`` (or
# ``resplan check --properties N`` with more examples).
settings.register_profile(
    "resplan-tests",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile(
    "resplan-explore", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("resplan-tests")

# Some tests press Ctrl-C on a resplan process, as a terminal would. A shell that starts
# pytest in the background without job control ignores SIGINT, and every process pytest
# starts would inherit that and never see the key. A handler (unlike "ignore") is reset to
# the default in a new program, so restoring Python's own handler here gives the
# processes the tests start what a terminal gives them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).parent / "data"

# The suite never writes to the user's cache folder: this process and every process a
# test starts keep catalogs (resplan.cache) in a temporary folder, removed at the end.
TEST_CACHE = tempfile.mkdtemp(prefix="resplan-test-cache-")
os.environ["RESPLAN_CACHE_DIR"] = TEST_CACHE
atexit.register(shutil.rmtree, TEST_CACHE, ignore_errors=True)

# Every plan is made on a date; tests pin one so that they give the same plans whatever
# day they run. January 2026 is before ERAS opens for the 2027 Match most tests use.
AS_OF = datetime.date(2026, 1, 15)


@pytest.fixture(autouse=True, scope="session")
def pinned_today():
    """``as_of`` defaults to today: in tests, today is :data:`AS_OF` (from the first
    fixture on, module-scoped ones included)."""
    import resplan.dates

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(resplan.dates, "today", lambda: AS_OF)
        yield AS_OF


@pytest.fixture(scope="session")
def host():
    """The installed plugins, loaded once for the whole session."""
    return resplan.load_host(use_env=False)


@pytest.fixture(scope="session")
def example_profile():
    return resplan.load_profile(EXAMPLES / "profiles" / "example.toml")


@pytest.fixture(scope="session")
def border_catalog(host):
    return host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")


def make_profile(**sections) -> Profile:
    """A profile from plain data; ``applicant`` defaults to a 2021 graduate applying for 2027."""
    applicant = {
        "graduation_year": 2021,
        "cycle": 2027,
        "visa": "none",
        **sections.pop("applicant", {}),
    }
    return structure({"applicant": applicant, **sections}, Profile, file="test")


STEP1 = {"result": "pass", "attempts": 1}


def plan_of(host, catalog, *, as_of="2026-04-20", applicant=None, **sections):
    """The plan of a profile from plain data (as :func:`make_profile`): by default a 2023
    graduate applying for the first time with a Step 1 pass and a Step 2 CK of 223 at the
    first attempt, planned on 20 April 2026 (the advisor reviews' profiles start so)."""
    applicant = {"graduation_year": 2023, "previous_cycles": 0, **(applicant or {})}
    sections.setdefault("exams", {"step1": STEP1, "step2ck": {"score": 223, "attempts": 1}})
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def make_program(**facts) -> Program:
    base = {
        "id": "p",
        "name": "Test Program",
        "specialty": "Internal Medicine",
        "city": "El Paso",
        "state": "TX",
    }
    return structure({**base, **facts}, Program, file="test")


def make_catalog(*programs: dict) -> Catalog:
    return Catalog([make_program(**facts) for facts in programs])


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """A cache folder of the test's own, with the cache on and its size limit the default."""
    from resplan import cache

    path = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(path))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    monkeypatch.delenv(cache.MAX_CACHE_MB_ENV, raising=False)
    return path
