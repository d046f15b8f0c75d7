"""``resplan check`` in bounded time: rules that cannot shadow each other are never
compared, and the pairwise search stops at a named budget, saying what it left out."""

from __future__ import annotations

import pytest

from resplan import check as check_module
from resplan.check import check


def ruleset(rules: int) -> str:
    # Rules on a few facts, so that many of them shadow each other.
    facts = ["program.positions", "program.min_step2ck", "profile.step2ck.score"]
    out = ['[ruleset]\nname = "many"\nversion = "1"\n']
    for i in range(rules):
        fact, other = facts[i % 3], facts[(i // 3) % 3]
        out.append(
            f'[[screen]]\nid = "r{i}"\nwhen = "{fact} > {100 + i} and {other} < {250 - i}"\n'
            f'verdict = "borderline"\nsays = "x"\nsource = "tests"\n'
        )
    return "\n".join(out)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "many.toml"
    path.write_text(ruleset(40))
    return path


def test_the_prefilter_only_skips_pairs_that_cannot_imply(many, monkeypatch):
    # The same findings as comparing every pair, on the installed rulesets and on many
    # rules of a few facts.
    for paths in (None, [many]):
        fast = check(paths)
        monkeypatch.setattr(check_module, "_may_imply", lambda keys, needs: True)
        slow = check(paths)
        monkeypatch.undo()
        assert fast == slow
    assert any(f.severity == "warning" and "never changes" in f.message for f in fast)


def test_the_search_stops_at_its_budget_and_says_so(many, monkeypatch):
    whole = check([many])
    assert not any(f.file == "<rulesets>" for f in whole)
    monkeypatch.setenv("RESPLAN_CHECK_MAX_PAIRS", "400")
    cut = check([many])
    [note] = [f for f in cut if f.file == "<rulesets>"]
    assert note.severity == "warning" and "RESPLAN_CHECK_MAX_PAIRS" in note.message
    # 40 rules of many.toml plus the installed screen rules were in the group; about 400
    # pairs were looked at, the rest not.
    assert "were not compared" in note.message
    shadowing = {f for f in cut if "never changes" in f.message}
    assert shadowing < {f for f in whole if "never changes" in f.message}
    assert [f for f in cut if f.severity == "error"] == [f for f in whole if f.severity == "error"]
