"""Read an article file, choosing the parser by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from toolkit.article.html import parse_html
from toolkit.article.markdown import parse_markdown
from toolkit.article.model import Article
from toolkit.article.text import parse_text
from toolkit.errors import ArticleError


def read_article(path: Path) -> Article:
    """Read the article at ``path``, choosing the parser by its suffix.

    ``.txt`` (or any unknown suffix) is text saved from a web page, ``.md`` and
    ``.markdown`` are Markdown, ``.html`` and ``.htm`` are HTML. Raises
    :class:`ArticleError` when the file is missing, unreadable, empty, or
    holds no article text.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise ArticleError("article file not found", path) from e
    except OSError as e:
        raise ArticleError(f"cannot read article: {e}", path) from e
    if not raw.strip():
        raise ArticleError("article file is empty", path)

    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        article = parse_html(raw, source=path)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ArticleError(f"article is not UTF-8 text: {e}", path) from e
        if suffix in (".md", ".markdown"):
            article = parse_markdown(text, source=path)
        elif suffix not in (".txt", ".text") and text.lstrip().startswith("<"):
            article = parse_html(text, source=path)
        else:
            article = parse_text(text, source=path)
    if not article.paragraphs:
        raise ArticleError("no article text found", path)
    return article
