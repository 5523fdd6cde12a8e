"""Assemble an :class:`Article` from parsed paragraphs, adding quotes and proper nouns."""

from __future__ import annotations

from pathlib import Path

from toolkit.article.model import Article, Dropped, Paragraph
from toolkit.article.nouns import find_proper_nouns
from toolkit.article.quotes import find_quotes


def _finish(
    title: str | None,
    byline: str | None,
    date: str | None,
    url: str | None,
    paragraphs: list[Paragraph],
    source: Path | None,
    dropped: list[Dropped] | None = None,
) -> Article:
    """Number the paragraphs and add the quotes and proper nouns; ``dropped``
    records the blocks the parser left out."""
    for i, p in enumerate(paragraphs):
        p.index = i
    nouns = find_proper_nouns(p.text for p in paragraphs)
    return Article(
        title=title,
        byline=byline,
        date=date,
        url=url,
        paragraphs=paragraphs,
        quotes=find_quotes(paragraphs, nouns),
        proper_nouns=nouns,
        source=Path(source) if source is not None else None,
        dropped=list(dropped or []),
    )
