"""The package as installed: what CI runs, what it depends on, what importing it costs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [
        line
        for block in blocks
        for line in block.splitlines()
        if line.startswith("python3 -m venv")
    ]


def test_ci_runs_the_readme_commands_as_written():
    commands = readme_commands()
    assert any(c.endswith("invoke plan") for c in commands)
    assert any(c.endswith("invoke test") for c in commands)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci, f".ci/run does not run the README's {command!r}"


def test_the_readme_says_which_python():
    assert PYPROJECT["requires-python"] == ">=3.11"
    assert "Python 3.11 or newer" in (ROOT / "README.md").read_text()


def test_every_dependency_declares_the_lower_bound_ci_installs():
    spec = importlib.util.spec_from_file_location("minimums", ROOT / ".ci" / "minimums.py")
    minimums = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(minimums)
    pins = dict(line.split("==") for line in minimums.minimums(["dev"]))
    declared = PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]
    names = {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower() for r in declared}
    assert set(pins) == names
    assert pins["numpy"] == "1.26"


def test_runtime_needs_no_task_runner():
    runtime = " ".join(PYPROJECT["dependencies"])
    assert "invoke" not in runtime and "pytest" not in runtime
    assert any(r.startswith("invoke") for r in PYPROJECT["optional-dependencies"]["dev"])


def test_licence_and_typing_marker_ship():
    assert PYPROJECT["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT")
    assert (ROOT / "src" / "resplan" / "py.typed").exists()


def loaded_after(statement: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{statement}\nimport sys\nprint(' '.join(sorted(m for m in sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_the_pytest_plugin_imports_nothing_heavy():
    # It loads in every pytest run of every project that has resplan installed.
    loaded = loaded_after("import resplan.testing.plugin")
    assert {m for m in loaded if m.startswith("resplan")} == {
        "resplan",
        "resplan._version",
        "resplan.testing",
        "resplan.testing.plugin",
    }
    # (pluggy comes with pytest itself.)
    assert not loaded & {"attr", "attrs", "cattrs", "numpy", "hypothesis", "jinja2", "tomli_w"}


@pytest.mark.parametrize("name", ["plan", "Plan", "load_host", "InputError", "write_plan"])
def test_the_public_names_resolve_on_first_use(name):
    import resplan

    assert getattr(resplan, name) is not None
    assert name in dir(resplan)


def test_plan_stays_the_function_once_its_module_is_imported():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resplan\nfrom resplan.plan import Plan\n"
            "print(callable(resplan.plan) and not isinstance(resplan.plan, type(resplan)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "True"
