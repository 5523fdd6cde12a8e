"""Align an article to an episode's transcript, text to text.

Forced aligners expect the audio to read the text nearly word for word; a
conversation about an article does not. So the article is aligned to the
transcript's *text* instead:

* **Paragraphs.** Each paragraph is scored against sliding windows of the
  transcript (TF-IDF cosine over normalised content words). An in-order local
  dynamic programme in the Smith-Waterman style assigns runs of windows to
  paragraphs: a window earns its similarity minus ``threshold``, skipping a
  paragraph or a window costs a penalty. A second pass picks up stretches the
  in-order path left out but that clearly match a paragraph (topics the hosts
  come back to, or discuss out of order). Boundaries are then moved to segment
  boundaries using each segment's own similarity, which also catches a single
  sentence that plainly returns to an earlier paragraph. The episode's
  introduction and outro are trimmed off the first and last paragraphs: there
  a segment that sounds more like a mention of the story itself (its author,
  "the article", "a blog post we read") than like the paragraph is left out.
  Names the ASR misspelt ("VPRK") count as the article's spelling ("DPRK")
  when they are a letter or so away from one of its proper nouns.
* **Quotes.** Each quote is located in the transcript's word sequence by fuzzy
  matching of normalised words (one word, one symbol, searched with rapidfuzz),
  refined by a small word-level fitting alignment, and timed by the matched
  words' timestamps. The similarity that decides whether it was heard lets a
  misheard word ("cant" for "cannot") cost less than a changed one, by the
  letters the two share. Then :mod:`~toolkit.align.quotecheck` judges each
  difference that normalisation leaves (numbers by value, contractions,
  British and American spellings, case and punctuation): a changed number or
  negation is a real change; any other wording difference is scored on the
  quote's own audio by a :class:`QuoteScorer` (Whisper, teacher forcing,
  :mod:`~toolkit.align.acoustic`), which tells an ASR slip from a real change.
  The quote is ``verbatim`` when only slips remain, ``near`` with a real
  change or when read in part (only those listed), or ``not_found``. Without
  a scorer (no audio), every wording difference counts.

The result is an :class:`Alignment`, saved as versioned JSON.

The package keeps one job to a module: ``model`` (the dataclasses and their
JSON), ``normalise`` (word normalisation and numbers), ``terms`` (what TF-IDF
sees), ``timeline`` (the transcript as timed words), ``paragraphs``,
``quotes``, ``quotecheck`` (slips against changes), ``acoustic`` (the
Whisper scorer), ``variants`` (contractions and spellings) and ``core``
(:func:`align`, which runs them in turn).
"""

from __future__ import annotations

from toolkit.align.core import DEFAULT_NEAR, DEFAULT_THRESHOLD, align
from toolkit.align.model import (
    SCHEMA_VERSION,
    Alignment,
    CheckedDifference,
    ParagraphMatch,
    QuoteCheck,
    QuoteMatch,
)
from toolkit.align.normalise import Tokens, normalise_words
from toolkit.align.quotecheck import SLIP_THRESHOLD, QuoteScorer
from toolkit.errors import AlignmentError

__all__ = [
    "DEFAULT_NEAR",
    "DEFAULT_THRESHOLD",
    "SCHEMA_VERSION",
    "SLIP_THRESHOLD",
    "Alignment",
    "AlignmentError",
    "CheckedDifference",
    "ParagraphMatch",
    "QuoteCheck",
    "QuoteMatch",
    "QuoteScorer",
    "Tokens",
    "align",
    "normalise_words",
]
