"""Assemble an :class:`Article` from parsed paragraphs, adding quotes and proper nouns."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.article.model import Article, Dropped, Paragraph
from toolkit.article.nouns import find_proper_nouns
from toolkit.article.quotes import find_quotes

#: An article's own URL, as the page, the notes and the feed may link to it: an
#: absolute http(s) URL with nothing that could end an attribute or a link.
_PUBLIC_URL = re.compile(r"https?://[^\s<>\"'`\\\x00-\x1f\x7f]+", re.I)


def public_url(url: str | None) -> str | None:
    """``url`` stripped, when it is an absolute http(s) URL; else None.

    What a page's canonical link, a Markdown front matter's ``url`` or a
    saved page's header gives may be anything (``javascript:alert(1)``,
    ``data:...``, a relative path): it is dropped, not published.
    """
    text = url.strip() if isinstance(url, str) else ""
    return text if _PUBLIC_URL.fullmatch(text) else None


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
    records the blocks the parser left out. A ``url`` that is not an absolute
    http(s) URL is dropped (:func:`public_url`)."""
    for i, p in enumerate(paragraphs):
        p.index = i
    nouns = find_proper_nouns(p.text for p in paragraphs)
    return Article(
        title=title,
        byline=byline,
        date=date,
        url=public_url(url),
        paragraphs=paragraphs,
        quotes=find_quotes(paragraphs, nouns),
        proper_nouns=nouns,
        source=Path(source) if source is not None else None,
        dropped=list(dropped or []),
    )
