"""Parse an HTML article: trafilatura extracts the main content and metadata."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

from toolkit.article.assemble import _finish
from toolkit.article.model import Article, Paragraph
from toolkit.article.words import _clean, _find_date

if TYPE_CHECKING:
    from trafilatura.settings import Document


def parse_html(html: str | bytes, source: Path | None = None) -> Article:
    """Parse an HTML page, keeping only its main content (via trafilatura).

    Navigation, headers and footers, scripts, cookie banners, asides and
    figure captions are left out by trafilatura; ``<h2>``-and-deeper headings
    become each paragraph's ``heading``.
    """
    import trafilatura

    # A Document, not a dict: as_dict is left False (trafilatura 2).
    doc = cast(
        "Document | None",
        trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=False,
            include_images=False,
            with_metadata=True,
        ),
    )
    if doc is None:
        return _finish(None, None, None, None, [], source)
    title = _clean(doc.title) if doc.title else None
    if title and doc.sitename:  # "Headline | Site Name" when the page has no og:title
        title = re.sub(rf"\s*[|–—-]\s*{re.escape(_clean(doc.sitename))}$", "", title) or title
    byline = _clean(doc.author) if doc.author else None
    date = _find_date(doc.date) if doc.date else None
    url = doc.url or None

    paragraphs: list[Paragraph] = []
    heading: str | None = None
    body = doc.body
    for element in body if body is not None else []:
        tag = element.tag
        text = _clean("".join(element.itertext()))
        if not text:
            continue
        if tag == "head":
            if text != title:
                heading = text
        elif tag == "list":
            for item in element.iter("item"):
                item_text = _clean("".join(item.itertext()))
                if item_text:
                    paragraphs.append(Paragraph(0, item_text, heading))
        elif tag in ("p", "quote"):
            paragraphs.append(Paragraph(0, text, heading))
    return _finish(title, byline, date, url, paragraphs, source)
