"""Code that attrs and cattrs generate, kept compiled between runs of the command.

attrs writes the source of each class's ``__init__``, ``__eq__``, ``__repr__`` and
``__hash__`` when the class is made and compiles it; cattrs does the same for each
function that builds a class from a dict. resplan makes about a hundred such classes at
import and a plan about twenty-five such functions: compiling their source was about a
twelfth of a ``resplan plan`` whose catalog came from the cache. The command
(:func:`resplan.cli.main`) routes the ``compile()`` of those two libraries through
:func:`compile_kept` while it runs: a source compiled before, under the same file name,
mode, flags and Python, gives the code object compiled then, read back with
:mod:`marshal`; any other is compiled as before and kept when the command ends.

A code object is what ``compile()`` makes of exactly that text, so what runs is the same
whether it came from the entry or not. One part of attrs' text is not the same from one
process to the next: ``__hash__`` starts from ``hash()`` of a name, which Python salts
per process. That number is taken out of the text the entry is found by and put back into
the code object (the one constant it is), so a class hashes in each process as attrs
makes it hash there.

The entry lives in the cache folder's ``code`` folder (:mod:`resplan.cache`: the same
ownership checks, atomic writes and size limit; ``--no-cache`` and ``RESPLAN_NO_CACHE``
turn it off) under a key of the Python version, its bytecode format and optimisation
level: marshal's format is Python's own. Code objects run what they say, as pickles may:
the entry asks for the same trust as the catalog entries beside it.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import marshal
import re
import sys
import types
from typing import Any, TypeGuard

# Raised when what an entry holds changes shape.
FORMAT = 1
KIND = "code"
# An entry holding more sources than this keeps only the ones of the last run: a
# resplan of changed classes (an upgrade, an editable checkout) otherwise adds to it.
MAX_SOURCES = 2000


def _future_flags() -> int:
    """The compiler flags of every ``from __future__ import`` feature."""
    features = importlib.import_module("__future__")
    flags = 0
    for name in features.all_feature_names:
        flags |= getattr(features, name).compiler_flag
    return flags


_FUTURE_FLAGS = _future_flags()

# The file names attrs compiles a class's methods under (with "-N" when another class of
# the same name came first): all of them at once ("methods", newer attrs) or each apart
# ("hash", older attrs such as 23.2; "__hash__" for its own classes), and the name it
# salts that class's __hash__ with, the same in every version.
_ATTRS_METHODS = re.compile(r"<attrs generated (?:methods|hash|__hash__) (.+?)(?:-\d+)?>")
_SALT = "<attrs generated hash {}>"


class _Kept:
    """What one command has read and compiled."""

    def __init__(self, key: str, known: dict[str, tuple[bytes, int | None]]):
        self.key = key
        self.known = known
        self.used: set[str] = set()
        self.new: dict[str, tuple[bytes, int | None]] = {}
        self.modules: list[types.ModuleType] = []


_kept: _Kept | None = None


def _entry_key() -> str:
    import importlib.util

    return "\n".join(
        [
            f"generated code {FORMAT}",
            f"python {sys.version}",
            f"bytecode {importlib.util.MAGIC_NUMBER.hex()}",
            f"optimize {sys.flags.optimize}",
        ]
    )


def _salt_of(source: str, filename: str) -> int | None:
    """The per-process number in an attrs class's ``__hash__`` source, or None."""
    match = _ATTRS_METHODS.fullmatch(filename)
    if match is None:
        return None
    salt = hash(_SALT.format(match.group(1)))
    return salt if source.count(str(salt)) == 1 and "{salt}" not in source else None


def _with_salt(const: Any, old: int, new: int) -> tuple[Any, int]:
    """``const`` (a code object, or one of its constants) with the number ``old`` made
    ``new`` wherever it is (in nested functions, and in tuples the compiler folded, as
    ``hash((salt,))`` of a class without hashed fields), and how many were changed."""
    if type(const) is int:
        return (new, 1) if const == old else (const, 0)
    if type(const) is tuple:
        pairs = [_with_salt(item, old, new) for item in const]
        changed = sum(count for _item, count in pairs)
        return (tuple(item for item, _count in pairs) if changed else const), changed
    if type(const) is types.CodeType:
        consts, changed = _with_salt(const.co_consts, old, new)
        return (const.replace(co_consts=consts) if changed else const), changed
    return const, 0


def compile_kept(
    source, filename, mode, flags=0, dont_inherit=False, optimize=-1, *, _feature_version=-1
):
    """``compile()``, giving back the code kept for the same source when there is one."""
    if not dont_inherit:  # the caller's __future__ features, as compile() would take them
        flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
    kept = _kept
    if (
        kept is None
        or type(source) is not str
        or type(filename) is not str
        or optimize != -1
        or _feature_version != -1
    ):
        extra = {"_feature_version": _feature_version} if _feature_version != -1 else {}
        return builtins.compile(source, filename, mode, flags, True, optimize, **extra)
    salt = _salt_of(source, filename)
    text = source if salt is None else source.replace(str(salt), "{salt}")
    name = hashlib.sha256(f"{mode}\0{flags}\0{filename}\0{text}".encode()).hexdigest()
    found = kept.known.get(name)
    if found is not None:
        code = _loaded(found, salt)
        if code is not None:
            kept.used.add(name)
            return code
    code = builtins.compile(source, filename, mode, flags, True)
    kept.new[name] = (marshal.dumps(code), salt)
    return code


def _loaded(found: tuple[bytes, int | None], salt: int | None) -> types.CodeType | None:
    data, old = found
    try:
        code = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if type(code) is not types.CodeType or (old is None) != (salt is None):
        return None
    if old is not None and salt is not None and old != salt:
        code, changed = _with_salt(code, old, salt)
        if changed != 1:
            return None
    return code


def _valid(entry: Any) -> TypeGuard[dict[str, tuple[bytes, int | None]]]:
    return isinstance(entry, dict) and all(
        type(name) is str
        and type(value) is tuple
        and len(value) == 2
        and type(value[0]) is bytes
        and (value[1] is None or type(value[1]) is int)
        for name, value in entry.items()
    )


def start(modules: list[types.ModuleType] | None = None) -> None:
    """Route the ``compile()`` of ``modules`` (attrs' and cattrs' code generators) through
    the kept code until :func:`finish`."""
    global _kept
    if _kept is not None:
        return
    from resplan import cache

    if modules is None:
        import attr._make
        import cattrs.gen

        modules = [attr._make, cattrs.gen]

    key = _entry_key()
    entry = cache.load(key, cache.kind_dir(KIND))
    _kept = _Kept(key, entry if entry is not None and _valid(entry) else {})
    for module in modules:
        if "compile" not in vars(module):  # a module's own compile() is left alone
            vars(module)["compile"] = compile_kept
            _kept.modules.append(module)


def finish(store: bool = True) -> None:
    """Give the modules their ``compile()`` back and, when anything was compiled anew and
    ``store``, keep it (with what was kept before, up to :data:`MAX_SOURCES`)."""
    global _kept
    kept, _kept = _kept, None
    if kept is None:
        return
    for module in kept.modules:
        if vars(module).get("compile") is compile_kept:
            del vars(module)["compile"]
    if not (store and kept.new):
        return
    from resplan import cache

    entry = {**kept.known, **kept.new}
    if len(entry) > MAX_SOURCES:
        entry = {name: kept.known[name] for name in kept.used} | kept.new
    cache.store(kept.key, entry, cache.kind_dir(KIND))
