"""What a page, the notes and the feed may carry of the HTML and URLs a show gives.

Two functions, and nothing else in the toolkit decides this:

- :func:`sanitize_html`: an HTML fragment made from the show's input (a
  description's Markdown, rendered) kept to an allow-list of tags,
  attributes and URL schemes by nh3 (the ammonia sanitiser). Scripts,
  styles, frames, forms, images, event handlers and ``javascript:`` links
  do not survive it; every link gets ``rel="noopener noreferrer"``.
- :func:`safe_url`: a URL for an ``href`` or ``src``: a relative one, or
  http, https, mailto or podcast; anything else (``javascript:``,
  ``data:``, ``vbscript:``, in any case, behind entities, tabs or spaces)
  becomes ``""``. The templates pass every ``href`` and ``src`` through it
  (the ``safe_url`` filter), so a bad URL that reaches a template is
  harmless whatever let it through.
"""

from __future__ import annotations

import html
import re

import nh3

__all__ = ["ALLOWED_TAGS", "LINK_SCHEMES", "URL_SCHEMES", "safe_url", "sanitize_html"]

#: What Markdown makes that a description may keep: text structure and links.
#: No images (a page loads nothing from elsewhere), no tables, no raw HTML.
ALLOWED_TAGS = frozenset(
    {
        "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
#: Tags removed with everything inside them (the others keep their text).
_DROPPED_WHOLE = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
    "textarea",
}
#: The schemes a link in sanitised HTML may have (relative links are kept).
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: The schemes :func:`safe_url` keeps: those, and ``podcast:``, which only opens
#: a podcast app (the pages' "Open in a podcast app" link).
URL_SCHEMES = LINK_SCHEMES | {"podcast"}

#: What a browser ignores in a URL, or might: ASCII controls and spaces, DEL,
#: and the Unicode spaces, joiners and marks that make ``java\u200bscript:``.
_IGNORED = re.compile(
    "[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _scheme(url: str) -> str | None:
    """The scheme a browser would read at the start of ``url``, lower case; None: relative."""
    m = _SCHEME.match(_IGNORED.sub("", url))
    return m.group(1).lower() if m else None


def safe_url(url: object) -> str:
    """``url`` when it is relative or http(s), mailto or podcast; else ``""``.

    The scheme is read as a browser reads it, after removing what it ignores
    (tabs, newlines, leading spaces and controls), and again after decoding
    HTML entities (``&#106;avascript:``), for a reader that decodes twice. A
    URL that passes is returned as it was given.
    """
    text = "" if url is None else str(url)
    for candidate in (text, html.unescape(text)):
        scheme = _scheme(candidate)
        if scheme is not None and scheme not in URL_SCHEMES:
            return ""
    return text


def sanitize_html(fragment: str) -> str:
    """``fragment`` kept to :data:`ALLOWED_TAGS`, with links of :data:`LINK_SCHEMES`.

    Other tags are removed and their text kept (scripts, styles and frames
    with their content), every attribute but a link's ``href`` and
    ``title`` and a list's ``start`` is dropped, a link to any other scheme
    loses its ``href``, and each link gets ``rel="noopener noreferrer"``.
    A relative link with a colon in its first segment
    (``[x](javascript:alert(1))``) loses its ``href`` too: a browser reads no
    scheme there, but such a link is malformed (RFC 3986 writes it ``./a:b``)
    and a reader that parses URLs less strictly might find one.
    """
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_DROPPED_WHOLE,
        attributes=_ATTRIBUTES,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_unambiguous_link,
    )


def _unambiguous_link(tag: str, attribute: str, value: str) -> str | None:
    """A link's ``href`` unless a colon comes before its first ``/``, ``?`` or ``#``
    and it does not start with one of :data:`LINK_SCHEMES`."""
    if attribute != "href":
        return value
    first = re.split(r"[/?#]", _IGNORED.sub("", value), maxsplit=1)[0]
    if ":" in first and _scheme(value) not in LINK_SCHEMES:
        return None
    return value
