"""Find quotations in an article's paragraphs and the people who said them."""

from __future__ import annotations

import re

from toolkit.article.model import Paragraph, Quote
from toolkit.article.words import (
    INSTITUTION_WORDS,
    MONTHS,
    SPEECH_VERBS,
    STOP_WORDS,
    TITLES,
    _words,
)

# Quotes shorter than this are scare quotes or names ("vague", "rule of force").
MIN_QUOTE_WORDS = 6

_NAME = r"[A-Z][\w’'.-]*(?:\s+(?:(?:de|da|van|von|der|del|al|bin|le|la)\s+)?[A-Z][\w’'.-]*){0,3}"
_APPOSITIVE = r"(?:\s*,[^“”\".!?]{1,200}?,)?"
_VERB = rf"(?:{SPEECH_VERBS})"
_AFTER_NAME = re.compile(rf"^[\s,]*(?:according to\s+)?(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}\b")
_AFTER_VERB_NAME = re.compile(rf"^[\s,]*{_VERB}\s+(?P<name>{_NAME})")
_AFTER_ACCORDING = re.compile(rf"^[\s,]*according to\s+(?P<name>{_NAME})")
_AFTER_PRONOUN = re.compile(rf"^[\s,]*(?:(?:he|she|they)\s+{_VERB}|{_VERB}\s+(?:he|she))\b")
_BEFORE_NAME = re.compile(
    rf"(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}(?:\s+[a-z][\w’']*){{0,3}}\s*[,:]\s*$"
)
_BEFORE_PRONOUN = re.compile(rf"\b(?:he|she|they)\s+{_VERB}(?:\s+[a-z][\w’']*){{0,3}}\s*[,:]\s*$")
_SUBJECT = re.compile(rf"(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}\b")
_QUOTED = re.compile(r"“(?P<curly>[^“”]+)”|(?<![\w])\"(?P<straight>[^\"]+)\"")


def _person(name: str) -> str | None:
    """Drop titles from ``name``; None when nothing name-like is left."""
    words = [w.rstrip(".") for w in name.split()]
    while words and words[0].lower() in TITLES:
        words = words[1:]
    if not words or words[0].lower() in STOP_WORDS or words[0].lower() in MONTHS:
        return None
    return " ".join(words)


def _canonical(name: str, nouns: list[str]) -> str:
    """Map a surname to the one full name in the article that ends with it."""
    if " " in name:
        return name
    fuller = {
        n
        for n in nouns
        if n.endswith(" " + name)
        and 2 <= len(n.split()) <= 4
        and all(w[:1].isupper() and w.lower() not in INSTITUTION_WORDS for w in n.split())
    }
    return fuller.pop() if len(fuller) == 1 else name


def _speaker(text: str, start: int, end: int, nouns: list[str]) -> tuple[str | None, bool]:
    """Speaker of the quote at ``text[start:end]``; second item: found by a pronoun.

    A quote closed by a full stop is a whole sentence, so the words after it
    start a new sentence and do not attribute it.
    """
    after = text[end:] if not text[start + 1 : end - 1].rstrip().endswith(".") else ""
    before = text[:start]
    for pattern in (_AFTER_ACCORDING, _AFTER_NAME, _AFTER_VERB_NAME):
        m = pattern.match(after)
        if m:
            name = _person(m.group("name"))
            if name:
                return _canonical(name, nouns), False
    if _AFTER_PRONOUN.match(after) or _BEFORE_PRONOUN.search(before):
        found = (_person(m.group("name")) for m in _SUBJECT.finditer(before))
        subjects = [s for s in found if s]
        return (_canonical(subjects[-1], nouns) if subjects else None), True
    m = _BEFORE_NAME.search(before)
    if m:
        name = _person(m.group("name"))
        if name:
            return _canonical(name, nouns), False
    return None, False


def find_quotes(paragraphs: list[Paragraph], nouns: list[str] | None = None) -> list[Quote]:
    """Quotations of at least ``MIN_QUOTE_WORDS`` words, with their speakers.

    Curly and straight double quotes are both read. A speaker is a name
    beside a speech verb ("…,” Ishikane said; said Ishikane; Ishikane said,
    “…”); a pronoun ("she said") is resolved to the last named subject of a
    speech verb before it in the paragraph, or else to the previous quote's
    speaker. A second piece of the same quote inherits the first one's speaker.
    """
    nouns = nouns or []
    quotes: list[Quote] = []
    last_speaker: str | None = None
    for para in paragraphs:
        text = para.text
        prev: tuple[int, str | None] | None = None  # end of previous quote, its speaker
        for m in _QUOTED.finditer(text):
            body = m.group("curly") if m.group("curly") is not None else m.group("straight")
            body = body.strip().rstrip(",;: ")
            if len(_words(body)) < MIN_QUOTE_WORDS:
                continue
            speaker, by_pronoun = _speaker(text, m.start(), m.end(), nouns)
            if by_pronoun and speaker is None:
                speaker = last_speaker
            continued = prev is not None and len(_words(text[prev[0] : m.start()])) <= 20
            if speaker is None and continued and prev is not None:
                speaker = prev[1]
            quotes.append(Quote(body, speaker, para.index))
            prev = (m.end(), speaker)
            if speaker is not None:
                last_speaker = speaker
    return quotes
