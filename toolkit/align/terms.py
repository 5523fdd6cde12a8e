"""Content terms for TF-IDF: normalised tokens less stop words, lightly stemmed."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from toolkit.align.normalise import normalise_words

#: How alike (0-1, by letters) a transcribed term must be to a name to be read as it.
_RESPELL_SIMILARITY = 0.75
#: Shorter terms are too easily alike ("pond" / "pound") to be respelled.
_RESPELL_MIN_LENGTH = 4


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


def _text_terms(text: str) -> list[str]:
    """The content terms of a piece of written text."""
    return _content_terms(normalise_words(text.split()).tokens)


def _name_terms(names: list[str]) -> list[str]:
    """The terms of an article's proper nouns that are long enough to respell towards."""
    out = {
        term
        for name in names
        for term in _text_terms(name)
        if len(term) >= _RESPELL_MIN_LENGTH and not term.isdigit()
    }
    return sorted(out)


def _respell(terms: list[str], capital: list[bool], known: set[str], names: list[str]) -> list[str]:
    """Take transcribed terms that the article never uses for the name they resemble.

    Whisper misspells names it has rarely heard, though it still writes them
    with a capital ("VPRK" for "DPRK", "Kibitiro" for "Kimihiro"). A term
    written with a capital (``capital``) that occurs nowhere in the article
    (``known``) but is within about a letter in four of one of its proper
    nouns' terms (``names``) is taken for that name, so it still counts
    towards the paragraphs that name it. Lower-case words are left alone: "past"
    is not a misheard "East".
    """
    if not names:
        return terms
    fixed: dict[str, str | None] = {}
    out = list(terms)
    for k, term in enumerate(terms):
        if not capital[k] or term in known or len(term) < _RESPELL_MIN_LENGTH or term.isdigit():
            continue
        if term not in fixed:
            hit = process.extractOne(
                term,
                names,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=_RESPELL_SIMILARITY,
            )
            fixed[term] = None if hit is None else hit[0]
        out[k] = fixed[term] or term
    return out


def _identity(doc: list[str]) -> list[str]:
    return doc
