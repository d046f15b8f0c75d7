"""The visa route and the reapplicant's choice, on plans made from profile files.

Profiles and the catalog are in tests/data/visa-route (fictional programs in El Paso that
differ only in the visas they sponsor). Each test runs ``resplan plan`` as a user does
and reads the plan file back with ``resplan.read_plan``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import resplan
from resplan.cli import main

DATA = Path(__file__).parent / "data" / "visa-route"
AS_OF = "2026-01-15"  # before ERAS opens for the 2027 Match


def make_plan(tmp_path: Path, profile: str, *extra: str) -> resplan.Plan:
    out = tmp_path / f"{profile}.plan.toml"
    status = main(["plan", str(DATA / f"{profile}.toml"), "--catalog", str(DATA / "catalog.toml"),
                   "--as-of", AS_OF, "--out", str(out), *extra])
    assert status == 0
    return resplan.read_plan(out)


def verdicts(plan) -> dict[str, str]:
    return {p.id: p.verdict for p in plan.programs}


def tiers(plan) -> dict[str, int | None]:
    return {p.id: p.tier for p in plan.programs}


def test_two_visas_skip_only_a_program_that_sponsors_neither(tmp_path):
    plan = make_plan(tmp_path, "j1-or-h1b")
    assert verdicts(plan) == {
        "tx-elpaso-j1-im": "apply", "tx-elpaso-h1b-im": "apply", "tx-elpaso-both-im": "apply",
        "tx-elpaso-unstated-im": "apply", "tx-elpaso-novisa-im": "skip"}
    skipped = next(p for p in plan.programs if p.id == "tx-elpaso-novisa-im")
    assert [r.says for r in skipped.reasons if r.rule == "screening/visa-none-sponsored"] == [
        "You need a visa (J-1 or H-1B), and this program states that it sponsors none."]
    # Sponsorship the listing does not state stays unknown: to verify, not skipped.
    unstated = next(p for p in plan.programs if p.id == "tx-elpaso-unstated-im")
    assert "visas" in unstated.to_verify


def test_one_visa_skips_a_program_that_sponsors_only_the_other(tmp_path):
    plan = make_plan(tmp_path, "j1-only")
    assert verdicts(plan)["tx-elpaso-h1b-im"] == "skip"
    assert verdicts(plan)["tx-elpaso-j1-im"] == "apply"
    skipped = next(p for p in plan.programs if p.id == "tx-elpaso-h1b-im")
    assert "You need a visa (J-1), and this program sponsors only H-1B." in [
        r.says for r in skipped.reasons]


def test_invalid_step3_stops_with_the_field_and_line(tmp_path, capsys):
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n", encoding="utf-8")
    status = main(["plan", str(DATA / "step3-invalid.toml"), "--catalog",
                   str(DATA / "catalog.toml"), "--as-of", AS_OF, "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    text = (DATA / "step3-invalid.toml").read_text(encoding="utf-8").splitlines()
    result_line = next(n for n, line in enumerate(text, 1) if line.startswith("result ="))
    attempts_line = next(n for n, line in enumerate(text, 1) if line.startswith("attempts = 9"))
    assert any(f"step3-invalid.toml:{result_line}" in line and "exams.step3.result" in line
               and "'passed' is not one of pass, fail" in line for line in lines), lines
    assert any(f"step3-invalid.toml:{attempts_line}" in line and "exams.step3.attempts" in line
               for line in lines), lines
    assert out.read_text(encoding="utf-8") == "previous plan\n"


@pytest.mark.parametrize(("exams", "field", "words"), [
    ({"step3": {"result": "pass", "attempts": 1}}, "exams.step3", "no Step 2 CK"),
    ({"step1": {"result": "fail", "attempts": 2}, "step2ck": {"score": 230, "attempts": 1},
      "step3": {"result": "pass", "attempts": 1}}, "exams.step3", "Step 1 is passed"),
])
def test_step3_before_the_steps_it_needs_is_refused(exams, field, words):
    from resplan.convert import structure
    from resplan.errors import InputError

    data = {"applicant": {"graduation_year": 2023, "cycle": 2027, "visa": "H-1B"},
            "exams": exams}
    with pytest.raises(InputError) as caught:
        structure(data, resplan.Profile, file="p.toml")
    assert [(p.field, words in p.message) for p in caught.value.problems] == [(field, True)]


@pytest.mark.parametrize(("visa", "message"), [
    ([], 'lists no visa: write "none" if you need none'),
    (["J-1", "J-1"], "lists a visa twice"),
    (["none", "J-1"], '"none" means you need no visa'),
    (["J1"], "'J1' is not one of none, J-1, H-1B (did you mean 'J-1'?)"),
])
def test_a_bad_visa_list_is_refused_with_its_field(visa, message):
    from resplan.convert import structure
    from resplan.errors import InputError

    data = {"applicant": {"graduation_year": 2023, "cycle": 2027, "visa": visa}}
    with pytest.raises(InputError) as caught:
        structure(data, resplan.Profile, file="p.toml")
    [problem] = caught.value.problems
    assert problem.field.startswith("applicant.visa") and message in problem.message
