"""Decoding that knows the article: bias Whisper toward its names, then fix near misses.

Whisper misspells names it has rarely seen ("Ishikani", "Kuma Kai", "VPRK").
The episode's article spells them right, so this module uses it twice:

* **Before decoding.** :func:`prompt_for` turns the article's proper nouns into
  a decoding prompt for openai-whisper (``initial_prompt`` with
  ``carry_initial_prompt=True``, so every 30 s window sees it) and
  :func:`hotwords_for` into faster-whisper's ``hotwords``. Rare names and
  acronyms go first; words every English speaker knows are left out.
* **After decoding.** :func:`correct_names` replaces near-miss spellings of
  those names in a transcript with the article's spelling, by fuzzy matching
  over runs of one to a few words, and records every change as a
  :class:`~toolkit.transcribe.transcript.Correction`.

Biasing can derail decoding: under a per-window prompt Whisper sometimes ends
a 30 s window after its first sentence and drops the rest (tiny.en and base
both did, on one of three test episodes). :func:`check_biased` compares a
biased transcript with an unbiased pass and says whether it can be trusted;
:func:`fill_gaps` puts the unbiased pass's segments into the stretches the
biased one dropped, and :func:`guarded` picks what to keep.

Which words are "common" is decided with Whisper's own GPT-2 vocabulary: a
lower-case word that is a single token there is an everyday English word
("council", "islands"), while a name the model has rarely seen breaks into
several pieces ("Ish|ik|ane"). whisper (and so torch) is imported on first use.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from toolkit.article.words import STOP_WORDS
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

if TYPE_CHECKING:
    from toolkit.article import Article

__all__ = [
    "PROMPT_MAX_TOKENS",
    "CoverageCheck",
    "biased_is_safe",
    "check_biased",
    "correct_names",
    "count_tokens",
    "fill_gaps",
    "guarded",
    "hotwords_for",
    "is_common_word",
    "is_distinctive",
    "is_rare_name",
    "prompt_for",
    "terms_for",
]

PROMPT_MAX_TOKENS = 120
"""Default prompt length. Whisper keeps at most 223 prompt tokens per window
(half its 448-token context); a carried prompt shorter than that leaves the
rest for the previous window's text, which keeps decoding fluent."""

# Fuzzy matching thresholds (rapidfuzz ratio, 0-100, over letters and digits only).
MIN_SCORE = 85.0  # about one wrong letter in seven
MIN_FUZZY_LETTERS = 6  # shorter names are corrected only when the letters match exactly
MIN_LENGTH_RATIO = 0.75  # the shorter spelling against the longer one
MAX_EXTRA_WORDS = 1  # "Kuma Kai" may stand for the one word "Kumagai"

# Letters whose English names rhyme, which speech recognisers confuse in acronyms.
_LETTER_RHYMES = ("BCDEGPTVZ", "AHJK", "FLMNSX", "IY", "QUW")

_CORE = re.compile(r"^(?P<pre>[^\w]*)(?P<core>.*?)(?P<post>[^\w]*)$", re.DOTALL)
_POSSESSIVE = re.compile(r"['’]s?$")
_SENTENCE_END = re.compile(r"[.!?…]")


# --- Tokens and common words ----------------------------------------------------


@lru_cache(maxsize=1)
def _encodings() -> tuple:
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
    word = _POSSESSIVE.sub("", word.replace("’", "'")) if len(word) > 2 else word
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
    key = _key(low)
    if not key or key.isdigit() or low in STOP_WORDS or key in STOP_WORDS:
        return True
    return key.isalpha() and _pieces(key) == 1


def _key(text: str) -> str:
    """Lower-case letters and digits only: the form spellings are compared in."""
    return "".join(c for c in text.lower() if c.isalnum())


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# --- Terms for biasing --------------------------------------------------------------


def _clean_noun(noun: str) -> str:
    return noun.replace("’", "'").strip()


def is_rare_name(term: str) -> bool:
    """A name Whisper is likely to misspell: a word it splits, or an acronym of 3+ letters."""
    words = term.split()
    return any(_pieces(w) >= 2 for w in words) or any(_is_acronym(w) and len(w) >= 3 for w in words)


def is_distinctive(term: str) -> bool:
    """Whether a name has a word that is not common: False for "Security Council", "East"."""
    return any(not is_common_word(w) for w in term.split())


def terms_for(article: Article) -> list[str]:
    """The article's names worth biasing decoding toward, most useful first.

    Names made of common words only are dropped, as is a name whose words all
    appear in a longer name that is kept ("Ishikane" in "Kimihiro Ishikane";
    the longer one takes the better rank). Rare names and acronyms come first,
    then well-known names, each group in the article's order of frequency.
    """
    nouns = [_clean_noun(n) for n in article.proper_nouns]
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
    rare = [t for t in kept if is_rare_name(t)]
    return rare + [t for t in kept if t not in rare]


def _fit(terms: Iterable[str], max_tokens: int, end: str) -> str:
    """Join ``terms`` with commas, as many as fit in ``max_tokens`` in order."""
    chosen: list[str] = []
    for term in terms:
        candidate = ", ".join([*chosen, term]) + end
        if count_tokens(candidate) <= max_tokens:
            chosen.append(term)
    return ", ".join(chosen) + end if chosen else ""


def prompt_for(article: Article, max_tokens: int = PROMPT_MAX_TOKENS) -> str:
    """A decoding prompt listing the article's names, spelled as the article does.

    Pass it as openai-whisper's ``initial_prompt`` with
    ``carry_initial_prompt=True``. It is at most ``max_tokens`` Whisper tokens
    (with either vocabulary); names that don't fit are left out, least useful
    first. An article without names gives "".
    """
    return _fit(terms_for(article), max_tokens, ".")


def hotwords_for(article: Article, max_tokens: int = PROMPT_MAX_TOKENS) -> str:
    """The same names for faster-whisper's ``hotwords`` (which it repeats in every window)."""
    return _fit(terms_for(article), max_tokens, "")


# --- Correction after decoding ---------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A spelling from the article that transcript words may be corrected to."""

    spelling: str
    key: str
    n_words: int
    acronym: bool
    words: frozenset[str]  # its words in lower case


@dataclass
class _Token:
    """One written word of the transcript: punctuation, the word and a possessive.

    Whisper may split a written word into several timed words ("Yon" "-Yang");
    a token joins them, and ``first``/``last`` index them in the segment.
    """

    first: int
    last: int
    pre: str  # leading space and punctuation
    core: str  # the word without punctuation or possessive
    possessive: str  # "'s" or "" (kept when the word is corrected)
    post: str  # trailing punctuation
    start: float
    end: float
    probability: float

    @property
    def key(self) -> str:
        return _key(self.core)


def _split(text: str) -> tuple[str, str, str, str]:
    """``text`` as (leading punctuation, word, possessive, trailing punctuation)."""
    m = _CORE.match(text)
    assert m is not None  # the pattern matches any string
    core, possessive = m.group("core"), ""
    poss = _POSSESSIVE.search(core)
    if poss and len(core) > len(poss.group(0)):
        core, possessive = core[: poss.start()], poss.group(0)
    return m.group("pre"), core, possessive, m.group("post")


def _tokens(words: list[Word]) -> list[_Token]:
    """The written words of a segment: a timed word not led by a space joins the one before."""
    groups: list[list[int]] = []
    for i, w in enumerate(words):
        glued = groups and not w.word[:1].isspace() and not words[i - 1].word[-1:].isspace()
        if glued:
            groups[-1].append(i)
        else:
            groups.append([i])
    tokens = []
    for group in groups:
        parts = [words[i] for i in group]
        pre, core, possessive, post = _split("".join(w.word for w in parts))
        prob = min(w.probability for w in parts)
        tokens.append(
            _Token(
                group[0],
                group[-1],
                pre,
                core,
                possessive,
                post,
                parts[0].start,
                parts[-1].end,
                prob,
            )
        )
    return tokens


def _targets(article: Article) -> list[_Target]:
    """Spellings to correct toward: each name with a rare word, and those rare words alone."""
    spellings: list[str] = []
    for noun in (_clean_noun(n) for n in article.proper_nouns):
        if not is_distinctive(noun):
            continue
        spellings.append(noun)
        words = noun.split()
        if len(words) > 1:
            spellings += [w for w in words if not is_common_word(w) and not _is_acronym(w)]
    targets = []
    for spelling in dict.fromkeys(spellings):
        key = _key(spelling)
        acronym = _is_acronym(spelling) and " " not in spelling
        if len(key) < (3 if acronym else 4):
            continue
        words = frozenset(w.lower() for w in spelling.split())
        targets.append(_Target(spelling, key, len(spelling.split()), acronym, words))
    return targets


def _article_words(article: Article) -> set[str]:
    """Every word the article writes, lower case, possessives removed."""
    text = article.text + " " + " ".join(article.proper_nouns)
    words = set()
    for raw in re.findall(r"[\w’'-]+", text):
        core = _split(raw)[1].lower()
        words.add(core)
        words.update(core.split("-"))
    return words


def _acronym_near_miss(got: str, want: str) -> bool:
    """One letter off, where the two letters' names rhyme ("VPRK" for "DPRK")."""
    got, want = got.upper(), want.upper()
    if len(got) != len(want):
        return False
    diffs = [(a, b) for a, b in zip(got, want, strict=True) if a != b]
    return len(diffs) == 1 and any(
        diffs[0][0] in group and diffs[0][1] in group for group in _LETTER_RHYMES
    )


class _Matcher:
    """Finds the runs of a segment's words that are near misses of the article's names."""

    def __init__(self, article: Article) -> None:
        self.targets = _targets(article)
        self.known = _article_words(article)
        self.target_words = {w for t in self.targets for w in t.words}
        self.exact: dict[str, list[_Target]] = {}
        for t in self.targets:
            self.exact.setdefault(t.key, []).append(t)
        self.acronyms = [t for t in self.targets if t.acronym]
        self.fuzzy = [t for t in self.targets if not t.acronym and len(t.key) >= MIN_FUZZY_LETTERS]
        self.fuzzy_keys = [t.key for t in self.fuzzy]
        self.max_words = max((t.n_words for t in self.targets), default=0) + MAX_EXTRA_WORDS

    def _candidates(self, span: list[_Token], key: str) -> list[tuple[float, _Target]]:
        """Targets that ``span`` (letters ``key``) is close enough to, with their scores."""
        found = [(100.0, t) for t in self.exact.get(key, [])]
        if len(span) == 1 and _is_acronym(span[0].core):
            found += [(90.0, t) for t in self.acronyms if _acronym_near_miss(span[0].core, t.key)]
        if self.fuzzy and all(t.core[:1].isupper() for t in span):  # Whisper took it for a name
            for _, score, i in process.extract(
                key, self.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=None
            ):
                target = self.fuzzy[i]
                shorter, longer = sorted((len(key), len(target.key)))
                # A word that is the name with an ending is another word ("Iranian");
                # a run that is the name cut short goes on in the next word ("Naoko
                # Kuma" in "Naoko Kuma Kai").
                derived = len(span) == 1 and key.startswith(target.key)
                cut = target.key.startswith(key) and len(target.key) - len(key) >= 2
                if score < 100 and shorter / longer >= MIN_LENGTH_RATIO and not (derived or cut):
                    found.append((score, target))
        return found

    def _allowed(self, span: list[_Token], target: _Target) -> bool:
        """The guards that keep ordinary words untouched.

        The run has about as many words as the name; each of its words is
        either uncommon or one of the name's own words ("Islands" in "Senkako
        Islands"); a run longer than the name holds none of the name's words
        (in "Moe, Tamsin Rowe" the name is already there); and it differs
        from the name.
        """
        if abs(len(span) - target.n_words) > MAX_EXTRA_WORDS:
            return False
        if len(span) > target.n_words and any(t.core.lower() in target.words for t in span):
            return False
        for t in span:
            if t.core.lower() not in target.words and is_common_word(t.core):
                return False
        return " ".join(t.core for t in span) != target.spelling

    def find(self, tokens: list[_Token]) -> list[tuple[int, int, _Target]]:
        """Non-overlapping (first, last, target) runs to correct, best matches first.

        A run never crosses a sentence end, and has a word the article never
        writes: a run spelled entirely as the article spells things is left alone.
        """
        usable = [
            bool(t.core) and (t.core.lower() in self.target_words or not is_common_word(t.core))
            for t in tokens
        ]
        unknown = [t.core.lower() not in self.known for t in tokens]
        found: list[tuple[float, int, int, _Target]] = []
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + self.max_words) + 1):
                if not usable[j - 1] or (j - i > 1 and _SENTENCE_END.search(tokens[j - 2].post)):
                    break
                if not any(unknown[i:j]):
                    continue
                span = tokens[i:j]
                key = "".join(t.key for t in span)
                for score, target in self._candidates(span, key):
                    if self._allowed(span, target):
                        found.append((score, j - i, i, target))
        found.sort(key=lambda f: (-f[0], -f[1], f[2]))
        taken: set[int] = set()
        chosen: list[tuple[int, int, _Target]] = []
        for _, n, i, target in found:
            if taken.isdisjoint(range(i, i + n)):
                taken.update(range(i, i + n))
                chosen.append((i, i + n - 1, target))
        return sorted(chosen, key=lambda c: c[0])


def _replacement(span: list[_Token], target: _Target) -> list[str]:
    """The new word texts: one per target word, punctuation and possessive kept."""
    words = target.spelling.split()
    if len(words) == len(span):  # word for word: "Senkako Islands" -> "Senkaku Islands"
        return [t.pre + w + t.possessive + t.post for t, w in zip(span, words, strict=True)]
    return [span[0].pre + target.spelling + span[-1].possessive + span[-1].post]


def _correct_segment(seg: Segment, matcher: _Matcher) -> tuple[Segment, list[Correction]]:
    """``seg`` with its near misses replaced, and the corrections made."""
    # A segment without word times is handled as its text's words, all timed as the segment.
    words = seg.words or [Word(seg.start, seg.end, " " + p) for p in seg.text.split()]
    tokens = _tokens(words)
    spans = matcher.find(tokens)
    if not spans:
        return seg, []
    corrections = []
    new_words: list[Word] = []
    text, cursor = seg.text, 0
    pos = 0  # the next word of ``words`` to copy
    for first, last, target in spans:
        span = tokens[first : last + 1]
        new_words += words[pos : span[0].first]
        texts = _replacement(span, target)
        if len(texts) == len(span):
            new_words += [
                Word(t.start, t.end, x, t.probability) for t, x in zip(span, texts, strict=True)
            ]
        else:
            prob = min(t.probability for t in span)
            new_words.append(Word(span[0].start, span[-1].end, texts[0], prob))
        # The text is edited in place, in case it is not exactly the words joined.
        old = "".join(w.word for w in words[span[0].first : span[-1].last + 1]).strip()
        found = text.find(old, cursor)
        if found >= 0:
            new = "".join(texts).strip()
            text = text[:found] + new + text[found + len(old) :]
            cursor = found + len(new)
        original = old[len(span[0].pre.strip()) : len(old) - len(span[-1].post)]
        corrected = target.spelling + span[-1].possessive
        corrections.append(Correction(span[0].start, span[-1].end, original, corrected, seg.id))
        pos = span[-1].last + 1
    new_words += words[pos:]
    fixed = copy.copy(seg)
    fixed.words = new_words if seg.words else []
    fixed.text = text
    return fixed, corrections


def correct_names(transcript: Transcript, article: Article) -> Transcript:
    """A copy of ``transcript`` with near-miss spellings of the article's names fixed.

    Runs of one to a few words within a segment are compared, as letters only,
    with each name that has an uncommon word in it (and with those words on
    their own). A run is replaced when it is close enough and none of the
    guards in ``_Matcher`` holds it back. Close enough is: the same
    letters ("Ishi Kane", "kumagai"); or, for names of six or more letters
    written capitalised as Whisper writes names, a rapidfuzz ratio of at least
    85 and similar lengths, but not the name with an ending added ("Kuma Kai",
    "Senkako", but not "Senkakuin"); or, for acronyms, one rhyming letter off
    ("VPRK" for "DPRK"). When the name has as many words as the run, each word
    is replaced in place; otherwise the run's words are merged into one
    :class:`Word` spanning them, with the lowest probability among them. Each
    change is appended to ``corrections``; the input is left unchanged.
    """
    matcher = _Matcher(article)
    fixed = copy.deepcopy(transcript)
    if not matcher.targets:
        return fixed
    segments = []
    for seg in fixed.segments:
        new_seg, found = _correct_segment(seg, matcher)
        segments.append(new_seg)
        fixed.corrections.extend(found)
    fixed.segments = segments
    return fixed


# --- Guarding against derailed biased decoding -------------------------------------


@dataclass
class CoverageCheck:
    """How a biased transcript compares with an unbiased one of the same audio."""

    plain_words: int
    biased_words: int
    missing_seconds: float  # plain speech with no biased word near it, in total
    longest_gap: float  # the longest such stretch, seconds
    plain_repetition: float  # share of word 4-grams that repeat an earlier one
    biased_repetition: float
    safe: bool
    reason: str  # why it is unsafe; "" when safe
    gaps: list[tuple[float, float]] = field(default_factory=list)  # the missing stretches

    @property
    def word_ratio(self) -> float:
        return self.biased_words / self.plain_words if self.plain_words else 1.0


def _timed_words(transcript: Transcript) -> list[tuple[float, float]]:
    """(start, end) of every word; a segment without word times spreads its words evenly."""
    spans: list[tuple[float, float]] = []
    for seg in transcript.segments:
        if seg.words:
            spans += [(w.start, w.end) for w in seg.words if w.word.strip()]
        else:
            n = len(seg.text.split())
            step = (seg.end - seg.start) / n if n else 0.0
            spans += [(seg.start + k * step, seg.start + (k + 1) * step) for k in range(n)]
    return spans


def _repetition(transcript: Transcript, n: int = 4) -> float:
    """The share of the text's word n-grams that already occurred earlier: high in a loop."""
    words = [_key(w) for w in transcript.text.split()]
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def check_biased(
    biased: Transcript,
    plain: Transcript,
    *,
    max_gap: float = 5.0,
    min_ratio: float = 0.85,
    max_extra_repetition: float = 0.1,
    tolerance: float = 1.0,
) -> CoverageCheck:
    """Compare a biased transcript with an unbiased pass over the same audio.

    Biasing may make a small model skip speech (a window decoded as nothing or
    as the prompt) or loop. The biased transcript is unsafe when a stretch of
    more than ``max_gap`` seconds of the plain transcript's words has no biased
    word within ``tolerance`` seconds, when it has fewer than ``min_ratio``
    times the plain transcript's words, or when more of its word 4-grams repeat
    (by ``max_extra_repetition``) than the plain one's. More words than the
    plain pass is not in itself a fault: the plain pass may be the one that
    skipped speech.
    """
    plain_spans = _timed_words(plain)
    biased_spans = sorted(_timed_words(biased))
    covered_until: list[tuple[float, float]] = []
    for start, end in biased_spans:  # merge the biased words' times, padded
        start, end = start - tolerance, end + tolerance
        if covered_until and start <= covered_until[-1][1]:
            covered_until[-1] = (covered_until[-1][0], max(covered_until[-1][1], end))
        else:
            covered_until.append((start, end))

    def covered(start: float, end: float) -> bool:
        mid = (start + end) / 2
        return any(a <= mid <= b for a, b in covered_until)

    gaps: list[tuple[float, float]] = []
    run: list[tuple[float, float]] = []
    for span in [*plain_spans, None]:
        if span is not None and not covered(*span):
            run.append(span)
            continue
        if run:
            gaps.append((run[0][0], run[-1][1]))
            run = []
    missing = sum(b - a for a, b in gaps)
    longest = max((b - a for a, b in gaps), default=0.0)
    check = CoverageCheck(
        plain_words=len(plain_spans),
        biased_words=len(biased_spans),
        missing_seconds=round(missing, 2),
        longest_gap=round(longest, 2),
        plain_repetition=round(_repetition(plain), 3),
        biased_repetition=round(_repetition(biased), 3),
        safe=True,
        reason="",
        gaps=gaps,
    )
    if longest > max_gap:
        check.safe, check.reason = False, f"{longest:.1f} s of speech missing"
    elif check.word_ratio < min_ratio:
        check.safe, check.reason = False, f"only {check.word_ratio:.0%} of the words"
    elif check.biased_repetition > check.plain_repetition + max_extra_repetition:
        check.safe, check.reason = False, f"{check.biased_repetition:.0%} repeated (a loop)"
    return check


def biased_is_safe(biased: Transcript, plain: Transcript) -> bool:
    """Whether the biased transcript covers the speech the plain one does (:func:`check_biased`)."""
    return check_biased(biased, plain).safe


def fill_gaps(
    biased: Transcript,
    plain: Transcript,
    check: CoverageCheck | None = None,
    *,
    gaps: Sequence[tuple[float, float]] | None = None,
) -> Transcript:
    """The biased transcript with the plain pass's segments put where it dropped speech.

    A plain segment goes in when most of its words fall in one of the
    ``gaps``, or of ``check.gaps`` (computed by :func:`check_biased` when
    neither is given). Segments
    are renumbered in time order; the biased transcript's corrections follow
    their segments, the plain one's are not carried over, so fill before
    :func:`correct_names`. Loops are not repaired: when ``check`` reports one,
    use the plain transcript instead.
    """
    if gaps is None:
        gaps = (check or check_biased(biased, plain)).gaps
    filled = copy.deepcopy(biased)
    if not gaps:
        return filled

    def in_gap(seg: Segment) -> bool:
        spans = _timed_words(Transcript(plain.language, plain.duration, [seg]))
        inside = sum(any(a <= (s + e) / 2 <= b for a, b in gaps) for s, e in spans)
        return bool(spans) and 2 * inside > len(spans)

    added = [copy.deepcopy(seg) for seg in plain.segments if in_gap(seg)]
    segments = sorted([*filled.segments, *added], key=lambda seg: seg.start)
    renumber = {id(seg): i for i, seg in enumerate(segments)}
    new_ids = {seg.id: renumber[id(seg)] for seg in filled.segments}
    for correction in filled.corrections:
        correction.segment = new_ids.get(correction.segment, correction.segment)
    for seg in segments:
        seg.id = renumber[id(seg)]
    filled.segments = segments
    return filled


def guarded(biased: Transcript, plain: Transcript) -> Transcript:
    """The transcript to keep from a biased and a plain pass over the same audio.

    The biased one when :func:`check_biased` finds it safe; when it only
    dropped speech, the biased one with the plain pass's segments filling the
    gaps (:func:`fill_gaps`); otherwise (a loop) the plain one.
    """
    check = check_biased(biased, plain)
    if check.safe:
        return biased
    if check.gaps:
        filled = fill_gaps(biased, plain, check)
        if check_biased(filled, plain).safe:
            return filled
    return plain
