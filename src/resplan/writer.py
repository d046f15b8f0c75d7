"""Plans as TOML: a versioned schema, a stable key order, written atomically.

The same plan always gives the same bytes: keys come in a fixed order, lists keep the
order the pipeline gave them, and there is no timestamp. :func:`write_plan` writes to a
temporary file beside the target and renames it, so a failed run never leaves half a
plan, and an existing plan stays untouched.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from resplan import tomlout
from resplan.convert import structure, unstructure
from resplan.errors import InputError, Problem, ResplanError
from resplan.plan import SCHEMA, VERDICTS, Plan, ProgramDecision, ProgramDecisions, Reason
from resplan.sources import parse_toml, read_text

# Top-level order of a plan file: what a person reads first comes first.
SECTIONS = (
    "schema",
    "summary",
    "outlook",
    "what_if",
    "specialties",
    "regions",
    "signals",
    "actions",
    "programs",
    "assessment",
    "provenance",
)
# Sections left out of the file when empty: a plan without them reads back the same.
OMITTED_WHEN_EMPTY = frozenset({"what_if"})


def _sections(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: data[key]
        for key in SECTIONS
        if key in data and (data[key] or key not in OMITTED_WHEN_EMPTY)
    }


def _clean(value: Any) -> Any:
    """TOML has no null: an unknown value is left out."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


_PLAIN = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}  # an attrs class -> its field names


def _plain(value: Any) -> Any:
    """``_clean(unstructure(value))`` for the plan's types, without the converter: cattrs
    makes and compiles a function per class on first use, a tenth of writing a plan in a
    new process. The plan's classes hold text, numbers, booleans, None, tuples and each
    other (the tests compare the two on every kind of plan); anything else goes through
    the converter."""
    cls = value.__class__
    if cls in _PLAIN:
        return value
    names = _FIELDS.get(cls)
    if names is None and attrs.has(cls):
        names = _FIELDS[cls] = tuple(field.name for field in attrs.fields(cls))
    if names is not None:
        out = {}
        for name in names:
            item = getattr(value, name)
            if item is not None:
                out[name] = _plain(item)
        return out
    if cls is tuple or cls is list:
        return [_plain(item) for item in value]
    return _clean(unstructure(value))


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    data = _plain(attrs.evolve(plan, programs=()))
    data["programs"] = _programs(plan.programs)
    return _sections(data)


def _programs(decisions) -> list[dict[str, Any]]:
    """The programs by hand: a national plan has thousands, and equal reasons share one dict.

    Same keys, order and omissions as the converter gives (the round-trip test checks it).
    """
    reasons: dict[int, dict] = {}
    out = []
    for d in decisions:
        entry = {"id": d.id, "name": d.name, "specialty": d.specialty}
        if d.track is not None:
            entry["track"] = d.track
        entry.update(city=d.city, state=d.state)
        for key in _IDENTIFIERS:
            if getattr(d, key) is not None:
                entry[key] = getattr(d, key)
        if d.synthetic is not None:
            entry["synthetic"] = d.synthetic
        entry["verdict"] = d.verdict
        if d.tier is not None:
            entry["tier"] = d.tier
        if d.region is not None:
            entry["region"] = d.region
        cited = []
        for reason in d.reasons:
            table = reasons.get(id(reason))
            if table is None:
                table = reasons[id(reason)] = {"rule": reason.rule, "says": reason.says}
            cited.append(table)
        entry["reasons"] = cited
        entry["to_verify"] = list(d.to_verify)
        out.append(entry)
    return out


def dumps_plan(plan: Plan) -> str:
    out: list[str] = []
    _dump_plan(plan, out.append)
    return "".join(out)


def _dump_plan(plan: Plan, write: Callable[[str], Any]) -> None:
    """The plan's text, given to ``write`` piece by piece (the programs a block at a time)."""
    write(
        f"# resplan plan, schema {SCHEMA}. Made by rules; see [provenance] for the "
        "rulesets, plugins and inputs behind it.\n"
    )
    # tomli-w's format, written by resplan.tomlout (tested against tomli_w byte for byte).
    chunks = None
    if isinstance(plan.programs, ProgramDecisions):
        from resplan.program_tables import program_tables  # NumPy: loaded when needed

        chunks = program_tables(plan.programs, _programs)
    if chunks is None:
        write(tomlout.dumps(plan_to_dict(plan)))
        return
    data = _plain(attrs.evolve(plan, programs=()))
    tomlout.dump(_sections(data), write, tables={"programs": chunks})


def loads_plan(text: str, *, file: str = "<plan>") -> Plan:
    data = parse_toml(text, file)
    if "schema" not in data:
        raise InputError.one(
            file,
            "not a resplan plan: it has no schema key "
            f"(a plan written by resplan starts with schema = {SCHEMA})",
        )
    if data.get("schema") != SCHEMA:
        older = (
            " (an older resplan wrote it: make the plan again)"
            if type(data.get("schema")) is int and data["schema"] < SCHEMA
            else ""
        )
        raise InputError.one(
            file, f"plan schema {data.get('schema')!r} is not {SCHEMA}{older}", field="schema"
        )
    programs = _read_programs(data.get("programs"))
    if programs is None:
        return structure(data, Plan, file=file)
    return attrs.evolve(structure({**data, "programs": []}, Plan, file=file), programs=programs)


_PROGRAM_KEYS = frozenset(a.name for a in attrs.fields(ProgramDecision))
_PROGRAM_TEXT = ("id", "name", "specialty", "city", "state")
_IDENTIFIERS = ("acgme_id", "nrmp_code", "website")  # text, each left out when not known


def _read_programs(items) -> tuple[ProgramDecision, ...] | None:
    """A plan's programs built directly: a national plan has thousands, and reports read it.

    Only for programs exactly as resplan writes them (equal reasons become one Reason);
    None for anything else, which the converter then reads or reports, field by field.
    """
    if not isinstance(items, list) or not items:
        return None
    shared: dict[tuple[str, str], Reason] = {}
    out = []
    for item in items:
        if type(item) is not dict or not item.keys() <= _PROGRAM_KEYS:
            return None
        if any(type(item.get(key)) is not str for key in _PROGRAM_TEXT):
            return None
        if any(type(item.get(key)) not in (str, type(None)) for key in _IDENTIFIERS):
            return None
        tier, verdict = item.get("tier"), item.get("verdict")
        track, region, synthetic = item.get("track"), item.get("region"), item.get("synthetic")
        to_verify, reasons = item.get("to_verify", []), item.get("reasons", [])
        if (
            verdict not in VERDICTS
            or (tier is not None and (type(tier) is not int or tier not in (1, 2, 3)))
            or (track is not None and type(track) is not str)
            or (region is not None and type(region) is not str)
            or (synthetic is not None and type(synthetic) is not bool)
            or type(to_verify) is not list
            or any(type(f) is not str for f in to_verify)
            or type(reasons) is not list
        ):
            return None
        cited = []
        for reason in reasons:
            if (
                type(reason) is not dict
                or reason.keys() != {"rule", "says"}
                or type(reason["rule"]) is not str
                or type(reason["says"]) is not str
            ):
                return None
            key = (reason["rule"], reason["says"])
            cited.append(shared.get(key) or shared.setdefault(key, Reason(*key)))
        out.append(
            ProgramDecision(
                id=item["id"],
                name=item["name"],
                specialty=item["specialty"],
                track=track,
                city=item["city"],
                state=item["state"],
                acgme_id=item.get("acgme_id"),
                nrmp_code=item.get("nrmp_code"),
                website=item.get("website"),
                synthetic=synthetic,
                verdict=verdict,
                tier=tier,
                region=region,
                reasons=tuple(cited),
                to_verify=tuple(to_verify),
            )
        )
    return tuple(out)


def read_plan(path) -> Plan:
    path = Path(path)
    return loads_plan(read_text(path), file=str(path))


def write_text_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename; ``-`` is stdout.

    A new file gets the permissions the user's umask gives; a file written over keeps
    its mode. The temporary file is removed on any failure, an interrupt included.
    """
    if str(path) == STDOUT:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe
            _stdout_failed(exc)
        return
    _write_atomic(path, lambda write: write(text))


def _stdout_failed(exc: OSError):
    """Standard output cannot be written: one line, no traceback."""
    silence_stdout()
    raise ResplanError(stdout_failure(exc)) from None


def silence_stdout() -> None:
    """Point standard output at the null device: it failed, and what waits in it (the
    interpreter flushes it on the way out) would fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's capture)
        pass


def stdout_failure(exc: OSError) -> str:
    """The message for a standard output that cannot be written."""
    reason = "the reading end closed" if isinstance(exc, BrokenPipeError) else exc.strerror
    return f"standard output: cannot write: {reason or exc}"


def _node(path: Path) -> tuple[Path, str | None]:
    """Where writing ``path`` goes, and what is there when it is not a regular file to
    replace: a symbolic link is followed to the file it names (which is then replaced in
    its own folder, the link kept); a device, a named pipe or a socket is written
    through, never replaced ("device", "pipe", "socket"); None otherwise."""
    try:
        info = os.lstat(path)
    except OSError:
        return path, None
    if stat.S_ISLNK(info.st_mode):
        path = Path(os.path.realpath(path))
        try:
            info = os.stat(path)
        except OSError:  # a link to nothing yet: the file it names is made
            return path, None
    mode = info.st_mode
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return path, "device"
    if stat.S_ISFIFO(mode):
        return path, "pipe"
    if stat.S_ISSOCK(mode):
        return path, "socket"
    return path, None


def _write_through(path: Path, kind: str, fill: Callable[[Callable[[str], Any]], None]) -> None:
    """Write into a device or a named pipe as it is (/dev/null discards the output)."""
    if kind == "socket":
        raise ResplanError(f"{path}: cannot write: it is a socket, not a file")
    try:
        # Not blocking to open: a pipe nobody reads from is refused, not waited on.
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        reason = (
            "no program is reading from this named pipe"
            if exc.errno == errno.ENXIO
            else exc.strerror or str(exc)
        )
        raise ResplanError(f"{path}: cannot write: {reason}") from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            fill(handle.write)
            handle.flush()
    except OSError as exc:
        raise ResplanError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _write_atomic(path, fill: Callable[[Callable[[str], Any]], None]) -> None:
    """:func:`write_text_atomic` of the text ``fill`` gives its argument piece by piece."""
    path, kind = _node(Path(path))
    if kind is not None:
        _write_through(path, kind, fill)
        return
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError.one(path, f"cannot write: folder {str(directory)!r} does not exist")
    _remove_orphans(directory, path.name)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=_temp_prefix(path.name, os.getpid()), suffix=TEMP_SUFFIX, dir=directory
        )
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            # mkstemp makes the file private (0600); a plan is not a secret.
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode_for(path))
            fill(handle.write)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ResplanError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


def staged_path(path, owner: int) -> Path:
    """Where a batch writes ``path`` before the batch's process ``owner`` puts it in place.

    The name is fixed (a batch writes each file once), so that the owner can remove what
    it never put in place; a later run removes it once the owner is gone, as it does any
    temporary file of a run that was killed."""
    path = Path(path)
    return path.with_name(f"{_temp_prefix(path.name, owner)}staged{TEMP_SUFFIX}")


def write_staged(path, text: str, owner: int) -> Path:
    """Write ``text`` completely (flushed to disk) under ``path``'s staged name for
    ``owner``, who calls :func:`commit_staged` to put it in place; the staged file is
    removed on any failure, an interrupt included."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError.one(path, f"cannot write: folder {str(directory)!r} does not exist")
    _remove_orphans(directory, path.name)
    staged = staged_path(path, owner)
    try:
        with open(staged, "w", encoding="utf-8", newline="\n") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode_for(path))
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        staged.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ResplanError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    return staged


def commit_staged(staged, path) -> None:
    """Put a file :func:`write_staged` wrote in place, in one rename (over the file a
    link names; into a device or a pipe, written through)."""
    target, kind = _node(Path(path))
    if kind is not None:
        try:
            text = Path(staged).read_text(encoding="utf-8")
        finally:
            Path(staged).unlink(missing_ok=True)
        _write_through(target, kind, lambda write: write(text))
        return
    try:
        os.replace(staged, target)
    except OSError as exc:
        Path(staged).unlink(missing_ok=True)
        raise ResplanError(f"{path}: cannot write: {exc.strerror or exc}") from None


STDOUT = "-"  # as an output path: write to standard output
TEMP_SUFFIX = ".tmp"


def _temp_prefix(name: str, pid: int) -> str:
    # The writer's process id is in the name, so that a later run can tell the temporary
    # file of a run that was killed (SIGKILL cannot be caught) from one being written.
    return f".{name}.resplan-{pid}-"


def _remove_orphans(directory: Path, name: str) -> None:
    """Remove temporary files left beside ``name`` by runs whose process is gone."""
    start = f".{name}.resplan-"
    try:
        entries = [
            e for e in os.listdir(directory) if e.startswith(start) and e.endswith(TEMP_SUFFIX)
        ]
    except OSError:
        return
    for entry in entries:
        pid_text = entry[len(start) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            (directory / entry).unlink()
        except OSError:
            pass  # another run removed it first, or it is not ours to remove


def _alive(pid: int) -> bool:
    # On Windows signal 0 is CTRL_C_EVENT, not a probe: nothing is taken as gone there.
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def mode_for(path: Path) -> int:
    """The mode of the file at ``path``, or the mode a new file gets under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        pass
    umask = os.umask(0o022)  # the only way to read it is to set it; put it right back
    os.umask(umask)
    return 0o666 & ~umask


def refuse_overwriting_inputs(outputs, inputs) -> None:
    """An InputError for every output path that is one of the input files, or that another
    output of the run also names, and for an input given twice. An output is a path or a ``(path, role)`` pair, the role
    saying what is written there ("the plan") for the message.

    Checked before anything is planned, so that ``--out`` naming the profile or a
    catalog stops the run instead of replacing the file with a plan. Each path is looked
    at once (a batch has a thousand inputs and a thousand outputs): an existing file by
    its device and inode, so a link or another spelling of it is caught, any path also by
    where it resolves to.
    """
    known: dict = {}
    problems = []
    for given in inputs:
        if given is None or str(given) == STDOUT:
            continue
        keys = _identities(Path(given))
        if any(key in known for key in keys):
            # The same catalog twice would be refused program by program ("program id
            # also in ..."), one line for each of its programs: one line says it.
            earlier = next(known[key] for key in keys if key in known)
            same = "" if str(earlier) == str(given) else f" (as {earlier})"
            problems.append(Problem(str(given), f"is given twice{same}: give it once"))
            continue
        for key in keys:
            known.setdefault(key, given)
    if sum(given is not None and str(given) == STDOUT for given in inputs) > 1:
        # The second reader would find it already read: an empty catalog, say.
        problems.append(
            Problem("-", "standard input can be read only once: give - for one input at most")
        )
    # Standard output takes one output: two would run together into one stream.
    on_stdout = [
        (entry[1] if isinstance(entry, tuple) else None) or "an output"
        for entry in outputs
        if (entry[0] if isinstance(entry, tuple) else entry) is not None
        and str(entry[0] if isinstance(entry, tuple) else entry) == STDOUT
    ]
    if len(on_stdout) > 1:
        problems.append(
            Problem(
                "-",
                f"is given for both {' and '.join(on_stdout)}: standard output can take one "
                "of them; write the other to a file",
            )
        )
    # Two outputs of one run on one file: the later would replace the earlier (a plan
    # over the cohort database, a report over its plan), so that is refused too.
    written: dict = {}
    for entry in outputs:
        out, role = entry if isinstance(entry, tuple) else (entry, None)
        if out is None or str(out) == STDOUT:
            continue
        keys = _identities(Path(out))
        given = next((known[key] for key in keys if key in known), None)
        earlier = next((written[key] for key in keys if key in written), None)
        if given is not None:
            same = "" if str(given) == str(out) else f" ({given})"
            problems.append(
                Problem(
                    str(out),
                    f"is an input of this run{same}; writing {role or 'the output'} "
                    "there would replace it: choose another path",
                )
            )
        elif earlier is not None:
            both = (
                f"is both {earlier} and {role}"
                if earlier and role
                else "is named for two outputs of this run"
            )
            problems.append(
                Problem(
                    str(out),
                    f"{both}; one would replace the other: choose another path for one of them",
                )
            )
        for key in keys:
            written.setdefault(key, role or "")
    if problems:
        raise InputError(problems)


def check_writable(outputs) -> None:
    """An InputError for each output path (``-`` and None skipped) whose folder does not
    exist or takes no new file, so that a run writes its first output only when it can
    write them all (a plan is not left behind by a report that cannot be written)."""
    problems = []
    for out in outputs:
        if out is None or str(out) == STDOUT:
            continue
        path, kind = _node(Path(out))
        if kind is not None:
            continue  # written through: opening it says what is wrong
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            problems.append(
                Problem(str(out), f"cannot write: folder {str(directory)!r} does not exist")
            )
            continue
        try:
            fd, probe = tempfile.mkstemp(
                prefix=_temp_prefix(path.name, os.getpid()), suffix=TEMP_SUFFIX, dir=directory
            )
        except OSError as exc:
            problems.append(
                Problem(
                    str(out),
                    f"cannot write in folder {str(directory)!r}: {exc.strerror or exc}",
                )
            )
            continue
        os.close(fd)
        os.unlink(probe)
    if problems:
        raise InputError(problems)


def _identities(path: Path) -> list[tuple]:
    """What makes two paths one file: its device and inode when it exists, else the path
    it resolves to."""
    try:
        info = os.stat(path)
    except OSError:  # it does not exist (yet): two spellings of it resolve alike
        return [("path", path.resolve())]
    # Every spelling and link of an existing file has its inode, so resolving it too would
    # find nothing more (and costs about 20 µs a path: 0.3 s before a 16,000-profile batch).
    return [("inode", info.st_dev, info.st_ino)]


def write_plan(plan: Plan, path) -> None:
    if str(path) == STDOUT:  # all of it or, should making it fail, nothing
        write_text_atomic(path, dumps_plan(plan))
        return
    # Written as it is made: a plan of a million programs is never whole in memory.
    _write_atomic(path, lambda write: _dump_plan(plan, write))
