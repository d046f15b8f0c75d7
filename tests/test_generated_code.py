"""Code attrs and cattrs generate, kept compiled between runs (resplan.generated): the
same code objects as compile() makes, per process where attrs salts a hash, never in the
way, and nothing kept with the cache off. Every test uses a cache folder of its own."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
import textwrap

import attr._make
import pytest

from resplan import cache, generated
from tests.conftest import EXAMPLES, ROOT

PROFILE = EXAMPLES / "profiles" / "example.toml"
CATALOG = EXAMPLES / "catalog" / "border-programs.toml"


@pytest.fixture
def folder(cache_folder):
    return cache_folder


@pytest.fixture
def kept(folder):
    """Start and finish as a command does, and say what the last run used and added."""
    runs = []

    def run(fn):
        generated.start([])
        state = generated._kept
        try:
            result = fn()
        finally:
            generated.finish()
        runs.append((len(state.used), len(state.new)))
        return result

    run.runs = runs
    yield run
    generated.finish(store=False)


def entry_files(folder):
    path = folder / generated.KIND
    return sorted(path.glob(f"*{cache.SUFFIX}")) if path.exists() else []


SOURCE = "def area(width, height):\n    return width * height * 2\n"


def test_code_compiled_once_is_given_back_the_same(kept, folder):
    first = kept(lambda: generated.compile_kept(SOURCE, "<generated area>", "exec"))
    again = kept(lambda: generated.compile_kept(SOURCE, "<generated area>", "exec"))
    assert kept.runs == [(0, 1), (1, 0)] and len(entry_files(folder)) == 1
    assert again == first == builtins.compile(SOURCE, "<generated area>", "exec")
    namespace: dict = {}
    exec(again, namespace)
    assert namespace["area"](3, 4) == 24


def test_another_source_or_file_name_is_compiled_anew(kept):
    kept(lambda: generated.compile_kept(SOURCE, "<generated area>", "exec"))
    changed = SOURCE.replace("* 2", "* 3")
    code = kept(lambda: generated.compile_kept(changed, "<generated area>", "exec"))
    assert kept.runs[-1] == (0, 1)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["area"](3, 4) == 36
    kept(lambda: generated.compile_kept(SOURCE, "<generated other>", "exec"))
    assert kept.runs[-1] == (0, 1)


def test_the_callers_future_features_are_kept_as_compile_takes_them(kept):
    # This module has `from __future__ import annotations`: compile() called here makes
    # annotations text, and so does the kept code, compiled and read back.
    source = "def f(x: int) -> str:\n    return str(x)\n"
    for _ in range(2):
        namespace: dict = {}
        exec(kept(lambda: generated.compile_kept(source, "<annotated>", "exec")), namespace)
        assert namespace["f"].__annotations__ == {"x": "int", "return": "str"}
    assert kept.runs == [(0, 1), (1, 0)]


def test_a_broken_or_foreign_entry_is_compiled_anew_and_written_again(kept, folder):
    kept(lambda: generated.compile_kept(SOURCE, "<generated area>", "exec"))
    [path] = entry_files(folder)
    for damage in (b"", path.read_bytes()[:-40], b"not an entry"):
        path.write_bytes(damage)
        code = kept(lambda: generated.compile_kept(SOURCE, "<generated area>", "exec"))
        assert kept.runs[-1] == (0, 1) and code == builtins.compile(
            SOURCE, "<generated area>", "exec"
        )
    # Bytes that are no code object, under the right name: a miss too.
    entry = cache.load(generated._entry_key(), folder / generated.KIND)
    cache.store(
        generated._entry_key(),
        {name: (b"\x00garbage", salt) for name, (_data, salt) in entry.items()},
        folder / generated.KIND,
    )
    kept(lambda: generated.compile_kept(SOURCE, "<generated area>", "exec"))
    assert kept.runs[-1] == (0, 1)


def test_the_entry_keeps_only_the_last_runs_sources_past_its_limit(kept, folder, monkeypatch):
    monkeypatch.setattr(generated, "MAX_SOURCES", 3)
    for n in range(3):
        kept(lambda n=n: generated.compile_kept(f"x = {n}\n", "<n>", "exec"))
    entry = cache.load(generated._entry_key(), folder / generated.KIND)
    assert len(entry) == 3
    kept(
        lambda: (
            generated.compile_kept("x = 0\n", "<n>", "exec"),
            generated.compile_kept("y = 1\n", "<n>", "exec"),
        )
    )
    entry = cache.load(generated._entry_key(), folder / generated.KIND)
    assert len(entry) == 2  # x = 0, used, and y = 1, new


def test_the_compile_of_attrs_is_given_back_when_finished(folder):
    assert "compile" not in vars(attr._make)
    generated.start()
    try:
        assert vars(attr._make)["compile"] is generated.compile_kept
    finally:
        generated.finish(store=False)
    assert "compile" not in vars(attr._make)


# A module of attrs classes, made in a new process under a chosen hash seed: attrs salts
# each class's __hash__ with hash() of a name, which the seed changes.
_CLASSES = """
import attrs

@attrs.frozen
class Score:
    name: str
    value: int = 0

@attrs.frozen
class Empty:
    ignored: int = attrs.field(default=0, eq=False)
"""

_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from resplan import generated
generated.start()
state = generated._kept
import scores
generated.finish()
salt = hash("<attrs generated hash scores.Score>")
empty = hash("<attrs generated hash scores.Empty>")
assert hash(scores.Score("a", 2)) == hash((salt, "a", 2)), "Score hashes as attrs makes it"
assert hash(scores.Empty()) == hash((empty,)), "Empty hashes as attrs makes it"
assert scores.Score("a", 2) == scores.Score("a", 2) != scores.Score("a", 3)
assert repr(scores.Score("a")) == "Score(name='a', value=0)"
print(len(state.used), len(state.new))
"""


def test_attrs_classes_hash_as_attrs_makes_them_in_each_process(folder, tmp_path):
    (tmp_path / "scores.py").write_text(_CLASSES)
    seen = []
    for seed in ("1", "2", "3"):
        result = subprocess.run(
            [sys.executable, "-c", _PROBE, str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert result.returncode == 0, result.stderr
        seen.append(tuple(map(int, result.stdout.split())))
    # The first process compiles both classes, the others take them from the entry. How
    # many sources a class makes depends on the attrs version (older ones compile each
    # method apart), so the count is the first process's, not a fixed number.
    compiled = seen[0][1]
    assert seen[0] == (0, compiled) and compiled >= 2
    assert seen[1] == seen[2] == (compiled, 0)


def run(*argv, env=None):
    return subprocess.run(
        [sys.executable, "-m", "resplan", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_the_command_keeps_the_code_and_plans_the_same(folder, tmp_path):
    plans = []
    for n in range(2):
        out = tmp_path / f"plan{n}.toml"
        result = run("plan", PROFILE, "--catalog", CATALOG, "--out", out, "--as-of", "2026-01-15")
        assert result.returncode == 0, result.stderr
        plans.append(out.read_bytes())
        assert len(entry_files(folder)) == 1
    out = tmp_path / "uncached.toml"
    result = run(
        "--no-cache", "plan", PROFILE, "--catalog", CATALOG, "--out", out, "--as-of", "2026-01-15"
    )
    assert result.returncode == 0, result.stderr
    assert plans[0] == plans[1] == out.read_bytes()


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_cache_keeps_no_code(folder, tmp_path, how):
    flags, env = (["--no-cache"], None) if how == "flag" else ([], {cache.NO_CACHE_ENV: "1"})
    out = tmp_path / "plan.toml"
    result = run(*flags, "plan", PROFILE, "--catalog", CATALOG, "--out", out, env=env)
    assert result.returncode == 0, result.stderr
    assert not (folder / generated.KIND).exists()


def test_concurrent_commands_leave_a_whole_entry(folder, tmp_path):
    argv = [sys.executable, "-m", "resplan", "plan", str(PROFILE), "--catalog", str(CATALOG)]
    runs = [
        subprocess.Popen(
            [*argv, "--out", str(tmp_path / f"plan{n}.toml")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    for process in runs:
        assert process.wait() == 0, process.stderr.read()
    [path] = entry_files(folder)
    entry = cache.load(generated._entry_key(), folder / generated.KIND)
    assert generated._valid(entry) and entry
    assert not list((folder / generated.KIND).glob("*.tmp"))


def test_code_of_another_python_is_not_read():
    key = generated._entry_key()
    assert f"python {sys.version}" in key and "bytecode " in key


def test_the_salt_is_found_only_in_an_attrs_class_source():
    salt = hash("<attrs generated hash a.B>")
    source = textwrap.dedent(f"def __hash__(self):\n    return hash(({salt}, self.x))\n")
    assert generated._salt_of(source, "<attrs generated methods a.B>") == salt
    assert generated._salt_of(source, "<attrs generated methods a.B-2>") == salt
    local = hash("<attrs generated hash a.f.<locals>.B>")
    assert (
        generated._salt_of(
            source.replace(str(salt), str(local)), "<attrs generated methods a.f.<locals>.B>"
        )
        == local
    )
    assert generated._salt_of(source, "<cattrs generated structure a.B>") is None
    assert generated._salt_of(source + f"# {salt}\n", "<attrs generated methods a.B>") is None
