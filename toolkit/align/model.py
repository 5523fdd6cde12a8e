"""The alignment data model: paragraph and quote matches and their versioned JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.datafile import check_version
from toolkit.errors import AlignmentError

SCHEMA_VERSION = 1


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
    #: For "near": one line per difference, e.g. ``article 'twenty' / heard 'ten'``.
    differences: list[str] = field(default_factory=list)


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
        """Rebuild an alignment from :meth:`to_dict` output; ``source`` names the file."""
        try:
            check_version(data, "alignment", SCHEMA_VERSION, AlignmentError, source)
            return cls(
                version=SCHEMA_VERSION,
                paragraphs=[ParagraphMatch(**p) for p in data["paragraphs"]],
                quotes=[QuoteMatch(**q) for q in data["quotes"]],
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
