"""Hook specifications: what a resplan plugin can provide.

A plugin is a module (or object) with functions named like the hooks below, each decorated
with ``resplan.hookimpl``, registered under the ``resplan`` entry-point group of its
package::

    [project.entry-points.resplan]
    my-hospital = "my_hospital_rules"

Every hook is called once per run (per stage, for ``resplan_adjust_plan``), never once per
program. Hooks return typed records; the host gathers them from all plugins, sorts them,
and refuses two records with the same name, naming both plugins.

A plugin that fails is named, never hidden in a traceback: an import error, a hook or rule
function that raises (``SystemExit`` included), a hook that returns anything but a list
of its records, a rule function whose result is not of its declared type (a ``BOOL``
function returns a bool, a ``NUMBER`` function a finite number), rule functions that take
more than their time budget for one plan, or an adjusted plan that would not read back
are each a :class:`resplan.PluginError` naming the plugin, its distribution and the hook
or function; the command exits with status 3. ``resplan --debug`` shows the traceback.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("resplan")


@hookspec
def resplan_rulesets():
    """Return the rulesets this plugin supplies, as a list of :class:`resplan.RulesetSource`.

    A ruleset is a TOML file of rules, parameters and reference tables (see
    ``docs/rulesets.md``). Use ``RulesetSource.from_path(path)`` for a file shipped with
    your package (``importlib.resources`` finds it inside a wheel) or
    ``RulesetSource.from_text(text, label)`` for one built in code. The ``[ruleset] name``
    must be unique among all installed plugins; rulesets are checked and compiled when the
    host loads them, so a mistake fails the run before any plan is made.
    """


@hookspec
def resplan_functions():
    """Return functions that rule expressions may call, as a list of :class:`resplan.Function`.

    Declare argument and result types (``resplan.rules.NUMBER`` and friends) so conditions
    that use the function are type-checked at load time. Unless ``handles_unknown`` is set,
    resplan returns *unknown* without calling the function when an argument is unknown.
    Function names must be unique among all plugins and must not shadow a built-in.

    The screen and tier stages call a function once per program (once per distinct
    value when its one program argument is text), with the plain values the catalog
    gave. Keep it pure and quick; a function with ``handles_unknown``, or one given a
    value computed from program facts, makes its rule run program by program instead.
    """


@hookspec
def resplan_catalog_readers():
    """Return catalog readers, as a list of :class:`resplan.CatalogReader`.

    A reader names a format, the file suffixes it claims (``(".toml",)``) and a function
    ``read(path) -> resplan.model.Catalog``. Raise :class:`resplan.InputError` for bad
    input, naming the file, the field and the line where you can. Two readers claiming the
    same suffix is an error naming both plugins.
    """


@hookspec
def resplan_import_mappings():
    """Return import mappings, as a list of :class:`resplan.ImportMapping`.

    A mapping tells ``resplan import-catalog`` how to read one spreadsheet layout: which
    column holds which program fact, and how its cells read (see ``docs/catalogs.md``).
    Use ``ImportMapping.from_path(path)`` for a mapping file shipped with your package
    (``importlib.resources`` finds it inside a wheel) or ``ImportMapping.from_text(text,
    label)``; both check the file and raise :class:`resplan.InputError` for a mistake,
    which names your plugin. A mapping's ``name`` (what ``--mapping`` takes) must be
    unique among all installed plugins. Called only by ``import-catalog``.
    """


@hookspec
def resplan_adjust_plan(plan, profile, catalog):
    """Return a changed copy of the finished ``plan``, or ``None`` to leave it as it is.

    Called once, after the summary stage, with the :class:`resplan.Plan`, the applicant's
    :class:`~resplan.model.Profile` and the :class:`~resplan.model.Catalog`. Plugins are
    called in the order of their names; each sees the previous one's result. Use
    ``attrs.evolve`` on the frozen plan. ``plan.programs`` reads as a sequence of
    :class:`~resplan.plan.ProgramDecision` (it is kept as columns,
    :class:`~resplan.plan.ProgramDecisions`); to change programs, give the new plan a
    tuple of ``ProgramDecision`` in the same order (``attrs.evolve`` on the ones you
    change). Keep the result a pure function of the arguments: plans must stay
    byte-identical for the same inputs.
    """
