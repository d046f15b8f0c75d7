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


# ------------------------------------------------------------------ standard output


@pytest.mark.parametrize("format", ["toml", "csv"])
def test_synth_catalog_writes_to_standard_output_with_a_format(tmp_path, capsys, format):
    out = tmp_path / f"catalog.{format}"
    argv = ["synth-catalog", "--programs", "20", "--seed", "4"]
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    assert main([*argv, "--out", "-", "--format", format]) == 0
    captured = capsys.readouterr()
    # The catalog alone on stdout, the same bytes as the file; the note on stderr.
    assert captured.out == out.read_text(encoding="utf-8")
    assert captured.err == "wrote -: 20 synthetic programs (seed 4)\n"


def test_synth_catalog_to_standard_output_without_a_format_is_refused(tmp_path, capsys):
    argv = ["synth-catalog", "--programs", "5"]
    assert main([*argv, "--out", "-"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "resplan: error: -: standard output has no file name to tell the format by: "
        "give --format toml or --format csv\n"
    )
    out = tmp_path / "catalog.txt"
    assert main([*argv, "--out", str(out)]) == 2
    assert "end it with .toml or .csv, or give --format" in capsys.readouterr().err
    assert not out.exists()
    # --format beats the name, as `resplan report --format` does.
    assert main([*argv, "--out", str(out), "--format", "csv"]) == 0
    assert out.read_text(encoding="utf-8").startswith("id,name,specialty")


def _plan_argv(out, *extra):
    return [
        "plan",
        str(PROFILE),
        "--catalog",
        str(CATALOG),
        "--out",
        str(out),
        "--as-of",
        "2026-06-01",
        *map(str, extra),
    ]


@pytest.mark.parametrize("format", ["html", "md", "csv"])
def test_plan_writes_its_report_to_standard_output(tmp_path, capsys, format):
    plan = tmp_path / "plan.toml"
    report = tmp_path / f"report.{format}"
    assert main(_plan_argv(plan, "--report", report)) == 0
    capsys.readouterr()
    assert main(_plan_argv(plan, "--report", "-", "--report-format", format)) == 0
    captured = capsys.readouterr()
    # The report alone on stdout, the bytes --report FILE writes; both notes on stderr.
    assert captured.out == report.read_bytes().decode("utf-8")
    assert captured.err.startswith(f"wrote {plan}: ") and captured.err.endswith("wrote -\n")


def test_plan_refuses_a_report_on_standard_output_it_cannot_name_or_place(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text("keep me", encoding="utf-8")
    # No format: stdout has no file name to tell it by.
    assert main(_plan_argv(plan, "--report", "-")) == 2
    assert capsys.readouterr().err == (
        "resplan: error: -: standard output has no file name to tell the report format by: "
        "give --report-format html, md or csv\n"
    )
    # The plan and the report both on stdout would run together.
    assert main(_plan_argv("-", "--report", "-", "--report-format", "md")) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        "resplan: error: -: is given for both the plan and the report: standard output can "
        "take one of them; write the other to a file\n"
    )
    # A file name that says no format names the option that would.
    assert main(_plan_argv(plan, "--report", tmp_path / "report.txt")) == 2
    assert "or give --report-format" in capsys.readouterr().err
    # --report-format without --report says what it is for.
    assert main(_plan_argv(plan, "--report-format", "md")) == 2
    assert "give --report too" in capsys.readouterr().err
    assert plan.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "report.txt").exists()


# What the command entry point sees: the BLAS threads it asked for, and how many threads
# the process runs once NumPy is loaded (Linux lists them in /proc/self/task).
_BLAS_PROBE = """
import os, sys
import resplan.cli as cli
def main():
    import numpy
    tasks = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else -1
    print(os.environ.get(cli.BLAS_THREADS_ENV), tasks)
    return 0
cli.main = main
cli.run()
"""


@pytest.mark.parametrize("given", [None, "2"])
def test_the_command_keeps_numpy_to_one_blas_thread_unless_told(given):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    result = subprocess.run(
        [sys.executable, "-c", _BLAS_PROBE], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    value, tasks = result.stdout.split()
    assert value == (given or "1")
    if given is None and tasks != "-1":
        assert tasks == "1"  # no thread waiting for linear algebra that never comes
