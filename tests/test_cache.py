"""The catalog cache (resplan.cache): the same plans, invalidated by any change, never in
the way. Every test here uses its own cache folder (the suite's is set in conftest)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import resplan
from resplan import cache, plugins, synth
from resplan.cli import main
from resplan.host import _cached_catalog
from resplan.plugins import CatalogReader, hookimpl
from resplan.sources import read_toml_catalog
from tests.conftest import AS_OF, EXAMPLES, ROOT

PROFILE = EXAMPLES / "profiles" / "example.toml"


@pytest.fixture
def folder(cache_folder):
    return cache_folder


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    """A synthetic catalog large enough to hold every kind of program fact."""
    path = tmp_path_factory.mktemp("catalog") / "national.toml"
    path.write_text(synth.dumps_catalog_toml(synth.synthesize_catalog(400, 5)), encoding="utf-8")
    return path


class CountingReader:
    """The TOML reader under another suffix, counting the files it really reads."""

    def __init__(self):
        self.reads = 0

    @hookimpl
    def resplan_catalog_readers(self):
        def read(path):
            self.reads += 1
            return read_toml_catalog(path)

        return [CatalogReader(name="counted", suffixes=(".counted",), read=read)]


@pytest.fixture
def counting(folder):
    reader = CountingReader()
    return reader, resplan.load_host(plugins=[reader], use_env=False)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{cache.SUFFIX}")) if folder.exists() else []


def key_of(entry: Path) -> str:
    """The key an entry was written under, from its header."""
    length, rest = entry.read_bytes()[len(cache.MAGIC) :].split(b"\n", 1)
    return rest[: int(length)].decode()


def run(*argv, env=None):
    return subprocess.run(
        [sys.executable, "-m", "resplan", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_a_catalog_read_again_comes_from_the_cache(counting, national, tmp_path, folder):
    reader, host = counting
    path = tmp_path / "national.counted"
    path.write_bytes(national.read_bytes())
    first = host.read_catalog(path)
    again = host.read_catalog(path)
    assert reader.reads == 1 and len(entries(folder)) == 1
    assert again.programs == first.programs
    profile = resplan.load_profile(PROFILE)
    assert resplan.dumps_plan(
        resplan.plan(profile, again, host=host, as_of=AS_OF)
    ) == resplan.dumps_plan(resplan.plan(profile, first, host=host, as_of=AS_OF))


def test_plans_are_byte_identical_with_and_without_the_cache_across_processes(
    national, tmp_path, folder
):
    plans = {}
    for name, flags in (("uncached", ["--no-cache"]), ("writes", []), ("reads", [])):
        out = tmp_path / f"{name}.toml"
        result = run(
            *flags,
            "plan",
            PROFILE,
            "--catalog",
            national,
            "--out",
            out,
            "--as-of",
            AS_OF.isoformat(),
        )
        assert result.returncode == 0, result.stderr
        plans[name] = out.read_bytes()
        assert len(entries(folder)) == (0 if name == "uncached" else 1)
    assert plans["uncached"] == plans["writes"] == plans["reads"]


def test_the_catalog_digest_is_the_files_bytes(host, national, folder):
    wanted = hashlib.sha256(national.read_bytes()).hexdigest()
    profile = resplan.load_profile(PROFILE)
    for _ in range(2):  # read, then from the cache
        plan = resplan.plan(profile, host.read_catalog(national), host=host, as_of=AS_OF)
        catalog_input = next(i for i in plan.provenance.inputs if i.role == "catalog")
        assert catalog_input.sha256 == wanted
    uncached = resplan.load_host(use_env=False, cache=False)
    plan = resplan.plan(profile, uncached.read_catalog(national), host=host, as_of=AS_OF)
    assert next(i for i in plan.provenance.inputs if i.role == "catalog").sha256 == wanted


def test_merged_catalogs_digest_does_not_depend_on_their_order(host, national, folder):
    border = EXAMPLES / "catalog" / "border-programs.toml"
    one = resplan.merge_catalogs([host.read_catalog(national), host.read_catalog(border)])
    two = resplan.merge_catalogs([host.read_catalog(border), host.read_catalog(national)])
    assert one._digest == two._digest
    assert one._digest not in (
        host.read_catalog(border)._digest,
        host.read_catalog(national)._digest,
    )


def test_a_changed_file_is_read_again(counting, national, tmp_path, folder):
    reader, host = counting
    path = tmp_path / "national.counted"
    text = national.read_text()
    path.write_text(text)
    before = host.read_catalog(path)
    first_id = before.programs[0].id
    path.write_text(text.replace('name = "', 'name = "Changed ', 1))
    after = host.read_catalog(path)
    assert reader.reads == 2 and len(entries(folder)) == 2
    assert any(p.name.startswith("Changed ") for p in after.programs)
    assert not any(p.name.startswith("Changed ") for p in before.programs)
    assert after.programs[0].id == first_id


def test_a_reader_that_says_so_is_not_cached(national, tmp_path, folder):
    class Uncached(CountingReader):
        @hookimpl
        def resplan_catalog_readers(self):
            [reader] = super().resplan_catalog_readers()
            return [CatalogReader(reader.name, reader.suffixes, reader.read, cache=False)]

    plugin = Uncached()
    host = resplan.load_host(plugins=[plugin], use_env=False)
    path = tmp_path / "national.counted"
    path.write_bytes(national.read_bytes())
    for _ in range(2):
        catalog = host.read_catalog(path)
    assert plugin.reads == 2 and entries(folder) == []
    assert catalog._digest == hashlib.sha256(national.read_bytes()).hexdigest()


def test_another_resplan_version_does_not_read_the_entry(
    counting, national, tmp_path, folder, monkeypatch
):
    reader, host = counting
    path = tmp_path / "national.counted"
    path.write_bytes(national.read_bytes())
    host.read_catalog(path)
    monkeypatch.setattr(cache, "_FINGERPRINT", ["another version of resplan"])
    host.read_catalog(path)
    assert reader.reads == 2 and len(entries(folder)) == 2


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_cache_leaves_no_cache_files(national, tmp_path, folder, how):
    out = tmp_path / "plan.toml"
    flags, env = (["--no-cache"], None) if how == "flag" else ([], {cache.NO_CACHE_ENV: "1"})
    result = run(*flags, "plan", PROFILE, "--catalog", national, "--out", out, env=env)
    assert result.returncode == 0, result.stderr
    assert out.exists() and not folder.exists()


def test_no_cache_in_process_is_undone_after_the_command(national, tmp_path, folder):
    assert main(["--no-cache", "check-catalog", str(national)]) == 0
    assert not folder.exists() and cache.NO_CACHE_ENV not in os.environ
    assert main(["check-catalog", str(national)]) == 0
    assert len(entries(folder)) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"not a cache entry at all\n" + data,
        lambda data: data[:-200] + bytes(200),
    ],
)
def test_a_corrupt_entry_is_ignored_and_written_again(counting, national, tmp_path, folder, damage):
    reader, host = counting
    path = tmp_path / "national.counted"
    path.write_bytes(national.read_bytes())
    first = host.read_catalog(path)
    [entry] = entries(folder)
    whole = entry.read_bytes()
    entry.write_bytes(damage(whole))
    again = host.read_catalog(path)
    assert reader.reads == 2 and again.programs == first.programs
    assert entry.read_bytes() == whole  # written again
    host.read_catalog(path)
    assert reader.reads == 2


def test_an_entry_of_the_wrong_shape_is_ignored(counting, national, tmp_path, folder):
    reader, host = counting
    path = tmp_path / "national.counted"
    path.write_bytes(national.read_bytes())
    host.read_catalog(path)
    [entry] = entries(folder)
    cache.store(key_of(entry), ("programs", "table"))
    assert host.read_catalog(path).programs
    assert reader.reads == 2


def test_an_entry_naming_anything_but_resplans_classes_is_not_unpickled(folder):
    cache.store("a key", (os.getcwd, "programs"))
    assert len(entries(folder)) == 1
    assert cache.load("a key") is None
    cache.store("a key", ("programs", "table"))
    assert cache.load("a key") == ("programs", "table")


def test_concurrent_writers_leave_a_valid_cache(host, national, tmp_path, folder):
    code = (
        "import resplan, sys; h = resplan.load_host(use_env=False); "
        "print(len(h.read_catalog(sys.argv[1])))"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(national)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate() for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outputs
    assert [out for out, _err in outputs] == ["400\n", "400\n"]
    assert len(entries(folder)) == 1
    assert not [p for p in folder.iterdir() if p.suffix == ".tmp"]
    # The entry the two left is whole.
    [entry] = entries(folder)
    catalog = _cached_catalog(cache.load(key_of(entry)), host.rulebook.city_regions)
    assert catalog is not None and len(catalog) == 400


def test_the_size_limit_removes_the_least_recently_used_entries(
    counting, national, tmp_path, folder, monkeypatch
):
    reader, host = counting
    paths = []
    for n in range(3):
        path = tmp_path / f"catalog-{n}.counted"
        path.write_text(national.read_text().replace('name = "', f'name = "{n} ', 1))
        paths.append(path)
    host.read_catalog(paths[0])
    [entry] = entries(folder)
    size = entry.stat().st_size
    # Room for two entries of this size, not three.
    monkeypatch.setenv(cache.MAX_CACHE_MB_ENV, str(2.5 * size / 1024 / 1024))
    host.read_catalog(paths[1])
    os.utime(entry, (1, 1))  # the first entry, least recently used
    second = [e for e in entries(folder) if e != entry]
    host.read_catalog(paths[2])
    left = entries(folder)
    assert len(left) == 2 and entry not in left and second[0] in left
    assert sum(e.stat().st_size for e in left) <= 2.5 * size
    reads = reader.reads
    host.read_catalog(paths[2])
    assert reader.reads == reads  # the newest is still there


def test_an_entry_larger_than_the_limit_is_not_kept(host, national, folder, monkeypatch):
    monkeypatch.setenv(cache.MAX_CACHE_MB_ENV, "0.001")
    assert len(host.read_catalog(national)) == 400
    assert entries(folder) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_to_is_not_read(counting, national, tmp_path, folder):
    reader, host = counting
    path = tmp_path / "national.counted"
    path.write_bytes(national.read_bytes())
    host.read_catalog(path)
    folder.chmod(0o777)
    host.read_catalog(path)
    assert reader.reads == 2


def test_the_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "resplan" / "catalogs"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "resplan" / "catalogs"


def test_the_suite_keeps_out_of_the_users_cache():
    assert Path(os.environ[cache.CACHE_DIR_ENV]).name.startswith("resplan-test-cache-")


# ------------------------------------------------------------------- installed plugins


def _distribution(site: Path, name: str, version: str, entry_points: str) -> Path:
    """A distribution's metadata folder in ``site``, as pip leaves it."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(entry_points)
    return info


def test_installed_plugins_kept_are_those_importlib_finds(folder):
    kept = plugins.installed_plugins()  # found and kept
    assert list((folder / "plugins").glob(f"*{cache.SUFFIX}"))
    assert plugins.installed_plugins() == kept == plugins._find_installed()
    assert {p.name for p in kept} >= {"screening", "tiering", "catalog-formats"}
    assert all(p.distribution == "resplan" for p in kept if p.name == "screening")


def test_kept_plugins_follow_what_is_installed(folder, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    before = {p.name for p in plugins.installed_plugins()}
    assert "extra" not in before

    # Installed: a new metadata folder where Python looks.
    info = _distribution(site, "extraplug", "0.1", "[resplan]\nextra = extraplug\n")
    found = {p.name: p for p in plugins.installed_plugins()}
    assert found["extra"] == plugins.InstalledPlugin("extra", "extraplug", "extraplug", "0.1")

    # Its entry points changed in place.
    (info / "entry_points.txt").write_text("[resplan]\nrenamed-extra = extraplug:plugin\n")
    found = {p.name: p for p in plugins.installed_plugins()}
    assert "extra" not in found and found["renamed-extra"].value == "extraplug:plugin"

    # Upgraded: the folder named by the new version (its METADATA the same size).
    info = info.rename(site / "extraplug-0.2.dist-info")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extraplug\nVersion: 0.2\n")
    found = {p.name: p for p in plugins.installed_plugins()}
    assert found["renamed-extra"].version == "0.2"

    # Removed.
    shutil.rmtree(site / "extraplug-0.2.dist-info")
    assert {p.name for p in plugins.installed_plugins()} == before
    assert plugins.installed_plugins() == plugins._find_installed()


def test_an_installed_plugin_loads_as_its_entry_point_says(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "loadme.py").write_text("class Holder:\n    class plugin:\n        pass\n")
    monkeypatch.syspath_prepend(str(site))
    holder = plugins.InstalledPlugin("x", "loadme", "loadme", "1").load()
    inner = plugins.InstalledPlugin("x", "loadme:Holder.plugin [extra]", "loadme", "1").load()
    assert holder.__name__ == "loadme" and inner.__name__ == "plugin"
