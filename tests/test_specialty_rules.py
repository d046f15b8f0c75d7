"""The specialties stage asks each rule only of the specialties it can fire for: a rule
that names a specialty or a group is not asked of the others. A rule calling a function
that decides on unknown facts (``known``) is asked of every specialty: asked with only
the specialty's own facts known it would say false, and with the applicant's facts true."""

from __future__ import annotations

import resplan
from resplan.plugins import RulesetSource
from tests.conftest import AS_OF, EXAMPLES, make_profile


def _host(when: str):
    local = RulesetSource(
        text=(
            '[ruleset]\nname = "local-fits"\nversion = "1"\n\n'
            '[[specialties]]\nid = "scored-pathology"\n'
            f'when = "{when}"\n'
            'fit = "unlikely"\nsays = "A local reading."\nsource = "test"\n'
        ),
        label="local-fits.toml",
    )

    class Plugin:
        @resplan.hookimpl
        def resplan_rulesets(self):
            return [local]

    return resplan.load_host(use_env=False, plugins=[Plugin()])


def _fits(host, profile) -> dict[str, str]:
    catalog = host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")
    plan = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    return {t.name: t.fit for t in plan.specialties}


def _profile(score: int | None):
    exams = {"step1": {"result": "pass", "attempts": 1}}
    if score is not None:
        exams["step2ck"] = {"score": score, "attempts": 1}
    return make_profile(applicant={"specialties": ["Pathology", "Internal Medicine"]}, exams=exams)


def test_a_rule_reading_whether_a_fact_is_known_is_asked_of_its_specialty():
    host = _host("known(profile.step2ck.score) and specialty.name == 'Pathology'")
    fits = _fits(host, _profile(250))
    assert fits["Pathology"] == "unlikely"
    assert fits["Internal Medicine"] != "unlikely"
    assert _fits(host, _profile(None))["Pathology"] != "unlikely"


def test_a_rule_naming_a_specialty_fires_for_that_specialty_only():
    host = _host("specialty.name == 'Pathology' and profile.step2ck.score > 200")
    fits = _fits(host, _profile(250))
    assert fits["Pathology"] == "unlikely"
    assert fits["Internal Medicine"] != "unlikely"
