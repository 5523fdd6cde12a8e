"""Content terms for TF-IDF: normalised tokens less stop words, lightly stemmed."""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS


def _stem(tok: str) -> str:
    """A light suffix stripper, so "sanctions"/"sanctioned" meet "sanction"."""
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if tok.endswith("sses"):
        return tok[:-2]
    if len(tok) > 5 and tok.endswith("ing"):
        return tok[:-3]
    if len(tok) > 4 and tok.endswith("ed"):
        return tok[:-2]
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def _content_term(tok: str) -> str | None:
    """The term TF-IDF sees for a token, or None for stop words and small numbers."""
    if tok in ENGLISH_STOP_WORDS or (len(tok) < 2 and not tok.isdigit()):
        return None
    if tok.isdigit() and int(tok) < 10:  # "one" is usually a pronoun, not a figure
        return None
    return _stem(tok)


def _content_terms(tokens: list[str]) -> list[str]:
    return [term for term in map(_content_term, tokens) if term is not None]


def _identity(doc: list[str]) -> list[str]:
    return doc
