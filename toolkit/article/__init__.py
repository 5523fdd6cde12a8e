"""Read an episode's related article: paragraphs, quotes and proper nouns.

An article arrives in one of three shapes, chosen by the file's suffix:

* ``.txt``: text saved from a web page, boilerplate and all. General block
  rules in the spirit of jusText classify each line (length, sentence-ending
  punctuation, stop-word density, link and label patterns, key-value fact
  boxes, and the named boilerplate rules) and the longest contiguous run of
  content is kept. No rule names a site.
* ``.md`` / ``.markdown``: front matter and ``#`` headings give the metadata
  and section headings; markdown-it-py gives the paragraph text.
* ``.html`` / ``.htm``: trafilatura extracts the main content and metadata.

Every shape then passes the named rules of ``boilerplate`` (photo captions
and credits, advertisement markers, share, follow, subscribe and newsletter
prompts, author bios, related links, comment, cookie, copyright and tag
blocks, publication trailers, pull quotes); ``Article.dropped`` lists each
block left out with the rule that left it out (a record of the parse, not
saved). Quotes and proper nouns are found afterwards by plain rules, the same
for every shape. An :class:`Article` is saved as versioned JSON like the
transcript.

The package keeps one job to a module: ``model`` (the dataclasses and their
JSON), ``words`` (shared word lists and text helpers), ``boilerplate`` (the
named rules for blocks that are not the story), ``text``, ``markdown``
and ``html`` (one parser per shape), ``quotes``, ``nouns``, ``assemble``
(numbering paragraphs and adding quotes and nouns) and ``reader`` (choosing
the parser).
"""

from __future__ import annotations

from toolkit.article.html import parse_html
from toolkit.article.markdown import parse_markdown
from toolkit.article.model import SCHEMA_VERSION, Article, Dropped, Paragraph, Quote
from toolkit.article.nouns import find_proper_nouns
from toolkit.article.quotes import MIN_QUOTE_WORDS, find_quotes
from toolkit.article.reader import read_article
from toolkit.article.text import parse_text

__all__ = [
    "MIN_QUOTE_WORDS",
    "SCHEMA_VERSION",
    "Article",
    "Dropped",
    "Paragraph",
    "Quote",
    "find_proper_nouns",
    "find_quotes",
    "parse_html",
    "parse_markdown",
    "parse_text",
    "read_article",
]
