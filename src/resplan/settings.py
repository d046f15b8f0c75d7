"""Limits a user can raise, and switches a user can turn, through the environment: one
way to read them.

Each limit is a named default beside the code it protects (``sources.MAX_INPUT_MB``,
``host.FUNCTION_BUDGET_SECONDS``, ``check.MAX_PAIRS``); a value in its environment
variable that is not a positive, finite number is ignored, so a typo never removes a limit.
A switch (``cache.NO_CACHE_ENV``) is on for any value but empty, ``0``, ``false`` or ``no``.
"""

from __future__ import annotations

import math
import os


def positive_number(env: str, default: float) -> float:
    """The positive, finite number in ``$env``, else ``default``."""
    raw = os.environ.get(env, "")
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        return default
    return value if 0 < value and math.isfinite(value) else default  # NaN fails both


def switched_on(env: str) -> bool:
    """Whether ``$env`` is set to anything but empty, ``0``, ``false`` or ``no``."""
    return os.environ.get(env, "").strip().lower() not in ("", "0", "false", "no")
