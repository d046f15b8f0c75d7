"""The command line as a new user met it in the session-11 trial (README and docs
followed in a fresh install): inputs that ran without a word, outputs a name did not
describe, examples that no longer matched."""

from __future__ import annotations

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"


@pytest.mark.parametrize(
    ("programs", "message"),
    [
        ("0", "--programs 0: a catalog needs at least 1 program"),
        (
            "99999999999",
            "--programs 99999999999 is more than resplan makes (at most 10,000,000; the "
            "national catalog has about 13,400): a typo?",
        ),
    ],
)
def test_synth_catalog_refuses_no_programs_and_a_typo_sized_count(
    tmp_path, capsys, programs, message
):
    # 99999999999 ran until killed, its memory growing; 0 wrote a catalog `plan` refuses.
    out = tmp_path / "synthetic.toml"
    out.write_text("kept", encoding="utf-8")
    assert main(["synth-catalog", "--programs", programs, "--seed", "1", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"resplan: error: {out}: {message}\n"
    assert out.read_text(encoding="utf-8") == "kept"
