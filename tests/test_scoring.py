"""Tests for coach.roleplay.scoring: the debrief scorecard and the in-game hint."""

from __future__ import annotations

import pytest
from test_recruiter import cerebras_playbook

from coach.roleplay.plan import RecruiterPlan
from coach.roleplay.scorecard import Line
from coach.roleplay.scoring import WEIGHTS, build_scorecard
from coach.roleplay.tips import next_step_hint

PB = cerebras_playbook()
PLAN = RecruiterPlan(
    persona="firm",
    seed=1,
    region="Sunnyvale",
    opening={"base": 230_000, "equity": 300_000, "bonus_pct": 15.0, "share_premium_pct": 0.0},
    maximum={"base": 264_000, "equity": 400_000, "bonus_pct": 18.0, "share_premium_pct": 25.0},
    schedule=[0.2, 0.15, 0.12, 0.1],
)
OPEN = {"base": 230_000, "equity": 300_000, "bonus_pct": 15.0, "share_premium_pct": 0.0}


def offer(base: int, shares: float = 0.0) -> dict:
    return {**OPEN, "base": base, "share_premium_pct": shares}


def r(text: str, o: dict | None = None, kind: str | None = None) -> Line:
    return Line("recruiter", text, o, kind)


def c(text: str) -> Line:
    return Line("candidate", text)


GOOD = [
    r("What are you looking for?"),
    c("I'm targeting $268K base and 30% more shares."),
    r("We can start at $230K base.", OPEN, "open"),
    c("Google offered me $455K TC."),
    r("We can move to $245K base.", offer(245_000, 10), "concede"),
    c(
        "My benchmarks are the proof points for IPO valuation: training speed records and "
        "inference efficiency, and the AI premium."
    ),
    r("We can move to $260K base.", offer(260_000, 25), "concede"),
    c("That works, I accept."),
    r("Great, we have a deal.", offer(260_000, 25), "accept_deal"),
]


def criteria(card) -> dict:
    return {x.name: x for x in card.criteria}


def test_a_good_negotiation_scores_high_with_evidence_from_the_candidate() -> None:
    card = build_scorecard(PB, PLAN, GOOD, "deal", offer(260_000, 25))
    found = criteria(card)
    assert all(x.passed for x in card.criteria), [x for x in card.criteria if not x.passed]
    assert found["anchor_at_target"].evidence == '"I\'m targeting $268K base and 30% more shares."'
    assert found["competing_offer_used"].evidence == '"Google offered me $455K TC."'
    assert found["share_premium_script"].evidence.startswith('"My benchmarks')
    assert found["no_early_acceptance"].evidence == '"That works, I accept."'
    assert card.anchor["who"] == "candidate"
    # base (260-248)/(264-248) = 0.75, shares (25-20)/(25-20) = 1.0
    assert card.zone_captured == pytest.approx(0.88, abs=0.01)
    assert card.score >= 95 and len(card.tips) == 3


def test_concessions_are_listed_with_their_size() -> None:
    card = build_scorecard(PB, PLAN, GOOD, "deal", offer(260_000, 25))
    recruiter = [(x.component, x.size) for x in card.concessions if x.side == "recruiter"]
    assert recruiter == [
        ("base", 15_000),
        ("share_premium_pct", 10),
        ("base", 15_000),
        ("share_premium_pct", 15),
    ]
    lowered = [*GOOD[:3], c("OK, I could do $255K base."), r("Hmm.", OPEN, "hold")]
    card = build_scorecard(PB, PLAN, lowered, "no_deal", None)
    assert [(x.side, x.size) for x in card.concessions] == [("candidate", 13_000)]
    assert not criteria(card)["concessions_smaller"].passed
    assert criteria(card)["concessions_smaller"].evidence == '"OK, I could do $255K base."'


def test_early_acceptance_below_walk_away_scores_low() -> None:
    lines = [
        r("We're offering $230K base.", OPEN, "open"),
        c("Sounds great, I accept!"),
        r("Wonderful.", OPEN, "accept_deal"),
    ]
    card = build_scorecard(PB, PLAN, lines, "deal", OPEN)
    found = criteria(card)
    assert not found["no_early_acceptance"].passed
    assert found["no_early_acceptance"].evidence == '"Sounds great, I accept!"'
    assert not found["deal_vs_walk_away"].passed and not found["anchored_first"].passed
    assert card.anchor["who"] == "recruiter" and card.zone_captured == 0.0
    assert card.score < 30
    assert any("walk-away ($248K base and 20% more shares)" in t for t in card.tips)
    assert len(card.tips) == 3


def test_revealing_the_walk_away_is_caught() -> None:
    lines = [r("What are you looking for?"), c("My walk-away is $248K base."), r("OK.", OPEN)]
    found = criteria(build_scorecard(PB, PLAN, lines, "no_deal", None))
    assert not found["walk_away_private"].passed
    assert found["walk_away_private"].evidence == '"My walk-away is $248K base."'


def test_walking_away_is_right_when_no_deal_could_reach_the_walk_away() -> None:
    tight = RecruiterPlan(**{**PLAN.__dict__, "maximum": {**PLAN.maximum, "base": 240_000}})
    lines = [*GOOD[:3], c("I'll pass.")]
    found = criteria(build_scorecard(PB, tight, lines, "walked_away", None))
    assert found["deal_vs_walk_away"].passed and "zone_captured" not in found
    found = criteria(build_scorecard(PB, PLAN, lines, "walked_away", None))
    assert not found["deal_vs_walk_away"].passed and found["zone_captured"].credit == 0


def test_criteria_that_do_not_apply_drop_out_and_the_score_stays_in_range() -> None:
    bare = cerebras_playbook(share_script=False)
    bare.competing_offers = []
    card = build_scorecard(bare, PLAN, GOOD, "deal", offer(260_000, 25))
    names = {x.name for x in card.criteria}
    assert "share_premium_script" not in names and "competing_offer_used" not in names
    assert 0 <= card.score <= 100
    assert sum(WEIGHTS.values()) == 100


def test_an_empty_session_scores_without_crashing() -> None:
    card = build_scorecard(PB, PLAN, [r("What are you looking for?")], "no_deal", None)
    assert 0 <= card.score <= 100 and len(card.tips) == 3
    assert criteria(card)["anchor_at_target"].evidence == "(you never named a figure)"


def test_to_json_has_the_fields_the_cli_prints() -> None:
    data = build_scorecard(PB, PLAN, GOOD, "deal", offer(260_000, 25)).to_json()
    assert set(data) >= {"score", "criteria", "concessions", "zone_captured", "tips", "anchor"}
    assert set(data["criteria"][0]) == {"name", "passed", "evidence", "detail"}


def test_hint_walks_through_anchor_script_competing_offer_and_the_final_offer() -> None:
    assert "$268K base and 30% more shares" in next_step_hint(PB, "Sunnyvale", GOOD[:1])
    assert "share-premium" in next_step_hint(PB, "Sunnyvale", GOOD[:3])
    after_script = [*GOOD[:3], GOOD[5], GOOD[4]]
    assert "Google at $455K TC" in next_step_hint(PB, "Sunnyvale", after_script)
    final = [*GOOD[:7], r("Final offer.", offer(250_000, 20), "final_offer")]
    assert "clears your walk-away" in next_step_hint(PB, "Sunnyvale", final)
    low = [*GOOD[:7], r("Final offer.", offer(240_000, 10), "final_offer")]
    assert "Decline politely" in next_step_hint(PB, "Sunnyvale", low)


def test_repeated_lines_are_judged_where_they_stand() -> None:
    lines = [
        r("We're offering $230K base.", OPEN, "open"),
        c("Yes"),  # an "ok" that the recruiter read as a yes would end the game here...
        r("Hmm.", OPEN, "hold"),
        c("Too low."),
        r("We can move to $240K base.", offer(240_000), "concede"),
        c("Yes"),
        r("Deal.", offer(240_000), "accept_deal"),
    ]
    found = criteria(build_scorecard(PB, PLAN, lines, "deal", offer(240_000)))
    assert found["no_early_acceptance"].passed  # ...the accepting "Yes" is the second one


def test_without_a_target_the_anchor_is_judged_against_the_published_band() -> None:
    no_target = cerebras_playbook()
    no_target.target = None
    high = [r("What are you looking for?"), c("I'm asking for $265K base."), r("OK", OPEN)]
    low = [r("What are you looking for?"), c("I'm asking for $240K base."), r("OK", OPEN)]
    assert criteria(build_scorecard(no_target, PLAN, high, "no_deal", None))[
        "anchor_at_target"
    ].passed
    assert not criteria(build_scorecard(no_target, PLAN, low, "no_deal", None))[
        "anchor_at_target"
    ].passed
