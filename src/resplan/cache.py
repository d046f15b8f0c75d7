"""The catalog cache: a catalog read once is read again in a fraction of the time.

Reading a national catalog (TOML parse, validation, 13,000 program objects) and laying
it out as columns takes most of a ``resplan plan``; the stages themselves take a few
milliseconds. So :meth:`resplan.host.Host.read_catalog` keeps what it built, the
programs and their column table, in the user's cache folder, and the next run over the
same file loads it back.

An entry is found by a key that names everything that changes what a read gives: the
sha256 of the catalog file's bytes, resplan's version and the files of its code (an
editable install changes code without changing its version), the catalog reader (its
plugin, that plugin's version and the reader's own module file), the column table's
layout (:data:`resplan.stages.table.LAYOUT`), the sub-region table the columns were
laid out with, and the versions of Python and NumPy that wrote it. Any change gives
another key, and the old entry is never read again (it ages out under the size limit).

Entries are pickles. pickle can run code while loading, which is safe only for bytes
resplan itself wrote where nobody else can write: the folder is created private to the
user (``0700``), and it and each entry are used only when the current user owns them and
no one else can write to them. Anyone who could plant an entry there could as well
change resplan's installed code or the user's shell start-up files: the cache asks for
no more trust than the installed code. A faster-to-trust format (``.npy`` arrays and
JSON) was measured and rejected: the program objects would have to be rebuilt one field
at a time, which is most of what the cache saves. Nothing from a catalog file is ever
unpickled that resplan did not parse and validate first.

The cache never makes a run fail: an entry that cannot be read, does not unpickle, holds
another key or the wrong types is ignored and written again; a folder that cannot be
created or written leaves the run uncached. Writes go to a temporary file in the same
folder, renamed over the entry (:func:`os.replace`), so concurrent runs each leave a
whole entry and a reader never sees half of one.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import operator
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from resplan._version import __version__
from resplan.settings import positive_number, switched_on

# Where entries go: $RESPLAN_CACHE_DIR, else $XDG_CACHE_HOME/resplan, else ~/.cache/resplan.
CACHE_DIR_ENV = "RESPLAN_CACHE_DIR"
# "1", "true", "yes" or "on" turns the cache off (as --no-cache does); "", "0", "false",
# "no" and "off" leave it on; the command refuses any other value (settings.OFF, ON).
NO_CACHE_ENV = "RESPLAN_NO_CACHE"
# The folder's size limit: past it the least recently used entries are removed. A
# national catalog of 13,400 programs takes about 10 MB. Raise it with RESPLAN_CACHE_MB.
MAX_CACHE_MB = 256
MAX_CACHE_MB_ENV = "RESPLAN_CACHE_MB"

SUFFIX = ".pickle"
# A temporary file this old is left from a run killed while writing, not one being written.
STALE_TEMP_SECONDS = 3600
# First bytes of an entry: what it is and its format's version.
MAGIC = b"resplan-catalog-cache 1\n"


def enabled() -> bool:
    return not switched_on(NO_CACHE_ENV)


def cache_dir() -> Path:
    """The folder of catalog entries (created on first write)."""
    explicit = os.environ.get(CACHE_DIR_ENV, "")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG convention: a relative $XDG_CACHE_HOME is invalid and is ignored.
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "resplan" / "catalogs"


def kind_dir(kind: str) -> Path:
    """The folder of another kind of entry (``rulebooks``), inside the catalogs' folder,
    with the same checks, format and size limit of its own."""
    return cache_dir() / kind


def code_fingerprint() -> str:
    """What tells versions of resplan's code apart (see :func:`entry_key`)."""
    return _code_fingerprint()


def max_cache_bytes() -> int:
    return int(positive_number(MAX_CACHE_MB_ENV, MAX_CACHE_MB) * 1024 * 1024)


# ------------------------------------------------------------------- the key


def _code_fingerprint() -> str:
    """resplan's version and the size and time of each of its code files."""
    if _FINGERPRINT:
        return _FINGERPRINT[0]
    import numpy

    digest = hashlib.sha256(
        f"{__version__} {sys.version_info[:3]} numpy {numpy.__version__}".encode()
    )
    package = Path(__file__).parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                digest.update(
                    f"{os.path.relpath(os.path.join(folder, name), package)} "
                    f"{info.st_size} {info.st_mtime_ns}\n".encode()
                )
    _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


_FINGERPRINT: list[str] = []


def _module_file(fn) -> str:
    """The file (with size and time) of the module defining ``fn``, or its name."""
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    path = getattr(module, "__file__", None)
    if not path:
        return getattr(fn, "__module__", "") or repr(fn)
    try:
        info = os.stat(path)
    except OSError:
        return path
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def _package_files(plugin: Any) -> str:
    """The size and time of each file of the package (or module) a plugin comes from: a
    reader may read data its plugin ships beside its code."""
    module = sys.modules.get(getattr(plugin, "__name__", "") or "") or sys.modules.get(
        type(plugin).__module__
    )
    path = getattr(module, "__file__", None)
    if not path:
        return ""
    if os.path.basename(path) != "__init__.py":  # a module of its own
        try:
            info = os.stat(path)
        except OSError:
            return path
        return f"{path} {info.st_size} {info.st_mtime_ns}"
    digest = hashlib.sha256()
    package = os.path.dirname(path)
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            try:
                info = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(
                f"{os.path.relpath(os.path.join(folder, name), package)} "
                f"{info.st_size} {info.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()


def entry_key(file_sha256: str, reader: str, read_fn, table_key: Any, plugin: Any = None) -> str:
    """The text that names one entry; its sha256 names the entry's file."""
    from resplan.stages.table import LAYOUT

    return "\n".join(
        [
            f"catalog {file_sha256}",
            f"code {_code_fingerprint()}",
            f"reader {reader}",
            f"reader module {_module_file(read_fn)}",
            f"plugin files {_package_files(plugin)}",
            f"table layout {LAYOUT}",
            f"table {hashlib.sha256(repr(table_key).encode()).hexdigest()}",
        ]
    )


# ------------------------------------------------------------------- frozen objects as columns


def pack(cls: type, objects: Sequence) -> tuple[tuple[str, ...], list[list]]:
    """Frozen attrs ``objects`` of ``cls`` as its field names and one list of values per field.

    Unpickled one by one, each object's fields are set in a Python loop; as columns they
    are set by :func:`unpack` in a third of the time.
    """
    names = tuple(field.name for field in attrs.fields(cls))
    return names, [list(map(operator.attrgetter(name), objects)) for name in names]


def unpack(cls: type, names: tuple[str, ...], columns: list[list]) -> list:
    """The objects :func:`pack` took apart. Their values were validated when first built,
    so they are set straight into the slots, as unpickling does, not through ``__init__``."""
    if names != tuple(field.name for field in attrs.fields(cls)) or len(columns) != len(names):
        raise ValueError(f"not the fields of {cls.__name__}")
    count = len(columns[0]) if columns else 0
    objects: list = list(map(object.__new__, itertools.repeat(cls, count)))
    for name, values in zip(names, columns):
        if len(values) != count:
            raise ValueError(f"{name}: {len(values)} values for {count} objects")
        # The slot's own setter, called from C for each object: a frozen class's
        # __setattr__ refuses, and a Python loop would cost as much as unpickling.
        collections.deque(map(cls.__dict__[name].__set__, objects, values), maxlen=0)
    return objects


# ------------------------------------------------------------------- reading and writing


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always true where there are no uids)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


# What an entry may name besides resplan's own classes: NumPy's array parts and dates.
# Anything else (a function of os, builtins' eval, NumPy's file functions) is refused,
# so even an entry planted past the ownership checks cannot call it.
_ALLOWED = frozenset(
    {
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.numeric", "_frombuffer"),
        ("datetime", "date"),
        ("datetime", "datetime"),
    }
)


class _Unpickler(pickle.Unpickler):
    """Unpickles only what resplan writes: its own classes and :data:`_ALLOWED`."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith("resplan."):
            found = super().find_class(module, name)
            if isinstance(found, type):  # a class, never a function of resplan's
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a catalog entry")


def _chain(folder: Path) -> list[Path]:
    """``folder`` and, for another kind's folder, the catalogs' folder that holds it: both
    must be private, or someone could swap the inner one."""
    outer = cache_dir()
    return [folder, outer] if folder.parent == outer else [folder]


def _header(key: str) -> bytes:
    """An entry's first bytes: the format, then the whole key it was written under."""
    text = key.encode()
    return MAGIC + f"{len(text)}\n".encode() + text + b"\n"


def load(key: str, folder: Path | None = None) -> Any | None:
    """What :func:`store` kept under ``key``, or None (missing, foreign or unreadable).

    ``folder``: another kind of entry's folder (see :func:`kind_dir`)."""
    folder = folder or cache_dir()
    path = folder / (hashlib.sha256(key.encode()).hexdigest() + SUFFIX)
    try:
        if not all(_private(os.stat(f)) for f in _chain(folder)):
            return None
        with open(path, "rb") as handle:
            if not _private(os.fstat(handle.fileno())):
                return None
            wanted = _header(key)
            if handle.read(len(wanted)) != wanted:  # another format, or a hash collision
                return None
            value = _Unpickler(handle).load()
    except Exception:  # noqa: BLE001 - a broken entry is a miss, never the user's problem
        return None
    try:
        os.utime(path)  # the entry's time is its last use: the least used go first
    except OSError:
        pass
    return value


def store(key: str, value: Any, folder: Path | None = None) -> None:
    """Keep ``value`` under ``key``, then hold the folder to its size limit. Never raises."""
    folder = folder or cache_dir()
    name = hashlib.sha256(key.encode()).hexdigest()
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something in it does not pickle: run uncached
        return
    limit = max_cache_bytes()
    if len(data) > limit:
        return
    temp = None
    try:
        for f in reversed(_chain(folder)):
            f.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not all(_private(os.stat(f)) for f in _chain(folder)):
            return
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_header(key))
            handle.write(data)
        os.replace(temp, folder / (name + SUFFIX))
        temp = None
    except OSError:
        return
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
    evict(folder, limit)


def evict(folder: Path, limit: int) -> None:
    """Remove the least recently used entries until the folder holds at most ``limit`` bytes."""
    entries = []
    now = time.time()
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                try:
                    info = entry.stat()
                except OSError:
                    continue  # removed by another run meanwhile
                if entry.name.endswith(SUFFIX):
                    entries.append((info.st_mtime_ns, entry.name, info.st_size))
                elif entry.name.endswith(".tmp") and now - info.st_mtime > STALE_TEMP_SECONDS:
                    # Left by a run that was killed while writing.
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass
    except OSError:
        return
    total = sum(size for _t, _n, size in entries)
    for _time, name, size in sorted(entries):
        if total <= limit:
            break
        try:
            os.unlink(folder / name)
        except OSError:
            pass  # another run removed it first
        total -= size
