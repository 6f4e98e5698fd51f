"""The mistake detector, its notes, and the debrief and CLI that show them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_recruiter import cerebras_playbook

from coach.config import Settings
from coach.evaluation.mistakes import run_mistakes_eval
from coach.models import providers
from coach.models.fake_llm import FakeLlama
from coach.negotiation.money import find_figures
from coach.roleplay.feedback import top_fixes
from coach.roleplay.session import RoleplaySession

WALK_AWAY_BASE = 248_000.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, provider="fake")


def session(settings: Settings) -> RoleplaySession:
    model = providers.chat_model(settings, engine=FakeLlama())
    run = RoleplaySession(settings, cerebras_playbook(), region="Sunnyvale", persona="firm",
                          seed=4, model=model, persist=False)
    run.start()
    return run


def test_the_detector_meets_its_targets_on_the_hand_labels(settings: Settings) -> None:
    report = run_mistakes_eval(settings)
    assert report["lines"] >= 40
    assert report["precision"] >= 0.9 and report["recall"] >= 0.9, report["disagreements"]
    assert report["dev2_precision"] >= 0.9 and report["dev2_recall"] >= 0.9
    # The blind set is only reported in detail by `coach eval`; here, its floor holds.
    assert report["heldout_lines"] >= 100
    assert report["heldout_precision"] >= 0.8 and report["heldout_recall"] >= 0.8
    # Someone who says the better lines does better than someone who ignores them.
    assert report["feedback_gain"] > 0, report["feedback"]


def test_a_clean_line_gets_no_note_and_a_caving_line_gets_a_better_one(settings: Settings) -> None:
    run = session(settings)
    assert run.respond("Given the AI premium, I'm targeting $268K base and 30% more shares.").notes == []
    notes = run.respond("Alright, I could do $240K base.").notes
    assert {n.kind for n in notes} == {"big_concession", "no_rationale"}
    for note in notes:
        asked = [f.low for f in find_figures(note.better) if f.kind == "money" and f.low < 400_000]
        # The better line's figure is the engine's: never below the walk-away.
        assert asked and min(asked) >= WALK_AWAY_BASE, note.better
        assert note.line == "Alright, I could do $240K base." and note.why


def test_preview_changes_nothing(settings: Settings) -> None:
    run = session(settings)
    assert [n.kind for n in run.preview("I was thinking maybe $240K?")] == [
        "low_anchor", "no_rationale"
    ]
    assert run.notes == [] and run.tracker.turn == 0
    assert run.respond("I'm targeting $268K base given the AI premium.").notes == []


def test_the_debrief_quotes_each_mistake_and_picks_the_costliest_fixes(settings: Settings) -> None:
    run = session(settings)
    run.respond("I was thinking maybe $240K?")
    run.respond("Okay, sounds good, I accept.")
    debrief = run.finish().to_json()
    kinds = [m["kind"] for m in debrief["mistakes"]]
    assert kinds == ["low_anchor", "no_rationale", "accepts_below_walk_away", "accepts_early",
                     "weak_close"]
    assert debrief["mistakes"][2]["line"] == "Okay, sounds good, I accept."
    assert [f["kind"] for f in debrief["fixes"]] == [
        "accepts_below_walk_away", "accepts_early", "low_anchor"
    ]
    assert len(top_fixes(run.notes, 2)) == 2


def test_cli_shows_notes_only_with_feedback(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    from coach.cli import main

    script = tmp_path / "lines.txt"
    script.write_text("I was thinking maybe $240K?\nOkay, sounds good, I accept.\n")
    base = ["roleplay", "--provider", "fake", "--region", "Sunnyvale", "--seed", "4",
            "--script", str(script)]
    assert main(base) == 0
    quiet = capfd.readouterr().out
    assert "coach> " not in quiet and "mistakes:" in quiet and "{" not in quiet
    assert main([*base, "--feedback"]) == 0
    loud = capfd.readouterr().out
    assert "coach> You opened below your target" in loud
    assert "room captured:" in loud


def test_retry_replays_the_scenario_and_compare_shows_what_was_fixed(
    tmp_path: Path, capfd: pytest.CaptureFixture, coach_home: Path
) -> None:
    import json

    from coach.cli import main

    weak = tmp_path / "weak.txt"
    weak.write_text("I was thinking maybe $240K?\nOkay, sounds good, I accept.\n")
    strong = tmp_path / "strong.txt"
    strong.write_text(
        "Given the AI premium, I'm targeting $268K base and 30% more shares.\n"
        "Google has me at $455K TC, so I'd need $264K base and 28% more shares.\n"
        "I'll pass.\n"
    )
    common = ["--provider", "fake"]
    assert main(["roleplay", *common, "--region", "Sunnyvale", "--persona", "budget",
                 "--seed", "9", "--script", str(weak)]) == 0
    assert main(["roleplay", *common, "--retry", "--script", str(strong), "--json"]) == 0
    out = capfd.readouterr().out
    second = json.loads(out[out.index("{"):])
    # The same recruiter with the same hidden plan.
    assert second["hidden"]["persona"] == "budget" and second["hidden"]["seed"] == 9
    assert main(["history", "compare", "1", "2", *common, "--json"]) == 0
    result = json.loads(capfd.readouterr().out)
    assert result["same_scenario"] is True
    assert {"low_anchor", "accepts_below_walk_away", "weak_close"} <= set(result["fixed"])
    assert main(["progress", *common, "--json"]) == 0
    points = json.loads(capfd.readouterr().out)
    assert [p["retry"] for p in points] == [False, True]
    assert main(["history", "compare", "1", *common]) == 2
    assert "needs two session ids" in capfd.readouterr().err


def test_accepting_with_a_request_for_the_paper_is_still_accepting(settings: Settings) -> None:
    run = session(settings)
    run.respond("Thanks, what are you thinking?")  # the recruiter opens below the walk-away
    kinds = {n.kind for n in run.respond("Fine, I can live with that once I see it in writing.").notes}
    assert kinds == {"accepts_below_walk_away", "accepts_early"}


def test_the_walk_away_is_every_term_it_names(settings: Settings) -> None:
    from coach.roleplay.candidate import read_candidate
    from coach.roleplay.mistakes import MistakeTracker

    book = cerebras_playbook()
    tracker = MistakeTracker(book, {"base": 248_000, "share_premium_pct": 20},
                             {"base": 268_000, "share_premium_pct": 30})
    offer = {"base": 251_000, "share_premium_pct": 10}  # the base clears, the shares do not
    tracker.check(read_candidate("I'd need 266k, given Google at 455k TC.", book), offer)
    found = {m.kind for m in tracker.check(read_candidate("ok, I accept. please send it in writing.",
                                                          book), offer)}
    assert found == {"accepts_below_walk_away"}


def test_dev3_figures_hold(settings: Settings) -> None:
    # The third blind-written dev set: first run 82.6% / 67.3%, now above 90% on both.
    report = run_mistakes_eval(settings)
    assert report["dev3_lines"] >= 100
    assert report["dev3_precision"] >= 0.9 and report["dev3_recall"] >= 0.9
    # The fourth: first run 94.3% / 84.6%.
    assert report["dev4_lines"] >= 150
    assert report["dev4_precision"] >= 0.9 and report["dev4_recall"] >= 0.9


@pytest.mark.parametrize(
    ("lines", "kinds"),
    [
        # Small talk before any figure lets the recruiter anchor first.
        (["Hi! What's the team like?"], {"no_number"}),
        (["What were you thinking for base?"], {"no_number"}),
        # The premium is the reason for the spoken figure, not what it asks about.
        (["I'm at two sixty-eight, given the AI premium.",
          "Let's meet in the middle at two forty-seven."], {"big_concession", "no_rationale"}),
        # A competitor named earlier does not own the person's own figure.
        (["Given the AI premium, I'm at $268K base and 30% more shares.",
          "With the Google offer in mind, I can meet you at 248k."], {"big_concession"}),
        # "255 to 270" is heard at its low end.
        (["Somewhere in the 255 to 270 range on base, given the AI premium."], {"low_anchor"}),
        # The floor and the ask in one line: the ask is 268, so no low anchor.
        (["Between us, my walk-away is 248, but I'm asking for 268 because of the AI premium."],
         {"reveals_walk_away"}),
        (["I'm targeting $268K base and 30% more shares given the AI premium.",
          "Can you move at all on the shares?"], {"bare_ask"}),
        (["What did you have in mind?", "Where do I sign?"],
         {"accepts_below_walk_away", "accepts_early", "weak_close"}),
        (["What did you have in mind?", "Sounds fair. Could you put that in writing for me?"],
         {"accepts_below_walk_away", "accepts_early"}),
        # A few words that end on the yes are a yes.
        (["What did you have in mind?", "ok fine, deal"],
         {"accepts_below_walk_away", "accepts_early", "weak_close"}),
        (["What did you have in mind?", "We have an agreement, then."],
         {"accepts_below_walk_away", "accepts_early", "weak_close"}),
        # A floor in other words, with a fraction of a million said aloud.
        (["Anything south of a quarter million on base just won't work for me."],
         {"reveals_walk_away", "low_anchor", "no_rationale"}),
        (["Anything under a quarter million doesn't work for me."],
         {"reveals_walk_away", "low_anchor", "no_rationale"}),
        # The floor is the person's new position, not the rival's figure before it.
        (["Given the AI premium, I'm at $268K base and 30% more shares.",
          "With NVIDIA at 462K TC I really can't go below 250."],
         {"reveals_walk_away", "big_concession"}),
        # "between 255 and 270" is a range, heard at its low end.
        (["Between 255 and 270 on base feels right given the AI premium."], {"low_anchor"}),
        # Figures-free grumbles are asks for more; asking for the paper is not.
        (["I'm targeting $268K base and 30% more shares given the AI premium.",
          "Hmm, that looks a bit light."], {"bare_ask"}),
        (["I'm targeting $268K base and 30% more shares given the AI premium.",
          "I'd want the offer letter before deciding anything."], set()),
        # A condition on another part is a trade, which is a reason.
        (["I'm targeting $268K base and 30% more shares given the AI premium.",
          "I could do 262 if the shares stay at 30%."], set()),
    ],
)
def test_the_last_line_gets_these_mistakes(
    settings: Settings, lines: list[str], kinds: set[str]
) -> None:
    run = session(settings)
    for line in lines[:-1]:
        run.respond(line)
    assert {n.kind for n in run.respond(lines[-1]).notes} == kinds
