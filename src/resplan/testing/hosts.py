"""Building plugin hosts for tests and checks, without hypothesis.

:func:`ruleset_plugin` turns ruleset text (and functions) into a plugin object a test can
hand to :func:`resplan.load_host`. :func:`plugin_specs` and :func:`host_from_specs` take
the plugins of a loaded host apart and register them again, in any order and with some
of their rulesets replaced: that is how the determinism property checks that the order
in which plugins register changes nothing, and how ``resplan check FILE`` plans with a
ruleset file that is not installed yet.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from resplan.host import Host, load_host
from resplan.plugins import RulesetSource, hookimpl, plugin_records

HOOKS = (
    "resplan_rulesets",
    "resplan_functions",
    "resplan_catalog_readers",
    "resplan_adjust_plan",
    "resplan_import_mappings",
)


def ruleset_plugin(
    name: str,
    *rulesets: str | Path | RulesetSource,
    functions: Iterable[Any] = (),
    version: str = "0",
) -> Any:
    """A plugin object supplying ``rulesets`` (TOML text, paths or sources) and ``functions``.

    A string containing a newline is ruleset text (labelled ``<name>.toml`` in messages);
    any other string or a path is read from that file.
    """
    sources = []
    for index, item in enumerate(rulesets):
        if isinstance(item, RulesetSource):
            sources.append(item)
        elif isinstance(item, str) and "\n" in item:
            label = f"{name}.toml" if len(rulesets) == 1 else f"{name}-{index + 1}.toml"
            sources.append(RulesetSource.from_text(item, label))
        else:
            sources.append(RulesetSource.from_path(Path(item)))
    functions = list(functions)
    plugin = types.SimpleNamespace(name=name, __version__=version)
    if sources:
        plugin.resplan_rulesets = hookimpl(lambda: list(sources))
    if functions:
        plugin.resplan_functions = hookimpl(lambda: list(functions))
    return plugin


@attrs.frozen
class PluginSpec:
    """One registered plugin: its name, version and hook implementations."""

    name: str
    version: str
    hooks: Mapping[str, Callable] = attrs.field(eq=False)

    def with_rulesets(self, sources: Sequence[RulesetSource]) -> PluginSpec:
        """The same plugin supplying ``sources`` instead of its own rulesets."""
        frozen = list(sources)
        return attrs.evolve(
            self, hooks={**self.hooks, "resplan_rulesets": hookimpl(lambda: list(frozen))}
        )

    def rulesets(self) -> list[RulesetSource]:
        hook = self.hooks.get("resplan_rulesets")
        return list(hook() or []) if hook is not None else []

    def as_plugin(self) -> Any:
        plugin = types.SimpleNamespace(name=self.name, __version__=self.version)
        for hook, function in self.hooks.items():
            setattr(plugin, hook, function)
        return plugin


def plugin_specs(source: Host | Any) -> list[PluginSpec]:
    """The plugins registered in a host (or a pluggy manager), sorted by name."""
    pm = source.pm if isinstance(source, Host) else source
    records = plugin_records(pm)
    hooks: dict[str, dict[str, Callable]] = {name: {} for name in records}
    for hook in HOOKS:
        for impl in getattr(pm.hook, hook).get_hookimpls():
            hooks.setdefault(impl.plugin_name, {})[hook] = impl.function
    return [
        PluginSpec(name, records[name].version if name in records else "unknown", hooks[name])
        for name in sorted(hooks)
    ]


def host_from_specs(specs: Sequence[PluginSpec]) -> Host:
    """A fresh host with exactly these plugins, registered in the order given.

    Entry points are not read: the specs are the whole setup. Raises what
    :func:`resplan.load_host` raises (``RulesetError``, ``PluginError``).
    """
    return load_host(
        plugins=[spec.as_plugin() for spec in specs], entry_points=False, use_env=False
    )


def registration_orders(names: Sequence[str], count: int = 3) -> list[list[str]]:
    """A few distinct orders of ``names``: by name, reversed, and interleaved."""
    names = sorted(names)
    interleaved = names[1::2] + names[0::2]
    orders = [names, names[::-1], interleaved, interleaved[::-1]]
    out: list[list[str]] = []
    for order in orders:
        if order not in out:
            out.append(order)
    return out[:count]
