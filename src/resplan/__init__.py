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
from pathlib import Path

from resplan._version import __version__
from resplan.errors import InputError, PluginError, Problem, ResplanError, RulesetError
from resplan.host import Host, default_host, load_host
from resplan.model import Catalog, Profile, Program
from resplan.plan import Plan
from resplan.plugins import CatalogReader, RulesetSource, hookimpl
from resplan.rules import Function
from resplan.writer import dumps_plan, loads_plan, read_plan, write_plan

__all__ = [
    "__version__", "load_profile", "load_catalog", "plan", "write_plan", "dumps_plan",
    "loads_plan", "read_plan", "render_report", "load_host", "default_host", "Host", "hookimpl",
    "RulesetSource", "CatalogReader", "Function", "Profile", "Program", "Catalog", "Plan",
    "ResplanError", "InputError", "RulesetError", "PluginError", "Problem",
]


def load_profile(path) -> Profile:
    """Read an applicant profile from a TOML file."""
    from resplan.sources import load_profile as _load
    return _load(path)


def load_catalog(path, *, host: Host | None = None) -> Catalog:
    """Read a catalog with the reader its suffix names (.toml, .csv, or a plugin's)."""
    return (host or default_host()).read_catalog(Path(path))


def merge_catalogs(catalogs, names=None) -> Catalog:
    """One catalog from several; a program id in two of them is an error.

    ``names`` (e.g. the files the catalogs were read from) name them in messages.
    """
    catalogs = list(catalogs)
    names = [str(n) for n in names] if names is not None else \
        [f"catalog {i + 1}" for i in range(len(catalogs))]
    programs, seen, problems = [], {}, []
    for index, catalog in enumerate(catalogs):
        for program in catalog:
            if program.id in seen:
                problems.append(Problem(names[index], f"program id also in {names[seen[program.id]]}",
                                        field="id", subject=program.id))
                continue
            seen[program.id] = index
            programs.append(program)
    if problems:
        raise InputError(problems)
    return Catalog(programs)


def plan(profile: Profile, catalog: Catalog, *, host: Host | None = None,
         as_of: datetime.date | str | None = None, facts=None) -> Plan:
    """Make the plan for ``profile`` against ``catalog`` on ``as_of`` (a date or
    ``"YYYY-MM-DD"``; default: today). The same inputs and date give the same plan.

    ``facts``: facts verified with programs, laid over the catalog by program id: a facts
    file's path, several paths, or what :func:`resplan.verified.load_facts` read.

    Raises :class:`InputError` naming ``applicant.cycle`` when that Match is already over.
    """
    from resplan.pipeline import make_plan
    from resplan.verified import VerifiedFacts, load_facts

    if facts is not None and not isinstance(facts, VerifiedFacts):
        facts = load_facts(facts)
    return make_plan(profile, catalog, host or default_host(), as_of=as_of, facts=facts)


def render_report(plan: Plan, format: str = "html", *, full: bool = False) -> str:
    """A report of ``plan`` for people: ``"html"``, ``"md"`` or ``"csv"`` (see resplan.report)."""
    from resplan.report import render_report as _render
    return _render(plan, format, full=full)
