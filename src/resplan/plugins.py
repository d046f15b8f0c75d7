"""The plugin host: a fresh pluggy manager per run, and the records plugins return.

Read top to bottom: the markers, the records, then :func:`make_plugin_manager`, which
loads every plugin of the ``resplan`` entry-point group (the built-in ones included) less
those disabled by name, and :func:`collect`, which gathers each hook's records and refuses
name conflicts.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.resources
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import pluggy

from resplan import hookspecs
from resplan.errors import PluginError, UsageError, describe_exception

ENTRY_POINT_GROUP = "resplan"
# Comma-separated plugin names to leave out, e.g. RESPLAN_DISABLE_PLUGINS=tiering,my-hospital
DISABLE_ENV = "RESPLAN_DISABLE_PLUGINS"

hookimpl = pluggy.HookimplMarker("resplan")


@attrs.frozen
class RulesetSource:
    """A ruleset's TOML text and where it came from (a path, or a label for messages)."""

    text: str
    label: str

    @classmethod
    def from_path(cls, path) -> RulesetSource:
        path = Path(str(path)) if not hasattr(path, "read_text") else path
        return cls(text=path.read_text(encoding="utf-8"), label=str(path))

    @classmethod
    def from_text(cls, text: str, label: str) -> RulesetSource:
        return cls(text=text, label=label)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@attrs.frozen
class CatalogReader:
    """Reads one catalog format: ``read(path) -> Catalog``."""

    name: str
    suffixes: tuple[str, ...] = attrs.field(converter=lambda s: tuple(x.lower() for x in s))
    read: Callable[[Path], Any] = attrs.field(eq=False)
    # What ``read`` returns is kept in the user's cache folder (resplan.cache) and used
    # again while the file's bytes, the plugin and resplan stay the same. False for a
    # reader whose catalog depends on anything else (other files, a database).
    cache: bool = True


def builtin_ruleset(filename: str) -> RulesetSource:
    """A ruleset shipped in resplan's own ``rulesets/`` folder."""
    resource = importlib.resources.files("resplan.rulesets") / filename
    return RulesetSource(text=resource.read_text(encoding="utf-8"), label=f"rulesets/{filename}")


def disabled_from_env() -> tuple[str, ...]:
    raw = os.environ.get(DISABLE_ENV, "")
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def installed_plugin_names() -> tuple[str, ...]:
    return tuple(sorted({found.name for found in installed_plugins()}))


@attrs.frozen
class InstalledPlugin:
    """An entry point of the ``resplan`` group: its name, what it loads (``module`` or
    ``module:attribute``) and the distribution that installed it ("" if none)."""

    name: str
    value: str
    distribution: str
    version: str

    def load(self) -> Any:
        """The plugin object, found as importlib.metadata's ``EntryPoint.load`` finds it."""
        module, _, attribute = self.value.split("[", 1)[0].partition(":")
        found = importlib.import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            found = getattr(found, part)
        return found


def installed_plugins(cache: bool | None = None) -> tuple[InstalledPlugin, ...]:
    """The installed entry points of the ``resplan`` group, by name (in the order found
    among equal names).

    Finding them asks importlib.metadata to read every installed distribution's entry
    points; importing it and the pass take about 4% of a `resplan plan` that reads its
    catalog from the cache. So what it found is kept in the cache folder
    (:mod:`resplan.cache`, folder ``plugins``) under :func:`_installed_key`, which changes
    whenever a distribution is installed, removed or changed where Python looks for them.
    ``cache``: False finds them without the cache folder; None leaves it to
    ``RESPLAN_NO_CACHE``.
    """
    from resplan import cache as kept_in

    use = kept_in.enabled() if cache is None else cache
    key = _installed_key() if use else None
    if key is None:
        return _find_installed()
    folder = kept_in.kind_dir("plugins")
    kept = kept_in.load(key, folder)
    if isinstance(kept, tuple) and all(
        isinstance(item, tuple) and len(item) == 4 and all(isinstance(v, str) for v in item)
        for item in kept
    ):
        return tuple(InstalledPlugin(*item) for item in kept)
    found = _find_installed()
    kept_in.store(key, tuple(attrs.astuple(item) for item in found), folder)
    return found


def _find_installed() -> tuple[InstalledPlugin, ...]:
    import importlib.metadata

    found = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        distribution, version = _name_and_version(ep.dist) if ep.dist is not None else ("", "")
        found.append(InstalledPlugin(ep.name, ep.value, distribution, version))
    return tuple(sorted(found, key=lambda item: item.name))


# The files of a distribution's metadata folder that what is kept reads: its entry points,
# and its name and version, which a .dist-info folder's own name holds (the wheel
# standard) but an .egg-info folder's need not.
_METADATA_FILES = {".dist-info": ("entry_points.txt",), "": ("entry_points.txt", "PKG-INFO")}


def _installed_key() -> str | None:
    """What the installed entry points depend on: for each folder of ``sys.path`` (where
    importlib.metadata looks), its distributions' metadata folders and the size and time
    of the files read from them; for a zip file on the path, its own size and time. None
    when a finder other than Python's own may supply distributions: no keeping then.
    """
    from importlib.machinery import PathFinder

    from resplan.cache import code_fingerprint

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return None
    digest = hashlib.sha256()
    for entry in sys.path:
        root = entry or "."
        try:
            with os.scandir(root) as found:
                names = sorted(item.name for item in found)
        except OSError:  # a zip file, or a missing folder
            try:
                info = os.stat(root)
                digest.update(f"{entry}\0file {info.st_size} {info.st_mtime_ns}\n".encode())
            except OSError:
                digest.update(f"{entry}\0missing\n".encode())
            continue
        digest.update(f"{entry}\0folder\n".encode())
        folders = [n for n in names if n.lower().endswith((".dist-info", ".egg-info"))]
        if root.lower().endswith(".egg"):
            folders.append("EGG-INFO")
        for name in folders:
            digest.update(f"{name}\n".encode())
            for file in _METADATA_FILES[".dist-info" if name.endswith(".dist-info") else ""]:
                try:
                    info = os.stat(os.path.join(root, name, file))
                except OSError:
                    continue
                digest.update(f"{file} {info.st_size} {info.st_mtime_ns}\n".encode())
    return "\n".join(
        [
            "installed plugins 1",
            f"group {ENTRY_POINT_GROUP}",
            f"code {code_fingerprint()}",
            f"python {sys.version}",
            f"path {digest.hexdigest()}",
        ]
    )


def make_plugin_manager(
    *,
    disable: Iterable[str] = (),
    plugins: Iterable[Any] = (),
    entry_points: bool = True,
    use_env: bool = True,
    cache: bool | None = None,
) -> pluggy.PluginManager:
    """A new plugin manager with the installed plugins and any given plugin objects.

    ``disable`` (and the ``RESPLAN_DISABLE_PLUGINS`` environment variable, unless
    ``use_env`` is false) names entry-point plugins to leave out; a name that matches no
    installed plugin is an error, so a typo does not silently keep a plugin on.
    ``plugins`` are extra plugin objects (modules, classes, instances) to register, e.g.
    from a test; give them a ``__name__`` or ``name`` attribute. ``cache``: as for
    :func:`installed_plugins`.
    """
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    blocked = set(disable) | (set(disabled_from_env()) if use_env else set())
    # The installed entry points, found in one pass over the installed distributions
    # (pluggy's load_setuptools_entrypoints makes a pass per call, one per plugin).
    installed = installed_plugins(cache) if entry_points else ()
    if entry_points:
        names = sorted({ep.name for ep in installed})
        unknown = blocked - set(names)
        if unknown:
            from resplan.vocabulary import suggest

            hint = suggest(sorted(unknown)[0], names) if len(unknown) == 1 else ""
            # A typo in a name is bad input, not a failing plugin (exit status 2).
            raise UsageError(
                f"cannot disable {', '.join(sorted(unknown))}: no such plugin is installed"
                f"{hint} (installed: {', '.join(names) or 'none'})"
            )
    for name in sorted(blocked):
        pm.set_blocked(name)
    broken: list[BrokenPlugin] = []
    pm.resplan_broken = broken  # type: ignore[attr-defined]  # read by broken_plugins()
    # plugin name -> its distribution's name and version, read by plugin_records()
    dists: dict[str, tuple[str, str]] = {}
    pm.resplan_dists = dists  # type: ignore[attr-defined]
    if entry_points:
        # One plugin at a time, so that one that fails to import (or has a hook of the
        # wrong signature) is named and the others still load.
        for ep in installed:
            if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
                continue
            try:
                pm.register(ep.load(), name=ep.name)
                if ep.distribution:
                    dists[ep.name] = (ep.distribution, ep.version)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported by name
                distribution = f"{ep.distribution} {ep.version}" if ep.distribution else ""
                broken.append(BrokenPlugin(ep.name, distribution, _load_failure(exc), exc))
                if pm.get_plugin(ep.name) is not None:
                    pm.unregister(name=ep.name)
    for plugin in plugins:
        given = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
        name = given if isinstance(given, str) else type(plugin).__name__
        if name in blocked:
            continue
        try:
            pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError.failed(
                name, f"{name} (registered in code)", "registration", str(exc)
            ) from exc
    # Catches misspelled hook names in plugins (e.g. resplan_ruleset).
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r}: {exc}") from None
    return pm


@attrs.frozen
class BrokenPlugin:
    """An installed plugin that could not be loaded, and why."""

    name: str
    distribution: str
    message: str
    error: BaseException = attrs.field(eq=False, repr=False)

    def as_error(self) -> PluginError:
        source = f" from {self.distribution}" if self.distribution else ""
        error = PluginError(
            f"plugin {self.name!r}{source} could not be loaded: {self.message}",
            plugin=self.name,
            distribution=self.distribution,
            where="loading",
        )
        error.__cause__ = self.error
        return error


def broken_plugins(pm: pluggy.PluginManager) -> tuple[BrokenPlugin, ...]:
    return tuple(getattr(pm, "resplan_broken", ()))


def _load_failure(exc: BaseException) -> str:
    if isinstance(exc, pluggy.PluginValidationError):
        return f"a hook does not match resplan's hooks: {exc}"
    return f"importing it raised {describe_exception(exc)}"


@attrs.frozen
class PluginRecord:
    name: str
    version: str
    distribution: str


def plugin_records(pm: pluggy.PluginManager) -> dict[str, PluginRecord]:
    """Name, version and distribution of every registered plugin, by plugin name."""
    dists = getattr(pm, "resplan_dists", {})
    out = {}
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(name)
        if dist is not None:
            distribution, version = dist
        else:
            version = str(getattr(plugin, "__version__", "unknown"))
            distribution = f"{name} (registered in code)"
        out[name] = PluginRecord(name=name, version=version, distribution=distribution)
    return out


def _name_and_version(dist) -> tuple[str, str]:
    """A distribution's name and version, read from the head of its metadata only (its
    long description, resplan's README among them, is what makes the whole slow to parse)."""
    found = _DIST_NAMES.get(id(dist))
    if found is not None and found[0] is dist:
        return found[1]
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    fields: dict[str, str] = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(":")
        if key in ("Name", "Version") and key not in fields:
            fields[key] = value.strip()
    if len(fields) < 2:  # not the usual layout: ask the full parser
        fields = {"Name": dist.metadata["Name"], "Version": dist.version}
    _DIST_NAMES[id(dist)] = (dist, (fields["Name"], fields["Version"]))
    return fields["Name"], fields["Version"]


_DIST_NAMES: dict[int, tuple] = {}


def plugin_failure(pm: pluggy.PluginManager, plugin: str, where: str, what: str) -> PluginError:
    """A :class:`PluginError` naming ``plugin``, its distribution and ``where`` it failed."""
    record = plugin_records(pm).get(plugin)
    distribution = f"{record.distribution} {record.version}" if record else ""
    return PluginError.failed(plugin, distribution, where, what)


def collect(pm: pluggy.PluginManager, hook: str, kind: type | None = None) -> list[tuple[str, Any]]:
    """Call ``hook`` once on every plugin: ``(plugin name, record)`` pairs, by plugin name.

    A hook that raises, or returns anything but a list of ``kind`` records, is a
    :class:`PluginError` naming its plugin.
    """
    pairs = []
    for impl in sorted(getattr(pm.hook, hook).get_hookimpls(), key=lambda i: i.plugin_name):
        try:
            records = impl.function()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported by name
            raise plugin_failure(pm, impl.plugin_name, hook, describe_exception(exc)) from exc
        if records is None:
            continue
        if not isinstance(records, (list, tuple)):
            raise plugin_failure(
                pm, impl.plugin_name, hook, f"returned {type(records).__name__}, not a list"
            )
        for record in records:
            if kind is not None and not isinstance(record, kind):
                raise plugin_failure(
                    pm,
                    impl.plugin_name,
                    hook,
                    f"returned a list holding {type(record).__name__}, not only {kind.__name__}",
                )
            pairs.append((impl.plugin_name, record))
    return pairs


def refuse_conflicts(
    pm: pluggy.PluginManager, pairs: list[tuple[str, Any]], key: Callable[[Any], str], kind: str
) -> list[tuple[str, Any]]:
    """Sort ``pairs`` by ``key``; two records with one key are an error naming both plugins."""
    records = plugin_records(pm)
    found: dict[str, tuple[str, Any]] = {}
    for plugin, record in pairs:
        name = key(record)
        if name in found:
            first = found[name][0]
            raise PluginError(
                f"two plugins supply the {kind} {name!r}: "
                f"{first!r} from {records[first].distribution} and "
                f"{plugin!r} from {records[plugin].distribution}; "
                f"disable one of them ({DISABLE_ENV}={plugin})"
            )
        found[name] = (plugin, record)
    return [found[name] for name in sorted(found)]
