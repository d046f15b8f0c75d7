"""A loaded setup: the plugins of one run and what they supply, checked and compiled.

:func:`load_host` is the factory: it makes a fresh plugin manager, calls each collecting
hook once, compiles the rulesets, and returns a :class:`Host` that plans can reuse.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from pathlib import Path
from typing import Any, Iterable

import attrs
import pluggy

from resplan.errors import InputError
from resplan.model import Catalog
from resplan.plugins import (
    CatalogReader, PluginRecord, collect, disabled_from_env, make_plugin_manager,
    plugin_records, refuse_conflicts,
)
from resplan.rulebook import Rulebook, load_rulebook


@attrs.frozen
class Host:
    pm: pluggy.PluginManager = attrs.field(eq=False, repr=False)
    rulebook: Rulebook
    readers: tuple[tuple[str, CatalogReader], ...]  # (plugin, reader), by reader name
    plugins: tuple[PluginRecord, ...]

    def reader_for(self, path: Path) -> CatalogReader:
        suffix = path.suffix.lower()
        for _plugin, reader in self.readers:
            if suffix in reader.suffixes:
                return reader
        known = sorted(s for _p, r in self.readers for s in r.suffixes)
        raise InputError.one(path, f"no catalog reader for {suffix or 'files without a suffix'!r} "
                                   f"(readers are installed for {', '.join(known) or 'nothing'})")

    def read_catalog(self, path) -> Catalog:
        path = Path(path)
        reader = self.reader_for(path)
        with _cyclic_gc_paused():
            return reader.read(path)


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


def load_host(*, disable: Iterable[str] = (), plugins: Iterable[Any] = (),
              entry_points: bool = True, use_env: bool = True) -> Host:
    """Load plugins (see :func:`resplan.plugins.make_plugin_manager`) and compile their rulesets."""
    pm = make_plugin_manager(disable=disable, plugins=plugins, entry_points=entry_points,
                             use_env=use_env)
    functions = [fn for _plugin, fn in refuse_conflicts(
        pm, collect(pm, "resplan_functions"), lambda f: f.name, "rule function")]
    records = plugin_records(pm)
    rulebook = load_rulebook(collect(pm, "resplan_rulesets"), functions,
                             {name: f"{r.distribution} {r.version}" for name, r in records.items()})
    readers = refuse_conflicts(pm, collect(pm, "resplan_catalog_readers"),
                               lambda r: r.name, "catalog reader")
    claimed: dict[str, str] = {}
    for plugin, reader in readers:
        for suffix in reader.suffixes:
            if suffix in claimed:
                from resplan.errors import PluginError
                raise PluginError(f"catalog readers of plugins {claimed[suffix]!r} and {plugin!r} "
                                  f"both read {suffix!r} files")
            claimed[suffix] = plugin
    return Host(pm=pm, rulebook=rulebook, readers=tuple(readers),
                plugins=tuple(records[name] for name in sorted(records)))


@functools.lru_cache(maxsize=8)
def _cached_default(disabled: tuple[str, ...]) -> Host:
    return load_host(disable=disabled, use_env=False)


def default_host() -> Host:
    """The installed plugins, less those in ``RESPLAN_DISABLE_PLUGINS``; loaded once per setting."""
    return _cached_default(tuple(sorted(disabled_from_env())))
