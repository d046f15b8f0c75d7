"""Plugins that fail: each one is named, with its hook or function, and nothing is written.

In code (``load_host(plugins=[...])``) every failure is a PluginError naming the plugin
and where it failed. Installed through an entry point, the command exits with status 3,
prints one line naming the plugin and its distribution, and shows a traceback only with
``--debug``; ``resplan plugins`` and ``resplan --help`` keep working.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
import types

import attrs
import pytest

import resplan
from resplan.errors import PluginError
from resplan.plugins import CatalogReader, RulesetSource, hookimpl
from resplan.rules import Function
from resplan.rules.types import BOOL, NUMBER, TEXT, SetOf
from tests.conftest import DATA, ROOT

PROFILE = DATA / "profile-minimal.toml"
CATALOG = DATA / "catalog-small.toml"


def rule_using(call: str) -> str:
    return textwrap.dedent(f"""\
        [ruleset]
        name = "uses-broken"
        version = "1"

        [[screen]]
        id = "uses-broken"
        when = "{call}"
        verdict = "borderline"
        says = "A rule that calls a plugin's function."
        source = "tests"
        """)


def function_plugin(name, returns, impl, call, args=(NUMBER,)):
    plugin = types.SimpleNamespace(name=name)
    plugin.resplan_functions = hookimpl(lambda: [Function("broken_fn", args, returns, impl)])
    plugin.resplan_rulesets = hookimpl(
        lambda: [RulesetSource.from_text(rule_using(call), f"{name}.toml")]
    )
    return plugin


def hook_plugin(name, hook, function):
    plugin = types.SimpleNamespace(name=name)
    setattr(plugin, hook, hookimpl(function))
    return plugin


def _raise(exc):
    raise exc


def _sleepy(value):
    time.sleep(0.05)
    return True


BOOL_CALL = "broken_fn(program.positions)"
NUMBER_CALL = "broken_fn(program.positions) > 1"

# (id, plugin, where the message says it failed, words of what went wrong)
BROKEN = [
    (
        "function-raises",
        function_plugin("p-raises", BOOL, lambda v: 1 / 0, BOOL_CALL),
        "rule function broken_fn()",
        "ZeroDivisionError",
    ),
    (
        "function-exits",
        function_plugin("p-exits", BOOL, lambda v: sys.exit(0), BOOL_CALL),
        "rule function broken_fn()",
        "SystemExit",
    ),
    (
        "bool-returns-text",
        function_plugin("p-abc", BOOL, lambda v: "abc", BOOL_CALL),
        "rule function broken_fn()",
        "'abc', not true or false",
    ),
    (
        "number-returns-nan",
        function_plugin("p-nan", NUMBER, lambda v: math.nan, NUMBER_CALL),
        "rule function broken_fn()",
        "not a finite number",
    ),
    (
        "number-returns-text",
        function_plugin("p-five", NUMBER, lambda v: "5", NUMBER_CALL),
        "rule function broken_fn()",
        "not a number",
    ),
    (
        "number-returns-bool",
        function_plugin("p-true", NUMBER, lambda v: True, NUMBER_CALL),
        "rule function broken_fn()",
        "not a number",
    ),
    (
        "text-returns-number",
        function_plugin("p-text", TEXT, lambda v: 5, "broken_fn(program.state) == 'TX'", (TEXT,)),
        "rule function broken_fn()",
        "not text",
    ),
    (
        "set-returns-list",
        function_plugin(
            "p-set", SetOf(TEXT), lambda v: ["TX"], "'TX' in broken_fn(program.state)", (TEXT,)
        ),
        "rule function broken_fn()",
        "not a set",
    ),
    (
        "adjust-raises",
        hook_plugin(
            "p-adjust",
            "resplan_adjust_plan",
            lambda plan, profile, catalog: _raise(KeyError("tier")),
        ),
        "resplan_adjust_plan",
        "KeyError",
    ),
    (
        "adjust-exits",
        hook_plugin(
            "p-adjust-exit", "resplan_adjust_plan", lambda plan, profile, catalog: sys.exit(1)
        ),
        "resplan_adjust_plan",
        "SystemExit",
    ),
    (
        "adjust-returns-text",
        hook_plugin("p-adjust-text", "resplan_adjust_plan", lambda plan, profile, catalog: "plan"),
        "resplan_adjust_plan",
        "returned str, not a Plan",
    ),
    (
        "adjust-half-application",
        hook_plugin(
            "p-half",
            "resplan_adjust_plan",
            lambda plan, profile, catalog: attrs.evolve(
                plan, summary=attrs.evolve(plan.summary, applications=60.5)
            ),
        ),
        "resplan_adjust_plan",
        "summary.applications",
    ),
    (
        "adjust-bad-verdict",
        hook_plugin(
            "p-verdict",
            "resplan_adjust_plan",
            lambda plan, profile, catalog: attrs.evolve(
                plan, programs=tuple(attrs.evolve(p, verdict="maybe") for p in plan.programs)
            ),
        ),
        "resplan_adjust_plan",
        "verdict",
    ),
]

# Failures while the host loads: (id, plugin, where, words)
BROKEN_AT_LOAD = [
    (
        "functions-hook-raises",
        hook_plugin("p-fns", "resplan_functions", lambda: _raise(RuntimeError("no table"))),
        "resplan_functions",
        "RuntimeError: no table",
    ),
    (
        "functions-hook-returns-text",
        hook_plugin("p-fns-text", "resplan_functions", lambda: "broken_fn"),
        "resplan_functions",
        "returned str, not a list",
    ),
    (
        "functions-hook-returns-dicts",
        hook_plugin("p-fns-dict", "resplan_functions", lambda: [{"name": "f"}]),
        "resplan_functions",
        "holding dict, not only Function",
    ),
    (
        "rulesets-hook-raises",
        hook_plugin(
            "p-rulesets",
            "resplan_rulesets",
            lambda: [RulesetSource.from_path("/nonexistent/rules.toml")],
        ),
        "resplan_rulesets",
        "FileNotFoundError",
    ),
    (
        "rulesets-hook-exits",
        hook_plugin("p-rulesets-exit", "resplan_rulesets", lambda: sys.exit(2)),
        "resplan_rulesets",
        "SystemExit",
    ),
    (
        "readers-hook-returns-text",
        hook_plugin("p-readers", "resplan_catalog_readers", lambda: ["xml"]),
        "resplan_catalog_readers",
        "holding str",
    ),
]


@pytest.mark.parametrize("name, plugin, where, words", BROKEN, ids=[c[0] for c in BROKEN])
def test_a_failing_plugin_is_named(name, plugin, where, words):
    host = resplan.load_host(plugins=[plugin], use_env=False)
    profile = resplan.load_profile(PROFILE)
    catalog = host.read_catalog(CATALOG)
    with pytest.raises(PluginError) as excinfo:
        resplan.plan(profile, catalog, host=host)
    error = excinfo.value
    assert error.plugin == plugin.name and error.where == where
    assert f"plugin {plugin.name!r}" in str(error) and "registered in code" in str(error)
    assert where in str(error) and words in str(error)


@pytest.mark.parametrize(
    "name, plugin, where, words", BROKEN_AT_LOAD, ids=[c[0] for c in BROKEN_AT_LOAD]
)
def test_a_plugin_failing_while_loading_is_named(name, plugin, where, words):
    with pytest.raises(PluginError) as excinfo:
        resplan.load_host(plugins=[plugin], use_env=False)
    error = excinfo.value
    assert error.plugin == plugin.name and error.where == where
    assert words in str(error)


def test_a_catalog_reader_that_raises_is_named(tmp_path):
    def read(path):
        raise ValueError("unexpected column")

    plugin = hook_plugin(
        "p-xml", "resplan_catalog_readers", lambda: [CatalogReader("xml", (".xml",), read)]
    )
    host = resplan.load_host(plugins=[plugin], use_env=False)
    (tmp_path / "c.xml").write_text("<catalog/>")
    with pytest.raises(PluginError) as excinfo:
        host.read_catalog(tmp_path / "c.xml")
    assert "p-xml" in str(excinfo.value) and "catalog reader 'xml'" in str(excinfo.value)
    assert "ValueError: unexpected column" in str(excinfo.value)


def test_a_catalog_reader_returning_a_list_is_named(tmp_path):
    plugin = hook_plugin(
        "p-list",
        "resplan_catalog_readers",
        lambda: [CatalogReader("xml", (".xml",), lambda path: [])],
    )
    host = resplan.load_host(plugins=[plugin], use_env=False)
    (tmp_path / "c.xml").write_text("<catalog/>")
    with pytest.raises(PluginError, match="returned list, not a Catalog"):
        host.read_catalog(tmp_path / "c.xml")


def test_a_hook_of_the_wrong_signature_is_named():
    plugin = hook_plugin(
        "p-signature", "resplan_adjust_plan", lambda plan, profile, catalog, extra: None
    )
    with pytest.raises(PluginError) as excinfo:
        resplan.load_host(plugins=[plugin], use_env=False)
    assert excinfo.value.plugin == "p-signature" and "extra" in str(excinfo.value)


def test_rule_functions_over_their_time_budget_are_stopped(monkeypatch):
    # 0.05 s a call against a budget of 0.2 s: the eight programs take at least 0.4 s.
    monkeypatch.setenv("RESPLAN_FUNCTION_BUDGET_SECONDS", "0.2")
    plugin = function_plugin("p-sleepy", BOOL, _sleepy, BOOL_CALL)
    host = resplan.load_host(plugins=[plugin], use_env=False)
    profile = resplan.load_profile(PROFILE)
    catalog = host.read_catalog(CATALOG)
    with pytest.raises(PluginError) as excinfo:
        resplan.plan(profile, catalog, host=host)
    assert "p-sleepy" in str(excinfo.value) and "took over 0.2 s" in str(excinfo.value)
    assert "RESPLAN_FUNCTION_BUDGET_SECONDS" in str(excinfo.value)


def _forever(value):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # a careless plugin swallows errors: the stop still gets through
            pass


@pytest.mark.skipif(sys.platform == "win32", reason="interval timers")
def test_a_rule_function_that_never_returns_is_stopped(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("RESPLAN_FUNCTION_BUDGET_SECONDS", "0.5")
    plugin = function_plugin("p-forever", BOOL, _forever, BOOL_CALL)
    host = resplan.load_host(plugins=[plugin], use_env=False)
    profile = resplan.load_profile(PROFILE)
    catalog = host.read_catalog(CATALOG)
    with pytest.raises(PluginError) as excinfo:
        resplan.plan(profile, catalog, host=host)
    assert "p-forever" in str(excinfo.value) and "took over 0.5 s" in str(excinfo.value)
    # The process' own alarm handler is back in place.
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_the_budget_is_per_plan():
    # Each plan starts with the whole budget: many quick plans never add up to a failure.
    plugin = function_plugin("p-quick", BOOL, lambda v: v > 3, BOOL_CALL)
    host = resplan.load_host(plugins=[plugin], use_env=False)
    host.budget.seconds = 1.0
    profile = resplan.load_profile(PROFILE)
    catalog = host.read_catalog(CATALOG)
    host.budget.spent = 0.99  # as if the previous plan had used almost all of it
    plan = resplan.plan(profile, catalog, host=host)
    assert any(r.rule == "uses-broken/uses-broken" for p in plan.programs for r in p.reasons)


# ------------------------------------------------------------------ installed plugins


PLUGIN_MODULES = {
    "import-error": "import not_a_module_anywhere\n",
    "raises-at-import": "raise RuntimeError('configuration file missing')\n",
    "exits-at-import": "import sys\nsys.exit(0)\n",
    "function-raises": textwrap.dedent('''\
        from resplan import Function, RulesetSource, hookimpl
        from resplan.rules.types import BOOL, NUMBER

        @hookimpl
        def resplan_functions():
            return [Function("broken_fn", (NUMBER,), BOOL, lambda v: {}[v])]

        @hookimpl
        def resplan_rulesets():
            return [RulesetSource.from_text(RULES, "brokenplug.toml")]

        RULES = """
        [ruleset]
        name = "brokenplug"
        version = "1"

        [[screen]]
        id = "uses-broken"
        when = "broken_fn(program.positions)"
        verdict = "borderline"
        says = "A rule that calls a plugin's function."
        source = "tests"
        """
        '''),
}


def install(tmp_path, source: str):
    """A distribution ``brokenplug 0.1`` with the entry point ``broken``, on PYTHONPATH."""
    site = tmp_path / "site"
    info = site / "brokenplug-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "brokenplug.py").write_text(source)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenplug\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[resplan]\nbroken = brokenplug\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    env.pop("RESPLAN_DEBUG", None)
    env.pop("RESPLAN_DISABLE_PLUGINS", None)
    return env


def run(env, *argv):
    return subprocess.run(
        [sys.executable, "-m", "resplan", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("kind", sorted(PLUGIN_MODULES))
def test_an_installed_plugin_that_fails_is_named_exit_3(tmp_path, kind):
    env = install(tmp_path, PLUGIN_MODULES[kind])
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    result = run(env, "plan", PROFILE, "--catalog", CATALOG, "--out", out)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert "plugin 'broken' from brokenplug 0.1" in line and "--disable broken" in line
    assert out.read_text() == "previous plan\n"
    debug = run(env, "--debug", "plan", PROFILE, "--catalog", CATALOG, "--out", out)
    assert debug.returncode == 3 and "Traceback" in debug.stderr
    assert out.read_text() == "previous plan\n"
    # Left out, it is no trouble at all.
    assert (
        run(
            env, "--disable", "broken", "plan", PROFILE, "--catalog", CATALOG, "--out", out
        ).returncode
        == 0
    )


@pytest.mark.parametrize("kind", ["import-error", "raises-at-import", "exits-at-import"])
def test_plugins_and_help_still_work_beside_a_plugin_that_does_not_import(tmp_path, kind):
    env = install(tmp_path, PLUGIN_MODULES[kind])
    listed = run(env, "plugins")
    assert listed.returncode == 3
    assert "screening" in listed.stdout  # the others are listed
    assert "broken  (brokenplug 0.1)  NOT LOADED" in listed.stdout
    assert "Traceback" not in listed.stderr
    helped = run(env, "--help")
    assert helped.returncode == 0 and "plan" in helped.stdout


# The function plugin above with its rule's condition cut short: its ruleset does not load.
BROKEN_RULESET = PLUGIN_MODULES["function-raises"].replace(
    'when = "broken_fn(program.positions)"', 'when = "broken_fn(program.positions) >"'
)


def test_plugins_lists_the_others_beside_a_plugin_whose_ruleset_does_not_load(tmp_path):
    env = install(tmp_path, BROKEN_RULESET)
    listed = run(env, "plugins")
    assert listed.returncode == 3, listed.stderr
    assert "ruleset screening" in listed.stdout  # the others are listed with their rulesets
    [line] = [x for x in listed.stdout.splitlines() if x.startswith("broken ")]
    assert "(brokenplug 0.1)  NOT LOADED: its ruleset does not load: brokenplug.toml:" in line
    assert "uses-broken" in line and "Traceback" not in listed.stderr
    assert "RESPLAN_DISABLE_PLUGINS=broken" in listed.stderr
    # Other commands still stop at it, naming the file and the plugin to leave out.
    planned = run(env, "plan", PROFILE, "--catalog", CATALOG, "--out", tmp_path / "plan.toml")
    assert planned.returncode == 2
    assert "brokenplug.toml" in planned.stderr and "--disable broken" in planned.stderr
    assert not (tmp_path / "plan.toml").exists()
