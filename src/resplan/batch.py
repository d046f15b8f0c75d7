"""Plans for a whole cohort: one plan per profile, a summary table, every core.

    result = run_batch(["a.toml", "b.toml"], ["catalog.toml"], "plans/", jobs=2)
    result.rows     # one PlanRow per profile, sorted by profile path
    result.errors   # (profile, message) for each profile that could not be read

Each plan is written to ``out_dir/<profile stem>.toml`` with :func:`resplan.write_plan`,
byte for byte what ``resplan plan PROFILE --catalog ... --out ... --as-of DATE`` writes for
that profile (every plan of a batch is made on the same date, today unless given), and ``out_dir/summary.csv`` lists every applicant. A profile that is bad input
(:class:`resplan.InputError`) is reported and skipped; the others' plans are written all
the same. Everything the caller sees comes in the order of the profile paths, whatever
order the worker processes finish in.

With more than one job the profiles are planned in a :class:`ProcessPoolExecutor`. This
process loads the host and the catalog once, before the workers start: on Linux they are
forked with both loaded, elsewhere each worker reads the catalog from the cache this
process filled. Each worker writes the plans it makes under a temporary name beside their
place and sends back only a summary row (and, for a database, the plan's compact record,
:class:`resplan.cohort.PlanRecord`); this process puts a plan in place when it records its
row, so that after a stop (Ctrl-C) the folder holds exactly the plans ``summary.csv`` lists;
without plan files the profiles travel in chunks (smaller towards the end), so that few,
large messages go both ways. Any other
:class:`concurrent.futures.Executor` can plan instead (``executor=``: a Dask cluster's,
see :mod:`resplan.cluster`); its workers load the host and catalog on their first task.

``db="cohort.sqlite"`` also writes the whole cohort into one SQLite database
(:mod:`resplan.cohort`), from this process while the workers plan; ``plans=False`` writes
no plan files. The database holds the plans in the order of the profile paths, whatever
order they finish in, so it is the same for every run of the same inputs.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import dataclasses
import datetime as dt
import gc
import io
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import resplan
from resplan.dates import as_of_or_today, check_profile_cycle
from resplan.errors import InputError, PluginError, Problem, ResplanError, describe_exception
from resplan.writer import (
    commit_staged,
    refuse_overwriting_inputs,
    staged_path,
    write_staged,
    write_text_atomic,
)

if TYPE_CHECKING:
    from resplan.cohort import CohortWriter

__all__ = [
    "PlanRow",
    "BatchResult",
    "BatchInterrupted",
    "run_batch",
    "progress_bar",
    "summary_csv",
    "SUMMARY_FILE",
    "SUMMARY_COLUMNS",
]

SUMMARY_FILE = "summary.csv"
# The files SQLite keeps beside a database (resplan.cohort.CohortWriter removes them first).
SIDE_FILES = (("-wal", "write-ahead log"), ("-shm", "shared-memory file"), ("-journal", "journal"))
SUMMARY_COLUMNS = (
    "profile",
    "plan",
    "considered",
    "apply",
    "borderline",
    "skip",
    "tier1",
    "tier2",
    "tier3",
    "to_verify",
    "applications",
    "error",
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PlanRow:
    """One applicant of the batch: the summary of their plan, or why there is none."""

    profile: str  # the profile path, as given
    plan: str | None = None  # the plan's file name in out_dir; None when not written
    considered: int | None = None
    apply: int | None = None
    borderline: int | None = None
    skip: int | None = None
    tier1: int | None = None
    tier2: int | None = None
    tier3: int | None = None
    to_verify: int | None = None
    applications: int | None = None  # applications to send from the catalog (summary.applications)
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    # Why there is no plan: "input" (a bad profile), "plugin" (a plugin failed on it) or
    # "error" (anything else); "" when it was planned.
    failure: str = field(default="", compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def error(self) -> str:
        """The profile's problems on one line ('' when it was planned)."""
        return "; ".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class BatchResult:
    rows: tuple[PlanRow, ...]  # sorted by profile path
    out_dir: Path | None
    summary: Path | None  # out_dir / summary.csv; None without out_dir
    db: Path | None = None  # the cohort database, when one was asked for
    # Programs that look listed in two of the catalogs (resplan.audit.Lookalike): every
    # plan counts them twice.
    lookalikes: tuple = ()

    @property
    def planned(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.ok)

    @property
    def errors(self) -> tuple[tuple[str, str], ...]:
        """(profile, message) for every profile that was skipped as bad input."""
        return tuple((r.profile, r.error) for r in self.rows if not r.ok)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of every bad profile, in profile order (for one line each)."""
        return tuple(p for r in self.rows for p in r.problems)

    @property
    def failures(self) -> frozenset[str]:
        """The kinds of failure among the rows ("input", "plugin", "error")."""
        return frozenset(r.failure for r in self.rows if r.failure)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped the batch; ``result`` holds the profiles done before it,
    and its ``summary.csv`` (and database) were written for them."""

    def __init__(self, result: BatchResult, total: int):
        super().__init__(f"interrupted after {len(result.rows)} of {total} profiles")
        self.result, self.total = result, total


@dataclass(frozen=True)
class _Setup:
    """What a worker needs besides the profile: small, so that it travels with each task."""

    catalogs: tuple[str, ...]
    disable: tuple[str, ...]
    report: str | None = None
    plans: bool = True  # write each plan's file
    records: bool = False  # send back each plan's compact record (for the database)
    facts: Any = None  # resplan.verified.VerifiedFacts laid over the catalog, or None
    owner: int = 0  # the batch's process, which puts the plans written in place
    as_of_option: str = ""  # the option as_of was given with ("--as-of"), for messages


# ------------------------------------------------------------------ one profile


def _plan_one(
    host,
    catalog,
    profile_path: str,
    out_path: Path | None,
    as_of: dt.date,
    report: str | None = None,
    records: bool = False,
    facts=None,
    owner: int = 0,
    as_of_option: str = "",
) -> tuple:
    """Read one profile, plan it on ``as_of`` with the verified ``facts``, write its plan
    (unless ``out_path`` is None) and its report in the format ``report`` under their
    staged names for the batch's process ``owner``; bad input becomes a row with problems.
    Returns the row, with ``records`` the plan's :class:`resplan.cohort.PlanRecord`, and
    the (staged, final) paths of the files written, for ``owner`` to put in place."""
    record = None
    staged: list[tuple[str, str]] = []
    try:
        profile = resplan.load_profile(profile_path)
        check_profile_cycle(profile, as_of, host.rulebook, profile_path, as_of_option=as_of_option)
        if records and out_path is None:
            # Only the database's record is made of it: the plan without its words.
            from resplan.cohort import cohort_plan

            plan = cohort_plan(profile, catalog, host, as_of=as_of, facts=facts)
        else:
            plan = resplan.plan(profile, catalog, host=host, as_of=as_of, facts=facts)
        if out_path is not None:
            staged.append(
                (str(write_staged(out_path, resplan.dumps_plan(plan), owner)), str(out_path))
            )
            if report:
                from resplan.report import render_report
                from resplan.report.labels import installed_ruleset_texts, load_labels

                report_path = out_path.with_suffix(f".{report}")
                text = render_report(
                    plan, report, labels=load_labels(plan, installed_ruleset_texts(host.pm))
                )
                staged.append((str(write_staged(report_path, text, owner)), str(report_path)))
        if records:
            from resplan.cohort import plan_record

            record = plan_record(plan, catalog)
    except InputError as exc:
        _discard(staged)
        row = PlanRow(profile=profile_path, problems=tuple(exc.problems), failure="input")
        return row, None, ()
    except PluginError as exc:
        _discard(staged)
        hint = f" (leave it out with --disable {exc.plugin})" if exc.plugin else ""
        return (
            PlanRow(
                profile=profile_path,
                problems=(Problem(profile_path, f"{exc}{hint}"),),
                failure="plugin",
            ),
            None,
            (),
        )
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - one profile must not end the batch
        _discard(staged)
        # ResplanError (a plan that cannot be written) or a bug: this profile's row says so.
        message = (
            str(exc)
            if isinstance(exc, ResplanError)
            else f"planning failed: {describe_exception(exc)}"
        )
        return (
            PlanRow(
                profile=profile_path, problems=(Problem(profile_path, message),), failure="error"
            ),
            None,
            (),
        )
    except BaseException:
        _discard(staged)
        raise
    s = plan.summary
    return (
        PlanRow(
            profile=profile_path,
            plan=out_path.name if out_path is not None else None,
            considered=s.programs_considered,
            apply=s.apply,
            borderline=s.borderline,
            skip=s.skip,
            tier1=s.tier1,
            tier2=s.tier2,
            tier3=s.tier3,
            to_verify=s.to_verify,
            applications=s.applications,
        ),
        record,
        tuple(staged),
    )


def _discard(staged: Iterable[tuple[str, str]]) -> None:
    for temporary, _final in staged:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _load(catalog_paths: Sequence[str], disable: Sequence[str], facts=None):
    """The host and the (merged) catalog, as ``resplan plan`` builds them.

    With verified ``facts``, they are laid over the catalog once here, so that an id in no
    catalog stops the batch before anything is planned rather than failing every profile.
    """
    host = resplan.load_host(disable=disable)
    catalogs = [host.read_catalog(Path(path)) for path in catalog_paths]
    catalog = catalogs[0] if len(catalogs) == 1 else resplan.merge_catalogs(catalogs, catalog_paths)
    if facts is not None and len(facts):
        from resplan.verified import applied_to

        applied_to(catalog, facts)
    return host, catalog


def _load_checked(
    catalog_paths: Sequence[str],
    disable: Sequence[str],
    facts,
    facts_paths: Sequence[str],
    as_of: dt.date,
) -> tuple:
    """:func:`_load` in the batch's own process, and the facts files read: the host, the
    catalog and the facts, or an InputError with every problem of the catalogs and the
    facts files at once (the facts' ids checked against the catalog when it reads), as
    ``resplan plan --facts`` tells them. Also the programs that look listed in two of
    the catalogs."""
    host = resplan.load_host(disable=disable)
    problems: list[Problem] = []
    catalogs = []
    for path in catalog_paths:
        try:
            catalogs.append(host.read_catalog(Path(path)))
        except InputError as exc:
            problems.extend(exc.problems)
    catalog = None
    if not problems:
        try:
            catalog = (
                catalogs[0]
                if len(catalogs) == 1
                else resplan.merge_catalogs(catalogs, catalog_paths)
            )
        except InputError as exc:
            problems.extend(exc.problems)
    from resplan.verified import applied_to, load_facts

    try:
        if facts_paths:
            facts = load_facts(facts_paths, as_of=as_of, catalog=catalog)
        elif facts is not None and len(facts) and catalog is not None:
            applied_to(catalog, facts)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return host, catalog, facts, _lookalikes(catalog_paths, catalogs)


def _lookalikes(catalog_paths: Sequence[str], catalogs: list) -> tuple:
    from resplan.audit import across

    return across(list(zip(map(str, catalog_paths), catalogs)))


def _lookalikes_task(setup: _Setup) -> tuple:
    """The look-alike programs of the setup's catalogs, on an executor's worker (whose
    catalog cache makes the second reading of each file quick)."""
    host, _catalog = _ready(_executor_state(setup))
    return _lookalikes(setup.catalogs, [host.read_catalog(Path(p)) for p in setup.catalogs])


def _batch_info(host, catalog, setup: _Setup, as_of: dt.date, profiles: int) -> dict[str, str]:
    """What the database records of the run (its ``batch`` table): no clock time, so that
    the same inputs give the same database."""
    from resplan.pipeline import catalog_digest

    return {
        "as_of": as_of.isoformat(),
        "resplan_version": resplan.__version__,
        "catalogs": "\n".join(setup.catalogs),
        "catalog_sha256": catalog_digest(catalog),
        "programs": str(len(catalog)),
        "profiles": str(profiles),
        "rulesets": "\n".join(f"{r.name} {r.version} {r.sha256}" for r in host.rulebook.rulesets),
    }


# ------------------------------------------------------------------ worker processes

_WORKER: dict = {}
# The host and catalog this process loaded for its pool, which forked workers inherit.
_INHERITED: dict = {}
# The host and catalog loaded by the tasks of an executor given to run_batch (a Dask
# worker's threads share them): one load per process and setup.
_LOADED: dict = {}
_LOADING = threading.Lock()


def _loaded(catalogs: tuple[str, ...], disable: tuple[str, ...], facts=None) -> dict:
    """The host and catalog, or why they could not be loaded, as plain data to re-raise."""
    state: dict = {"facts": facts}
    try:
        state["host"], state["catalog"] = _load(catalogs, disable, facts)
    except InputError as exc:
        # An InputError does not survive pickling whole: keep its problems as plain data
        # and report them with every task, so that the parent can raise them as they are.
        state["problems"] = tuple(exc.problems)
    except ResplanError as exc:  # e.g. PluginError: two plugins supplying one ruleset
        # Raised from the initializer it would only break the pool; raise it from the tasks.
        state["error"] = exc
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the same, for anything else
        state["error"] = ResplanError(f"loading the catalog failed: {describe_exception(exc)}")
    return state


def _ready(state: dict) -> tuple:
    if "problems" in state:
        raise _SetupFailed(tuple(map(_problem_data, state["problems"])))
    if "error" in state:
        raise state["error"]
    return state["host"], state["catalog"]


def _init_worker(
    catalog_paths: tuple[str, ...],
    disable: tuple[str, ...],
    report: str | None = None,
    parent: int | None = None,
    facts=None,
    as_of_option: str = "",
) -> None:
    _WORKER.clear()
    _WORKER["report"] = report
    _WORKER["as_of_option"] = as_of_option
    _WORKER["parent"] = parent
    _WORKER["busy"] = False
    _WORKER["staged"] = collections.deque(maxlen=STAGED_KEPT)
    _end_with_parent()
    if _INHERITED:  # forked from the batch's process, which loaded them
        _WORKER.update(facts=facts, host=_INHERITED["host"], catalog=_INHERITED["catalog"])
        _INHERITED.clear()
    else:
        _WORKER.update(_loaded(catalog_paths, disable, facts))
    # The host and catalog live as long as the worker and hold no reference cycles: out of
    # the cyclic collector's sight, its passes do not walk them (nor, in a forked worker,
    # copy the pages they share with the parent). A plan makes many objects and few
    # cycles: collecting less often saves about a twentieth of a plan.
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


_HELD = {"held": False}


@contextlib.contextmanager
def _sigint_held():
    held = hasattr(signal, "pthread_sigmask")
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    _HELD["held"] = held
    try:
        yield
    finally:
        _release_sigint()


def _release_sigint() -> None:
    if _HELD["held"]:
        _HELD["held"] = False
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _end_with_parent() -> None:
    """Signals in a worker: Ctrl-C is the parent's to handle (it stops the workers), and
    SIGTERM ends the worker, through the code that removes a half-written plan's
    temporary file when it is planning. On Linux the kernel sends SIGTERM when the
    parent dies, so that workers never outlive the batch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by the parent

    def terminate(_signum, _frame):
        if _WORKER.get("busy"):
            raise KeyboardInterrupt
        _exit_worker(0)

    signal.signal(signal.SIGTERM, terminate)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass  # the parent-pid test in each task still ends an orphan
    parent = _WORKER.get("parent")
    if parent is not None and os.getppid() != parent:
        os._exit(0)  # the parent died before the kernel was asked to tell us


# How many of its last staged files a worker remembers, to remove them if the batch's
# process dies before it puts them in place (results it had not read yet). A later run
# removes any others, once it sees their process is gone.
STAGED_KEPT = 1024


def _exit_worker(status: int) -> None:
    """End this worker at once; when the batch's process is gone, nobody will put this
    worker's staged plans in place, so they go first."""
    parent = _WORKER.get("parent")
    if parent is not None and os.getppid() != parent:
        _discard((temporary, "") for temporary in _WORKER.get("staged", ()))
    os._exit(status)


class _SetupFailed(Exception):
    """The catalog (or a ruleset) could not be loaded in a worker; carries the problems."""

    def __init__(self, problems: tuple[tuple, ...]):
        super().__init__(problems)
        self.problems = problems


def _problem_data(p: Problem) -> tuple:
    return (p.file, p.message, p.field, p.line, p.subject)


def _row_data(row: PlanRow, record, staged: tuple = ()) -> tuple:
    # Problems travel as tuples: attrs classes pickle, but keep the payload plain and small.
    return (
        (
            row.profile,
            row.plan,
            row.considered,
            row.apply,
            row.borderline,
            row.skip,
            row.tier1,
            row.tier2,
            row.tier3,
            row.to_verify,
            row.applications,
            tuple(map(_problem_data, row.problems)),
            row.failure,
        ),
        record,
        staged,
    )


def _worker_chunk(items: tuple[tuple[str, str | None], ...], as_of: dt.date, records: bool) -> list:
    """Several profiles (path, plan file) in one task: one message each way for all."""
    return [_worker_task(path, out_path, as_of, records) for path, out_path in items]


def _worker_task(
    profile_path: str, out_path: str | None, as_of: dt.date, records: bool = False
) -> tuple:
    """A task of the batch's own process pool (set up by :func:`_init_worker`)."""
    parent = _WORKER.get("parent")
    if parent is not None and os.getppid() != parent:
        _exit_worker(0)  # orphaned: nobody is waiting for this plan
    host, catalog = _ready(_WORKER)
    _WORKER["busy"] = True
    try:
        row, record, staged = _plan_one(
            host,
            catalog,
            profile_path,
            Path(out_path) if out_path is not None else None,
            as_of,
            _WORKER["report"],
            records,
            _WORKER["facts"],
            parent or os.getpid(),
            _WORKER["as_of_option"],
        )
    except KeyboardInterrupt:
        # SIGTERM while planning: from the batch, which is stopping at once (or, on Linux,
        # from its death). _plan_one removed what it wrote; this worker takes no further task.
        _exit_worker(1)
    finally:
        _WORKER["busy"] = False
    _WORKER["staged"].extend(temporary for temporary, _final in staged)
    return _row_data(row, record, staged)


def _executor_state(setup: _Setup) -> dict:
    """The host and catalog of this setup, loaded once in this process. A worker that
    lives on (a Dask worker) keeps only the last one, and loads again when a catalog file
    has changed since."""
    files: list[tuple[int, int, int] | None] = []
    for path in setup.catalogs:
        try:
            info = os.stat(path)
            files.append((info.st_ino, info.st_size, info.st_mtime_ns))
        except OSError:
            files.append(None)  # _load says what is wrong with it
    key = (setup.catalogs, setup.disable, setup.facts, tuple(files))
    with _LOADING:
        if _LOADED.get("key") != key:
            _LOADED.clear()
            _LOADED.update(key=key, state=_loaded(setup.catalogs, setup.disable, setup.facts))
        return _LOADED["state"]


def _executor_task(setup: _Setup, profile_path: str, out_path: str | None, as_of: dt.date) -> list:
    """A task for any executor (a Dask worker's): loads the host and catalog once. Its
    result is a list of one, as a chunk of the batch's own pool is."""
    host, catalog = _ready(_executor_state(setup))
    row, record, staged = _plan_one(
        host,
        catalog,
        profile_path,
        Path(out_path) if out_path is not None else None,
        as_of,
        setup.report,
        setup.records,
        setup.facts,
        setup.owner,
        setup.as_of_option,
    )
    return [_row_data(row, record, staged)]


def _programs_task(setup: _Setup, as_of: dt.date, profiles: int) -> tuple:
    """The catalog's programs table and the run's description, for the database."""
    from resplan.cohort import catalog_programs

    host, catalog = _ready(_executor_state(setup))
    return catalog_programs(catalog), _batch_info(host, catalog, setup, as_of, profiles)


def _row_from_data(data: tuple) -> tuple:
    """The row, the record and the staged files of a result :func:`_row_data` packed."""
    (*values, problems, failure), record, staged = data
    fields = dict(zip(_ROW_FIELDS, values))
    row = PlanRow(**fields, problems=tuple(Problem(*p) for p in problems), failure=failure)
    return row, record, staged


# A result carries a row's figures in the summary's column order; the error is packed apart.
_ROW_FIELDS = SUMMARY_COLUMNS[: SUMMARY_COLUMNS.index("error")]


# ------------------------------------------------------------------ the batch


class _Collector:
    """Takes the results as they come, in any order; hands them to the database writer
    in the order of the profile paths."""

    def __init__(self, paths: list[str], progress: Progress | None, db: Path | None):
        self.paths, self.progress, self.db = paths, progress, db
        self.index = {path: n for n, path in enumerate(paths)}
        self.rows: dict[str, PlanRow] = {}
        self.waiting: dict[int, tuple] = {}
        self.next = 0
        self.writer: CohortWriter | None = None
        # The staged files being put in place, until they are: a stop in between finishes
        # the renames (see settle_staged), since the row is already recorded.
        self.committing: tuple[tuple[str, str], ...] = ()

    def open(self, programs, info) -> None:
        if self.db is not None:
            from resplan.cohort import CohortWriter

            self.writer = CohortWriter(self.db, programs, info)

    def add(self, path: str, row: PlanRow, record=None, staged: tuple = ()) -> None:
        """Record ``path``'s row and put its staged files in place: its row first, so that
        after a stop every file in place has its row (see :meth:`settle_staged`)."""
        self.rows[path] = row
        if staged:
            self.committing = staged
            try:
                for temporary, final in staged:
                    commit_staged(temporary, final)
            except ResplanError as exc:
                _discard(staged)
                row = PlanRow(profile=path, problems=(Problem(path, str(exc)),), failure="error")
                self.rows[path] = row
                record = None
            self.committing = ()
        if self.db is not None:
            self.waiting[self.index[path]] = (row, record)
            self._drain()
        if self.progress:
            self.progress(len(self.rows), len(self.paths))

    def _drain(self, gaps: bool = False) -> None:
        if self.writer is None:
            return
        while self.waiting and (gaps or self.next in self.waiting):
            if self.next in self.waiting:
                row, record = self.waiting.pop(self.next)
                self.writer.add(self.next + 1, row, record)
            self.next += 1

    def settle_staged(self, targets: dict, report: str | None, owner: int) -> None:
        """After a stop: finish putting in place the files of the last row recorded, and
        remove the staged files of every profile without a row (planned, but its result
        never came back): the folder then holds exactly the plans of the rows."""
        for temporary, final in self.committing:
            if os.path.exists(temporary):
                with contextlib.suppress(ResplanError):
                    commit_staged(temporary, final)
        self.committing = ()
        for path, target in targets.items():
            row = self.rows.get(path)
            if target is None or (row is not None and row.plan is not None):
                continue
            files = [target] + ([target.with_suffix(f".{report}")] if report else [])
            _discard((str(staged_path(f, owner)), str(f)) for f in files)

    def close(self, state: str) -> None:
        """Write what waits (after a stop, the plans finished past a missing one too)."""
        if self.writer is not None:
            self._drain(gaps=True)
            self.writer.close(state)
            self.writer = None

    def abandon(self) -> None:
        if self.writer is not None:
            self.writer.abandon()
            self.writer = None


def _check_stems(paths: list[str], out_dir: Path) -> None:
    """Two profiles with the same file name would write the same plan: refuse up front."""
    first: dict[str, str] = {}
    problems = []
    for path in paths:
        stem = Path(path).stem
        key = stem.casefold()  # the same file on case-insensitive file systems
        if key in first:
            problems.append(
                Problem(
                    path,
                    f"same file name as {first[key]}: both plans would be written to "
                    f"{out_dir / (stem + '.toml')}; rename one of them",
                )
            )
        else:
            first[key] = path
    if problems:
        raise InputError(problems)


def run_batch(
    profile_paths: Iterable,
    catalog_paths: Iterable,
    out_dir=None,
    *,
    jobs: int | None = None,
    disable: Iterable[str] = (),
    progress: Progress | None = None,
    report: str | None = None,
    as_of: dt.date | str | None = None,
    facts=None,
    db=None,
    plans: bool = True,
    executor: Executor | None = None,
    as_of_option: str = "",
) -> BatchResult:
    """Plan every profile against the catalog(s); write the plans and ``summary.csv``.

    Every plan is made on ``as_of`` (a date or ``"YYYY-MM-DD"``; default: today, read
    once for the whole batch). A profile whose Match is already over is a bad profile.
    ``as_of_option`` names the option ``as_of`` was given with (``"--as-of"``): a date
    there likely mistyped (see :func:`resplan.dates.check_profile_cycle`) is then said to
    be the option's mistake, not the profile's.

    ``jobs`` processes plan in parallel (default: ``os.cpu_count()``; 1 plans in this
    process). ``executor``, any :class:`concurrent.futures.Executor` (a Dask cluster's,
    :func:`resplan.cluster.dask_executor`), plans instead of them; it is not shut down
    here, and its workers must see the profiles, catalogs and ``out_dir`` at the same paths.
    ``progress(done, total)`` is called once before the first plan and after
    each profile. Raises :class:`InputError` before planning anything when two profiles
    share a file name, and when a catalog or ruleset cannot be loaded (nothing is written
    then). A bad profile does not raise: its row in the result carries its problems.
    ``jobs`` below 1 or no catalog is a ValueError (the command line checks both first).
    ``report`` (``"html"``, ``"md"`` or ``"csv"``) also writes each plan's report beside
    it, ``out_dir/<profile stem>.<report>``. ``facts`` (facts files' paths, or what
    :func:`resplan.verified.load_facts` read) are laid over the catalog for every profile,
    as ``resplan plan --facts`` does; a bad facts file stops the batch before it plans.

    ``db`` (a path) also writes the cohort database (:mod:`resplan.cohort`); an existing
    file there is replaced once the catalog has loaded (a symbolic link is followed: the
    file it names is replaced, keeping its mode, and the link kept). The result's
    ``lookalikes`` are the programs that look listed in two of the catalogs, which every
    plan counts twice. ``plans=False`` writes no plan
    files (nor reports). ``out_dir`` may then be None: no ``summary.csv`` either, only the
    database.
    """
    profile_paths, catalog_paths = list(profile_paths), list(catalog_paths)
    for what, given in (("profiles", profile_paths), ("catalogs", catalog_paths)):
        wrong = next((p for p in given if not isinstance(p, (str, os.PathLike))), None)
        if wrong is not None:
            raise TypeError(
                f"run_batch takes the {what}' paths (its workers read the files), not "
                f"{type(wrong).__name__} objects"
            )
    as_of = as_of_or_today(as_of)
    facts_paths: list[str] = []
    if facts is not None:
        from resplan.verified import VerifiedFacts

        if not isinstance(facts, VerifiedFacts):
            facts_paths = (
                [str(facts)] if isinstance(facts, (str, Path)) else [str(p) for p in facts]
            )
            # Read with the catalog, below: every problem of the files in one run.
            facts = None
    paths = sorted({str(p) for p in profile_paths})
    catalogs = tuple(str(p) for p in catalog_paths)
    disable = tuple(disable)
    out_dir = Path(out_dir) if out_dir is not None else None
    db = Path(db) if db is not None else None
    if not catalogs:
        raise ValueError("run_batch needs at least one catalog")
    if jobs is None:
        jobs = os.cpu_count() or 1
    if jobs < 1:
        raise ValueError(f"jobs must be 1 or more, not {jobs}")
    if report is not None and report not in ("html", "md", "csv"):
        raise ValueError(f"report must be html, md or csv, not {report!r}")
    if report is not None and not plans:
        raise ValueError("a report is written beside its plan: report needs plans=True")
    if out_dir is None and (plans or db is None):
        raise ValueError("out_dir is needed for plan files, and for summary.csv without a db")
    setup = _Setup(
        catalogs, disable, report, plans, db is not None, facts, os.getpid(), as_of_option
    )
    targets: dict[str, Path | None] = {path: None for path in paths}
    outputs: list = [(db, "the cohort database")]
    if db is not None:
        # SQLite's side files beside the database, which the batch removes before it
        # begins and SQLite writes while it runs: no input nor other output may be one.
        outputs += [
            (Path(f"{db}{suffix}"), f"the cohort database's {what}") for suffix, what in SIDE_FILES
        ]
    if out_dir is not None:
        if plans:
            _check_stems(paths, out_dir)
            targets = {path: out_dir / (Path(path).stem + ".toml") for path in paths}
        outputs += [(t, f"the plan of {p}") for p, t in targets.items() if t is not None]
        outputs.append((out_dir / SUMMARY_FILE, f"the batch's {SUMMARY_FILE}"))
        if report:
            outputs += [
                (t.with_suffix(f".{report}"), f"the report of {p}")
                for p, t in targets.items()
                if t is not None
            ]
    refuse_overwriting_inputs(outputs, [*paths, *catalogs, *facts_paths])
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise InputError.one(
            out_dir, "is a file, not a folder: --out-dir names the folder the plans are written to"
        )
    if db is not None and db.is_dir():
        raise InputError.one(db, "is a folder: --db names the database file to write")
    given_db = db  # what the result names: the link, when it is one, as plan --out does
    if db is not None and db.is_symlink():
        db = Path(os.path.realpath(db))  # the database the link names, the link kept
    if db is not None and db.exists() and not db.is_file():
        # Replaced, /dev/null itself would be removed: a database is a file of its own.
        raise InputError.one(
            db, "is not a regular file (a device or a pipe): --db names the database file to write"
        )
    if db is not None and not db.parent.is_dir():
        made = [out_dir.resolve(), *out_dir.resolve().parents] if out_dir is not None else []
        if db.parent.resolve() not in made:  # else made with the plans' folder
            raise InputError.one(
                db, f"cannot create the cohort database: folder {str(db.parent)!r} does not exist"
            )
    summary = out_dir / SUMMARY_FILE if out_dir is not None else None
    total = len(paths)
    if progress:
        progress(0, total)
    workers = min(jobs, total)

    collector = _Collector(paths, progress, db)
    created = out_dir is not None and not out_dir.exists()
    lookalikes: tuple = ()
    try:
        try:
            if executor is not None:
                if facts_paths:
                    # Read here, over the catalog, as below: an id in no catalog is told
                    # with the files' other problems, before anything is planned.
                    _host, _catalog, facts, lookalikes = _load_checked(
                        catalogs, disable, facts, facts_paths, as_of
                    )
                    setup = dataclasses.replace(setup, facts=facts)
                looking = (
                    executor.submit(_lookalikes_task, setup)
                    if len(catalogs) > 1 and not facts_paths
                    else None
                )
                try:
                    _run_executor(executor, setup, paths, targets, collector, as_of, out_dir)
                    if looking is not None:
                        lookalikes = looking.result()
                finally:
                    if looking is not None:
                        looking.cancel()
            else:
                # Loaded here once, whatever the jobs: bad input stops the run before
                # anything is written, and workers start with the catalog (or its cache).
                host, catalog, facts, lookalikes = _load_checked(
                    catalogs, disable, facts, facts_paths, as_of
                )
                setup = dataclasses.replace(setup, facts=facts)
                if out_dir is not None:
                    _make_folder(out_dir)  # the workers write into it
                    _check_writable(out_dir)

                def open_db() -> None:
                    if db is not None:
                        from resplan.cohort import catalog_programs

                        collector.open(
                            catalog_programs(catalog),
                            _batch_info(host, catalog, setup, as_of, total),
                        )

                if workers <= 1:
                    open_db()
                    for path in paths:
                        collector.add(
                            path,
                            *_plan_one(
                                host,
                                catalog,
                                path,
                                targets[path],
                                as_of,
                                report,
                                setup.records,
                                facts,
                                setup.owner,
                                setup.as_of_option,
                            ),
                        )
                else:
                    # The workers start planning before the database is made.
                    _run_pool(
                        workers, setup, paths, targets, collector, as_of, host, catalog, open_db
                    )
        except _SetupFailed as exc:
            # The catalog or a ruleset is bad: the InputError ``resplan plan`` raises.
            collector.abandon()
            _remove_if_made(out_dir, created)
            raise InputError([Problem(*p) for p in exc.problems]) from None
    except KeyboardInterrupt:
        # Stop cleanly: a summary of the profiles done so far, then tell the caller.
        collector.settle_staged(targets, report, setup.owner)
        done = tuple(collector.rows[path] for path in paths if path in collector.rows)
        collector.close("interrupted")
        if summary is not None and out_dir is not None and out_dir.is_dir():
            write_text_atomic(summary, summary_csv(done))
        raise BatchInterrupted(
            BatchResult(
                rows=done, out_dir=out_dir, summary=summary, db=given_db, lookalikes=lookalikes
            ),
            total,
        ) from None
    except BaseException:
        collector.abandon()
        collector.settle_staged(targets, report, setup.owner)
        # A run that failed before writing anything (a database that cannot be made)
        # leaves no empty folder behind.
        _remove_if_made(out_dir, created)
        raise
    if any(not row.ok for row in collector.rows.values()):
        # A worker that died may have written a plan whose result never came back.
        collector.settle_staged(targets, report, setup.owner)
    ordered = tuple(collector.rows[path] for path in paths)
    collector.close("done")
    if summary is not None:
        if out_dir is not None and not out_dir.exists():
            _make_folder(out_dir)
        write_text_atomic(summary, summary_csv(ordered))
    return BatchResult(
        rows=ordered, out_dir=out_dir, summary=summary, db=given_db, lookalikes=lookalikes
    )


def _remove_if_made(out_dir: Path | None, created: bool) -> None:
    """Remove ``out_dir`` if this run made it and it is still empty."""
    if created and out_dir is not None:
        with contextlib.suppress(OSError):
            out_dir.rmdir()  # only an empty folder can be removed


def _check_writable(out_dir: Path) -> None:
    """Refuse, naming the folder, an ``out_dir`` where no file can be made, before any
    plan is made (rather than a message about summary.csv at the end)."""
    try:
        fd, probe = tempfile.mkstemp(
            prefix=f".resplan-{os.getpid()}-", suffix=".probe", dir=out_dir
        )
    except OSError as exc:
        raise InputError.one(
            out_dir, f"cannot write in this folder: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    os.unlink(probe)


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where the folder (or one above it) should be
        raise InputError.one(out_dir, "cannot be made: a file is in the way") from None
    except OSError as exc:
        raise InputError.one(out_dir, f"cannot be made: {exc.strerror or exc}") from None


def _collect(
    futures: dict,
    collector: _Collector,
    programs: Future | None,
    broken: type[BaseException] | None = None,
) -> None:
    """Hand each result to ``collector`` as it comes; each future gives the rows of its
    list of paths. The database opens once ``programs`` (the catalog's programs table) is
    known, before any plan is written to it."""
    if programs is not None:
        collector.open(*programs.result())
    for future in as_completed(futures):
        chunk = futures.pop(future)
        try:
            results = [_row_from_data(data) for data in future.result()]
        except Exception as exc:
            if broken is None or not isinstance(exc, broken):
                raise
            # A worker died (killed, out of memory, a plugin calling os._exit):
            # the profiles it had are rows with that message.
            results = [
                (
                    PlanRow(
                        profile=path,
                        failure="error",
                        problems=(
                            Problem(path, "the worker process planning it stopped unexpectedly"),
                        ),
                    ),
                    None,
                    (),
                )
                for path in chunk
            ]
        for path, (row, record, staged) in zip(chunk, results):
            collector.add(path, row, record, staged)


# Without plan files a task plans several profiles, so that a result message carries
# several plans' records: each worker gets about CHUNKS_PER_WORKER tasks, of at most
# CHUNK_MOST profiles (a Ctrl-C loses the unfinished chunks' plans). Towards the end the
# tasks get smaller, so that the workers finish together rather than one waiting for the
# other's last large task.
CHUNKS_PER_WORKER = 8
CHUNK_MOST = 16
TAIL_CHUNKS = 4  # a task is at most 1/(TAIL_CHUNKS * workers) of the profiles left
# A worker's cyclic collector runs at 50,000 new objects rather than 700 (see _init_worker).
WORKER_GC_THRESHOLDS = (50_000, 20, 100)


def _chunks(setup: _Setup, profiles: int, workers: int) -> list[tuple[int, int]]:
    """(start, end) of each task's profiles, in order."""
    if setup.plans:
        return [(n, n + 1) for n in range(profiles)]  # each plan file is a row at once
    most = max(1, min(CHUNK_MOST, profiles // (workers * CHUNKS_PER_WORKER)))
    chunks, start = [], 0
    while start < profiles:
        size = max(1, min(most, (profiles - start) // (workers * TAIL_CHUNKS)))
        chunks.append((start, start + size))
        start += size
    return chunks


def _fork_context():
    """Fork where it is safe and the default (Linux): workers start with the host and
    catalog this process loaded. Elsewhere workers are spawned and read the cache."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _run_pool(
    workers,
    setup: _Setup,
    paths,
    targets,
    collector: _Collector,
    as_of,
    host,
    catalog,
    opening: Callable[[], None] | None = None,
) -> None:
    """Plan ``paths`` in worker processes, handing the results to ``collector``;
    ``opening()`` (which opens the database) once the workers are planning."""
    context = _fork_context()
    if context is not None:
        _INHERITED.update(host=host, catalog=catalog)
        # Out of the collector's sight before the fork: a worker's collections would
        # otherwise write to (and so copy) every page holding the catalog.
        gc.freeze()
    chunks = _chunks(setup, len(paths), workers)
    try:
        # Ctrl-C is held back while the workers start: a worker that got it before its
        # initializer set it aside would print a traceback. Workers inherit the held signal.
        with (
            _sigint_held(),
            ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(
                    setup.catalogs,
                    setup.disable,
                    setup.report,
                    os.getpid(),
                    setup.facts,
                    setup.as_of_option,
                ),
            ) as pool,
        ):
            _run_in_pool(pool, chunks, setup, paths, targets, collector, as_of, opening)
    finally:
        _INHERITED.clear()
        if context is not None:
            gc.unfreeze()


def _run_in_pool(
    pool, chunks, setup: _Setup, paths, targets, collector, as_of, opening=None
) -> None:
    futures = {}
    for start, end in chunks:
        chunk = paths[start:end]
        items = tuple(
            (path, str(targets[path]) if targets[path] is not None else None) for path in chunk
        )
        futures[pool.submit(_worker_chunk, items, as_of, setup.records)] = chunk
    submitted = dict(futures)
    try:
        if opening is not None:
            opening()  # while the workers plan the first profiles
        _release_sigint()  # a Ctrl-C held back arrives here, where it is handled
        _collect(futures, collector, None, BrokenProcessPool)
    except KeyboardInterrupt:
        # Stop: no new task starts. The few the workers already hold (a task each and
        # one more, a moment's work) finish and keep their rows: killing workers under
        # the pool's own threads can make them fail with a traceback. A second Ctrl-C
        # stops the workers where they are.
        for future in futures:
            future.cancel()
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:
            # SIGTERM makes a planning worker drop its plan and an idle one exit.
            for process in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(OSError, AttributeError):
                    process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
        _late(submitted, collector, None)
        raise
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise


def _late(submitted: dict, collector: _Collector, programs: Future | None) -> None:
    """After a stop: the plans that finished but were not yet collected keep their rows."""
    if collector.db is not None and collector.writer is None:
        if (
            programs is None
            or not programs.done()
            or programs.cancelled()
            or programs.exception() is not None
        ):
            return  # no database was begun: nothing of it is written
        collector.open(*programs.result())
    for future, chunk in submitted.items():
        if future.done() and not future.cancelled() and future.exception() is None:
            for path, data in zip(chunk, future.result()):
                if path not in collector.rows:
                    collector.add(path, *_row_from_data(data))


def _run_executor(
    executor: Executor,
    setup: _Setup,
    paths,
    targets,
    collector: _Collector,
    as_of,
    out_dir: Path | None,
) -> None:
    """Plan ``paths`` on an executor that run_batch did not make (a cluster's)."""
    programs = executor.submit(_programs_task, setup, as_of, len(paths)) if setup.records else None
    if out_dir is not None:
        _make_folder(out_dir)
        _check_writable(out_dir)
    futures = {
        executor.submit(
            _executor_task,
            setup,
            path,
            str(targets[path]) if targets[path] is not None else None,
            as_of,
        ): [path]
        for path in paths
    }
    submitted = dict(futures)
    try:
        _collect(futures, collector, programs)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        _late(submitted, collector, programs)
        raise
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def summary_csv(rows: Iterable[PlanRow]) -> str:
    """The summary table: one line per profile, in the order given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                "" if v is None else v
                for v in (
                    r.profile,
                    r.plan,
                    r.considered,
                    r.apply,
                    r.borderline,
                    r.skip,
                    r.tier1,
                    r.tier2,
                    r.tier3,
                    r.to_verify,
                    r.applications,
                    r.error,
                )
            ]
        )
    return buffer.getvalue()


# ------------------------------------------------------------------ progress bar


def progress_bar(stream, *, width: int = 30) -> Progress:
    """A ``progress(done, total)`` that draws a one-line bar on ``stream`` if it is a terminal.

    On anything else (a pipe, a file, a CI log) it draws nothing. Its ``midline``
    attribute says whether the bar is drawn and not yet ended by a new line, so that a
    message after a stop knows to begin on a line of its own.
    """
    return _Bar(stream, width)


class _Bar:
    def __init__(self, stream, width: int):
        isatty = getattr(stream, "isatty", None)
        self.stream, self.width = stream, width
        self.drawing = bool(isatty and isatty())
        self.midline = False

    def __call__(self, done: int, total: int) -> None:
        if not self.drawing:
            return
        width, stream = self.width, self.stream
        filled = width * done // total if total else width
        percent = 100 * done // total if total else 100
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {percent:3d}%")
        self.midline = done < total
        if not self.midline:
            stream.write("\n")
        stream.flush()
