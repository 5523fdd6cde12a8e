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
  words' timestamps. It is then classed ``verbatim``, ``near`` (differences
  listed; this includes a quote read only in part, the rest listed as not
  heard) or ``not_found``. Numbers compare by value ("twenty-four" = "24").
  The similarity that decides "near" lets a misheard word ("cant" for
  "cannot") cost less than a changed one, by the letters the two share.
  Telling an ASR slip from a real wording change needs the audio, so "near"
  covers both.

The result is an :class:`Alignment`, saved as versioned JSON.

The package keeps one job to a module: ``model`` (the dataclasses and their
JSON), ``normalise`` (word normalisation and numbers), ``terms`` (what TF-IDF
sees), ``timeline`` (the transcript as timed words), ``paragraphs``,
``quotes`` and ``core`` (:func:`align`, which runs them in turn).
"""

from __future__ import annotations

from toolkit.align.core import DEFAULT_NEAR, DEFAULT_THRESHOLD, align
from toolkit.align.model import SCHEMA_VERSION, Alignment, ParagraphMatch, QuoteMatch
from toolkit.align.normalise import Tokens, normalise_words
from toolkit.errors import AlignmentError

__all__ = [
    "DEFAULT_NEAR",
    "DEFAULT_THRESHOLD",
    "SCHEMA_VERSION",
    "Alignment",
    "AlignmentError",
    "ParagraphMatch",
    "QuoteMatch",
    "Tokens",
    "align",
    "normalise_words",
]
