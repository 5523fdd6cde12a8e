"""Parse a Markdown article: front matter and headings via markdown-it-py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from toolkit.article import boilerplate
from toolkit.article.assemble import _finish
from toolkit.article.model import Article, Dropped, Paragraph
from toolkit.article.words import _clean, _find_date


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading ``---`` block of ``key: value`` lines from the body."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if not m:
            continue  # nested or continued values are not needed here
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[m.group(1).lower()] = value
    return meta, "\n".join(lines[end + 1 :])


def _inline_text(token: Any) -> tuple[str, bool]:
    """Plain text of an inline token and whether it is only links or images."""
    parts: list[str] = []
    in_link = 0
    outside = False
    for child in token.children or []:
        kind = child.type
        if kind == "link_open":
            in_link += 1
        elif kind == "link_close":
            in_link -= 1
        elif kind in ("text", "code_inline"):
            parts.append(child.content)
            if not in_link and child.content.strip():
                outside = True
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
    text = _clean("".join(parts))
    return text, not outside


def parse_markdown(text: str, source: Path | None = None) -> Article:
    """Parse a Markdown article with optional ``---`` front matter.

    The title comes from the front matter or the first ``#`` heading; deeper
    headings become each paragraph's ``heading``. Code blocks, images, raw HTML
    and paragraphs that are only links are dropped; inline markup is stripped.
    Captions, credits, prompts, bios and the like are dropped by the rules of
    :mod:`toolkit.article.boilerplate`, as is everything under a heading those
    rules drop ("Related posts", "About the author"); ``Article.dropped``
    lists what was left out.
    """
    from markdown_it import MarkdownIt

    meta, body = _front_matter(text)
    title = meta.get("title") or None
    byline = meta.get("author") or meta.get("authors") or meta.get("byline") or None
    if byline:
        byline = byline.strip("[]").replace('"', "").replace("'", "") or None
    date = _find_date(meta.get("date", ""))
    url = meta.get("url") or meta.get("canonical_url") or meta.get("permalink") or None

    tokens = MarkdownIt("commonmark").parse(body)
    blocks: list[Paragraph] = []
    sections: list[str | None] = []
    dropped: list[Dropped] = []
    heading: str | None = None
    section: str | None = None  # the rule that drops the heading above, if any
    pending_heading: int | None = None
    for token in tokens:
        if token.type == "heading_open":
            pending_heading = int(token.tag[1])
        elif token.type == "inline" and pending_heading is not None:
            words, _ = _inline_text(token)
            if pending_heading == 1 and not blocks and (title is None or words == title):
                title = title or words
            elif words:
                section = boilerplate.match(words)
                if section is None:
                    heading = words
                else:
                    dropped.append(Dropped(words, section))
            pending_heading = None
        elif token.type == "inline":
            words, only_links = _inline_text(token)
            if words and only_links:
                dropped.append(Dropped(words, "links"))
            elif words:
                blocks.append(Paragraph(0, words, heading))
                sections.append(section)
    reasons = boilerplate.sift([b.text for b in blocks], sections)
    paragraphs = [b for b, why in zip(blocks, reasons, strict=True) if why is None]
    dropped += [Dropped(b.text, why) for b, why in zip(blocks, reasons, strict=True) if why]
    return _finish(title, byline, date, url, paragraphs, source, dropped)
