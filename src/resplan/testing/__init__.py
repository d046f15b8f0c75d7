"""Testing tools for resplan rules: hypothesis strategies, properties and a pytest plugin.

For plugin authors (see docs/plugin-authors.md)::

    from resplan.testing import catalogs, profiles            # hypothesis strategies
    from resplan.testing import PROPERTIES, run_property      # the rule properties
    from resplan.testing import ruleset_plugin                # a plugin from TOML text

The pytest plugin (``resplan.testing.plugin``, registered as the ``pytest11`` entry point
``resplan``) provides the ``resplan_host`` and ``resplan_host_factory`` fixtures.

Hypothesis is needed for the strategies and properties only: it is imported when one of
them is first used, so the pytest plugin and ``resplan check`` without ``--properties``
work without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Everything is imported on first use: the pytest plugin (resplan.testing.plugin) loads in
# every pytest run of every project that installs resplan, and must cost nothing there.
_LAZY = {
    # hosts
    "PluginSpec": "hosts",
    "host_from_specs": "hosts",
    "plugin_specs": "hosts",
    "registration_orders": "hosts",
    "ruleset_plugin": "hosts",
    # strategies
    "profiles": "strategies",
    "programs": "strategies",
    "catalogs": "strategies",
    "applicants": "strategies",
    "exams": "strategies",
    "languages": "strategies",
    "clinical_stints": "strategies",
    "letters": "strategies",
    "activities": "strategies",
    "optional": "strategies",
    "program_ids": "strategies",
    "cities_of": "strategies",
    "DEFAULT_SPECIALTIES": "strategies",
    "BORDER_CITIES": "strategies",
    "OTHER_CITIES": "strategies",
    "DEFAULT_CITIES": "strategies",
    # properties
    "PROPERTIES": "properties",
    "Property": "properties",
    "PropertyFailure": "properties",
    "PropertyViolation": "properties",
    "Context": "properties",
    "run_property": "properties",
    "run_properties": "properties",
    "property_named": "properties",
    "render_example": "properties",
    "SEVERITY": "properties",
    "AS_OF": "properties",
}

__all__ = [*_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'resplan.testing' has no attribute {name!r}")
    value = getattr(import_module(f"resplan.testing.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
