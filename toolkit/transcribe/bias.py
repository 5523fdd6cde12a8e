"""The article's names into decoding: a prompt or hotwords, and when to use them.

Whisper misspells names it has rarely seen ("Ishikani", "Kuma Kai", "VPRK").
The episode's article spells them right, so decoding is biased towards them:
:func:`prompt_for` turns the article's proper nouns into a decoding prompt for
openai-whisper (``initial_prompt`` with ``carry_initial_prompt=True``, so every
30 s window sees it) and :func:`hotwords_for` into faster-whisper's
``hotwords``; :func:`biased_options` puts them into a
:class:`~toolkit.transcribe.options.TranscribeOptions`. Rare names and acronyms
go first; words every English speaker knows are left out. Not every model
gains from it (:func:`bias_by_default`), and a biased pass can skip speech:
the runner decodes what it skipped again, unbiased
(:func:`toolkit.transcribe.run.choose`). The names are corrected afterwards
either way (:mod:`toolkit.transcribe.names`).

Which words are "common" is decided with Whisper's own GPT-2 vocabulary: a
lower-case word that is a single token there is an everyday English word
("council", "islands"), while a name the model has rarely seen breaks into
several pieces ("Ish|ik|ane"). whisper (and so torch) is imported on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from toolkit.article.words import STOP_WORDS
from toolkit.transcribe.options import TranscribeOptions, is_tiny

if TYPE_CHECKING:
    from toolkit.article import Article
    from toolkit.transcribe.options import Span
    from toolkit.transcribe.transcript import Transcript

__all__ = [
    "POSSESSIVE",
    "PROMPT_MAX_TOKENS",
    "bias_by_default",
    "biased_options",
    "byline_names",
    "clean_name",
    "count_tokens",
    "hotwords_for",
    "is_acronym",
    "is_common_word",
    "is_distinctive",
    "is_rare_name",
    "letters",
    "prompt_copies",
    "prompt_for",
    "prompt_terms",
    "terms_for",
    "with_names",
]

PROMPT_MAX_TOKENS = 120
"""Default prompt length. Whisper keeps at most 223 prompt tokens per window
(half its 448-token context); a carried prompt shorter than that leaves the
rest for the previous window's text, which keeps decoding fluent."""

#: A possessive ending ("'s", "’s", a bare "'"), which does not change the name.
POSSESSIVE = re.compile(r"['’]s?$")

# --- Tokens and common words ----------------------------------------------------


@lru_cache(maxsize=1)
def _encodings() -> tuple[Any, Any]:
    """Whisper's two tokenizers' encodings: GPT-2 (English models) and multilingual."""
    from whisper.tokenizer import get_encoding

    return get_encoding("gpt2"), get_encoding("multilingual")


def count_tokens(text: str) -> int:
    """How many tokens Whisper spends on ``text`` as a prompt, whichever model.

    Whisper encodes a prompt as ``" " + text.strip()``; the English-only and
    multilingual vocabularies differ slightly, so the larger count is returned.
    """
    return max(len(enc.encode(" " + text.strip())) for enc in _encodings())


@lru_cache(maxsize=4096)
def _pieces(word: str) -> int:
    """GPT-2 tokens in ``" " + word``: 1 for words the model knows well.

    A possessive is not counted, and a hyphenated word counts its worst part.
    """
    word = POSSESSIVE.sub("", word.replace("’", "'")) if len(word) > 2 else word
    parts = [p for p in word.split("-") if p] or [word]
    return max(len(_encodings()[0].encode(" " + p)) for p in parts)


def is_common_word(word: str) -> bool:
    """Whether ``word`` is an everyday English word rather than a name.

    Stop words, numbers, and words that GPT-2 writes in lower case as a single
    token ("council", "islands", "revolution") are common, and so is a
    hyphenated word made of common words ("long-range").
    """
    low = word.lower().replace("’", "'")
    if "-" in low.strip("-"):  # "six-party", "long-range"
        return all(is_common_word(part) for part in low.split("-") if part)
    key = letters(low)
    if not key or key.isdigit() or low in STOP_WORDS or key in STOP_WORDS:
        return True
    return key.isalpha() and _pieces(key) == 1


def letters(text: str) -> str:
    """Lower-case letters and digits only: the form spellings are compared in."""
    return "".join(c for c in text.lower() if c.isalnum())


def is_acronym(word: str) -> bool:
    """Whether ``word`` is written in capitals, two letters or more ("DPRK", "UN")."""
    found = [c for c in word if c.isalpha()]
    return len(found) >= 2 and all(c.isupper() for c in found)


# --- Terms for biasing --------------------------------------------------------------


def clean_name(noun: str) -> str:
    """A proper noun as the article's names are compared: straight apostrophes, no padding."""
    return noun.replace("’", "'").strip()


def is_rare_name(term: str) -> bool:
    """A name Whisper is likely to misspell: a word it splits, or an acronym of 3+ letters."""
    words = term.split()
    return any(_pieces(w) >= 2 for w in words) or any(is_acronym(w) and len(w) >= 3 for w in words)


def is_distinctive(term: str) -> bool:
    """Whether a name has a word that is not common: False for "Security Council", "East"."""
    return any(not is_common_word(w) for w in term.split())


def terms_for(article: Article, people: Sequence[str] = ()) -> list[str]:
    """The article's names worth biasing decoding toward, most useful first.

    ``people``, the show's own hosts and guests, come first of all: they are
    spoken in every episode, and their names must not be left out for lack
    of room. (The prompt writes them last: at the head of the prompt, base
    wrote the host's name where another name it could not make out was said.)
    Names made of common words only are dropped, as is a name whose words all
    appear in a longer name that is kept ("Ishikane" in "Kimihiro Ishikane";
    the longer one takes the better rank). Rare names and acronyms come first,
    then well-known names, each group in the article's order of frequency.
    """
    nouns = [clean_name(n) for n in article.proper_nouns]
    nouns = [n for n in dict.fromkeys(nouns) if n and is_distinctive(n)]
    word_sets = {n: set(n.split()) for n in nouns}
    kept: list[str] = []
    for noun in nouns:
        longer = [
            m
            for m in nouns
            if len(word_sets[m]) > len(word_sets[noun]) and word_sets[noun] <= word_sets[m]
        ]
        term = longer[0] if longer else noun  # the most frequent longer form
        if term not in kept:
            kept.append(term)
    first = [clean_name(p) for p in people if clean_name(p)]
    kept = [t for t in kept if t not in first]
    rare = [t for t in kept if is_rare_name(t)]
    return list(dict.fromkeys(first)) + rare + [t for t in kept if t not in rare]


def _fit(terms: Iterable[str], max_tokens: int, end: str, last: int = 0) -> str:
    """Join ``terms`` with commas, as many as fit in ``max_tokens`` in order.

    The first ``last`` terms are taken first but written at the end.
    """
    terms = list(terms)
    chosen: list[str] = []
    for term in terms:
        candidate = ", ".join([*chosen, term]) + end
        if count_tokens(candidate) <= max_tokens:
            chosen.append(term)
    kept_last = [t for t in chosen if t in terms[:last]]
    chosen = [t for t in chosen if t not in kept_last] + kept_last
    return ", ".join(chosen) + end if chosen else ""


def _people(people: Sequence[str]) -> int:
    return len({clean_name(p) for p in people if clean_name(p)})


def prompt_for(
    article: Article, max_tokens: int = PROMPT_MAX_TOKENS, people: Sequence[str] = ()
) -> str:
    """A decoding prompt listing the article's names, spelled as the article does.

    Pass it as openai-whisper's ``initial_prompt`` with
    ``carry_initial_prompt=True``. It is at most ``max_tokens`` Whisper tokens
    (with either vocabulary); names that don't fit are left out, least useful
    first. An article without names gives "".
    """
    return _fit(terms_for(article, people), max_tokens, ".", last=_people(people))


def hotwords_for(
    article: Article, max_tokens: int = PROMPT_MAX_TOKENS, people: Sequence[str] = ()
) -> str:
    """The same names for faster-whisper's ``hotwords`` (which it repeats in every window)."""
    return _fit(terms_for(article, people), max_tokens, "", last=_people(people))


# "By", "Words by", "Interview by", "Reporting by" before a byline's names.
_BYLINE_LEAD = re.compile(r"^\s*(?:(?:[A-Z][a-z]+\s+){0,2}by|from)\s+", re.IGNORECASE)
_BYLINE_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bwith\b|\|)\s*")
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")


def byline_names(byline: str | None) -> list[str]:
    """The people an article's byline names: "By Lena Vos and Tomas Reis" -> both.

    A part counts as a name when it has two to four words, each capitalised
    (so "Staff reporter", "Reuters" and an e-mail address are not names).
    """
    if not byline:
        return []
    text = _BYLINE_LEAD.sub("", clean_name(byline))
    names = []
    for part in _BYLINE_SPLIT.split(text):
        words = part.strip(" .").split()
        if 2 <= len(words) <= 4 and all(_NAME_WORD.match(w) for w in words):
            names.append(" ".join(words))
    return list(dict.fromkeys(names))


def with_names(article: Article | None, names: Sequence[str]) -> Article | None:
    """The article with the show's own ``names`` (its hosts and guests) first among its names.

    Decoding is biased towards them and their near misses are corrected, as
    for the article's names. The people its byline names join them last
    (:func:`byline_names`): a host who discusses an article says who wrote
    it ("a blog post by Morwenna Tregear"), and a byline is not in the text
    the article's names are found in; an author the text names keeps its
    place, so the prompt is what it was. With no article, an article of the
    names alone; None when there is neither. The article itself is left
    unchanged.
    """
    people = [clean_name(n) for n in names if clean_name(n)]
    authors = byline_names(article.byline) if article is not None else []
    if not people and not authors:
        return article
    from toolkit.article import Article as _Article

    base = article or _Article(title=None, byline=None, date=None, url=None)
    nouns = list(dict.fromkeys([*people, *base.proper_nouns, *authors]))
    return replace(base, proper_nouns=nouns)


# --- The prompt copied ----------------------------------------------------------------


def prompt_terms(prompt: str) -> list[str]:
    """The names a prompt from :func:`prompt_for` or :func:`hotwords_for` lists, in its order."""
    terms = (t.strip().rstrip(".").strip() for t in prompt.split(","))
    return [t for t in terms if t]


def _name_tokens(text: str) -> list[str]:
    """A name's or a text's words as names are matched: letters only, hyphens split."""
    return [letters(part) for part in re.split(r"[\s\-]+", text) if letters(part)]


def _terms_in(tokens: list[str], terms: list[list[str]]) -> list[tuple[int, int, int]]:
    """(first token, past the last token, term index) of each term written in ``tokens``."""
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(tokens):
        best = max(
            ((len(t), k) for k, t in enumerate(terms) if t and tokens[i : i + len(t)] == t),
            default=None,
        )
        if best is None:
            i += 1
            continue
        found.append((i, i + best[0], best[1]))
        i += best[0]
    return found


def prompt_copies(transcript: Transcript, prompt: str) -> list[Span]:
    """The stretches where a pass biased with ``prompt`` wrote out the prompt, not speech.

    Where the audio is hard to hear, Whisper can go on with its prompt: "I'm
    Enrewee, Inverbrack, Ewan Sinclair, Adaeze." for "and with me is Adaeze
    Okonkwo" (bench/cases/interview-bees, base), with "Inverbrack, Ewan
    Sinclair" the prompt's own words in its own order. So where two of the
    prompt's names stand one right after the other in a segment, in the order
    the prompt lists them, the segment is a copy from the first of them on:
    that stretch (its first word's start, the segment's end) is returned, to
    be decoded again without the bias. Names said together in another order,
    or with any word between them ("Maya Okafor and Daniel Reyes"), are not.
    """
    terms = [_name_tokens(t) for t in prompt_terms(prompt)]
    spans: list[Span] = []
    for seg in transcript.segments:
        tokens: list[str] = []
        starts: list[float] = []  # the start of the word each token is from
        for w in seg.words:
            for tok in _name_tokens(w.word):
                tokens.append(tok)
                starts.append(w.start)
        found = _terms_in(tokens, terms)
        pairs = zip(found, found[1:], strict=False)
        runs = [a for a, b in pairs if a[1] == b[0] and b[2] == a[2] + 1]
        if runs:
            spans.append((starts[runs[0][0]], seg.end))
    return spans


# --- Biased decoding ------------------------------------------------------------------


def biased_options(
    options: TranscribeOptions, article: Article, people: Sequence[str] = ()
) -> TranscribeOptions | None:
    """``options`` biased towards ``article``'s names, or None when it has none to give.

    ``people`` (the show's hosts and guests) lead the names.

    openai-whisper gets them as an initial prompt carried into every window,
    faster-whisper as hotwords. A prompt the options already have is kept in
    front of the article's. The biased pass is not refilled on its own
    (``refill=False``): a gap in it is decoded again without the bias instead,
    by the same repair (:func:`toolkit.transcribe.run.choose`), because
    decoding the gap again with the same bias can skip it again.
    """
    if options.engine == "faster":
        words = hotwords_for(article, people=people)
        if not words:
            return None
        hotwords = f"{options.hotwords} {words}" if options.hotwords else words
        return replace(options, hotwords=hotwords, refill=False)
    prompt = prompt_for(article, people=people)
    if not prompt:
        return None
    initial = f"{options.initial_prompt} {prompt}" if options.initial_prompt else prompt
    return replace(options, initial_prompt=initial, carry_initial_prompt=True, refill=False)


def bias_by_default(model: str) -> bool:
    """Whether to bias decoding towards the article when the user has not said.

    Not for the tiny models: measured with ``bench/names.py`` on three
    episodes, the article prompt derails tiny.en (17-23 s of speech dropped
    each time), and even with the gaps filled its WER rises by 2.7 to 6.0
    points for 2 or 3 more names right, while base gains on both (names
    40/50 -> 49/50, 1/12 -> 12/12, 0/6 -> 4/6; WER equal or lower). Names are
    still corrected afterwards either way.
    """
    return not is_tiny(model)
