"""The pytest plugin of resplan: fixtures for testing rules and plugins.

Registered through the ``pytest11`` entry point ``resplan``, so installing resplan makes
these fixtures available to every test suite, e.g. an institution plugin's:

``resplan_host``
    The installed plugins (your own included, once it is installed), loaded once per test
    session, ignoring ``RESPLAN_DISABLE_PLUGINS``.
``resplan_host_factory``
    ``resplan_host_factory(disable=(), plugins=(), entry_points=True)`` builds an isolated
    host with a chosen set of plugins: leave installed plugins out by name, add plugin
    objects (see :func:`resplan.testing.ruleset_plugin`), or skip the installed ones
    altogether. Hosts are cached for the session: ask for the same setup twice and you
    get the same host.
``resplan_examples``
    How many hypothesis examples a property run should try: ``--resplan-examples N``
    on the pytest command line, else the ``RESPLAN_EXAMPLES`` environment variable, else 40.
``resplan_check_properties``
    ``resplan_check_properties(host, names=None, max_examples=None, **options)`` runs the
    rule properties (all, or those named) against a host and fails the test with every
    shrunk counterexample; ``options`` go to :class:`resplan.testing.Context`, e.g.
    ``extra_programs=[...]`` to put your own programs in every catalog drawn.

Nothing here imports hypothesis: the plugin loads in any pytest run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pytest

import resplan

DEFAULT_EXAMPLES = 40


def pytest_addoption(parser):
    group = parser.getgroup("resplan", "resplan rule properties")
    group.addoption(
        "--resplan-examples",
        type=int,
        default=None,
        metavar="N",
        help="hypothesis examples per resplan rule property "
        f"(default: $RESPLAN_EXAMPLES or {DEFAULT_EXAMPLES})",
    )


class HostFactory:
    """Builds hosts with chosen plugins, once per setup."""

    def __init__(self):
        self._hosts: dict[tuple, tuple[resplan.Host, list]] = {}

    def __call__(
        self, *, disable: Iterable[str] = (), plugins: Iterable[Any] = (), entry_points: bool = True
    ) -> resplan.Host:
        plugins = list(plugins)
        # Plugin objects are kept with their host, so their ids stay theirs.
        key = (tuple(sorted(disable)), tuple(id(p) for p in plugins), entry_points)
        if key not in self._hosts:
            host = resplan.load_host(
                disable=disable, plugins=plugins, entry_points=entry_points, use_env=False
            )
            self._hosts[key] = (host, plugins)
        return self._hosts[key][0]


@pytest.fixture(scope="session")
def resplan_host_factory() -> HostFactory:
    return HostFactory()


@pytest.fixture(scope="session")
def resplan_host(resplan_host_factory) -> resplan.Host:
    return resplan_host_factory()


@pytest.fixture(scope="session")
def resplan_examples(request) -> int:
    option = request.config.getoption("resplan_examples", default=None)
    if option is not None:
        return option
    return int(os.environ.get("RESPLAN_EXAMPLES", DEFAULT_EXAMPLES))


@pytest.fixture
def resplan_check_properties(resplan_examples):
    def run(
        host: resplan.Host,
        names: Iterable[str] | None = None,
        *,
        max_examples: int | None = None,
        **options,
    ) -> None:
        from resplan.testing.properties import PROPERTIES, run_properties

        wanted = None if names is None else set(names)
        chosen = [p for p in PROPERTIES if wanted is None or p.name in wanted]
        if wanted is not None and len(chosen) != len(wanted):
            unknown = wanted - {p.name for p in PROPERTIES}
            raise ValueError(f"no such properties: {', '.join(sorted(unknown))}")
        failures = run_properties(
            host, max_examples=max_examples or resplan_examples, properties=chosen, **options
        )
        if failures:
            pytest.fail("\n\n".join(f.report() for f in failures), pytrace=False)

    return run
