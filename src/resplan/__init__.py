"""resplan: reproducible residency application plans from rules kept as data.

    >>> import datetime, resplan
    >>> profile = resplan.load_profile("examples/profiles/example.toml")
    >>> catalog = resplan.load_catalog("examples/catalog/border-programs.toml")
    >>> plan = resplan.plan(profile, catalog, as_of=datetime.date(2026, 1, 15))
    >>> resplan.write_plan(plan, "plans/example.toml")

Every function takes an optional ``host`` (see :func:`load_host`) to plan with a chosen
set of plugins; without one, the installed plugins are used.
"""

from __future__ import annotations

import datetime
import hashlib
import sys
import types
from collections.abc import Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resplan._version import __version__

if TYPE_CHECKING:
    from resplan.errors import InputError, PluginError, Problem, ResplanError, RulesetError
    from resplan.host import Host, default_host, load_host
    from resplan.importing import ImportMapping
    from resplan.model import Catalog, Profile, Program
    from resplan.plan import Plan
    from resplan.plugins import CatalogReader, RulesetSource, hookimpl
    from resplan.rules import Function
    from resplan.verified import VerifiedFacts
    from resplan.writer import dumps_plan, loads_plan, read_plan, write_plan

# ``import resplan`` stays cheap (the pytest plugin and ``resplan --help`` import it):
# each name below is imported from its module the first time it is used.
_LAZY = {
    "InputError": "errors",
    "PluginError": "errors",
    "Problem": "errors",
    "ResplanError": "errors",
    "RulesetError": "errors",
    "Host": "host",
    "default_host": "host",
    "load_host": "host",
    "ImportMapping": "importing",
    "Catalog": "model",
    "Profile": "model",
    "Program": "model",
    "Plan": "plan",
    "CatalogReader": "plugins",
    "RulesetSource": "plugins",
    "hookimpl": "plugins",
    "Function": "rules",
    "dumps_plan": "writer",
    "loads_plan": "writer",
    "read_plan": "writer",
    "write_plan": "writer",
}

__all__ = [
    "__version__",
    "load_profile",
    "load_catalog",
    "merge_catalogs",
    "plan",
    "write_plan",
    "dumps_plan",
    "loads_plan",
    "read_plan",
    "render_report",
    "load_host",
    "default_host",
    "Host",
    "hookimpl",
    "RulesetSource",
    "CatalogReader",
    "ImportMapping",
    "Function",
    "Profile",
    "Program",
    "Catalog",
    "Plan",
    "ResplanError",
    "InputError",
    "RulesetError",
    "PluginError",
    "Problem",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'resplan' has no attribute {name!r}")
    value = getattr(import_module(f"resplan.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``resplan.plan`` is the function below and also the module of the plan types. When
    that module is first imported (lazily, now), the import system sets it as this
    package's attribute ``plan``, which would hide the function: the function stays."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "plan" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def load_profile(path: str | Path) -> Profile:
    """Read an applicant profile from a TOML file."""
    from resplan.sources import load_profile as _load

    return _load(path)


def load_catalog(path: str | Path, *, host: Host | None = None) -> Catalog:
    """Read a catalog with the reader its suffix names (.toml, .csv, or a plugin's)."""
    from resplan.host import default_host

    return (host or default_host()).read_catalog(Path(path))


def merge_catalogs(
    catalogs: Iterable[Catalog], names: Iterable[str | Path] | None = None
) -> Catalog:
    """One catalog from several; a program id in two of them is an error.

    ``names`` (e.g. the files the catalogs were read from) name them in messages.
    """
    from resplan.errors import InputError, Problem
    from resplan.model import Catalog

    catalogs = list(catalogs)
    labels = (
        [str(n) for n in names]
        if names is not None
        else [f"catalog {i + 1}" for i in range(len(catalogs))]
    )
    programs: list[Program] = []
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for index, catalog in enumerate(catalogs):
        for program in catalog:
            if program.id in seen:
                problems.append(
                    Problem(
                        labels[index],
                        f"program id also in {labels[seen[program.id]]}",
                        field="id",
                        subject=program.id,
                    )
                )
                continue
            seen[program.id] = index
            programs.append(program)
    if problems:
        raise InputError(problems)
    merged = Catalog(programs)
    # Its provenance digest: of its parts' digests (of their files' bytes when read from
    # files), in sorted order, so the order the catalogs are given in does not matter.
    from resplan.pipeline import catalog_digest

    parts = "".join(sorted(f"{catalog_digest(c)}\n" for c in catalogs))
    object.__setattr__(merged, "_digest", hashlib.sha256(parts.encode()).hexdigest())
    return merged


def plan(
    profile: Profile,
    catalog: Catalog,
    *,
    host: Host | None = None,
    as_of: datetime.date | str | None = None,
    facts: str | Path | Iterable[str | Path] | VerifiedFacts | None = None,
) -> Plan:
    """Make the plan for ``profile`` against ``catalog`` on ``as_of`` (a date or
    ``"YYYY-MM-DD"``; default: today). The same inputs and date give the same plan.

    ``facts``: facts verified with programs, laid over the catalog by program id: a facts
    file's path, several paths, or what :func:`resplan.verified.load_facts` read.

    Raises :class:`InputError` naming ``applicant.cycle`` when that Match is already over.
    """
    from resplan.host import default_host
    from resplan.model import Catalog, Profile
    from resplan.pipeline import make_plan
    from resplan.verified import VerifiedFacts, load_facts

    if not isinstance(profile, Profile):
        raise TypeError(
            f"plan() takes a Profile, not {type(profile).__name__}: read one with "
            "resplan.load_profile(path)"
        )
    if not isinstance(catalog, Catalog):
        raise TypeError(
            f"plan() takes a Catalog, not {type(catalog).__name__}: read one with "
            "resplan.load_catalog(path)"
        )

    if facts is not None and not isinstance(facts, VerifiedFacts):
        facts = load_facts(facts)
    return make_plan(profile, catalog, host or default_host(), as_of=as_of, facts=facts)


def render_report(plan: Plan, format: str = "html", *, full: bool = False) -> str:
    """A report of ``plan`` for people: ``"html"``, ``"md"`` or ``"csv"`` (see resplan.report)."""
    from resplan.report import render_report as _render

    return _render(plan, format, full=full)
