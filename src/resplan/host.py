"""A loaded setup: the plugins of one run and what they supply, checked and compiled.

:func:`load_host` is the factory: it makes a fresh plugin manager, calls each collecting
hook once, compiles the rulesets, and returns a :class:`Host` that plans can reuse.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import math
import numbers
import os
import signal
import stat
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import pluggy

from resplan.errors import InputError, PluginError, Problem, RulesetError, describe_exception
from resplan.model import Catalog
from resplan.plugins import (
    BrokenPlugin,
    CatalogReader,
    PluginRecord,
    RulesetSource,
    broken_plugins,
    collect,
    disabled_from_env,
    make_plugin_manager,
    plugin_failure,
    plugin_records,
    refuse_conflicts,
)
from resplan.rulebook import Rulebook, load_rulebook
from resplan.rules import Function
from resplan.rules.types import BOOL, NUMBER, TEXT, Enum, Level, SetOf
from resplan.settings import positive_number
from resplan.sources import STDIN, max_input_bytes, stdin_catalog_suffix

# How long the rule functions of plugins may take, together, for one plan. Built-in
# rules take milliseconds; a function that sleeps or loops would otherwise stall every
# plan without a word. Raise it with RESPLAN_FUNCTION_BUDGET_SECONDS.
FUNCTION_BUDGET_SECONDS = 30.0
FUNCTION_BUDGET_ENV = "RESPLAN_FUNCTION_BUDGET_SECONDS"


def function_budget_seconds() -> float:
    return positive_number(FUNCTION_BUDGET_ENV, FUNCTION_BUDGET_SECONDS)


@attrs.define(eq=False)
class FunctionBudget:
    """Time spent in plugins' rule functions since the current plan began."""

    seconds: float = attrs.Factory(function_budget_seconds)
    spent: float = 0.0

    def start_plan(self) -> None:
        self.spent = 0.0


@attrs.frozen
class Host:
    pm: pluggy.PluginManager = attrs.field(eq=False, repr=False)
    rulebook: Rulebook
    readers: tuple[tuple[str, CatalogReader], ...]  # (plugin, reader), by reader name
    plugins: tuple[PluginRecord, ...]
    broken: tuple[BrokenPlugin, ...] = ()  # only with load_host(broken_ok=True)
    budget: FunctionBudget = attrs.field(factory=FunctionBudget, eq=False, repr=False)
    # Keep catalogs read in the user's cache folder (resplan.cache); None: unless
    # RESPLAN_NO_CACHE says otherwise, as it is when each catalog is read.
    cache: bool | None = attrs.field(default=None, eq=False)

    def reader_for(self, path: Path) -> CatalogReader:
        # Standard input ("-") holds a TOML or a CSV catalog, told by its first line.
        suffix = stdin_catalog_suffix() if str(path) == STDIN else path.suffix.lower()
        if str(path) != "-" and Path(path).is_dir():
            raise InputError.one(path, "is a directory, not a file")
        for _plugin, reader in self.readers:
            if suffix in reader.suffixes:
                return reader
        known = sorted(s for _p, r in self.readers for s in r.suffixes)
        raise InputError.one(
            path,
            f"no catalog reader for {suffix or 'files without a suffix'!r} "
            f"(readers are installed for {', '.join(known) or 'nothing'})",
        )

    def read_catalog(self, path) -> Catalog:
        """The catalog in ``path``, read by the reader its suffix names.

        Its provenance digest is the sha256 of the file's bytes. Unless the cache is off
        (``cache=False``, ``--no-cache``, ``RESPLAN_NO_CACHE``), the programs and their
        column table are kept in the user's cache folder and loaded from there while the
        file, resplan and the reader stay the same (:mod:`resplan.cache`).
        """
        path = Path(path)
        reader = self.reader_for(path)
        plugin = next(p for p, r in self.readers if r is reader)
        where = f"catalog reader {reader.name!r}"
        source = _file_bytes(path)
        key = None
        if source is not None and reader.cache and self.use_cache():
            from resplan import cache
            from resplan.stages.table import table_key

            version = next((r.version for r in self.plugins if r.name == plugin), "unknown")
            key = cache.entry_key(
                source[0],
                f"{plugin} {version} {reader.name}",
                reader.read,
                table_key(self.rulebook.city_regions),
                self.pm.get_plugin(plugin),
            )
            with _cyclic_gc_paused():  # as below: many new objects, no cycles
                cached = _cached_catalog(cache.load(key), self.rulebook.city_regions)
            if cached is not None:
                object.__setattr__(cached, "_digest", source[0])
                return cached
        with _cyclic_gc_paused():
            try:
                catalog = reader.read(path)
            except InputError:
                raise
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported by name
                raise plugin_failure(
                    self.pm, plugin, where, f"reading {path}: {describe_exception(exc)}"
                ) from exc
        if not isinstance(catalog, Catalog):
            raise plugin_failure(
                self.pm, plugin, where, f"returned {type(catalog).__name__}, not a Catalog"
            )
        if source is None or _identity(path) != source[1]:
            return catalog  # not a file, or it changed while read: its digest is its programs'
        object.__setattr__(catalog, "_digest", source[0])
        if key is not None:
            from resplan import cache
            from resplan.stages.table import catalog_table

            with _cyclic_gc_paused():
                table = catalog_table(catalog, self.rulebook.city_regions)
                cache.store(key, _cache_entry(catalog, table))
        return catalog

    def use_cache(self) -> bool:
        if self.cache is not None:
            return self.cache
        from resplan.cache import enabled

        return enabled()


def _identity(path: Path) -> tuple | None:
    """What tells a file's versions apart without reading it."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _file_bytes(path: Path) -> tuple[str, tuple] | None:
    """The sha256 of a catalog file's bytes and the file's identity, or None for standard
    input and for anything the reader will refuse with its own message (not a regular
    file, over the size limit, unreadable)."""
    if str(path) == STDIN:
        return None
    try:
        # Opened without blocking, as sources.read_text does: a FIFO would hang here.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_input_bytes():
        # Checked before fdopen, which refuses a directory with an error of its own.
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read()
        except OSError:
            return None
    return (
        hashlib.sha256(data).hexdigest(),
        (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns),
    )


def _cache_entry(catalog: Catalog, table) -> tuple:
    """What the cache keeps of a catalog: its programs as columns (the columns it was read
    as, most of them the column table's own arrays, pickled once; or resplan.cache.pack)
    and its column table without the programs."""
    import copy

    from resplan import cache
    from resplan.model import Program

    columns = catalog._columns
    if columns is not None:
        names = tuple(columns.values)
        values = list(columns.values.values())
    else:
        names, values = cache.pack(Program, catalog.programs)
    bare = copy.copy(table)
    bare.programs = None
    return names, values, bare


def _cached_catalog(entry, city_regions) -> Catalog | None:
    """The catalog of a cache entry with its column table, or None when it is not one.
    Its programs are made as plans read them (resplan.model.ProgramColumns)."""
    from resplan.model import Program
    from resplan.stages.table import ProgramTable, adopt_table

    if not (
        isinstance(entry, tuple)
        and len(entry) == 3
        and isinstance(entry[2], ProgramTable)
        and isinstance(entry[1], list)
    ):
        return None
    names, columns, table = entry
    try:
        if (
            names != tuple(field.name for field in attrs.fields(Program))
            or len(columns) != len(names)
            or table.programs is not None
            or any(len(values) != table.keys.row.shape[0] for values in columns)
        ):
            return None
    except (TypeError, AttributeError):
        return None
    # The programs were sorted and checked when first read.
    catalog = Catalog.of_columns(dict(zip(names, columns)))
    table.programs = catalog._columns
    adopt_table(catalog, city_regions, table)
    return catalog


@contextlib.contextmanager
def _cyclic_gc_paused():
    """A catalog is ~10^5 new objects and no reference cycles: the cyclic collector's passes
    while they are built find nothing and take a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_host(
    *,
    disable: Iterable[str] = (),
    plugins: Iterable[Any] = (),
    entry_points: bool = True,
    use_env: bool = True,
    broken_ok: bool = False,
    cache: bool | None = None,
) -> Host:
    """Load plugins (see :func:`resplan.plugins.make_plugin_manager`) and compile their rulesets.

    ``cache``: keep catalogs read, the installed plugins found
    (:func:`resplan.plugins.installed_plugins`) and what the rulesets' text gives
    (:func:`resplan.rulebook.load_rulebook`) in the user's cache folder
    (:mod:`resplan.cache`); None leaves it to ``RESPLAN_NO_CACHE``, and keeps no rulebook
    memo for a host given ``plugins`` or without entry points.

    An installed plugin that cannot be imported is a :class:`PluginError` naming it,
    unless ``broken_ok`` (for ``resplan plugins``): the host then works without it and
    lists it in ``broken``.
    """
    plugins = list(plugins)
    pm = make_plugin_manager(
        disable=disable, plugins=plugins, entry_points=entry_points, use_env=use_env, cache=cache
    )
    broken = broken_plugins(pm)
    if broken and not broken_ok:
        raise broken[0].as_error()
    budget = FunctionBudget()
    functions = [
        guard_function(pm, plugin, fn, budget)
        for plugin, fn in refuse_conflicts(
            pm, collect(pm, "resplan_functions", Function), lambda f: f.name, "rule function"
        )
    ]
    records = plugin_records(pm)
    sources = collect(pm, "resplan_rulesets", RulesetSource)
    while True:
        try:
            rulebook = load_rulebook(
                sources,
                functions,
                {name: f"{r.distribution} {r.version}" for name, r in records.items()},
                # The rulebook memo serves the installed setup that every command loads
                # again; a host of plugin objects made in code (tests, property checks
                # that load hundreds of variants) would only fill the cache folder,
                # unless it asks for it.
                cache=cache if cache is not None or (entry_points and not plugins) else False,
            )
            break
        except RulesetError as exc:
            installed = {n: records[n] for n in getattr(pm, "resplan_dists", {}) if n in records}
            failing = _plugins_of(exc, sources, installed)
            if not (broken_ok and failing):
                raise _naming_plugins(exc, sources, installed) from None
            # `resplan plugins` still lists the others: an installed plugin whose ruleset
            # does not load is listed as not loaded, with its ruleset's first problem.
            for name in failing:
                record = records.pop(name)
                first = next(p for p in exc.problems if _owner(sources).get(p.file) == name)
                broken += (
                    BrokenPlugin(
                        name,
                        f"{record.distribution} {record.version}",
                        f"its ruleset does not load: {first}",
                        exc,
                    ),
                )
            sources = [(plugin, source) for plugin, source in sources if plugin not in failing]
    readers = refuse_conflicts(
        pm,
        collect(pm, "resplan_catalog_readers", CatalogReader),
        lambda r: r.name,
        "catalog reader",
    )
    claimed: dict[str, str] = {}
    for plugin, reader in readers:
        for suffix in reader.suffixes:
            if suffix in claimed:
                raise PluginError(
                    f"catalog readers of plugins {claimed[suffix]!r} and {plugin!r} "
                    f"both read {suffix!r} files"
                )
            claimed[suffix] = plugin
    return Host(
        pm=pm,
        rulebook=rulebook,
        readers=tuple(readers),
        plugins=tuple(records[name] for name in sorted(records)),
        broken=broken,
        budget=budget,
        cache=cache,
    )


def _owner(sources: list[tuple[str, RulesetSource]]) -> dict[str, str]:
    """The plugin of each ruleset, by the ruleset's label (the file its problems name)."""
    return {source.label: plugin for plugin, source in sources}


def _plugins_of(
    error: RulesetError, sources: list[tuple[str, RulesetSource]], records: dict
) -> list[str]:
    """The installed plugins other than resplan's own (``records``, by name) whose
    rulesets ``error`` is about, in the order of its problems."""
    owner = _owner(sources)
    named: list[str] = []
    for problem in error.problems:
        plugin = owner.get(problem.file, "")
        record = records.get(plugin)
        if record is not None and record.distribution != "resplan" and plugin not in named:
            named.append(plugin)
    return named


def _naming_plugins(
    error: RulesetError, sources: list[tuple[str, RulesetSource]], records: dict
) -> RulesetError:
    """``error`` with a last line for each installed plugin (``records``, by name) whose
    ruleset it is about: a ruleset file deep in site-packages does not say which plugin
    to leave out, and a broken one stops every command until it is fixed or left out."""
    named = _plugins_of(error, sources, records)
    if not named:
        return error
    notes = [
        Problem(
            f"plugin {name!r} ({records[name].distribution} {records[name].version})",
            f"its ruleset does not load: fix it, or leave the plugin out with --disable {name}",
        )
        for name in named
    ]
    return RulesetError([*error.problems, *notes])


def guard_function(pm, plugin: str, fn: Function, budget: FunctionBudget) -> Function:
    """``fn`` whose every call is checked: an exception (``SystemExit`` included), a
    result that is not of its declared type, or going over the plan's time budget is a
    :class:`PluginError` naming the plugin and the function."""
    impl, check = fn.impl, _result_check(fn.returns)
    where = f"rule function {fn.name}()"

    def over_budget() -> PluginError:
        return plugin_failure(
            pm,
            plugin,
            where,
            f"rule functions took over "
            f"{budget.seconds:g} s for one plan (the limit is "
            f"{FUNCTION_BUDGET_ENV})",
        )

    def guarded(*args):
        start = time.perf_counter()
        try:
            with _stopped_after(budget.seconds - budget.spent):
                result = impl(*args)
        except _OverBudget:
            raise over_budget() from None
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported by name
            raise plugin_failure(pm, plugin, where, describe_exception(exc)) from exc
        finally:
            budget.spent += time.perf_counter() - start
        if budget.spent > budget.seconds:
            raise over_budget()
        if result is None:  # nothing to say: unknown
            return None
        problem = check(result)
        if problem:
            raise plugin_failure(pm, plugin, where, f"returned {_shown(result)}, {problem}")
        return result

    guarded.__name__ = getattr(impl, "__name__", fn.name)
    guarded.__doc__ = getattr(impl, "__doc__", None)
    return attrs.evolve(fn, impl=guarded)


class _OverBudget(BaseException):
    """Raised into a rule function that ran past the plan's budget. A BaseException, like
    KeyboardInterrupt, so that the function's own ``except Exception`` cannot swallow it."""


def _raise_over_budget(_signum, _frame):
    raise _OverBudget()


@contextlib.contextmanager
def _stopped_after(seconds: float):
    """Interrupt the body after ``seconds``: a function that never returns is stopped, not
    only one that returns late. Where timers cannot be set (not the main thread, Windows)
    or another timer of the process is running, the body runs uninterrupted and the
    budget is checked when it returns."""
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_over_budget)
    other_delay, other_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    if other_delay:  # someone else's timer: leave it, and this body, alone
        signal.setitimer(signal.ITIMER_REAL, other_delay, other_interval)
        signal.signal(signal.SIGALRM, previous)
        yield
        return
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _result_check(returns):
    """A function of a result: '' when it has the declared type, else what is wrong."""

    def is_number(value) -> bool:
        return (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and type(value).__name__ != "bool_"
        )

    if returns == BOOL:
        return lambda v: (
            "" if isinstance(v, bool) or type(v).__name__ == "bool_" else "not true or false"
        )
    if returns == NUMBER:
        return lambda v: (
            ("" if math.isfinite(v) else "not a finite number") if is_number(v) else "not a number"
        )
    if returns == TEXT:
        return lambda v: "" if isinstance(v, str) else "not text"
    if isinstance(returns, (Enum, Level)):
        allowed = set(returns.values)
        return lambda v: (
            "" if isinstance(v, str) and v in allowed else f"not one of {', '.join(returns.values)}"
        )
    if isinstance(returns, SetOf):
        item = (
            _result_check(returns.item)
            if returns.item != TEXT
            else (lambda v: "" if isinstance(v, str) else "not text")
        )

        def check_set(v):
            if not isinstance(v, (set, frozenset)):
                return "not a set"
            bad = next((m for m in v if item(m)), None)
            return "" if bad is None else f"holding {bad!r}, {item(bad)}"

        return check_set
    return lambda v: ""


@functools.lru_cache(maxsize=8)
def _cached_default(disabled: tuple[str, ...]) -> Host:
    return load_host(disable=disabled, use_env=False)


def default_host() -> Host:
    """The installed plugins, less those in ``RESPLAN_DISABLE_PLUGINS``; loaded once per setting."""
    return _cached_default(tuple(sorted(disabled_from_env())))
