"""The resplan pytest plugin's fixtures, for this folder's tests.

Once resplan registers ``resplan.testing.plugin`` as its ``pytest11`` entry point the
fixtures are there anyway; importing them here keeps these tests working before that (a
conftest's fixtures simply take precedence over a plugin's of the same name).
"""

from resplan.testing.plugin import (  # noqa: F401 - fixtures
    resplan_check_properties,
    resplan_examples,
    resplan_host,
    resplan_host_factory,
)
