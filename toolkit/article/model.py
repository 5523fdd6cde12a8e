"""The article data model: paragraphs, quotes and their versioned JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.datafile import check_version
from toolkit.errors import ArticleError

SCHEMA_VERSION = 1


@dataclass
class Quote:
    text: str
    speaker: str | None
    paragraph: int


@dataclass
class Paragraph:
    index: int
    text: str
    heading: str | None = None


@dataclass
class Dropped:
    """A block of the page left out of the article, and the rule that left it out.

    ``rule`` is a rule of :mod:`toolkit.article.boilerplate` ("caption",
    "credit", "newsletter", ...) or one of a parser's own reasons, such as
    "outside-story" for text before or after a saved page's story.
    """

    text: str
    rule: str


@dataclass
class Article:
    title: str | None
    byline: str | None
    date: str | None
    url: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    proper_nouns: list[str] = field(default_factory=list)
    source: Path | None = None
    #: What the parser left out and why: a record of this parse for people and
    #: tests. It is not saved in the JSON (a page's comment threads and sign-up
    #: boxes have no place in the published article.json), so an article read
    #: back has none, and two articles compare equal whatever they dropped.
    dropped: list[Dropped] = field(default_factory=list, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The kept paragraphs joined by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "url": self.url,
            "paragraphs": [
                {"index": p.index, "text": p.text, "heading": p.heading} for p in self.paragraphs
            ],
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "paragraph": q.paragraph}
                for q in self.quotes
            ],
            "proper_nouns": list(self.proper_nouns),
            "source": str(self.source) if self.source is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path | None = None) -> Article:
        """Rebuild an article from :meth:`to_dict` output; ``source`` names the file."""
        try:
            check_version(data, "article", SCHEMA_VERSION, ArticleError, source)
            stored = data.get("source")
            return cls(
                title=data.get("title"),
                byline=data.get("byline"),
                date=data.get("date"),
                url=data.get("url"),
                paragraphs=[Paragraph(**p) for p in data["paragraphs"]],
                quotes=[Quote(**q) for q in data.get("quotes", [])],
                proper_nouns=list(data.get("proper_nouns", [])),
                source=Path(stored) if stored else source,
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise ArticleError(f"malformed article: {e}", source) from e
