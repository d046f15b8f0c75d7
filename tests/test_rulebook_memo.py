"""The rulebook memo (resplan.rulebook._Memo): what the rulesets' text alone gives (parsed
TOML, line numbers, syntax trees) kept between runs, the same rules and plans from it,
invalidated by any change, never in the way."""

from __future__ import annotations

import pickle

import pytest

import resplan
from resplan import cache, rulebook
from resplan.cli import main
from resplan.host import load_host
from resplan.plugins import RulesetSource, hookimpl
from resplan.rules import compiler
from tests.conftest import AS_OF, EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"
CATALOG = EXAMPLES / "catalog" / "border-programs.toml"


@pytest.fixture
def folder(cache_folder):
    return cache_folder


def memo_entries(folder) -> list:
    rulebooks = cache.kind_dir("rulebooks")
    assert rulebooks.parent == folder
    return sorted(rulebooks.glob(f"*{cache.SUFFIX}")) if rulebooks.exists() else []


def rules_of(host) -> list[tuple]:
    """Everything a loaded rule is, closures aside: its condition and expressions by
    their text, type and names, its words, its line."""
    out = []
    for ruleset in host.rulebook.rulesets:
        for rule in ruleset.rules:
            out.append((rule, rule.line, rule.condition.ast, rule.says, repr(rule.effect)))
    return out


def plan_text(host) -> str:
    profile = resplan.load_profile(PROFILE)
    catalog = resplan.load_catalog(CATALOG, host=host)
    return resplan.dumps_plan(resplan.plan(profile, catalog, host=host, as_of=AS_OF))


def test_a_rulebook_loaded_from_the_memo_is_the_one_loaded_from_the_text(folder, monkeypatch):
    fresh = load_host(cache=False)
    assert memo_entries(folder) == []
    writes = load_host()
    assert len(memo_entries(folder)) == 1

    def parsed_again(*args, **kwargs):
        raise AssertionError("parsed again")

    with monkeypatch.context() as patch:  # nothing is parsed: all of it comes from the memo
        patch.setattr(rulebook, "parse_toml", parsed_again)
        patch.setattr(rulebook, "toml_lines", parsed_again)
        patch.setattr(compiler, "parse", parsed_again)
        reads = load_host()
    assert rules_of(reads) == rules_of(writes) == rules_of(fresh)
    assert plan_text(reads) == plan_text(fresh)


def test_the_memo_is_not_used_when_a_ruleset_changes(folder):
    class Stricter:
        """A ruleset whose parameter is edited between two loads."""

        score = 200

        @hookimpl
        def resplan_rulesets(self):
            text = (
                '[ruleset]\nname = "stricter"\n\n'
                f'[parameters.floor]\nvalue = {self.score}\nsource = "a test"\n\n'
                '[[screen]]\nid = "under-floor"\n'
                'when = "profile.step2ck.score < floor"\nverdict = "skip"\n'
                'says = "Step 2 CK under {floor}."\nsource = "a test"\n'
            )
            return [RulesetSource.from_text(text, "stricter.toml")]

    plugin = Stricter()

    def under_floor(host):
        ruleset = next(rs for rs in host.rulebook.rulesets if rs.name == "stricter")
        return ruleset.parameters["floor"].value, ruleset.rules[0].says.render({})

    assert under_floor(load_host(plugins=[plugin])) == (200, "Step 2 CK under 200.")
    assert memo_entries(folder) == []  # plugin objects made in code: no memo unless asked
    assert under_floor(load_host(plugins=[plugin], cache=True)) == (200, "Step 2 CK under 200.")
    plugin.score = 260
    assert under_floor(load_host(plugins=[plugin], cache=True)) == (260, "Step 2 CK under 260.")
    assert len(memo_entries(folder)) == 2  # one per set of ruleset texts


@pytest.mark.parametrize("how", ["argument", "env", "flag"])
def test_no_cache_writes_no_memo(folder, monkeypatch, tmp_path, how):
    if how == "argument":
        load_host(cache=False)
    elif how == "env":
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
        load_host()
    else:
        out = tmp_path / "plan.toml"
        argv = ["--no-cache", "plan", str(PROFILE), "--catalog", str(CATALOG), "--out", str(out)]
        assert main(argv) == 0
    assert not folder.exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-200] + bytes(200),
    ],
)
def test_a_broken_memo_is_a_miss_and_written_again(folder, damage):
    expected = rules_of(load_host(cache=False))
    load_host()
    [entry] = memo_entries(folder)
    entry.write_bytes(damage(entry.read_bytes()))
    assert rules_of(load_host()) == expected
    assert memo_entries(folder) == [entry]
    assert rules_of(load_host()) == expected


def test_a_memo_of_the_wrong_shape_or_naming_a_function_is_not_used(folder):
    load_host()
    [entry] = memo_entries(folder)
    length, rest = entry.read_bytes()[len(cache.MAGIC) :].split(b"\n", 1)
    key = rest[: int(length)]
    assert key.startswith(b"rulebook memo")
    header = cache.MAGIC + length + b"\n" + key + b"\n"
    expected = rules_of(load_host(cache=False))
    # Right key, wrong content: a tree that is not one, and a pickle naming os.system.
    planted = folder / "planted"
    for payload in (
        pickle.dumps(({}, {"profile.step2ck.score < 200": "not a tree"})),
        pickle.dumps(({}, {"profile.step2ck.score < 200": (9, "not a node", 1)})),
        pickle.dumps(({}, {"profile.step2ck.score < 200": (5, "<", (1, "x", 1))})),
        pickle.dumps(({"0" * 64: ([], {})}, {})),
        b"cos\nmkdir\n(S'" + str(planted).encode() + b"'\ntR.",
    ):
        entry.write_bytes(header + payload)
        assert rules_of(load_host()) == expected
    assert not planted.exists()


def test_templates_from_the_memo_compile_when_first_read(folder, monkeypatch):
    """Rulesets that loaded without a problem before compile their words when a plan reads
    them, not at load (most are never rendered), to what the text gives; a first load
    checks every template at once, so a mistake is reported then."""
    from resplan.rules import template

    compiled: list[str] = []
    real = template.compile_template

    def counting(text, scope):
        compiled.append(text)
        return real(text, scope)

    monkeypatch.setattr(template, "compile_template", counting)
    monkeypatch.setattr(rulebook, "compile_template", counting)
    fresh = load_host(cache=False)
    loaded_at_once = len(compiled)
    assert loaded_at_once > 400
    load_host()  # fills the memo (the templates compiled again: nothing was proven yet)
    assert len(compiled) == 2 * loaded_at_once
    compiled.clear()
    reads = load_host()
    assert compiled == []

    def words(host):
        out = []
        for ruleset in host.rulebook.rulesets:
            for rule in ruleset.rules:
                kept = [rule.says] + [
                    v for v in rule.effect.values() if isinstance(v, template.Template)
                ]
                out += [(t.text, t.names, t.parts) for t in kept if t is not None]
        return out

    pairs = list(zip(words(reads), words(fresh)))
    assert len(compiled) == loaded_at_once == len(pairs)
    for (text, names, parts), (text2, names2, parts2) in pairs:
        assert (text, names) == (text2, names2)
        assert [p if isinstance(p, str) else p[:2] for p in parts] == [
            p if isinstance(p, str) else p[:2] for p in parts2
        ]
    words(reads)  # read again: compiled once each
    assert len(compiled) == loaded_at_once
    assert plan_text(reads) == plan_text(fresh)
