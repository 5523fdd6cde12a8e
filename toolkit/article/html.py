"""Parse an HTML article: trafilatura extracts the main content and metadata."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

from toolkit.article import boilerplate
from toolkit.article.assemble import _finish
from toolkit.article.model import Article, Dropped, Paragraph
from toolkit.article.words import _clean, _find_date

if TYPE_CHECKING:
    from trafilatura.settings import Document


def parse_html(html: str | bytes, source: Path | None = None) -> Article:
    """Parse an HTML page, keeping only its main content (via trafilatura).

    Navigation, headers and footers, scripts, cookie banners, asides and
    figure captions are left out by trafilatura; ``<h2>``-and-deeper headings
    become each paragraph's ``heading``. What trafilatura lets through as plain
    paragraphs ("Advertisement", "Image: ...", "Read more: ...", a sign-up
    line, a share bar, a pull quote, the author's bio, a tag list) is dropped
    by the rules of :mod:`toolkit.article.boilerplate`, as is everything under
    a heading those rules drop ("Related stories", "About the author");
    ``Article.dropped`` lists it.
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

    blocks: list[Paragraph] = []
    sections: list[str | None] = []
    dropped: list[Dropped] = []
    heading: str | None = None
    section: str | None = None  # the rule that drops the heading above, if any
    body = doc.body
    for element in body if body is not None else []:
        tag = element.tag
        text = _clean("".join(element.itertext()))
        if not text:
            continue
        if tag == "head":
            if text != title:
                section = boilerplate.match(text)
                if section is None:
                    heading = text
                else:
                    dropped.append(Dropped(text, section))
        elif tag == "list":
            for item in element.iter("item"):
                item_text = _clean("".join(item.itertext()))
                if item_text:
                    blocks.append(Paragraph(0, item_text, heading))
                    sections.append(section)
        elif tag in ("p", "quote"):
            blocks.append(Paragraph(0, text, heading))
            sections.append(section)
    reasons = boilerplate.sift([b.text for b in blocks], sections)
    paragraphs = [b for b, why in zip(blocks, reasons, strict=True) if why is None]
    dropped += [Dropped(b.text, why) for b, why in zip(blocks, reasons, strict=True) if why]
    return _finish(title, byline, date, url, paragraphs, source, dropped)
