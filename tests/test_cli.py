"""The resplan command and the invoke tasks, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from resplan.cli import main
from tests.conftest import DATA, EXAMPLES, ROOT

PROFILE = EXAMPLES / "profiles" / "example.toml"
CATALOG = EXAMPLES / "catalog" / "border-programs.toml"


def run(*argv):
    """The installed command, in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "resplan", *map(str, argv)], capture_output=True, text=True, cwd=ROOT
    )


def test_plan_writes_a_plan(tmp_path, capsys):
    out = tmp_path / "plan.toml"
    assert main(["plan", str(PROFILE), "--catalog", str(CATALOG), "--out", str(out)]) == 0
    assert out.read_text().startswith("# resplan plan")
    assert "programs considered" in capsys.readouterr().out


def test_two_catalogs_combine(tmp_path):
    out = tmp_path / "plan.toml"
    assert (
        main(
            [
                "plan",
                str(PROFILE),
                "--catalog",
                str(CATALOG),
                "--catalog",
                str(DATA / "catalog-small.toml"),
                "--out",
                str(out),
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    "change, expect",
    [
        (("score = 221", "score = 400"), "exams.step2ck.score"),
        (('states = ["TX", "NM"]', 'states = ["Texas", "NM"]'), "did you mean 'TX'"),
        (("[applicant]", "[applicant]\nfavourite = 1"), "applicant.favourite: unknown key"),
        (("[applicant]", "[applicant"), "not valid TOML"),
    ],
)
def test_bad_profile_exit_2_one_message_nothing_written(tmp_path, change, expect):
    text = PROFILE.read_text()
    assert change[0] in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(change[0], change[1], 1))
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    result = run("plan", bad, "--catalog", CATALOG, "--out", out)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expect in result.stderr and str(bad) in result.stderr
    assert result.stdout == ""
    assert out.read_text() == "previous plan\n"


def test_missing_catalog(tmp_path):
    result = run("plan", PROFILE, "--catalog", tmp_path / "none.toml", "--out", tmp_path / "p.toml")
    assert result.returncode == 2
    assert "none.toml" in result.stderr and "no such file" in result.stderr
    assert not (tmp_path / "p.toml").exists()


def test_unknown_catalog_suffix(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_text("x")
    result = run("plan", PROFILE, "--catalog", path, "--out", tmp_path / "p.toml")
    assert result.returncode == 2 and "no catalog reader" in result.stderr


def test_plugins_lists_versions_and_rulesets():
    result = run("plugins")
    assert result.returncode == 0
    assert "screening" in result.stdout and "ruleset screening" in result.stdout
    assert "catalog reader csv" in result.stdout


def test_help():
    result = run("--help")
    assert result.returncode == 0 and "plan" in result.stdout


def test_check_catalog_reports_every_problem(tmp_path):
    text = (DATA / "catalog-small.toml").read_text()
    broken = text.replace('state = "AZ"', 'state = "Arizona"', 1).replace(
        'specialty = "Internal Medicine"', 'specialty = "Internal Medicne"', 1
    )
    path = tmp_path / "broken.toml"
    path.write_text(broken)
    result = run("check-catalog", path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    assert len(lines) == 2
    assert any("state" in line and "'AZ'" in line for line in lines)
    assert any("specialty" in line and "Internal Medicine" in line for line in lines)


def test_check_catalog_ok():
    result = run("check-catalog", CATALOG, EXAMPLES / "catalog" / "border-programs.csv")
    assert result.returncode == 0 and result.stdout.startswith("ok: 68 programs")


def test_synth_catalog_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    assert main(["synth-catalog", "--programs", "50", "--seed", "3", "--out", str(a)]) == 0
    assert main(["synth-catalog", "--programs", "50", "--seed", "3", "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert main(["check-catalog", str(a)]) == 0


def test_invoke_plan_writes_the_example_plan(tmp_path):
    out = tmp_path / "example.toml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # A pinned date: the example's Match (2027) is refused once it is over.
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "plan", "--out", str(out), "--as-of", "2026-01-15"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert out.exists()


def test_invoke_plan_bad_profile_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[applicant]\ngraduation_year = 2021\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "plan",
            "--profile",
            str(bad),
            "--out",
            str(tmp_path / "p.toml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "applicant.cycle" in result.stderr


def test_batch_plans_the_good_profiles_and_exits_2_for_a_bad_one(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[applicant]\ncycle = 2027\n")
    out = tmp_path / "plans"
    result = run(
        "batch",
        PROFILE,
        bad,
        "--catalog",
        DATA / "catalog-small.toml",
        "--out-dir",
        out,
        "--jobs",
        "1",
    )
    assert result.returncode == 2
    assert "bad.toml" in result.stderr and "Traceback" not in result.stderr
    assert (out / "example.toml").exists() and not (out / "bad.toml").exists()
    assert (out / "summary.csv").read_text().count("\n") == 3
