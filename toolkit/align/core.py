"""The entry point: map an article's paragraphs and quotes onto a transcript."""

from __future__ import annotations

from toolkit.align.model import SCHEMA_VERSION, Alignment, QuoteMatch
from toolkit.align.normalise import normalise_words
from toolkit.align.paragraphs import _align_paragraphs
from toolkit.align.quotecheck import SLIP_THRESHOLD, QuoteScorer
from toolkit.align.quotes import _align_quotes
from toolkit.align.timeline import _timeline
from toolkit.article import Article
from toolkit.transcribe.transcript import Transcript

#: Default similarity a window must beat to count towards a paragraph.
DEFAULT_THRESHOLD = 0.12
#: A quote whose similarity (0-100) to the words heard reaches this is "near".
#: On the labelled cases (bench/align_eval.py) quotes read aloud but misheard
#: scored 69 and up, close paraphrases of a quote 62 and below.
DEFAULT_NEAR = 65.0


def align(
    transcript: Transcript,
    article: Article,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: float = 20.0,
    hop: float = 5.0,
    near: float = DEFAULT_NEAR,
    scorer: QuoteScorer | None = None,
    slip_threshold: float = SLIP_THRESHOLD,
) -> Alignment:
    """Map ``article``'s paragraphs and quotes onto ``transcript``'s timeline.

    ``threshold`` is the TF-IDF cosine similarity a transcript window must beat
    to count towards a paragraph; ``window`` and ``hop`` (seconds) shape the
    sliding windows. A quote whose similarity (0-100) to the words heard reaches
    ``near`` but is not word for word is "near"; below it, "not_found".

    ``scorer`` scores texts on the episode's audio (the acoustic check,
    :class:`~toolkit.align.acoustic.WhisperScorer`): with it, a wording
    difference whose article wording scores at least ``slip_threshold``
    against the heard one is an ASR slip, and a quote with only slips is
    "verbatim". Without it the check is text only: any wording difference left
    after normalisation makes the quote "near".
    """
    if window <= 0 or hop <= 0:
        raise ValueError("window and hop must be positive")
    tl = _timeline(transcript)
    norm = normalise_words(tl.words)
    paragraphs, seg_par = _align_paragraphs(tl, norm, article, threshold, window, hop)
    quotes = _align_quotes(tl, norm, article, paragraphs, near, scorer, slip_threshold)
    for quote in quotes:
        quote.voiced_by = voiced_by(transcript, quote)
    return Alignment(SCHEMA_VERSION, paragraphs, quotes, seg_par)


def voiced_by(transcript: Transcript, quote: QuoteMatch) -> str | None:
    """The speaker heard reading ``quote``: the one who speaks most of its time.

    None when the quote was not found or the transcript knows no speakers.
    """
    if quote.start is None or quote.end is None:
        return None
    spoken: dict[str, float] = {}
    for seg in transcript.segments:
        if seg.speaker is None:
            continue
        for w in seg.words:
            overlap = min(w.end, quote.end) - max(w.start, quote.start)
            if overlap > 0 or quote.start <= w.start < quote.end:
                spoken[seg.speaker] = spoken.get(seg.speaker, 0.0) + max(overlap, 0.01)
    return max(spoken, key=lambda k: spoken[k]) if spoken else None
