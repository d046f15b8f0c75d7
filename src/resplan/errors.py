"""Errors that reach people.

Every error resplan raises for bad input names the file, the field path and, where the
format allows, the line. The CLI prints ``str(error)`` and exits with status 2; nothing
else in resplan formats errors for people.
"""

from __future__ import annotations

import attrs


class ResplanError(Exception):
    """Base class of every error resplan raises on purpose."""


@attrs.define(eq=False)
class Problem:
    """One problem in one input file."""

    file: str
    message: str
    field: str = ""
    line: int | None = None
    subject: str = ""  # e.g. a program id or a rule id, when the problem belongs to one

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.subject:
            parts.append(self.subject)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts) + ": " + self.message


class InputError(ResplanError):
    """A profile, catalog or ruleset file that resplan cannot accept.

    Carries one or more :class:`Problem`; ``str()`` lists them one per line.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, file, message, *, field="", line=None, subject="") -> InputError:
        return cls(Problem(str(file), message, field, line, subject))


class RulesetError(InputError):
    """A ruleset that does not load: bad TOML, an unknown name, a type error."""


class UsageError(ResplanError):
    """A command-line option or environment setting resplan cannot accept, such as a
    plugin to disable that is not installed. The CLI exits with status 2 for it."""


class PluginError(ResplanError):
    """A plugin that failed or misbehaved, or plugins that cannot work together.

    When one plugin is at fault, ``plugin`` names it, ``distribution`` is the package
    that installed it (with its version), and ``where`` is the hook or rule function
    that failed. The CLI exits with status 3 for it, apart from bad input (2).
    """

    def __init__(self, message: str, *, plugin: str = "", distribution: str = "", where: str = ""):
        super().__init__(message)
        self.plugin, self.distribution, self.where = plugin, distribution, where

    @classmethod
    def failed(cls, plugin: str, distribution: str, where: str, what: str) -> PluginError:
        source = f" from {distribution}" if distribution else ""
        return cls(
            f"plugin {plugin!r}{source} failed in {where}: {what}",
            plugin=plugin,
            distribution=distribution,
            where=where,
        )


def describe_exception(exc: BaseException) -> str:
    """``ZeroDivisionError: division by zero``, on one line and not too long."""
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
