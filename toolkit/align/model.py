"""The alignment data model: paragraph and quote matches and their versioned JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.datafile import check_version
from toolkit.errors import AlignmentError

#: 2: quotes carry ``check``, the evidence behind their status (version 1 files,
#: which have none, are still read).
#: 3: quotes carry ``voiced_by``, the speaker heard reading them (older files: None).
#: 4: a quote's ``check`` says how it was found (``found_by``, ``sound``; older: "words").
#: 5: a difference may have been judged with its neighbours (``together``; older: None).
SCHEMA_VERSION = 5


@dataclass
class ParagraphMatch:
    """Where one article paragraph is discussed in the episode."""

    index: int
    discussed: bool
    start: float | None
    end: float | None
    #: Peak TF-IDF cosine similarity (0-1) of the paragraph's windows.
    score: float
    #: Transcript segment ids that relate to this paragraph, revisits included.
    segments: list[int] = field(default_factory=list)
    #: Later stretches, ``[start, end]``, where the hosts come back to it.
    revisits: list[list[float]] = field(default_factory=list)


@dataclass
class CheckedDifference:
    """One difference between a quote's normalised words and the words heard, judged."""

    #: The article's words and the words heard, as written (either may be "").
    article: str
    heard: str
    #: "wording"; "number" (a number changed) or "negation" (a "not", "no",
    #: "never" ... came or went), which are real changes whatever the audio
    #: says; "unread" (the start or end of the quote was not read).
    kind: str
    #: "change": a real wording change, listed in :attr:`QuoteMatch.differences`;
    #: "slip": the acoustic check found the article's wording about as likely
    #: as the heard one (an ASR error); "unread"; "unchecked": a wording
    #: difference that no acoustic check could judge (listed, as a change).
    verdict: str
    #: Whisper's log-probability of the heard text with this difference put back
    #: to the article's wording, of the heard text itself, and the difference
    #: (article minus heard) that the verdict compares with the threshold.
    article_score: float | None = None
    heard_score: float | None = None
    score_difference: float | None = None
    #: The article's words scored together where this difference and the ones
    #: touching it were each a change on their own, and a slip together (their
    #: scores are then those of the words together). Version 5.
    together: str | None = None
    #: The score of the heard text with the article's words and a "not" before
    #: them, for a difference inside the quote found a slip: where it beats the
    #: article's words (``article_score``, or theirs alone when scored
    #: ``together``), the audio says "not", and the difference is a dropped
    #: negation (kind "negation", a change). Version 5.
    with_not: float | None = None


@dataclass
class QuoteCheck:
    """The evidence behind a found quote's status (``alignment.json`` version 2)."""

    #: The quote's and the heard words as normalised for comparison.
    article: str
    heard: str
    #: Every difference that normalisation left, with its verdict.
    differences: list[CheckedDifference] = field(default_factory=list)
    #: The acoustic check, when it ran: the Whisper model, the threshold that
    #: ``score_difference`` is compared with, and the audio scored, ``[start, end]``.
    model: str | None = None
    threshold: float | None = None
    clip: list[float] | None = None
    #: How the quote was found: "words" (a word match), or "letters and sound"
    #: (misheard past a word match: a stretch alike in letters, whose audio
    #: scores the quote's wording about as well as the heard words; ``sound``
    #: holds those scores, the clip and the threshold per word). Version 4.
    found_by: str = "words"
    sound: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuoteCheck:
        fields = dict(data)
        fields["differences"] = [CheckedDifference(**d) for d in data.get("differences", [])]
        return cls(**fields)


@dataclass
class QuoteMatch:
    """Where, and how faithfully, one article quote is heard."""

    text: str
    speaker: str | None
    paragraph: int
    status: str  # "verbatim" | "near" | "not_found"
    start: float | None
    end: float | None
    #: Similarity, 0-100, of the article's and the heard wording: a word
    #: alignment in which a misheard word costs less than a changed one.
    score: float
    #: The transcript words matched, as transcribed.
    heard: str | None
    #: For "near": one line per real wording change, e.g. ``article 'twenty' /
    #: heard 'ten'``. ASR slips, and what normalisation makes equal, are not listed.
    differences: list[str] = field(default_factory=list)
    #: Why the quote has its status (None for "not_found", and in version 1 files).
    check: QuoteCheck | None = None
    #: Who was heard reading it: the name of the speaker of most of its words,
    #: when the transcript knows speakers. The article's ``speaker`` is kept
    #: beside it; a host reading a guest's words is normal, not a misquote.
    voiced_by: str | None = None

    @property
    def read_in_part(self) -> bool:
        """Whether the start or the end of the quote was left out when it was read."""
        return self.check is not None and any(d.verdict == "unread" for d in self.check.differences)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuoteMatch:
        check = data.get("check")
        return cls(**{**data, "check": None if check is None else QuoteCheck.from_dict(check)})


@dataclass
class Alignment:
    """The article mapped onto the episode's timeline."""

    version: int
    paragraphs: list[ParagraphMatch]
    quotes: list[QuoteMatch]
    #: Transcript segment id -> paragraph index, or None where no paragraph fits.
    segment_paragraph: dict[int, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "paragraphs": [asdict(p) for p in self.paragraphs],
            "quotes": [asdict(q) for q in self.quotes],
            # JSON object keys are strings; from_dict turns them back into ints.
            "segment_paragraph": {str(k): v for k, v in self.segment_paragraph.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path | None = None) -> Alignment:
        """Rebuild an alignment from :meth:`to_dict` output; ``source`` names the file.

        JSON that is not an alignment at all (a chapters file, a transcript)
        is "not an alignment file", whatever its version says; one whose whole
        number version is newer than this toolkit's says so, whatever it holds.
        """
        newer = isinstance(data, dict) and isinstance(data.get("version"), int)
        if newer and data["version"] > SCHEMA_VERSION:
            check_version(data, "alignment", SCHEMA_VERSION, AlignmentError, source)
        if not isinstance(data, dict) or not isinstance(data.get("paragraphs"), list):
            raise AlignmentError(
                "not an alignment file: no 'paragraphs' list (expected an alignment.json "
                "from build or align)",
                source,
                "paragraphs",
            )
        try:
            check_version(data, "alignment", SCHEMA_VERSION, AlignmentError, source)
            return cls(
                version=SCHEMA_VERSION,
                paragraphs=[ParagraphMatch(**p) for p in data["paragraphs"]],
                quotes=[QuoteMatch.from_dict(q) for q in data["quotes"]],
                segment_paragraph={
                    int(k): (None if v is None else int(v))
                    for k, v in data["segment_paragraph"].items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            if isinstance(e, AlignmentError):
                raise
            raise AlignmentError(f"malformed alignment: {e}", source) from e


def _r(x: float) -> float:
    """Round a time or score as stored in an :class:`Alignment`."""
    return round(float(x), 3)
