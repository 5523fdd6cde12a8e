"""The quote check: ASR slips against real wording changes.

Fast tests of the decision logic use a stand-in scorer on the synthetic
transcript of tests/test_align.py. The slow ones run the real Whisper model
on real (synthetic, espeak-ng) speech: the sample show's build, and a clip
that reads quotes with a changed number, a dropped "not" and a swapped word.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from toolkit.align import Alignment, QuoteMatch, align
from toolkit.align.acoustic import CachedScorer, WhisperScorer
from toolkit.align.model import SCHEMA_VERSION
from toolkit.align.quotecheck import CLIP_MARGIN, SLIP_THRESHOLD, describe
from toolkit.article import Article, Paragraph, Quote
from toolkit.render.contexts import _quote_view
from toolkit.transcribe.transcript import Transcript

from .helpers import ROOT, SAMPLE_SLUG
from .test_align import (
    BLOCK_0,
    BLOCK_2,
    BLOCK_3,
    BRIDGE,
    INTRO,
    OUTRO,
    QUOTE_LAUNCH,
    QUOTE_PATROL,
    QUOTE_RULE,
    Episode,
    build_episode,
    make_article,
)


class FakeScorer:
    """Scores the heard text 0 and every other text ``article_score``; keeps the calls."""

    model = "fake"

    def __init__(self, article_score: float) -> None:
        self.article_score = article_score
        self.calls: list[tuple[float, float, list[str]]] = []

    def score(self, start: float, end: float, texts: Sequence[str]) -> list[float]:
        self.calls.append((start, end, list(texts)))
        return [0.0] + [self.article_score] * (len(texts) - 1)


@pytest.fixture(scope="module")
def episode() -> Episode:
    return build_episode([INTRO, BLOCK_0, BRIDGE, BLOCK_2, BRIDGE, BLOCK_3, OUTRO])


def one_quote(episode: Episode, text: str, paragraph: int, scorer: object = None) -> QuoteMatch:
    article = make_article()
    article.quotes = [Quote(text=text, speaker=None, paragraph=paragraph)]
    (q,) = align(episode.transcript, article, scorer=scorer).quotes  # type: ignore[arg-type]
    return q


def test_slip_passes_as_verbatim_with_its_evidence(episode: Episode) -> None:
    """ "vessels" heard as "boats", and the audio says either could be: a slip."""
    scorer = FakeScorer(SLIP_THRESHOLD + 0.5)
    q = one_quote(episode, QUOTE_PATROL, 3, scorer)
    assert q.status == "verbatim" and q.differences == []
    ((start, end, texts),) = scorer.calls
    assert texts[0].strip() == "our patrol boats watch these waters twenty-four hours a day."
    assert texts[1].strip() == "our patrol vessels watch these waters twenty-four hours a day."
    assert q.start is not None and q.end is not None
    assert start == pytest.approx(q.start - CLIP_MARGIN) and end == pytest.approx(
        q.end + CLIP_MARGIN
    )
    check = q.check
    assert check is not None
    assert (check.model, check.threshold) == ("fake", SLIP_THRESHOLD)
    assert check.clip == [pytest.approx(start), pytest.approx(end)]
    ((diff,),) = [check.differences]
    assert (diff.article, diff.heard, diff.kind, diff.verdict) == (
        "vessels", "boats", "wording", "slip",
    )  # fmt: skip
    assert diff.heard_score == 0.0 and diff.article_score == diff.score_difference
    assert diff.score_difference == pytest.approx(SLIP_THRESHOLD + 0.5)


def test_real_change_stays_near(episode: Episode) -> None:
    scorer = FakeScorer(SLIP_THRESHOLD - 0.5)
    q = one_quote(episode, QUOTE_PATROL, 3, scorer)
    assert q.status == "near"
    assert q.differences == ["article 'vessels' / heard 'boats'"]
    assert q.check is not None and q.check.differences[0].verdict == "change"


def test_without_a_scorer_wording_differences_are_listed(episode: Episode) -> None:
    q = one_quote(episode, QUOTE_PATROL, 3)
    assert q.status == "near" and q.differences == ["article 'vessels' / heard 'boats'"]
    assert q.check is not None and q.check.model is None
    assert [d.verdict for d in q.check.differences] == ["unchecked"]


@pytest.mark.parametrize(
    ("text", "paragraph", "kind"),
    [
        (QUOTE_RULE.replace("193", "194"), 0, "number"),
        (QUOTE_LAUNCH.replace("is a", "is not a"), 2, "negation"),
        (QUOTE_LAUNCH.replace("is a", "is never a"), 2, "negation"),
    ],
)
def test_numbers_and_negations_are_real_whatever_the_audio(
    episode: Episode, text: str, paragraph: int, kind: str
) -> None:
    """A changed number or a "not" that came or went is never a slip: no audio is scored."""
    scorer = FakeScorer(100.0)  # would call anything a slip
    q = one_quote(episode, text, paragraph, scorer)
    assert q.status == "near" and len(q.differences) == 1
    assert q.check is not None and [d.kind for d in q.check.differences] == [kind]
    assert [d.verdict for d in q.check.differences] == ["change"]
    assert scorer.calls == []


def test_what_normalisation_makes_equal_needs_no_model(episode: Episode) -> None:
    """Contractions, spellings and numbers as words: verbatim without loading a model."""

    def refuse(name: str) -> object:
        raise AssertionError("the model was loaded")

    scorer = WhisperScorer(Path("missing.mp3"), "base", loader=refuse)  # type: ignore[arg-type]
    for text, paragraph in [
        ("That is a remarkable record.", 0),  # heard "That's a remarkable record."
        ("We will uphold the rule of law for all one hundred and ninety-three member states.", 0),
        ("Our patrol boats watch these waters 24 hours a day.", 3),
        ("Every launch is a flagrant violation of the Council\u2019s resolutions", 2),
    ]:
        q = one_quote(episode, text, paragraph, scorer)
        assert q.status == "verbatim", text
        assert q.check is not None and q.check.differences == [] and q.score == 100.0
    assert scorer.clips == 0


def test_spelling_and_contractions_in_the_transcript() -> None:
    """British spelling in the article, American and contracted in the transcript."""
    quote = "We are not going to defend a programme that we cannot finance."
    heard = "we're not going to defend a program that we can't finance."
    ep = build_episode([INTRO, (1, [f"She said << {heard} >>"]), OUTRO])
    article = make_article()
    article.paragraphs[1].text += f' "{quote}" she said.'
    article.quotes = [Quote(text=quote, speaker=None, paragraph=1)]
    (q,) = align(ep.transcript, article, scorer=FakeScorer(-100.0)).quotes
    assert q.status == "verbatim" and q.check is not None and q.check.differences == []


def test_quote_read_in_part_is_near_and_shown_as_read_in_part(episode: Episode) -> None:
    longer = QUOTE_LAUNCH.rstrip(".") + ", and the council must answer every one of them."
    scorer = FakeScorer(0.0)
    q = one_quote(episode, longer, 2, scorer)
    assert q.status == "near" and q.read_in_part
    assert q.differences == [
        "article 'and the council must answer every one of them' / heard nothing"
    ]
    assert scorer.calls == []  # nothing else differs: no audio to score
    view = _quote_view(q)
    assert view.differences == ()
    assert view.unread == ("and the council must answer every one of them",)


def _reported(heard: str, quote: str, scorer: FakeScorer | None = None) -> QuoteMatch:
    ep = build_episode([INTRO, (1, [f"He said << {heard} >>"]), OUTRO])
    article = make_article()
    article.paragraphs[1].text += f' "{quote}" he said.'
    article.quotes = [Quote(text=quote, speaker=None, paragraph=1)]
    (q,) = align(ep.transcript, article, scorer=scorer or FakeScorer(-100.0)).quotes
    return q


QUOTE_JOURNEYS = (
    "We expect around 300,000 journeys in the first year, and our modelling suggests"
    " that a quarter of those will be people who currently drive."
)


def test_a_quote_ends_where_the_reporter_goes_on_in_their_own_words() -> None:
    """Read up to "first year", then told: "he reckons a quarter of those will be
    people who drive today". The quote ends before "he reckons", read in part."""
    heard = (
        "We expect around 300,000 journeys in the first year, he reckons a quarter"
        " of those will be people who drive today."
    )
    q = _reported(heard, QUOTE_JOURNEYS)
    assert q.status == "near" and q.read_in_part
    assert q.heard == "We expect around 300,000 journeys in the first year,"
    assert q.differences == [
        "article 'and our modelling suggests that a quarter of those will be people who"
        " currently drive' / heard nothing"
    ]


def test_the_word_that_joins_a_reporting_clause_on_goes_with_it() -> None:
    heard = (
        "We expect around 300,000 journeys in the first year, and she reckons a quarter"
        " of those will be people who drive today."
    )
    q = _reported(heard, QUOTE_JOURNEYS)
    assert q.read_in_part
    assert q.heard == "We expect around 300,000 journeys in the first year,"


def test_a_reporting_clause_put_into_a_quote_read_whole_does_not_end_it() -> None:
    heard = (
        "We expect around 300,000 journeys in the first year, he says, and our modelling"
        " suggests that a quarter of those will be people who currently drive."
    )
    q = _reported(heard, QUOTE_JOURNEYS)
    assert q.heard is not None and q.heard.endswith("who currently drive.")
    assert not q.read_in_part


QUOTE_TAXI = (
    "Eleven pounds is still cheaper than a taxi to the station, and the boat"
    " never gets stuck in traffic."
)
#: "taxi to the station" was said; "and the boat never ..." was not (the first key a text holds).
TAXI_SCORES = {"boat never": -50.0, "taxi to the station": 1.0}


def test_a_quote_read_in_part_counts_its_words_misheard_at_the_ends() -> None:
    """misquote-ferry: "Eleven pounds is still cheaper than a taxi to the station"
    read of a quote of 19 words, heard "... than a taxidotestation": 7 words
    for word, 40 % of the quote is 8. The glued words are the quote's next
    four, misheard: read in part, near, and the glued word is those four words,
    judged together (here, a slip)."""
    heard = "11 pounds is still cheaper than a taxidotestation."
    q = _reported(heard, QUOTE_TAXI, _Table(heard, TAXI_SCORES))
    assert q.status == "near" and q.read_in_part
    assert q.heard == heard
    assert q.differences == ["article 'and the boat never gets stuck in traffic' / heard nothing"]
    assert q.check is not None
    assert [(d.article, d.heard, d.verdict) for d in q.check.differences] == [
        ("taxi to the station", "taxidotestation", "slip"),
        ("and the boat never gets stuck in traffic", "", "unread"),
    ]


def test_a_quote_read_in_part_ends_at_the_sentence_end_it_was_heard_to() -> None:
    """ "... a taxidotestation. And the crew?": "and the" are the quote's next
    words, by chance; a quote read in part ends at the sentence end before them."""
    heard = "11 pounds is still cheaper than a taxidotestation. And the crew?"
    q = _reported(heard, QUOTE_TAXI, _Table(heard, TAXI_SCORES))
    assert q.status == "near" and q.read_in_part
    assert q.heard == "11 pounds is still cheaper than a taxidotestation."


def test_neighbouring_slip_and_change_are_judged_apart() -> None:
    """ "that local" heard "at Lowgill": two differences, each scored on its own."""
    quote = "A railway that local people cannot afford to use is only half reopened."
    heard = "a railway at Lowgill people cannot afford to use is only half reopened."
    ep = build_episode([INTRO, (1, [f"He said << {heard} >>"]), OUTRO])
    article = make_article()
    article.paragraphs[1].text += f' "{quote}" the minister said.'
    article.quotes = [Quote(text=quote, speaker=None, paragraph=1)]

    class ByWord(FakeScorer):
        def score(self, start: float, end: float, texts: Sequence[str]) -> list[float]:
            self.calls.append((start, end, list(texts)))
            # "that" was said (a slip), "local" was not (a change).
            return [0.0] + [0.0 if " that " in t and "local" not in t else -10.0 for t in texts[1:]]

    scorer = ByWord(0.0)
    (q,) = align(ep.transcript, article, scorer=scorer).quotes
    assert q.status == "near"
    assert q.differences == ["article 'local' / heard 'Lowgill'"]
    assert q.check is not None
    assert [(d.article, d.verdict) for d in q.check.differences] == [
        ("that", "slip"), ("local", "change"),
    ]  # fmt: skip
    (_, _, texts), (_, _, together) = scorer.calls
    assert [t.strip() for t in texts] == [
        "a railway at Lowgill people cannot afford to use is only half reopened.",
        "a railway that Lowgill people cannot afford to use is only half reopened.",
        "a railway at local people cannot afford to use is only half reopened.",
        # Each with a "not" put before the article's words (a "not" dropped?)
        "a railway not that Lowgill people cannot afford to use is only half reopened.",
        "a railway at not local people cannot afford to use is only half reopened.",
    ]
    # Side by side, the two are scored together too: "local" was not said either way.
    assert [t.strip() for t in together] == [
        "a railway at Lowgill people cannot afford to use is only half reopened.",
        "a railway that local people cannot afford to use is only half reopened.",
    ]
    assert [d.together for d in q.check.differences] == [None, None]


class _Table(FakeScorer):
    """Scores each text by the words it holds: the heard text 0, a text holding
    a key of ``table`` its value (the first that matches), any other -20."""

    def __init__(self, heard: str, table: dict[str, float]) -> None:
        super().__init__(0.0)
        self.heard, self.table = heard, table

    def score(self, start: float, end: float, texts: Sequence[str]) -> list[float]:
        self.calls.append((start, end, list(texts)))
        out = []
        for t in texts:
            hit = [v for k, v in self.table.items() if k in t]
            out.append(0.0 if t.strip() == self.heard else hit[0] if hit else -20.0)
        return out


RAILWAY = "A railway that local people cannot afford to use is only half reopened."
RAILWAY_HEARD = "a railway that local people can hatter forward to use is only half reopened."


def _railway(quote: str, table: dict[str, float]) -> tuple[QuoteMatch, _Table]:
    ep = build_episode([INTRO, (1, [f"He said << {RAILWAY_HEARD} >>"]), OUTRO])
    article = make_article()
    article.paragraphs[1].text += f' "{quote}" the minister said.'
    article.quotes = [Quote(text=quote, speaker=None, paragraph=1)]
    scorer = _Table(RAILWAY_HEARD, table)
    (q,) = align(ep.transcript, article, scorer=scorer).quotes
    return q, scorer


#: The base model's scores on discussion-rail's audio, where "cannot afford" was
#: said and heard "can hatter forward" (article wording minus heard, nats).
RAIL_SCORES = {
    "cannot afford": 5.92,
    "can afford": 3.12,
    "cannot forward": -4.47,
    "hatter afford": -6.86,
}


def test_a_slip_across_a_word_boundary_is_judged_as_one() -> None:
    """ "cannot afford" heard "can hatter forward": put back one at a time, each
    difference leaves the other garbled; together they are a slip. "cannot" is
    put back over "can hatter" (not "can cannot"), as the whole written word."""
    q, scorer = _railway(RAILWAY, RAIL_SCORES)
    assert q.status == "verbatim" and q.differences == []
    assert q.check is not None
    assert [(d.article, d.heard, d.verdict, d.together) for d in q.check.differences] == [
        ("cannot", "can hatter", "slip", "cannot afford"),
        ("afford", "forward", "slip", "cannot afford"),
    ]
    assert q.check.differences[1].score_difference == 5.92
    (_, _, one_by_one), (_, _, together) = scorer.calls
    assert any("people cannot forward to" in t for t in one_by_one)
    assert not any("can cannot" in t for t in one_by_one)
    assert together[1].strip() == RAILWAY_HEARD.replace("can hatter forward", "cannot afford")
    assert together[2].strip() == RAILWAY_HEARD.replace("can hatter forward", "can afford")


def test_a_not_dropped_under_a_misheard_word_is_a_negation_change() -> None:
    """The article says "can afford" where "cannot afford" was said, heard "can
    hatter forward". "afford" for "hatter forward" scores as a slip (+3.1), but
    with a "not" before it better still (+5.8): the audio says "not", so the
    quote is near, with a dropped negation, whatever else was misheard."""
    scores = {**RAIL_SCORES, "can not afford": 5.82}
    q, scorer = _railway(RAILWAY.replace("cannot", "can"), scores)
    assert q.status == "near" and q.differences == ["article 'afford' / heard 'hatter forward'"]
    assert q.check is not None
    (diff,) = q.check.differences
    assert (diff.kind, diff.verdict, diff.with_not) == ("negation", "change", 5.82)
    assert any("people can not afford to use" in t for t in scorer.calls[0][2])
    # Where the "not" scores under the article's words, it stays a slip.
    q, _ = _railway(RAILWAY.replace("cannot", "can"), {**scores, "can not afford": 1.0})
    assert q.status == "verbatim"


def test_together_a_lost_negation_must_be_what_the_audio_prefers() -> None:
    """Were "can afford" the better fit, the "not" is not vouched for: near."""
    q, _ = _railway(RAILWAY, {**RAIL_SCORES, "can afford": 7.0})
    assert q.status == "near"
    assert q.differences == ["article 'afford' / heard 'forward'"]


@pytest.mark.parametrize(("heard_number", "verdict"), [("30", "change"), ("20", "slip")])
def test_together_a_changed_number_stays_a_change(heard_number: str, verdict: str) -> None:
    """ "cannot afford 20" heard "can hatter for 30": however well the article's
    words score together, a number that changed is a real change."""
    from toolkit.align.model import CheckedDifference
    from toolkit.align.normalise import normalise_words
    from toolkit.align.quotecheck import _judge_together, _Span

    said = ["cannot", "afford", "20"]
    words = [" can", " hatter", " for", " " + heard_number]
    qn, hn = normalise_words(said), normalise_words(words)
    diffs = [
        CheckedDifference("cannot", "can hatter", "wording", "change"),
        CheckedDifference("afford 20", "for " + heard_number, "wording", "change"),
    ]
    pending = [(diffs[0], _Span(0, 2, 0, 2)), (diffs[1], _Span(2, 4, 2, 4))]
    asked: list[list[str]] = []

    def score(texts: Sequence[str]) -> list[float]:
        asked.append(list(texts))
        return [0.0, 9.0, -9.0]

    _judge_together(pending, said, qn, words, hn, 0, 4, SLIP_THRESHOLD, score)
    assert [d.verdict for d in diffs] == [verdict, verdict]
    assert len(asked) == (verdict == "slip")


def test_alignment_round_trip_and_version_1(episode: Episode) -> None:
    article = make_article()
    result = align(episode.transcript, article, scorer=FakeScorer(0.0))
    assert result.version == SCHEMA_VERSION == 5
    data = json.loads(json.dumps(result.to_dict()))
    assert Alignment.from_dict(data) == result
    # A version 1 file: no check; everything it lists is shown.
    old = json.loads(json.dumps(data))
    old["version"] = 1
    for q in old["quotes"]:
        del q["check"]
    old["quotes"][3]["status"] = "near"
    old["quotes"][3]["differences"] = ["article 'vessels' / heard 'boats'"]
    back = Alignment.from_dict(old)
    assert all(q.check is None for q in back.quotes)
    view = _quote_view(back.quotes[3])
    assert view.differences == ("article 'vessels' / heard 'boats'",) and view.unread == ()


def test_cached_scorer_scores_each_clip_once(tmp_path: Path) -> None:
    inner = FakeScorer(-1.0)
    cached = CachedScorer(inner, "abc123", root=tmp_path)
    assert cached.score(1.0, 3.0, ["a", "b"]) == [0.0, -1.0]
    again = CachedScorer(FakeScorer(-7.0), "abc123", root=tmp_path)
    assert again.score(1.0, 3.0, ["a", "b"]) == [0.0, -1.0] and again.hits == 1
    assert again.score(1.0, 3.5, ["a", "b"]) == [0.0, -7.0]  # another clip
    assert CachedScorer(inner, "other", root=tmp_path).score(1.0, 3.0, ["a", "b"])
    assert len(inner.calls) == 2  # the first clip, and the other audio's


def test_article_of_one_quote_without_audio_still_aligns() -> None:
    """align() on a stored transcript, no audio and no scorer: the text-only check."""
    ep = build_episode([INTRO, BLOCK_0, OUTRO])
    article = Article(None, None, None, None, [Paragraph(0, "x")], [Quote(QUOTE_RULE, None, 0)])
    (q,) = align(ep.transcript, article).quotes
    assert q.status == "verbatim"


# --- the real model on real speech ------------------------------------------------

#: Quotes as the article prints them, and as a speaker reads them: a number
#: changed, a "not" dropped, a word swapped, and two read word for word.
READ = [
    ("The crossing takes twenty-five minutes in the summer.",
     "The crossing takes thirty-five minutes in the summer."),
    ("We are not asking for a new service.", "We are asking for a new service."),
    ("The bees pay their rent in honey.", "The bees pay their way in honey."),
    ("I love the mill, but the curlews were here long before the miller was.", None),
    ("We plan our whole week around the tide tables.", None),
]  # fmt: skip
VOICE = ["-v", "en-us+f3", "-s", "155"]


@pytest.fixture(scope="module")
def read_aloud(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Transcript, Article]:
    """The quotes read by espeak-ng, transcribed by Whisper base, and their article."""
    import shutil
    import subprocess

    from toolkit.transcribe.options import TranscribeOptions
    from toolkit.transcribe.run import transcribe

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    said = " ".join(
        ["Hello and welcome to the show. Today we read a story about ferries, bees and a mill."]
        + [f"She said, {spoken or text}" for text, spoken in READ]
        + ["That is all for today."]
    )
    wav = tmp_path_factory.mktemp("read-aloud") / "quotes.wav"
    subprocess.run(["espeak-ng", *VOICE, "-w", str(wav), said], check=True)
    options = TranscribeOptions(model="base", language="en")
    transcript = transcribe(wav, options, progress=False).transcript
    article = Article(
        None, None, None, None,
        [Paragraph(i, text) for i, (text, _) in enumerate(READ)],
        [Quote(text, None, i) for i, (text, _) in enumerate(READ)],
    )  # fmt: skip
    return wav, transcript, article


@pytest.mark.slow
def test_misquotes_stay_near_and_misheard_quotes_pass(
    read_aloud: tuple[Path, Transcript, Article],
) -> None:
    wav, transcript, article = read_aloud
    scorer = WhisperScorer(wav, "base", "en")
    number, negation, swapped, *verbatim = align(transcript, article, scorer=scorer).quotes

    assert number.status == "near" and len(number.differences) == 1
    assert number.differences[0].startswith("article 'twenty-five' / heard ")
    assert number.check is not None and [d.kind for d in number.check.differences] == ["number"]

    assert negation.status == "near"
    assert negation.differences == ["article 'not' / heard nothing"]

    # Only the swapped word: the ASR slips around it are not listed.
    assert swapped.status == "near"
    assert swapped.differences == ["article 'rent' / heard 'way'"]
    assert swapped.check is not None
    change = next(d for d in swapped.check.differences if d.verdict == "change")
    assert change.score_difference is not None and change.score_difference < SLIP_THRESHOLD

    # Read word for word, heard with slips ("curlews" is no word Whisper knows).
    for q in verbatim:
        assert q.status == "verbatim", (q.text, q.check)
    slips = [d for q in verbatim if q.check for d in q.check.differences if d.verdict == "slip"]
    assert slips, "Whisper heard every word right: the test no longer shows a slip"
    for d in slips:
        assert d.score_difference is not None and d.score_difference >= SLIP_THRESHOLD
    # The number and the negation are decided without the audio.
    assert number.check.model is None and negation.check is not None
    assert negation.check.model is None


@pytest.mark.slow
def test_sample_episode_quotes_raise_no_misquote_alert(site: Path) -> None:
    """The build of the sample show: the quotes read aloud pass; no page says 'wording differs'."""
    truth = json.loads((ROOT / "tools" / "sample_episode" / "ground_truth.json").read_text())
    spoken = [q["text"] for line in truth["lines"] for q in line["quotes"]]
    data = json.loads((site / SAMPLE_SLUG / "alignment.json").read_text(encoding="utf-8"))
    assert data["version"] == SCHEMA_VERSION
    result = Alignment.from_dict(data)
    found = [q for q in result.quotes if q.status != "not_found"]
    assert len(found) == len(spoken) == 4
    for q in found:
        assert q.check is not None
        verdicts = {d.verdict for d in q.check.differences}
        assert verdicts <= {"slip", "unread"}, (q.text, q.check.differences)
        if q.read_in_part:  # the DPRK quote: its gloss is not read
            unread = [d for d in q.check.differences if d.verdict == "unread"]
            assert q.status == "near" and q.differences == [describe(d) for d in unread]
        else:
            assert q.status == "verbatim", q.text
        for d in q.check.differences:
            if d.verdict == "slip":
                assert q.check.model == "base" and q.check.threshold == SLIP_THRESHOLD
                assert d.score_difference is not None and d.score_difference >= SLIP_THRESHOLD
    assert sum(q.status == "verbatim" for q in found) == 3
    for page in ("index.html", "notes.md"):
        text = (site / SAMPLE_SLUG / page).read_text(encoding="utf-8")
        assert "wording differs" not in text, page
        assert "read in part" in text, page


@pytest.mark.parametrize(("score", "status"), [(-1.0, "verbatim"), (-10.0, "near")])
def test_last_word_misheard_unlike_itself(score: float, status: str) -> None:
    """The fit leaves out a last word heard as an unlike one; the check takes it back in."""
    quote = "Every launch is a flagrant violation of the council's resolutions."
    heard = "Every launch is a flagrant violation of the council's decisions."
    ep = build_episode([INTRO, (2, [f"He said << {heard} >>", "And then we left."]), OUTRO])
    article = make_article()
    article.quotes = [Quote(text=quote, speaker=None, paragraph=2)]
    assert align(ep.transcript, article).quotes[0].read_in_part  # text only: left out
    (q,) = align(ep.transcript, article, scorer=FakeScorer(score)).quotes
    assert q.status == status
    assert q.end is not None and abs(q.end - ep.quote_times[-1][1]) <= 0.01
    assert q.check is not None and not q.read_in_part
    ((diff,),) = [q.check.differences]
    assert (diff.article, diff.heard) == ("resolutions", "decisions")
    assert q.differences == (
        [] if status == "verbatim" else ["article 'resolutions' / heard 'decisions'"]
    )


# --- found by letters and sound ----------------------------------------------------


def _case_alignment(name: str, decoded: str) -> tuple[Alignment, dict[str, str]]:
    """A labelled bench case's real transcript (tests/data/decoded) aligned with the real
    scorer on the case's audio; and each quote's true status by its text."""
    from toolkit.align.acoustic import whisper_scorer
    from toolkit.article import read_article

    case = ROOT / "bench" / "cases" / name
    truth = json.loads((case / "truth.json").read_text("utf-8"))
    audio = ROOT / json.loads((ROOT / truth["source"]).read_text("utf-8"))["audio"]
    transcript = Transcript.load(ROOT / "tests" / "data" / "decoded" / decoded)
    article = read_article(ROOT / truth["article"])
    result = align(transcript, article, scorer=whisper_scorer(audio, transcript))
    return result, {q["text"]: q["status"] for q in truth["quotes"]}


def test_letters_find_a_stretch_no_word_matches() -> None:
    from toolkit.align.normalise import normalise_words
    from toolkit.align.quotes import _by_letters

    quote = normalise_words("A port city that forgets its songs forgets why it was built.".split())
    heard = normalise_words("the committee said, report City at Forget Sits on Forget "
                            "Slyat One Field. And if you want".split())  # fmt: skip
    found = _by_letters(quote, heard, 0, len(heard.tokens))
    assert found is not None
    similarity, s, e = found
    assert similarity >= 65
    stretch = " ".join(heard.tokens[s:e])
    assert "report city at forget sits on forget slyat" in stretch
    assert "if you want" not in stretch and e - s <= len(quote.tokens) + 3


@pytest.mark.slow
def test_a_quote_misheard_past_a_word_match_is_found_by_letters_and_sound() -> None:
    """verbatim-shanty's last quote, read word for word by a voice base hears badly."""
    result, truth = _case_alignment("verbatim-shanty", "shanty-openai.json")
    port = next(q for q in result.quotes if q.text.startswith("A port city"))
    assert truth[port.text] == "verbatim"
    assert port.status == "verbatim", port.check
    assert port.check is not None and port.check.found_by == "letters and sound"
    sound = port.check.sound
    assert sound is not None and sound["passed"] is True
    assert port.start is not None and abs(port.start - 110.1) < 2.0
    # Its letters took in "committee, said," before it: a lead-in, left out.
    assert port.heard is not None and port.heard.startswith("report City at Forget")
    assert abs(port.start - 110.058) <= 0.1  # the truth's start
    # Every quote the words found is still found by words.
    assert all(q.check.found_by == "words" for q in result.quotes if q.check and q is not port)


@pytest.mark.slow
def test_by_sound_a_dropped_not_stays_near_and_a_paraphrase_is_not_found() -> None:
    result, truth = _case_alignment("paraphrase-orchard", "orchard-openai.json")
    by_text = {q.text: q for q in result.quotes}
    name = next(q for t, q in by_text.items() if t.startswith("A name we are not sure"))
    assert truth[name.text] == "near"
    assert name.check is not None and name.check.found_by == "letters and sound"
    assert name.status == "near"  # the sound cannot vouch for a "not" not heard
    assert any("not" in d for d in name.differences), name.differences
    trees = next(q for t, q in by_text.items() if t.startswith("Most of these trees"))
    assert truth[trees.text] == "not_spoken"
    assert trees.status == "not_found"


def test_what_the_sound_cannot_vouch_for() -> None:
    from toolkit.align.model import CheckedDifference
    from toolkit.align.quotecheck import _turns_round

    def turns(article: str, heard: str) -> bool:
        return _turns_round(CheckedDifference(article, heard, "wording", "change"))

    assert turns("we are not sure of", "we assure on")  # a "not" not heard
    assert turns("cannot afford", "can hatter forward")  # "cannot" is "can not"
    assert turns("isn't", "is")
    assert turns("twenty-five", "35 minutes") and turns("in 2013", "in 2031")
    assert not turns("why it was built", "Slyat One Field")  # a misheard "One"
    assert not turns("the heath bumblebee", "the heat bumble me")


@pytest.mark.slow
def test_on_real_audio_a_slip_across_a_word_boundary_is_judged_as_one() -> None:
    """discussion-rail: "cannot afford" was read and heard "can hatter forward";
    and "our modelling suggests..." was told as "he reckons a quarter ...". Both
    quotes end and read as the truth has them."""
    result, truth = _case_alignment("discussion-rail", "rail-openai.json")
    railway = next(q for q in result.quotes if q.text.startswith("A railway"))
    assert railway.check is not None and truth[railway.text] == "verbatim"
    together = [d for d in railway.check.differences if d.together]
    assert [(d.article, d.heard) for d in together] == [
        ("cannot", "can hatter"), ("afford", "forward"),
    ]  # fmt: skip
    assert all(d.verdict == "slip" and d.together == "cannot afford" for d in together)
    assert not any("afford" in d for d in railway.differences)
    # Neither slip scores better with a "not" put before it: no "not" was dropped.
    assert all(d.with_not is None or d.with_not < (d.article_score or 0) for d in together)
    journeys = next(q for q in result.quotes if q.text.startswith("We expect"))
    assert truth[journeys.text] == "near" and journeys.status == "near" and journeys.read_in_part
    assert journeys.heard is not None and journeys.heard.endswith("in the first year,")


@pytest.mark.slow
def test_the_scorer_reads_the_shared_prompt_once_and_scores_as_the_whole_decoder_does() -> None:
    """The prompt and the start of transcript are read once for every text; the
    scores are those of Whisper's decoder run over each whole sequence."""
    import torch

    from toolkit.align.acoustic import decode_clip

    audio = ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3"
    scorer = WhisperScorer(audio, "base", "en", prompt="Maya Okafor, Daniel Reyes, Ishikane.")
    texts = [" We hope this event will be an important step.", " We hope so.", " Ishikane"]
    got = scorer.token_scores(100.0, 108.0, texts)
    m, tok = scorer._whisper, scorer._tokenizer
    names = tok.encode(" " + scorer.prompt)
    prefix = [tok.sot_prev, *names, *tok.sot_sequence_including_notimestamps]
    with torch.inference_mode():
        features = scorer._features(decode_clip(audio, 100.0, 108.0))
        for text, (total, count) in zip(texts, got, strict=True):
            seq = prefix + tok.encode(text) + [tok.eot]
            logits = m.decoder(torch.tensor([seq[:-1]]), features).float()
            picked = torch.log_softmax(logits, -1)[0, len(prefix) - 1 :]
            want = picked.gather(-1, torch.tensor(seq[len(prefix) :]).unsqueeze(-1)).sum()
            assert count == len(seq) - len(prefix)
            assert total == pytest.approx(float(want), abs=1e-3)


@pytest.mark.slow
def test_on_real_audio_a_not_dropped_under_a_misheard_word_stays_near() -> None:
    """discussion-rail's "cannot afford" (heard "can hatter forward") with the
    article made to say "can afford": a misquote, which the audio gives away."""
    from toolkit.align.acoustic import whisper_scorer
    from toolkit.article import read_article

    case = ROOT / "bench" / "cases" / "discussion-rail"
    truth = json.loads((case / "truth.json").read_text("utf-8"))
    audio = ROOT / json.loads((ROOT / truth["source"]).read_text("utf-8"))["audio"]
    transcript = Transcript.load(ROOT / "tests" / "data" / "decoded" / "rail-openai.json")
    article = read_article(ROOT / truth["article"])
    (railway,) = [q for q in article.quotes if q.text.startswith("A railway")]
    article.quotes = [Quote(railway.text.replace("cannot", "can"), None, railway.paragraph)]
    (q,) = align(transcript, article, scorer=whisper_scorer(audio, transcript)).quotes
    assert q.status == "near" and q.check is not None
    (dropped,) = [d for d in q.check.differences if d.kind == "negation"]
    assert (dropped.article, dropped.heard, dropped.verdict) == (
        "afford",
        "hatter forward",
        "change",
    )
    assert dropped.with_not is not None and dropped.article_score is not None
    assert dropped.with_not > dropped.article_score
