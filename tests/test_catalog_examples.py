"""The example catalogs: real border programs, a reproducible synthetic sample, CSV = TOML."""

from __future__ import annotations

import tomllib

import resplan
import tasks
from resplan import synth
from tests.conftest import EXAMPLES


def test_synthetic_sample_is_what_the_generator_makes():
    committed = (EXAMPLES / "catalog" / "synthetic-national-sample.toml").read_text(
        encoding="utf-8"
    )
    made = synth.dumps_catalog_toml(synth.synthesize_catalog(**tasks.SYNTHETIC_SAMPLE))
    assert committed == made


def test_synthetic_programs_say_so():
    data = tomllib.loads((EXAMPLES / "catalog" / "synthetic-national-sample.toml").read_text())
    assert all(
        "Synthetic" in p["name"] and p["source"].startswith("synthetic") for p in data["program"]
    )


def test_border_catalog_keeps_each_source_and_invents_nothing():
    data = tomllib.loads((EXAMPLES / "catalog" / "border-programs.toml").read_text())
    assert len(data["program"]) == 34
    for program in data["program"]:
        assert program["source"]
        # no border program publishes these; they must stay unknown
        for key in ("min_step2ck", "max_years_since_graduation", "max_attempts", "setting"):
            assert key not in program


def test_csv_and_toml_catalogs_give_the_same_plan(host, example_profile):
    toml = host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")
    csv = host.read_catalog(EXAMPLES / "catalog" / "border-programs.csv")
    assert toml.programs == csv.programs
    # The same plan but for the catalog's digest, that of each file's bytes.
    from_toml = resplan.dumps_plan(resplan.plan(example_profile, toml, host=host))
    from_csv = resplan.dumps_plan(resplan.plan(example_profile, csv, host=host))
    assert from_toml.replace(toml._digest, csv._digest) == from_csv
    assert toml._digest in from_toml and toml._digest != csv._digest


def test_example_plan_shows_real_programs_with_to_verify_and_a_verify_action(host, example_profile):
    paths = (*tasks.EXAMPLE_CATALOGS, tasks.SYNTHETIC_CATALOG)
    catalogs = [host.read_catalog(tasks.ROOT / path) for path in paths]
    plan = resplan.plan(example_profile, resplan.merge_catalogs(catalogs), host=host)
    real = [p for p in plan.programs if not p.synthetic and p.verdict != "skip"]
    assert real and all(p.to_verify for p in real)  # no border program publishes its minimums
    # The facts to verify with programs; a 2022 graduate is also asked for a numeric Step 1.
    verify = [
        a for a in plan.actions if a.category == "verify" and a.id != "assessment/step1-number"
    ]
    assert len(verify) == 1
    # most promising first: the first program named is a tier-1 program
    first_tier1 = next(p for p in plan.programs if p.tier == 1 and p.to_verify)
    assert first_tier1.name in verify[0].detail.split(";")[0]
    assert {1, 2, 3} <= {p.tier for p in plan.programs}
    # Synthetic programs are marked, and neither counted nor named among the facts to verify.
    synthetic = [p for p in plan.programs if p.synthetic]
    assert synthetic and all(p.id.startswith("synth-") for p in synthetic)
    assert all(p.id.startswith("synth-") == bool(p.synthetic) for p in plan.programs)
    assert plan.summary.to_verify == len(real)
    assert not any(p.name in verify[0].detail for p in synthetic)
    assert (plan.summary.programs_real, plan.summary.programs_synthetic) == (
        plan.summary.programs_considered - len(synthetic),
        len(synthetic),
    )
