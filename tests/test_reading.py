"""The reader (intent + slots), amounts in any spelling, dialogue state, and the composer.

Phrasings here are the developers' own; the held-out eval cases are never copied into tests.
The reader runs on the real offline MiniLM embeddings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coach.advice.amounts import read_amounts
from coach.advice.answers import Composer, missing_topic
from coach.advice.component_words import ALL_COMPONENTS
from coach.advice.drafting import NOT_COVERED
from coach.advice.reader import Reader
from coach.advice.state import DialogueState
from coach.knowledge.extraction import extract_playbook
from coach.negotiation.money import find_figures
from coach.negotiation.profile import Profile

ROOT = Path(__file__).resolve().parents[1]
CEREBRAS = ROOT / "knowledge" / "cerebras-ml-ai-engineer.md"
STRIPE = ROOT / "tests" / "fixtures" / "guides" / "stripe-senior-data-scientist.md"


@pytest.fixture(scope="module")
def books() -> list[Any]:
    return [
        extract_playbook("cerebras-ml-ai-engineer", CEREBRAS.read_text(encoding="utf-8")),
        extract_playbook("stripe-senior-data-scientist", STRIPE.read_text(encoding="utf-8")),
    ]


@pytest.fixture(scope="module")
def reader(minilm: Any, books: list[Any]) -> Reader:
    return Reader(minilm, books)


def values(text: str) -> set[float]:
    return {v for f in find_figures(text) for v in (f.low, f.high)}


# -- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("they came back with 235 for base", [(235_000, "")]),
        ("$310,000 base", [(310_000, "USD")]),
        ("310 grand", [(310_000, "")]),
        ("an equity grant of $2.5M", [(2_500_000, "USD")]),
        ("€103.5K fixed", [(103_500, "EUR")]),
        ("98.000 EUR in Berlin", [(98_000, "EUR")]),
        ("two hundred and thirty thousand", [(230_000, "")]),
        ("one hundred ninety-five base", [(195_000, "")]),
        ("a 12% bonus", [(12, "%")]),
    ],
)
def test_amounts_in_any_spelling(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(a.value, a.currency) for a in read_amounts(text)] == expected


@pytest.mark.parametrize(
    "text",
    ["what's the 401k match?", "levels L5 and IC3", "the IPO is in Q2 2026",
     "who won in 1998?", "I have 3 offers after 4 years"],
)
def test_names_years_and_counts_are_not_amounts(text: str) -> None:
    assert read_amounts(text) == []


# -- intents and slots -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yo what do they pay for base out in san diego", "band"),
        ("equity range?", "band"),
        ("they put 251 base on the table for sunnyvale, do I sign?", "offer_verdict"),
        ("how should I respond with a number", "counter"),
        ("what's the least I can live with here", "walk_away"),
        ("where do I open the bidding", "target"),
        ("which rival offers can I cite", "competing_offers"),
        ("how large is the AI premium", "premium"),
        ("what words do I use to ask for more shares", "script"),
        ("what level is this at google", "level_mapping"),
        ("when does the company plan to IPO", "guide_fact"),
        ("what's a BATNA anyway", "concept"),
        ("thanks a lot!", "small_talk"),
        ("what's a good pasta recipe", "out_of_scope"),
    ],
)
def test_intent_of_everyday_wording(reader: Reader, text: str, intent: str) -> None:
    assert reader.read(text).intent == intent, reader.read(text).describe()


def test_slots_come_from_the_playbooks(reader: Reader) -> None:
    reading = reader.read("stripe offered me 221 base in NY, is it good?")
    assert reading.guides == ["stripe-senior-data-scientist"]
    assert reading.regions == ["New York"]
    assert reading.offer == {"base": 221_000}
    typo = reader.read("base salery in san deigo?")
    assert typo.regions == ["San Diego"] and typo.components == ["base"]
    # Both guides have a remote region; without a company named, both are candidates.
    assert set(reader.read("remote bonus?").regions) == {"Remote US", "Remote (US)"}
    assert reader.read("the whole package in sunnyvale").components == [ALL_COMPONENTS]
    assert reader.read("base in Denver?").unknown_region == "denver"


def test_a_correction_keeps_the_new_amount(reader: Reader) -> None:
    reading = reader.read("sorry, they offered 242 not 252")
    assert reading.offer == {"base": 242_000}


# -- dialogue state --------------------------------------------------------------------------


def resolve(reader: Reader, books: list[Any], state: DialogueState, text: str) -> Any:
    return state.resolve(reader.read(text), {b.guide: b.regions() for b in books})


def test_state_carries_offer_region_and_intent(reader: Reader, books: list[Any]) -> None:
    state = DialogueState()
    first = resolve(reader, books, state, "cerebras offered 244 base for san diego")
    assert first.intent == "offer_verdict" and state.offer == {"base": 244_000}
    second = resolve(reader, books, state, "is that good?")
    assert second.intent == "offer_verdict" and second.offer == {"base": 244_000}
    assert second.regions == ["San Diego"] and second.guides == ["cerebras-ml-ai-engineer"]
    band = resolve(reader, books, state, "what's the base range there?")
    assert band.intent == "band" and band.regions == ["San Diego"]
    other = resolve(reader, books, state, "and the other regions?")
    assert other.intent == "band" and "San Diego" not in other.regions and other.regions


def test_own_walk_away_is_remembered(reader: Reader, books: list[Any]) -> None:
    state = DialogueState()
    resolve(reader, books, state, "my walk-away is 256k base")
    later = resolve(reader, books, state, "they offered 252 in sunnyvale, take it?")
    assert later.own["walk_away"] == {"base": 256_000}
    draft = Composer(books[:1], Profile()).compose(later)
    assert draft is not None and draft.verdict == "below_walk_away"


# -- the composer ----------------------------------------------------------------------------


def test_band_states_only_the_component_asked(reader: Reader, books: list[Any]) -> None:
    draft = Composer(books, Profile()).compose(reader.read("cerebras base in remote?"))
    assert draft is not None
    assert values(draft.text) == {208_000, 262_000}
    assert draft.citations and "Remote US" in draft.citations[0].text


def test_same_band_everywhere_is_said_once(reader: Reader, books: list[Any]) -> None:
    draft = Composer(books[:1], Profile()).compose(reader.read("how much equity?"))
    assert draft is not None and "in every region" in draft.text
    assert values(draft.text) == {258_000, 455_000}


def test_region_the_guide_lacks_is_not_covered(reader: Reader, books: list[Any]) -> None:
    draft = Composer(books[:1], Profile()).compose(reader.read("base in Denver?"))
    assert draft is not None and not draft.covered and not find_figures(draft.text)


def test_missing_topic_is_not_covered_never_a_neighbour(reader: Reader, books: list[Any]) -> None:
    text = CEREBRAS.read_text(encoding="utf-8")
    assert missing_topic("what's the vesting schedule", text) == "vesting"
    assert missing_topic("base in sunnyvale", text) == ""
    composer = Composer(books[:1], Profile(), {books[0].guide: text})
    draft = composer.compose(reader.read("how many PTO days do I get"))
    assert draft is not None and draft.text == NOT_COVERED and not draft.covered


def test_ambiguous_money_question_answers_for_each_guide(reader: Reader, books: list[Any]) -> None:
    draft = Composer(books, Profile()).compose(reader.read("what's my walk-away?"))
    assert draft is not None
    assert "Cerebras" in draft.text and "Stripe" in draft.text
    assert 248_000 in values(draft.text)


def test_profile_guide_wins_when_set(reader: Reader, books: list[Any]) -> None:
    profile = Profile(guide="cerebras-ml-ai-engineer")
    draft = Composer(books, profile).compose(reader.read("what's my walk-away?"))
    assert draft is not None and "Stripe" not in draft.text and 248_000 in values(draft.text)


def test_offer_without_dollar_sign_gets_a_verdict(reader: Reader, books: list[Any]) -> None:
    reading = reader.read("cerebras said 240 base in sunnyvale. should I accept?")
    draft = Composer(books, Profile()).compose(reading)
    assert draft is not None and draft.verdict == "below_walk_away"
    assert {240_000, 248_000, 268_000} <= values(draft.text)


def test_state_can_be_shown_and_corrected() -> None:
    state = DialogueState()
    assert "region: -" in state.update("")
    assert "region: San Diego" in state.update("region San Diego")
    assert "250000" in state.update("offer 250k")
    assert "not an amount" in state.update("offer lots")
    assert "region: -" in state.update("clear")


def test_a_role_named_picks_its_guide(reader: Reader) -> None:
    assert reader.read("what's the base for the data scientist job?").guides == [
        "stripe-senior-data-scientist"
    ]
    assert reader.read("equity for the ML role?").guides == ["cerebras-ml-ai-engineer"]


def test_money_left_behind_is_not_an_offer_and_a_bonus_in_dollars_stays_dollars(
    reader: Reader,
) -> None:
    left = reader.read("I'm leaving about 40k of unvested stock behind. how big a sign-on is normal?")
    assert left.offer == {} and left.intent != "offer_verdict"
    offer = reader.read("Offer: 250k base and a 20k bonus. should I take it?")
    assert offer.offer == {"base": 250_000, "bonus": 20_000}


def test_a_correction_asks_the_last_question_again_somewhere_else(
    reader: Reader, books: list[Any]
) -> None:
    state = DialogueState()
    resolve(reader, books, state, "what's the equity range in san diego at cerebras?")
    moved = resolve(reader, books, state, "sorry, I meant remote")
    assert moved.intent == "band" and moved.regions == ["Remote US"]
    assert moved.components == ["equity"]
    back = resolve(reader, books, state, "no wait, I meant Sunnyvale, not remote")
    assert back.regions == ["Sunnyvale"]


def test_is_that_above_the_band_places_the_last_figure_against_it(
    reader: Reader, books: list[Any]
) -> None:
    state = DialogueState()
    composer = Composer(books, Profile())
    resolve(reader, books, state, "where should I anchor for cerebras?")
    reading = resolve(reader, books, state, "is that above the sunnyvale band?")
    assert (reading.intent, reading.compare, reading.regions) == ("band", "target", ["Sunnyvale"])
    draft = composer.compose(reading)
    assert draft is not None and "within the Sunnyvale base band" in draft.text
    assert [f.raw for f in find_figures(draft.text)] == ["$268K", "$218K–$272K"]
    resolve(reader, books, state, "they offered 280k base in san diego")
    above = composer.compose(resolve(reader, books, state, "is it above the range?"))
    assert above is not None and "offer of $280K base salary is above the San Diego" in above.text


def test_a_correction_inside_one_message_keeps_the_place_after_it(reader: Reader) -> None:
    reading = reader.read("whats base in sunnyvale, sorry i mean san diego")
    assert reading.intent == "band" and reading.regions == ["San Diego"]


def test_thanks_after_a_band_is_small_talk_not_the_band_again(
    reader: Reader, books: list[Any]
) -> None:
    state = DialogueState()
    resolve(reader, books, state, "cerebras base in sunnyvale")
    assert resolve(reader, books, state, "ok thanks").intent == "small_talk"


def test_own_floor_said_with_an_offer_asks_for_a_verdict(reader: Reader) -> None:
    reading = reader.read("my own floor is 250k. cerebras offered 245k in sunnyvale")
    assert reading.intent == "offer_verdict"
    assert reading.offer == {"base": 245_000} and reading.own["walk_away"] == {"base": 250_000}


def test_an_offer_from_elsewhere_is_not_this_companys_offer(reader: Reader) -> None:
    reading = reader.read("mine is a written 300k TC offer elsewhere. whats cerebras's TC in sunnyvale")
    assert reading.offer == {} and reading.intent == "band"
    assert reading.components == ["total_comp"]


def test_a_company_of_the_level_mapping_asks_for_the_mapping(
    reader: Reader, books: list[Any]
) -> None:
    state = DialogueState()
    resolve(reader, books, state, "cerebras level mapping?")
    follow = resolve(reader, books, state, "and what's that at meta?")
    assert follow.intent == "level_mapping"


def test_a_quoted_figure_picks_the_script_that_holds_it(reader: Reader, books: list[Any]) -> None:
    reading = reader.read("how would i ask for the 25-30% more shares at cerebras?")
    assert reading.intent in {"script", "premium"}
    draft = Composer(books[:1], Profile()).compose(reading)
    assert draft is not None and "25-30%" in draft.text.replace("–", "-")


def test_a_rivals_figure_is_context_not_the_offer(reader: Reader) -> None:
    reading = reader.read("Meta is at 448k TC. what's the cerebras TC range in sunnyvale?")
    assert reading.offer == {} and reading.intent == "band"
    assert reading.regions == ["Sunnyvale"] and reading.components == ["total_comp"]


def test_own_walk_away_in_everyday_words(reader: Reader) -> None:
    reading = reader.read("I won't go below 250k. cerebras offered 245k in sunnyvale, take it?")
    assert reading.intent == "offer_verdict"
    assert reading.own["walk_away"] == {"base": 250_000} and reading.offer == {"base": 245_000}


def test_an_amount_put_right_is_the_offer(reader: Reader) -> None:
    reading = reader.read("wait sorry, 240 not 250")
    assert reading.intent == "offer_verdict" and reading.offer == {"base": 240_000}


def test_a_small_part_of_an_offer_asks_for_its_band_never_a_base(reader: Reader) -> None:
    reading = reader.read("cerebras sunnyvale offer - the bonus is only 15%. is that normal?")
    assert reading.intent == "band" and "base" not in reading.offer
    assert reading.components == ["bonus_pct"]


def test_counts_and_company_figures_are_not_amounts(reader: Reader) -> None:
    assert read_amounts("they have like 640 people") == []
    reading = reader.read("cerebras has 85M revenue... anyway what's the TC range in san diego")
    assert reading.amounts == [] and reading.intent == "band"


def test_typos_in_pay_words_and_level_codes(reader: Reader) -> None:
    assert reader.read("whats the bonnus in sunnyvale").components == ["bonus_pct"]
    assert reader.read("cerebras IC4 is about google what?").intent == "level_mapping"


def test_script_for_that_reads_the_messages_before(reader: Reader, books: list[Any]) -> None:
    state = DialogueState()
    resolve(reader, books, state, "how many more shares should I ask cerebras for?")
    follow = resolve(reader, books, state, "give me a line for it")
    assert follow.intent == "script" and follow.topic[0].startswith("how many more shares")


@pytest.mark.parametrize(
    ("text", "value"),
    [("one-ninety base", 190_000), ("offer of two-fifteen", 215_000),
     ("two-oh-eight in seattle", 208_000), ("one twenty five grand", 125_000),
     ("they offered remote at 97", 97_000)],
)
def test_amounts_said_aloud(text: str, value: float) -> None:
    assert [a.value for a in read_amounts(text)] == [value]


def test_a_long_message_is_read_for_its_question(reader: Reader) -> None:
    text = ("My friend says Cerebras has a huge OpenAI deal and they're loaded, apparently. "
            "Anyway, can you remind me what the walk-away base is?")
    assert reader.read(text).intent == "walk_away"


def test_leave_me_is_not_money_left_behind(reader: Reader) -> None:
    reading = reader.read("so if cerebras comes in at 250 base, where does that leave me?")
    assert reading.offer == {"base": 250_000} and reading.intent == "offer_verdict"


def test_a_rival_compared_with_the_band_is_set_beside_it(reader: Reader, books: list[Any]) -> None:
    reading = reader.read("how does the meta offer compare to the cerebras sunnyvale total comp?")
    assert (reading.intent, reading.against, reading.regions) == ("band", "Meta", ["Sunnyvale"])
    draft = Composer(books[:1], Profile()).compose(reading)
    assert draft is not None and "$312K–$438K" in draft.text and "Meta at $448K" in draft.text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("They offer me 8.500 euro brutto per month, 12 payments", 102_000),
        ("16k a month base", 192_000),
        ("USD 14,000 monthly gross", 168_000),
        ("a monthly salary of 9,000", 108_000),
        ("0.175M base", 175_000),  # a decimal, not "0,175" thousands
        ("a 500 a month stipend", 500),  # not a month's pay: taken as said
    ],
)
def test_monthly_pay_is_read_as_a_year(text: str, value: float) -> None:
    assert [a.value for a in read_amounts(text)] == [value]


def test_one_region_first_and_the_other_next(reader: Reader, books: list[Any]) -> None:
    state = DialogueState()
    first = resolve(reader, books, state, "stripe seattle and new york, RSUs for seattle first")
    assert first.regions == ["Seattle"]
    other = resolve(reader, books, state, "same for the other one")
    assert other.regions == ["New York"] and other.intent == "band"


def test_a_bare_amount_or_a_fixed_offer_is_the_offer(reader: Reader, books: list[Any]) -> None:
    assert reader.read("238.500").intent == "offer_verdict"
    fixed = reader.read("Sorry, I read it wrong, it is 250.000 in Sunnyvale.")
    assert fixed.intent == "offer_verdict" and fixed.offer == {"base": 250_000}
    assert reader.read("is 250 the max?").intent == "band"


def test_which_of_the_two_asks_every_guide(reader: Reader, books: list[Any]) -> None:
    state = DialogueState()
    resolve(reader, books, state, "what's the base band for stripe in seattle?")
    # With one guide talked about, "the two" are something else (regions).
    alone = resolve(reader, books, state, "which of the two has the higher walk-away?")
    assert alone.guides == ["stripe-senior-data-scientist"]
    resolve(reader, books, state, "and cerebras in sunnyvale?")
    both = resolve(reader, books, state, "which of the two has the higher walk-away?")
    assert set(both.guides) == {b.guide for b in books}


def test_back_to_a_guide_finds_its_region_again(reader: Reader, books: list[Any]) -> None:
    state = DialogueState()
    resolve(reader, books, state, "cerebras base band in san diego?")
    resolve(reader, books, state, "and stripe's in new york?")
    back = resolve(reader, books, state, "back to cerebras: they offered 250k")
    assert back.guides == ["cerebras-ml-ai-engineer"] and back.regions == ["San Diego"]


def test_own_floor_in_other_words(reader: Reader) -> None:
    said = reader.read("Cerebras offer is 250. I'd actually not go below 256 myself.")
    assert said.own["walk_away"] == {"base": 256_000} and said.offer == {"base": 250_000}


def test_limits_in_other_words_and_offers_beside_them(reader: Reader) -> None:
    # The person's own limit, in words other than "walk-away".
    assert reader.read("what's the lowest base I could say yes to at cerebras?").intent == (
        "walk_away")
    assert reader.read("what is my reservation price on base?").intent == "walk_away"
    # "Target bonus" and "minimum sign-on" name a pay part, not the target or the walk-away.
    assert reader.read("minimum signing bonus in sunnyvale?").intent != "walk_away"
    # An offer said with a word about limits is still the offer to judge.
    offered = reader.read("cerebras offered 250k base in sunnyvale, I guess that's the minimum")
    assert offered.intent == "offer_verdict"
    # "Where does that leave the offer?" leaves nothing behind; "my line" is the person's own.
    line = reader.read("I'll move my line to 245k. Where does that leave the offer?")
    assert line.own == {"walk_away": {"base": 245_000}} and line.intent == "offer_verdict"


def test_a_rivals_figure_is_set_beside_the_band(reader: Reader, books: list[Any]) -> None:
    reading = reader.read("Google is at 470k TC. Is that above the Sunnyvale total comp band?")
    assert reading.intent == "band" and [a.value for a in reading.rival_amounts] == [470_000]
    draft = Composer(books[:1], Profile()).compose(reading)
    assert draft is not None and 470_000 in values(draft.text)
    assert "above the top of the band" in draft.text


def test_own_walk_away_said_later_judges_the_offer_again(
    reader: Reader, books: list[Any]
) -> None:
    state = DialogueState()
    resolve(reader, books, state, "cerebras offered 255k base in sunnyvale, ok?")
    reading = resolve(reader, books, state, "well my walk-away is 260k. now what?")
    assert reading.intent == "offer_verdict" and reading.offer == {"base": 255_000}


def test_a_pay_part_named_is_never_small_talk(reader: Reader) -> None:
    assert reader.read("cheers, legend").intent == "small_talk"
    assert reader.read("how many quid is the sign-on, mate").intent == "band"
