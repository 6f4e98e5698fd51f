"""Tests for coach.roleplay.rehearsal: scoring a script said in one's own words."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_recruiter import KEY_POINTS, cerebras_playbook

from coach.negotiation.playbook import Script, Source
from coach.roleplay.rehearsal import find_script, key_terms, score_rehearsal, stem

SCRIPT = Script("share-premium", "Share premium", "...", list(KEY_POINTS), Source("g", "s", 1, "q"))
GUIDE = Path(__file__).resolve().parent.parent / "knowledge" / "cerebras-ml-ai-engineer.md"


def test_a_full_paraphrase_covers_everything() -> None:
    attempt = (
        "My benchmarks prove what the IPO is worth. I set training speed records and improved "
        "inference efficiency, so given the AI premium I'd like 25 to 30 percent more stock."
    )
    result = score_rehearsal(SCRIPT, attempt)
    assert result.score == 100 and result.missing == []
    assert result.feedback == "You covered every key point."


def test_partial_attempt_names_what_was_missing() -> None:
    result = score_rehearsal(SCRIPT, "The benchmarking I do is proof for the IPO valuation.")
    assert result.covered == ["benchmarks are the proof points for IPO valuation"]
    assert "training speed records" in result.missing and result.score == 20
    assert '"AI premium"' in result.feedback
    missing = next(p for p in result.points if p.point == "inference efficiency")
    assert missing.missing_terms == ["inferenc", "efficien"]


@pytest.mark.parametrize("attempt", ["", "   ", "I would like more money please.", "日本語"])
def test_unrelated_or_empty_attempts_score_zero(attempt: str) -> None:
    result = score_rehearsal(SCRIPT, attempt)
    assert result.score == 0 and len(result.missing) == len(KEY_POINTS)


def test_synonyms_numbers_and_stems() -> None:
    assert key_terms("more shares") == key_terms("additional stock") == ["plus", "equity"]
    assert key_terms("twenty-five percent") == ["25"]
    assert stem("benchmarking") == stem("benchmarks") == "benchmark"
    assert stem("speed") == "speed" and stem("records") == "record"


def test_scoring_is_deterministic_and_serialisable() -> None:
    attempt = "Training speed records and the AI premium."
    first, second = score_rehearsal(SCRIPT, attempt), score_rehearsal(SCRIPT, attempt)
    assert first == second
    data = first.to_json()
    assert data["score"] == 40 and data["script"] == "share-premium"
    assert {p["point"] for p in data["points"]} == set(KEY_POINTS)


def test_find_script_by_name_title_or_default() -> None:
    playbook = cerebras_playbook()
    assert find_script(playbook).name == "share-premium"
    assert find_script(playbook, "Share-Premium").name == "share-premium"
    assert find_script(playbook, "negotiation").name == "share-premium"  # title words
    assert find_script(playbook, "nonexistent") is None
    assert find_script(cerebras_playbook(share_script=False)) is None


@pytest.mark.skipif(not GUIDE.exists(), reason="the bundled guide is not present")
def test_the_real_guide_script_rewards_own_words() -> None:
    from coach.knowledge.extraction import extract_playbook

    playbook = extract_playbook("cerebras-ml-ai-engineer", GUIDE.read_text(encoding="utf-8"))
    script = find_script(playbook)
    assert script is not None
    attempt = (
        "The benchmarks from my ML work are what convince investors the technology is real. "
        "For the S-1 the evidence is training speed records, inference efficiency and model "
        "optimization. With the AI premium I'm asking for 25 to 30 percent more shares. I bring "
        "double value, as ML talent and as the person producing IPO-critical benchmarks, and I "
        "want my pre-IPO equity to reflect that."
    )
    assert score_rehearsal(script, attempt).score == 100
    assert score_rehearsal(script, "I want more shares please.").score < 50


def test_a_rehearsal_is_saved_for_progress(tmp_path: Path) -> None:
    from coach.roleplay import history
    from coach.roleplay.rehearsal import save_rehearsal

    db = tmp_path / "history.sqlite3"
    result = score_rehearsal(SCRIPT, "Training speed records and the AI premium.")
    sid = save_rehearsal(db, "cerebras", "Training speed records and the AI premium.", result)
    stored = history.get_session(db, sid)
    assert stored.kind == "rehearsal" and stored.score == 40
    assert stored.scorecard["missing"] == result.missing
    assert history.scores_over_time(db, kind="rehearsal")[0][1] == 40
    assert history.scores_over_time(db) == []  # role-play progress is kept apart


def test_feedback_offers_the_scripts_own_sentence_for_a_missed_point() -> None:
    from coach.knowledge.extraction import extract_playbook
    from coach.roleplay.rehearsal import find_script, score_rehearsal

    guide = Path(__file__).resolve().parents[1] / "knowledge" / "cerebras-ml-ai-engineer.md"
    book = extract_playbook(guide.stem, guide.read_text(encoding="utf-8"))
    script = find_script(book)
    assert script is not None
    result = score_rehearsal(script, "Given the AI premium I'm asking for 25-30% more shares.")
    assert result.missing and result.suggestion in script.text
    assert set(result.suggestion.lower().split()) & set(result.missing[0].lower().split())
    assert f'Try adding: "{result.suggestion}"' in result.feedback


# -- by meaning (real MiniLM embeddings, offline) -------------------------------------------


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    from coach.models.embeddings import MiniLMEmbeddings

    return MiniLMEmbeddings()


def _cerebras_script(name: str):  # type: ignore[no-untyped-def]
    from coach.evaluation.rehearsal import _playbook

    script = find_script(_playbook(), name)
    assert script is not None
    return script


def test_sharing_words_is_not_making_the_point(embedder) -> None:  # type: ignore[no-untyped-def]
    script = _cerebras_script("share-premium")
    attempt = ("What makes investors believe in Cerebras hardware is the benchmark numbers my "
               "ML work produces.")
    talent = script.key_points[4]  # "as ML talent and as the person producing ... benchmarks"
    assert talent in score_rehearsal(script, attempt).covered  # the old matcher's mistake
    meaning = score_rehearsal(script, attempt, embedder)
    assert meaning.covered == [script.key_points[0]]


def test_wrong_figures_swapped_names_and_keyword_lists_cover_nothing(embedder) -> None:  # type: ignore[no-untyped-def]
    share = _cerebras_script("share-premium")
    assert share.key_points[2] not in score_rehearsal(
        share, "Given the AI premium, I'm asking for 10% more shares.", embedder).covered
    assert share.key_points[2] not in score_rehearsal(
        share, "Given the AI premium, I'm asking for 25% more shares.", embedder).covered
    openai = _cerebras_script("10b-openai-model-optimization")
    assert score_rehearsal(
        openai, "I tune the models Anthropic runs on Cerebras hardware.", embedder).covered == []
    assert score_rehearsal(
        openai, "OpenAI, ten billion, tuning, Cerebras hardware.", embedder).covered == []
    up = _cerebras_script("negotiate-up")
    leaving = next(p for p in up.key_points if "leaving" in p)
    assert leaving not in score_rehearsal(up, "I'm leaving NVIDIA, where I make $455K.",
                                          embedder).covered
    assert leaving in score_rehearsal(up, "I'm walking away from NVIDIA ML at $462K TC.",
                                      embedder).covered


def test_the_meaning_matcher_beats_shared_words_on_the_heldout_attempts(embedder) -> None:  # type: ignore[no-untyped-def]
    from coach.evaluation.rehearsal import REQUIRED, failures, run_rehearsal_eval

    report = run_rehearsal_eval(embedder)
    both, words = report["results"]["both"]["heldout"], report["results"]["words"]["heldout"]
    assert not failures(report), report["results"]
    assert both["accuracy"] > words["accuracy"]
    assert REQUIRED["precision"] >= 0.8
