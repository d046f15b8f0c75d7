"""Lists, signals and the order of actions in plans of profiles an advisor reviewed
(tests/data/review3), against the real border programs (and the generated national
sample where a finding was about it), on the dates the advisor used.

Each test names what the plan or its report must say for one finding of the review.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES

REVIEW = Path(__file__).parent / "data" / "review3"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SYNTHETIC = EXAMPLES / "catalog" / "synthetic-national-sample.toml"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A reviewed profile's plan (and its Markdown report) on a date, made once."""
    folder = tmp_path_factory.mktemp("review3")
    done: dict[tuple, tuple[dict, str]] = {}

    def make(name: str, as_of: str, *, synthetic: bool = False) -> tuple[dict, str]:
        key = (name, as_of, synthetic)
        if key not in done:
            stem = f"{name}-{as_of}{'-syn' if synthetic else ''}"
            out, report = folder / f"{stem}.toml", folder / f"{stem}.md"
            argv = ["plan", str(REVIEW / f"{name}.toml"), "--catalog", str(BORDER)]
            if synthetic:
                argv += ["--catalog", str(SYNTHETIC)]
            argv += ["--as-of", as_of, "--out", str(out), "--report", str(report)]
            assert main(argv) == 0
            done[key] = (
                tomllib.loads(out.read_text(encoding="utf-8")),
                report.read_text(encoding="utf-8"),
            )
        return done[key]

    return make


def signals(plan: dict) -> dict[str, dict]:
    return {s["specialty"]: s for s in plan["signals"]}


def programs(plan: dict) -> dict[str, dict]:
    return {p["id"]: p for p in plan["programs"]}


def listed() -> dict[str, dict]:
    """The border catalog's programs by id, as listed."""
    catalog = tomllib.loads(BORDER.read_text(encoding="utf-8"))
    return {p["id"]: p for p in catalog["program"]}


def actions(plan: dict) -> dict[str, dict]:
    return {a["id"]: a for a in plan["actions"]}


# ---------------------------------------------------------------- 14: generated programs


def test_no_signal_goes_to_a_generated_program(made):
    """With the generated national sample beside the border programs, every signal goes
    to a real program; the plan counts the generated programs that pass and says they get
    none, and a field whose only programs in the named states are generated says that no
    real one is there."""
    plan, report = made("s7-no-usce", "2026-08-15", synthetic=True)
    by_id = programs(plan)
    by = signals(plan)
    chosen = [c for s in plan["signals"] for c in s.get("programs", [])]
    assert chosen
    assert not any(by_id[c["id"]].get("synthetic") for c in chosen)
    assert not any("check with the program" in c["why"] and "not real" in c["why"] for c in chosen)
    im, psychiatry = by["Internal Medicine"], by["Psychiatry"]
    assert (
        "3 programs of Internal Medicine that you pass come from a generated sample" in im["says"]
    )
    assert "no signal for them" in im["says"]
    assert (
        "This catalog has no real Psychiatry program in Arizona or California"
        in (psychiatry["says"])
    )
    assert "It is not real, so this plan proposes no signal for it." in psychiatry["says"]
    # The Markdown names no generated program without saying it is not real.
    section = report.split("## Program signals", 1)[1].split("\n## ", 1)[0]
    assert "Synthetic" not in section
    for line in report.splitlines():
        for name in ("Synthetic Community Hospital", "Synthetic University"):
            if name in line and not line.startswith("- **"):
                assert "not a real program" in line, line


# ---------------------------------------------------------------- 10: IMG share and gold


def test_a_known_high_img_share_comes_before_an_unknown_one(made):
    """Among programs of one tier whose listings name the applicant's visa, those whose
    share of IMG residents is known and high get signals before one that does not say:
    the gold signals go to programs known to take IMGs."""
    plan, _ = made("s1-prelim-ohio-wants-border", "2026-09-20")
    im = signals(plan)["Internal Medicine"]
    by_id = listed()
    order = [c["name"] for c in im["programs"]]
    doctors = order.index("Doctors Hospital at Renaissance")
    for name in (
        "University of Texas Rio Grande Valley (Knapp)",
        "University of Texas Rio Grande Valley (Valley Baptist Medical Center)",
    ):
        assert order.index(name) < doctors
    gold = [c for c in im["programs"] if c["kind"] == "gold"]
    assert len(gold) == 3
    for choice in gold:
        assert by_id[choice["id"]]["img_share"] >= 0.2
        assert "your best fits" in choice["why"]


def test_best_fit_is_not_said_of_a_program_that_does_not_show_imgs(made):
    """A tier 1 program whose listing shows neither IMG residents nor a visa is not called
    one of the best fits; the others are."""
    plan, _ = made("s1-prelim-ohio-wants-border", "2026-09-20")
    by_id = listed()
    tier1 = 0
    for choice in signals(plan)["Internal Medicine"]["programs"]:
        program = by_id[choice["id"]]
        shown = program.get("img_share", 0) > 0 or "J-1" in program.get("visas", [])
        if "Tier 1," not in choice["why"]:
            assert "one of your best fits" not in choice["why"], choice
            continue
        tier1 += 1
        assert ("best fits" in choice["why"]) == shown, choice
        if not shown:
            assert "does not show that it takes IMGs" in choice["why"]
    assert tier1


# ---------------------------------------------------------------- 9: H-1B only


def test_an_h1b_only_applicant_hears_that_no_program_is_known_to_sponsor_one(made):
    """Psychiatry in California only, H-1B only: the catalog has no Psychiatry program in
    California (said as such, not as filters failed), and the first step says that no
    program of the plan is known to sponsor an H-1B; a J-1 is only offered, not pushed."""
    plan, report = made("s10-psych-ca-only-step3", "2026-10-01")
    psychiatry = signals(plan)["Psychiatry"]
    assert "This catalog has no Psychiatry program in California" in psychiatry["says"]
    assert "passes every known filter, so" not in psychiatry["says"]
    step = actions(plan)["applications/h1b-only-none-listed"]
    assert "none is known to sponsor one" in step["detail"]
    assert "if it sponsors only a J-1, it is off your list" in step["detail"]
    assert "If a J-1 is possible for you after all" in step["detail"]
    first = report.split("## What to do next", 1)[1].split("## ", 1)[0]
    assert "1. **Ask about visas first" in first
    # Not for an applicant who would take a J-1 as well: the J-1 route step is theirs.
    example = tomllib.loads((REVIEW / "s10-psych-ca-only-step3.toml").read_text())
    assert example["applicant"]["visa"] == "H-1B"


# ---------------------------------------------------------------- 8: no program in the fields


def border_without_backup_fields(folder: Path) -> Path:
    """The border catalog without its Internal and Family Medicine programs: a backup
    field the plan adds has no program in it either."""
    text = BORDER.read_text(encoding="utf-8")
    head, *blocks = text.split("[[program]]")
    kept = [
        b
        for b in blocks
        if 'specialty = "Internal Medicine"' not in b and 'specialty = "Family Medicine"' not in b
    ]
    path = folder / "border-without-im-fm.toml"
    path.write_text("[[program]]".join([head, *kept]), encoding="utf-8")
    return path


def test_two_named_fields_the_catalog_lacks_get_a_backup_field(made):
    """Emergency Medicine and Anesthesiology, neither in the border catalog: the plan adds
    a backup field (Family Medicine, for her Spanish), as it does for one such field
    (review 11, finding 2), and asks for the named fields' lists outside the catalog."""
    plan, _report = made("s5-260-em-anesth", "2026-06-05")
    assert plan["summary"]["apply"] > 0
    added = [s["name"] for s in plan["specialties"] if s.get("suggested")]
    assert added == ["Family Medicine"]
    steps = actions(plan)
    step = steps["applications/named-field-not-in-catalog"]
    assert step["title"] == (
        "Build your Emergency Medicine and Anesthesiology lists outside this catalog"
    )


def test_a_plan_with_no_program_in_the_named_fields_says_so_plainly(tmp_path):
    """Emergency Medicine and Anesthesiology, in a catalog without them or a backup field:
    no 'apply to all of them' with 0 programs, no 'other fields' that do not exist, the
    plural of 'field', and 'real' only where a generated catalog is in use. Building the
    lists is the first step."""
    out, md = tmp_path / "plan.toml", tmp_path / "plan.md"
    argv = ["plan", str(REVIEW / "s5-260-em-anesth.toml")]
    argv += ["--catalog", str(border_without_backup_fields(tmp_path))]
    assert main([*argv, "--as-of", "2026-06-05", "--out", str(out), "--report", str(md)]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    report = md.read_text(encoding="utf-8")
    assert plan["summary"]["apply"] == 0
    said = " ".join(r["says"] for v in plan["summary"]["by_specialty"] for r in v["reasons"])
    assert "apply to all of them" not in said
    assert "Your catalog has no program in Emergency Medicine that you can apply to." in said
    assert "Your list in it holds about 60 applications" in said
    steps = actions(plan)
    assert "applications/named-field-not-in-catalog" not in steps
    step = steps["applications/named-fields-only-outside-catalog"]
    assert step["title"] == (
        "Build your Emergency Medicine and Anesthesiology lists first: this plan lists no program"
    )
    assert "no program in those fields" in step["detail"]
    assert "other fields" not in step["detail"] and "the field you named" not in step["detail"]
    first = report.split("## What to do next", 1)[1].split("## ", 1)[0]
    assert "1. **Build your Emergency Medicine and Anesthesiology lists first" in first
    assert "No program is in tier 1." in report
    assert "No real program" not in report


def test_a_missing_field_beside_others_names_the_fields_in_the_plural(tmp_path):
    """A field the catalog lacks, beside one it holds: the step speaks of the plan's
    other fields, and of 'the field you named' in the singular."""
    text = (REVIEW / "s5-260-em-anesth.toml").read_text(encoding="utf-8")
    text = text.replace(
        'specialties = ["Emergency Medicine", "Anesthesiology"]',
        'specialties = ["Emergency Medicine", "Internal Medicine"]',
    )
    profile = tmp_path / "profile.toml"
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", "2026-06-05"]
    assert main([*argv, "--out", str(out)]) == 0
    step = actions(tomllib.loads(out.read_text(encoding="utf-8")))[
        "applications/named-field-not-in-catalog"
    ]
    assert step["title"] == "Build your Emergency Medicine list outside this catalog"
    assert "no program in that field" in step["detail"]
    assert "cover only its other fields" in step["detail"]
    assert "a list for the field you named" in step["detail"]


# ---------------------------------------------------------------- 3 and 5: dating


def next_steps(report: str) -> str:
    return report.split("## What to do next", 1)[1].split("\n## ", 1)[0]


def test_at_rank_list_time_the_steps_of_a_next_application_are_dated_for_it(made):
    """Mid-February, interviews over: the border assets and early relationships are for
    a next application like the other documents, the signals speak of a list already
    sent, and the check of program facts narrows to starting at the programs where the
    applicant interviewed."""
    plan, report = made("s2-citizen-232-native", "2027-02-15")
    steps = actions(plan)
    for rule in ("applications/border-value-inventory", "applications/early-relationships"):
        assert "(for a next application, to the 2028 Match" in steps[rule]["when"], rule
        assert steps[rule]["when"].startswith("May 2027"), rule
    first = next_steps(report)
    assert "border-region assets" not in first.split("\n5.")[0]
    assert "Build relationships" not in first
    for entry in plan["signals"]:
        assert "If you have not applied yet" not in entry["says"]
        assert "Interview season for this Match is over" in entry["says"]
    assert "applications/verify-program-facts" not in steps
    check = steps["applications/verify-before-ranking-no-visa"]
    assert check["title"].startswith("Before you rank a program where you interviewed")
    assert "minimum Step 2 CK" not in check["detail"]
    assert "1. **Before you rank a program where you interviewed" in first


def test_signals_do_not_ask_for_an_application_once_programs_read_them(made):
    """November: programs read the applications, interviews go on; the signals are said
    to be sent, without 'if you have not applied yet'."""
    plan, _ = made("s4-fm-nm-only-h1b", "2026-11-20")
    fm = signals(plan)["Family Medicine"]
    assert "If you have applied, your signals are sent" in fm["says"]
    assert "If you have not applied yet" not in fm["says"]


def test_right_after_an_unmatched_match_the_steps_between_cycles_lead(made):
    """Six days after an unmatched Match Day: the steps between cycles are dated from the
    plan's date, are called 'Between cycles' (not 'If you do not match'), and lead the
    first screen after what must be done by the rank list deadline."""
    plan, report = made("s9-after-match-2027", "2027-03-25")
    between = [a for a in plan["actions"] if a["timing"] == "between-cycles"]
    assert between
    for step in between:
        assert step["when"].startswith("March 2027: Between cycles"), step
    first = next_steps(report)
    titles = {a["title"] for a in between}
    shown = [line for line in first.splitlines() if line[:2].rstrip(".").isdigit()]
    assert sum(any(t in line for t in titles) for line in shown) >= 4


def test_the_html_report_says_between_cycles_for_a_reapplicant(tmp_path):
    """The reapplicant's steps between cycles have a section and a label of their own;
    'If you do not match' keeps what is for a Match still ahead."""
    from resplan.report import render_report
    from resplan.writer import read_plan

    out = tmp_path / "plan.toml"
    argv = ["plan", str(REVIEW / "s9-after-match-2027.toml"), "--catalog", str(BORDER)]
    assert main([*argv, "--as-of", "2027-03-25", "--out", str(out)]) == 0
    html = render_report(read_plan(out), "html")
    assert '<h2 id="between-cycles">Between cycles</h2>' in html
    section = html.split('<h2 id="between-cycles">', 1)[1].split("</section>", 1)[0]
    assert "Take a clinical job or volunteer role in the US" in section
    no_match = html.split('<h2 id="no-match">', 1)[1].split("</section>", 1)[0]
    assert "Take a clinical job or volunteer role in the US" not in no_match
    assert 'If you do not match</span> <span class="step-title">Take a clinical' not in html


# ---------------------------------------------------------------- 4: December, no Step 2 CK


def test_in_december_without_step2ck_the_choice_of_match_comes_first(made):
    """No Step 2 CK in December: the choice between this Match and the next is the first
    step, ahead of every interview step, and it names the rank list deadline."""
    plan, report = made("s8-minimal", "2026-12-10")
    steps = actions(plan)
    choice = steps.get("applications/step2ck-later-cycle-under-way")
    if choice is None:  # the profile is read another way: no such step to place
        pytest.skip("the minimal profile is not read as Step 2 CK still to sit")
    assert choice["timing"] == "decide"
    assert "3 March 2027" in choice["detail"]
    first = next_steps(report)
    assert first.lstrip().startswith("1. **Decide now: this Match or the next one")


# ---------------------------------------------------------------- 12: a late backup field


def test_a_backup_field_added_once_applications_are_out_is_for_a_next_application(made):
    """FM in New Mexico only, 20 November: the real shortage is the one New Mexico
    program, and the backup field (Internal Medicine) gets no signal and no list to send
    now, only a choice for a next application."""
    plan, _ = made("s4-fm-nm-only-h1b", "2026-11-20")
    steps = actions(plan)
    short = steps["applications/named-field-few-in-states"]
    assert short["title"] == "Find more Family Medicine programs in New Mexico, or name more states"
    assert short["detail"].startswith(
        "This catalog has 8 Family Medicine programs you can apply to, and 1 of them is in "
        "New Mexico"
    )
    assert "applications/named-field-few-in-catalog" not in steps
    im = signals(plan)["Internal Medicine"]
    assert not im.get("programs")
    assert "a choice for a next application" in im["says"]
    assert "Gold signals" not in im["says"]
    volume = next(v for v in plan["summary"]["by_specialty"] if v["name"] == "Internal Medicine")
    said = " ".join(r["says"] for r in volume["reasons"])
    assert "Keep it as a choice for a next application" in said
    assert "Compare them with the list you sent" not in said


def test_a_j1_that_opens_nothing_is_not_read_as_no_help(made):
    """H-1B only, no program listing an H-1B: that accepting a J-1 opens nothing is said
    to come from what the listings leave out, not from J-1 sponsorship."""
    plan, report = made("s10-psych-ca-only-step3", "2026-10-01")
    said = {a["rule"]: a["says"] for a in plan["summary"]["advice"]}
    assert "does not mean that a J-1 would not help" in said["what-if/j1-opens-nothing-listed"]
    assert "Ask each program which visas it sponsors." in report
