"""Feed text to plain text: show notes are HTML in most feeds, plain text in show.toml.

Block elements become paragraphs (blank lines) or lines, a link keeps its
URL after its text, entities are decoded and runs of spaces collapse.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_BLOCKS = {"p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"}
_LINES = {"br", "li", "tr"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[tuple[str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag in _LINES:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self._links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "a" and self._links:
            href, start = self._links.pop()
            text = "".join(self.parts[start:]).strip()
            if href and href.startswith(("http://", "https://", "mailto:")) and href != text:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text of ``html`` (or of plain text, which passes through), tidied."""
    if "<" not in html and "&" not in html:
        text = html
    else:
        parser = _Text()
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)
