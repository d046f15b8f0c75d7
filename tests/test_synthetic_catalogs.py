"""Synthetic programs are never mixed in silently: a catalog says it is synthetic, and every
plan, report and list of facts to verify keeps its programs apart (issue 12, part 3)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tomllib

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES, ROOT

PROFILE = EXAMPLES / "profiles" / "example.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
AS_OF = "2026-01-15"


def plan_with(tmp_path, *catalogs, name="plan.toml"):
    out = tmp_path / name
    argv = ["plan", str(PROFILE), "--out", str(out), "--as-of", AS_OF]
    for catalog in catalogs:
        argv += ["--catalog", str(catalog)]
    assert main(argv) == 0
    return out


def test_synth_catalog_marks_the_whole_catalog_and_the_plan_marks_each_program(tmp_path, capsys):
    sample = tmp_path / "sample.toml"
    assert main(["synth-catalog", "--programs", "300", "--seed", "5", "--out", str(sample)]) == 0
    data = tomllib.loads(sample.read_text(encoding="utf-8"))
    assert data["catalog"] == {"synthetic": True}
    generated = {p["id"] for p in data["program"]}

    out = plan_with(tmp_path, BORDER, sample)
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    marked = {p["id"] for p in plan["programs"] if p.get("synthetic") is True}
    considered = {p["id"] for p in plan["programs"]}
    assert marked and marked == generated & considered
    summary = plan["summary"]
    assert summary["programs_synthetic"] == len(marked)
    assert summary["programs_real"] == len(considered - marked) > 0
    assert (
        summary["programs_real"] + summary["programs_synthetic"] == summary["programs_considered"]
    )

    # Only real programs are counted and named among the facts to verify.
    real_to_verify = [
        p
        for p in plan["programs"]
        if p["id"] not in marked and p["to_verify"] and p["verdict"] != "skip"
    ]
    assert summary["to_verify"] == len(real_to_verify)
    verify = next(
        a
        for a in plan["actions"]
        if a["category"] == "verify" and a["id"] != "assessment/step1-number"
    )
    names = {p["id"]: p["name"] for p in plan["programs"]}
    assert not any(names[i] in verify["detail"] for i in marked)
    assert f"{len(real_to_verify)} programs" in verify["title"]

    # The report's checklist leaves them out; its program list marks every one of them.
    html, table = tmp_path / "plan.html", tmp_path / "plan.csv"
    assert main(["report", str(out), "--out", str(html)]) == 0
    assert main(["report", str(out), "--out", str(table)]) == 0
    page = html.read_text(encoding="utf-8")
    checklist = page.split('id="verify"', 1)[1].split("</section>", 1)[0]
    assert not any(names[i] in checklist for i in marked)
    assert "left out: they are not real" in checklist
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert {r["id"] for r in rows if r["synthetic"] == "yes"} == marked


def test_real_catalog_alone_has_no_synthetic_program(tmp_path):
    plan = tomllib.loads(plan_with(tmp_path, BORDER).read_text(encoding="utf-8"))
    assert not any("synthetic" in p for p in plan["programs"])
    assert plan["summary"]["programs_synthetic"] == 0
    assert plan["summary"]["programs_real"] == plan["summary"]["programs_considered"]


def test_a_csv_catalog_marks_synthetic_programs_by_column(tmp_path):
    sample = tmp_path / "sample.csv"
    assert main(["synth-catalog", "--programs", "40", "--seed", "9", "--out", str(sample)]) == 0
    rows = list(csv.DictReader(io.StringIO(sample.read_text(encoding="utf-8"))))
    assert {r["synthetic"] for r in rows} == {"true"}
    # A person's own CSV: the same programs, renamed so nothing but the column says so.
    text = (
        sample.read_text(encoding="utf-8")
        .replace("Synthetic ", "Mesa ")
        .replace("synthetic: resplan", "made by resplan")
    )
    own = tmp_path / "own.csv"
    own.write_text(text, encoding="utf-8")
    plan = tomllib.loads(plan_with(tmp_path, own).read_text(encoding="utf-8"))
    assert plan["programs"] and all(p.get("synthetic") is True for p in plan["programs"])


@pytest.mark.parametrize(
    "body, field, line, message",
    [
        ('[catalog]\nsynthetic = "yes"\n', "catalog.synthetic", 2, "expected true or false"),
        ("[catalog]\nsynthetc = true\n", "catalog.synthetc", 2, "did you mean 'synthetic'"),
        ("[catalog]\nsynthetic = true\n", "program[0].synthetic", 10, "cannot say it is real"),
    ],
)
def test_a_bad_catalog_table_is_one_clear_message(tmp_path, capsys, body, field, line, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        body + '\n[[program]]\nid = "a"\nname = "A"\nspecialty = "Internal Medicine"\n'
        'city = "El Paso"\nstate = "TX"\nsynthetic = false\n',
        encoding="utf-8",
    )
    out = tmp_path / "plan.toml"
    argv = ["plan", str(PROFILE), "--catalog", str(bad), "--out", str(out), "--as-of", AS_OF]
    if field != "program[0].synthetic":
        bad.write_text(bad.read_text().replace("synthetic = false\n", ""), encoding="utf-8")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1
    assert f"bad.toml:{line}:" in err and field in err and message in err
    assert "Traceback" not in err and not out.exists()


def invoke(*argv, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *argv], cwd=cwd, capture_output=True, text=True, env=env
    )


def test_invoke_plan_uses_real_programs_unless_asked_and_matches_resplan_plan(tmp_path):
    import tasks

    by_invoke = tmp_path / "invoke.toml"
    result = invoke("plan", "--out", str(by_invoke), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert "synthetic = true" not in by_invoke.read_text(encoding="utf-8")
    by_resplan = plan_with(tmp_path, *(ROOT / c for c in tasks.EXAMPLE_CATALOGS), name="r.toml")
    assert by_invoke.read_bytes() == by_resplan.read_bytes()

    with_sample = tmp_path / "with.toml"
    result = invoke("plan", "--with-synthetic", "--out", str(with_sample), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    same = plan_with(
        tmp_path,
        *(ROOT / c for c in tasks.EXAMPLE_CATALOGS),
        ROOT / tasks.SYNTHETIC_CATALOG,
        name="same.toml",
    )
    assert with_sample.read_bytes() == same.read_bytes()
    assert "synthetic = true" in with_sample.read_text(encoding="utf-8")
