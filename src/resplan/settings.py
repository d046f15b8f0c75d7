"""Limits a user can raise, and switches a user can turn, through the environment: one
way to read them.

Each limit is a named default beside the code it protects (``sources.MAX_INPUT_MB``,
``host.FUNCTION_BUDGET_SECONDS``, ``check.MAX_PAIRS``); a value in its environment
variable that is not a positive, finite number is ignored, so a typo never removes a limit.
A switch (``cache.NO_CACHE_ENV``) is on for any value but empty, ``0``, ``false``, ``no``
or ``off``. The ``resplan`` command refuses such values instead, one line each
(:func:`environment_problems`).
"""

from __future__ import annotations

import math
import os

# The variables resplan reads, by kind; the command refuses a value it cannot read
# (environment_problems), instead of going on without it. Each name is also a constant
# beside the code that reads it (a test checks they agree).
NUMBERS = (
    "RESPLAN_MAX_INPUT_MB",  # sources.MAX_INPUT_MB_ENV
    "RESPLAN_FUNCTION_BUDGET_SECONDS",  # host.FUNCTION_BUDGET_ENV
    "RESPLAN_CACHE_MB",  # cache.MAX_CACHE_MB_ENV
    "RESPLAN_CHECK_MAX_PAIRS",  # check.MAX_PAIRS_ENV
)
SWITCHES = ("RESPLAN_NO_CACHE", "RESPLAN_DEBUG")  # cache.NO_CACHE_ENV, cli.DEBUG_ENV
CACHE_DIR = "RESPLAN_CACHE_DIR"  # cache.CACHE_DIR_ENV
OFF = ("", "0", "false", "no", "off")
ON = ("1", "true", "yes", "on")


def positive_number(env: str, default: float) -> float:
    """The positive, finite number in ``$env``, else ``default``."""
    raw = os.environ.get(env, "")
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        return default
    return value if 0 < value and math.isfinite(value) else default  # NaN fails both


def switched_on(env: str) -> bool:
    """Whether ``$env`` is set to anything but empty, ``0``, ``false``, ``no`` or ``off``."""
    return os.environ.get(env, "").strip().lower() not in OFF


def environment_problems() -> list:
    """A :class:`resplan.Problem` for each ``RESPLAN_*`` variable set to a value resplan
    cannot read: a limit that is not a positive number, a switch that is not one of
    :data:`ON` or :data:`OFF`, a cache folder that is a file (or inside one) while the
    cache is on. The library reads such a value as unset; the command refuses it."""
    from resplan.errors import Problem

    problems = []
    for name in NUMBERS:
        raw = os.environ.get(name, "")
        if raw.strip() and positive_number(name, -1.0) == -1.0:
            problems.append(
                Problem(name, f"{raw!r} is not a positive number: give one, or unset it")
            )
    for name in SWITCHES:
        raw = os.environ.get(name, "")
        if raw.strip().lower() not in OFF + ON:
            problems.append(
                Problem(name, f"{raw!r} is neither on nor off: give 1 (on) or 0 (off), or unset it")
            )
    raw = os.environ.get(CACHE_DIR, "")
    if raw and not switched_on("RESPLAN_NO_CACHE"):
        from pathlib import Path

        folder = Path(raw).expanduser()
        found = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if found is not None and not found.is_dir():
            where = "is a file" if found == folder else f"is inside {str(found)!r}, a file"
            problems.append(
                Problem(
                    CACHE_DIR,
                    f"{raw!r} {where}: name a folder for resplan's cache (it is made "
                    "if missing), or turn the cache off with RESPLAN_NO_CACHE=1",
                )
            )
    return problems
