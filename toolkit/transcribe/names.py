"""Near-miss spellings of the article's names, corrected after decoding.

:func:`correct_names` replaces near-miss spellings of the article's names in a
transcript ("Kuma Kai", "VPRK") with the article's spelling ("Kumagai",
"DPRK"), by fuzzy matching over runs of one to a few words, and records every
change as a :class:`~toolkit.transcribe.transcript.Correction`. Which names
count, and which words are too common to touch, is decided as for biasing
(:mod:`toolkit.transcribe.bias`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from toolkit.transcribe.bias import (
    POSSESSIVE,
    clean_name,
    is_acronym,
    is_common_word,
    is_distinctive,
    letters,
)
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

if TYPE_CHECKING:
    from toolkit.article import Article

__all__ = ["correct_names", "correct_segments"]

# Fuzzy matching thresholds (rapidfuzz ratio, 0-100, over letters and digits only).
MIN_SCORE = 85.0  # about one wrong letter in seven
MIN_FUZZY_LETTERS = 6  # shorter names are corrected only when the letters match exactly
MIN_LENGTH_RATIO = 0.75  # the shorter spelling against the longer one
MAX_EXTRA_WORDS = 1  # "Kuma Kai" may stand for the one word "Kumagai"

# The show's own people, where introduced (see _introduces), need only this
# rapidfuzz ratio over the whole name's letters, word for word: "Myra Kefir" (63)
# and "Maya Raakafur" (73) for "Maya Okafor"; "Mark Taylor" scores 60 too, so a
# word of the run must also sound like its word of the name (_a_word_sounds_alike).
MIN_PERSON_SCORE = 60.0
_INTRO_WORDS = frozenset(
    "i'm im hi hello hey thanks welcome with host cohost co-host guest guests by and name's".split()
)
_INTRO_PAIRS = frozenset(
    {("i", "am"), ("name", "is"), ("this", "is"), ("guest", "is"), ("host", "is"),
     ("today", "is"), ("joined", "by"), ("me", "is"), ("thank", "you")}
)  # fmt: skip

# Letters whose English names rhyme, which speech recognisers confuse in acronyms.
_LETTER_RHYMES = ("BCDEGPTVZ", "AHJK", "FLMNSX", "IY", "QUW")

_CORE = re.compile(r"^(?P<pre>[^\w]*)(?P<core>.*?)(?P<post>[^\w]*)$", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?…]")


@dataclass(frozen=True)
class _Target:
    """A spelling from the article that transcript words may be corrected to."""

    spelling: str
    key: str
    n_words: int
    acronym: bool
    words: frozenset[str]  # its words in lower case
    #: One of the show's own people: matched more loosely where introduced.
    person: bool = False


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
        return letters(self.core)


def _split(text: str) -> tuple[str, str, str, str]:
    """``text`` as (leading punctuation, word, possessive, trailing punctuation)."""
    m = _CORE.match(text)
    assert m is not None  # the pattern matches any string
    core, possessive = m.group("core"), ""
    poss = POSSESSIVE.search(core)
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


def _person_targets(people: Sequence[str]) -> list[_Target]:
    """The show's people's full names (two words or more), as looser targets."""
    out = []
    for name in dict.fromkeys(clean_name(p) for p in people):
        words = name.split()
        if len(words) >= 2 and len(letters(name)) >= MIN_FUZZY_LETTERS:
            lower = frozenset(w.lower() for w in words)
            out.append(_Target(name, letters(name), len(words), False, lower, person=True))
    return out


def _skeleton(word: str) -> str:
    """A word's consonants, doubled ones once: "Okafor" and "Kefir" are both "kfr"."""
    out = ""
    for c in letters(word):
        if c not in "aeiouy" and not out.endswith(c):
            out += c
    return out


def _a_word_sounds_alike(span: list[_Token], target: _Target) -> bool:
    """One word of the run is near its word of the name, by letters or by consonants.

    "Maya Raakafur": Maya; "Myra Kefir": kfr = kfr; "Danielle Rice": Danielle.
    "Mark Taylor" for "Maya Okafor" has neither (50, 50; tylr / kfr).
    """
    for token, word in zip(span, target.spelling.split(), strict=True):
        if fuzz.ratio(token.key, letters(word)) >= 75:
            return True
        if fuzz.ratio(_skeleton(token.core), _skeleton(word)) >= 60:
            return True
    return False


def _introduces(tokens: list[_Token], i: int) -> bool:
    """Whether the words before ``tokens[i]`` introduce a person ("I'm", "my guest is", "with")."""
    before = [t.core.lower().replace("’", "'") for t in tokens[max(0, i - 2) : i]]
    if not before or (i > 0 and _SENTENCE_END.search(tokens[i - 1].post)):
        return False
    if before[-1] in _INTRO_WORDS:
        return True
    return len(before) == 2 and (before[0], before[1]) in _INTRO_PAIRS


def _targets(article: Article) -> list[_Target]:
    """Spellings to correct toward: each name with a rare word, and those rare words alone."""
    spellings: list[str] = []
    for noun in (clean_name(n) for n in article.proper_nouns):
        if not is_distinctive(noun):
            continue
        spellings.append(noun)
        words = noun.split()
        if len(words) > 1:
            spellings += [w for w in words if not is_common_word(w) and not is_acronym(w)]
    targets = []
    for spelling in dict.fromkeys(spellings):
        key = letters(spelling)
        acronym = is_acronym(spelling) and " " not in spelling
        if len(key) < (3 if acronym else 4):
            continue
        lower = frozenset(w.lower() for w in spelling.split())
        targets.append(_Target(spelling, key, len(spelling.split()), acronym, lower))
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

    def __init__(self, article: Article, people: Sequence[str] = ()) -> None:
        self.people = _person_targets(people)
        self.targets = _targets(article)
        self.known = _article_words(article)
        self.target_words = {w for t in self.targets for w in t.words}
        self.exact: dict[str, list[_Target]] = {}
        for t in self.targets:
            self.exact.setdefault(t.key, []).append(t)
        self.acronyms = [t for t in self.targets if t.acronym]
        self.fuzzy = [t for t in self.targets if not t.acronym and len(t.key) >= MIN_FUZZY_LETTERS]
        self.fuzzy_keys = [t.key for t in self.fuzzy]
        self.max_words = (
            max((t.n_words for t in [*self.targets, *self.people]), default=0) + MAX_EXTRA_WORDS
        )

    def _introduced(self, tokens: list[_Token]) -> list[tuple[float, int, int, _Target]]:
        """Runs where someone is introduced that stand for one of the show's people.

        The run has as many words as the person's full name, all capitalised,
        no sentence end inside, and is not the name already; common words
        count here ("Danielle Rice" for "Daniel Reyes").
        """
        found = []
        for i in range(len(tokens)):
            if not self.people or not _introduces(tokens, i):
                continue
            for target in self.people:
                span = tokens[i : i + target.n_words]
                if len(span) < target.n_words or not all(t.core[:1].isupper() for t in span):
                    continue
                if any(_SENTENCE_END.search(t.post) for t in span[:-1]):
                    continue
                if " ".join(t.core for t in span) == target.spelling:
                    continue
                score = fuzz.ratio("".join(t.key for t in span), target.key)
                if score >= MIN_PERSON_SCORE and _a_word_sounds_alike(span, target):
                    found.append((score, len(span), i, target))
        return found

    def _candidates(self, span: list[_Token], key: str) -> list[tuple[float, _Target]]:
        """Targets that ``span`` (letters ``key``) is close enough to, with their scores."""
        found = [(100.0, t) for t in self.exact.get(key, [])]
        if len(span) == 1 and is_acronym(span[0].core):
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
        found += self._introduced(tokens)
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


#: Finds the runs of a segment's tokens to correct: (first, last, target), in order.
Find = Callable[[list[_Token]], list[tuple[int, int, _Target]]]


def _correct_segment(seg: Segment, find: Find) -> tuple[Segment, list[Correction]]:
    """``seg`` with the runs ``find`` finds replaced, and the corrections made."""
    # A segment without word times is handled as its text's words, all timed as the segment.
    words = seg.words or [Word(seg.start, seg.end, " " + p) for p in seg.text.split()]
    tokens = _tokens(words)
    spans = find(tokens)
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


def correct_names(
    transcript: Transcript, article: Article, people: Sequence[str] = ()
) -> Transcript:
    """A copy of ``transcript`` with near-miss spellings of the article's names fixed.

    ``people`` are the show's own hosts and guests (also among ``article``'s
    names, see :func:`toolkit.transcribe.bias.with_names`): where the words
    just before a capitalised run introduce someone ("I'm", "my guest today
    is", "joined by"), a run of as many words as a person's full name is
    corrected to it from a rapidfuzz ratio of :data:`MIN_PERSON_SCORE`.

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
    return correct_segments(
        transcript, _Matcher(article, people), lambda seg, m: _correct_segment(seg, m.find)
    )


def correct_segments(
    transcript: Transcript,
    matcher: _Matcher,
    fix: Callable[[Segment, _Matcher], tuple[Segment, list[Correction]]],
) -> Transcript:
    """A copy of ``transcript`` with each segment put through ``fix``, and the
    corrections it made recorded in time order (the input is left unchanged)."""
    fixed = copy.deepcopy(transcript)
    if not matcher.targets and not matcher.people:
        return fixed
    segments = []
    for seg in fixed.segments:
        new_seg, found = fix(seg, matcher)
        segments.append(new_seg)
        fixed.corrections.extend(found)
    fixed.segments = segments
    fixed.corrections.sort(key=lambda c: c.start)
    return fixed
