"""Find proper nouns (names, places, acronyms) in an article's paragraphs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from toolkit.article.words import (
    ABBREVIATIONS,
    CONNECTORS,
    INSTITUTION_WORDS,
    MONTHS,
    NAME_PARTICLES,
    STOP_WORDS,
    TITLES,
    WEEKDAYS,
)

_TOKEN = re.compile(r"[^\W_][\w’'-]*")
_DOTTED_ACRONYM = re.compile(r"\b((?:[A-Z]\.){2,})")


@dataclass
class _Token:
    text: str  # possessive ending removed
    raw: str  # as written, possessive included
    start: bool  # opens a sentence (or a quotation, or follows a colon)
    breaks_before: bool  # punctuation separates it from the previous word
    breaks_after: bool = False  # a hyphenated tail ("Tokyo-based") ends the name here
    possessive: bool = False


def _tokens(text: str) -> Iterator[_Token]:
    """Words of ``text`` with sentence starts and name breaks marked."""
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(1).replace(".", "") + ".", text)
    prev_end = 0
    prev_word = ""
    for m in _TOKEN.finditer(text):
        gap = text[prev_end : m.start()]
        word = raw = m.group(0)
        prev_initial = len(prev_word) == 1 and prev_word.isupper()
        abbreviation = prev_word.lower() in ABBREVIATIONS or prev_initial
        ends_sentence = bool(re.search(r"[.!?…]", gap)) and not (
            abbreviation and re.fullmatch(r"\.\s*", gap)
        )
        start = prev_end == 0 or ends_sentence or bool(re.search(r"[:“\"(\[—–]\s*$", gap))
        soft = re.fullmatch(r"\s*", gap) or (
            (prev_word.lower() in TITLES or prev_initial) and re.fullmatch(r"\.\s*", gap)
        )
        prev_end, prev_word = m.end(), raw
        possessive = re.search(r"[’']s?$", word)
        if possessive:
            word = word[: possessive.start()]
        breaks_after = False
        parts = word.split("-")
        if len(parts) > 1 and not all(p[:1].isupper() or p.isdigit() for p in parts if p):
            lead = []
            for p in parts:
                if not p[:1].isupper():
                    break
                lead.append(p)
            if lead:
                word, breaks_after = "-".join(lead), True
        if word:
            yield _Token(word, raw, start, not soft, breaks_after, bool(possessive))


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and not word.isdigit()


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(word) >= 2 and bool(letters) and all(c.isupper() for c in letters)


def find_proper_nouns(paragraphs: Iterable[str]) -> list[str]:
    """Names, places and acronyms in ``paragraphs``, most frequent first.

    A name is a run of capitalised words (with "of"/"for" inside an
    institution's name and particles such as "de"); titles and leading
    function words are dropped. A lone capitalised word at the start of a
    sentence counts only when the text also capitalises it mid-sentence.
    """
    texts = list(paragraphs)
    token_lists = [list(_tokens(t)) for t in texts]
    lower_words = {
        m.group(0).lower() for t in texts for m in _TOKEN.finditer(t) if m.group(0).islower()
    }
    mid_caps = {
        tok.text for toks in token_lists for tok in toks if _is_cap(tok.text) and not tok.start
    }

    def function_word(word: str) -> bool:
        """Stop words, months and weekdays ("Sundays" too); acronyms never are."""
        low = word.lower()
        if _is_acronym(word):
            return False
        return low in STOP_WORDS or low in MONTHS or low.rstrip("s") in WEEKDAYS

    def common(word: str) -> bool:
        """A word the text also writes in lower case, or a function word."""
        return function_word(word) or (word.lower() in lower_words and not _is_acronym(word))

    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    spelled: dict[str, str] = {}

    def add(run: list[_Token]) -> None:
        words = [t.text for t in run]
        # Function words, titles and a sentence's opening common word start no name.
        while words and (
            function_word(words[0])
            or (words[0].lower() in TITLES and not _is_acronym(words[0]))
            or (run[0].start and common(words[0]))
        ):
            run, words = run[1:], words[1:]
            if run:  # the next word no longer opens the sentence
                run[0] = _Token(run[0].text, run[0].raw, False, False)
        while words and words[-1].lower() in CONNECTORS | NAME_PARTICLES:
            run, words = run[:-1], words[:-1]
        if not words:
            return
        if len(words) == 1:
            word = words[0]
            if len(word) < 2:
                return
            if run[0].start and not _is_acronym(word) and word not in mid_caps:
                return
        name = " ".join(words)
        key = name.lower()
        counts[key] += 1
        first_seen.setdefault(key, len(first_seen))
        spelled.setdefault(key, name)

    for toks in token_lists:
        run: list[_Token] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            next_joins = nxt is not None and not nxt.breaks_before and _is_cap(nxt.text)
            if _is_cap(tok.text) and (not run or not tok.breaks_before):
                if tok.possessive:
                    # "Women's Forum", "People's Republic" go on; "Japan's envoy" ends.
                    inner = tok.text.lower() in lower_words or len(run) >= 1
                    if next_joins and inner:
                        run.append(_Token(tok.raw, tok.raw, tok.start, tok.breaks_before))
                    else:
                        add([*run, tok])
                        run = []
                else:
                    run.append(tok)
                    if tok.breaks_after:
                        add(run)
                        run = []
                i += 1
                continue
            # "of"/"for" inside an institution's name, particles inside a person's.
            low = tok.text.lower()
            joins = (
                run
                and not tok.breaks_before
                and next_joins
                and (
                    (low in CONNECTORS and run[-1].text.lower() in INSTITUTION_WORDS)
                    or low in NAME_PARTICLES
                )
            )
            if joins:
                run.append(tok)
                i += 1
                continue
            if run:
                add(run)
                run = []
            if not _is_cap(tok.text):
                i += 1
        if run:
            add(run)

    ranked = sorted(counts, key=lambda k: (-counts[k], first_seen[k]))
    return [spelled[k] for k in ranked]
