"""resplan's built-in plugins.

Each is an ordinary plugin, registered through the ``resplan`` entry-point group exactly
like a third-party one, so an institution can disable or replace any of them.
"""
