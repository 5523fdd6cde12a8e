"""Key phrases for chapter titles, picked by TF-IDF without a language model.

A title should read like one a person would write ("Talks with North Korea",
"Rule of law"), not like a truncated first sentence. With no part-of-speech
tagger to hand, plain rules stand in for one:

* **Candidates** are short runs of words inside one clause. A run starts and
  ends on a content word, holds at most one linking word ("of", "over",
  "with", ...) and never an article or a pronoun. It keeps names whole
  ("North Korea", never "Korea ..."), does not start on a word that looks like
  a verb or an adverb ("-ed", "-ing", "-ly"), and does not stop before the
  rest of its noun group ("nuclear" is no end while "weapons" follows) or
  before a verb's object ("stores | less water").
* **Scores** add up the TF-IDF weights of a run's content words in the
  chapter's text against the whole episode as background, so what sets the
  chapter apart wins. Runs of two to four words beat lone words; a run that
  pairs a name with a common noun ("Taliban’s stance"), recurs, appears early
  (the opening sentences set a topic) or uses the hosts' own words scores
  higher.

:func:`content_terms` applies the same word rules for the topic segmentation
in :mod:`.topics`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

#: Words of the spoken show itself ("welcome to the show") and of reporting
#: ("she said"): never the topic of a chapter.
SPOKEN_FILLERS = frozenset(
    """
    yeah yes okay ok oh um uh hmm right like really actually just basically thing things
    lot lots kind sort going gonna wanna got get gets getting want good great sure exactly
    absolutely maybe pretty quite today welcome hello hi hey thanks thank thankyou listening
    listen listened listeners guest guests host hosts episode episodes podcast show shows
    talk talking talked say says said saying tell told telling ask asked asking added
    explained clarified noted think thought know knew mean means meant let lets let's
    look looking come coming came went make makes making does did doing wow cool fine
    i'm you're we're they're it's that's there's what's don't doesn't didn't can't won't
    i've you've we've i'd you'll we'll
    """.split()
)
#: Dates say when, not what: a chapter is never about "January".
_TIME_WORDS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
    friday saturday sunday yesterday tomorrow tonight week weeks month months year years
    """.split()
)
#: Words that sklearn lists as stop words but that name topics often enough.
_TOPIC_WORDS = frozenset(
    "bill fire mill system interest detail describe top bottom front side part name call cry "
    "fill thick thin serious sincere empty full move amount found".split()
)
STOP_WORDS = (ENGLISH_STOP_WORDS - _TOPIC_WORDS) | SPOKEN_FILLERS | _TIME_WORDS
#: Words that open a noun phrase. The word before one is seldom the end of a
#: topic ("the pond stores less water"), more often a verb taking its object.
_OBJECT_LEADS = frozenset(
    "the a an this these those his her its their our my your some any no less more much "
    "many most all every each".split()
)
#: Number words that may lead a phrase, though they are stop words elsewhere.
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten first second".split())
#: Words that may link two content words inside a phrase ("rule of law").
LINK_WORDS = frozenset("of over on for with in to by against between about from and at".split())

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]|_")
_SENTENCE_END = frozenset(".!?…")


def _key(word: str) -> str:
    """The term a word counts as: lower case, no possessive, light plural stripping."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _is_stop(word: str) -> bool:
    if len(word) >= 2 and word.isupper() and word.isalpha():
        return False  # an acronym: UN, US, DPRK
    w = word.lower().replace("’", "'")
    return w in STOP_WORDS or (w.endswith("'s") and w[:-2] in STOP_WORDS) or len(w) < 2


def content_terms(text: str) -> list[str]:
    """The content terms of ``text``: stop words and punctuation dropped, words keyed."""
    return [
        _key(tok)
        for tok in _TOKEN.findall(text)
        if (tok[0].isalnum()) and not _is_stop(tok) and not tok.isdigit()
    ]


@dataclass(frozen=True)
class _Word:
    text: str
    key: str
    content: bool
    link: bool
    sentence_initial: bool
    sentence: int  # which sentence of the text, from 0
    number: bool  # a number word that may lead a phrase: "one voice", "six nuclear tests"


def _clauses(text: str) -> list[list[_Word]]:
    """Split ``text`` into clauses (runs of words between punctuation marks)."""
    clauses: list[list[_Word]] = []
    current: list[_Word] = []
    initial = True
    sentence = 0
    for tok in _TOKEN.findall(text):
        if not tok[0].isalnum():
            if current:
                clauses.append(current)
                current = []
            if tok in _SENTENCE_END:
                sentence += not initial
            if tok in _SENTENCE_END or tok in '“”"':
                initial = True
            continue
        lower = tok.lower()
        current.append(
            _Word(
                text=tok,
                key=_key(tok),
                content=not _is_stop(tok),
                link=lower in LINK_WORDS,
                sentence_initial=initial,
                sentence=sentence,
                number=lower in NUMBER_WORDS,
            )
        )
        initial = False
    if current:
        clauses.append(current)
    return clauses


def _capitalised(word: _Word) -> bool:
    return word.text[0].isupper() and not word.sentence_initial


def _possessive(word: _Word) -> bool:
    return word.text.lower().endswith(("'s", "’s"))


def _verb_like(word: _Word) -> bool:
    # No tagger: a lower-case "-ed", "-ing" or "-ly" word is most likely a verb or an adverb.
    return not _capitalised(word) and word.text.lower().endswith(("ed", "ing", "ly"))


def _can_start(clause: list[_Word], i: int) -> bool:
    word = clause[i]
    before = clause[i - 1] if i else None
    if word.number:
        return i + 1 < len(clause) and clause[i + 1].content
    if not word.content or word.text.isdigit() or _verb_like(word):
        return False
    if before is not None and before.number:
        return False  # "one voice" is not cut to "voice"
    # Names are not cut: "Korea" alone does not start a phrase after "North".
    return not (before and before.content and _capitalised(before) and _capitalised(word))


def _mixed(surface: str) -> bool:
    """Whether a phrase holds both a capitalised word and a lower-case one."""
    words = [w for w in surface.split() if w.lower() not in LINK_WORDS]
    return any(w[0].isupper() for w in words) and any(w[0].islower() for w in words)


def _fits_link(clause: list[_Word], j: int) -> bool:
    """Whether ``clause[j]`` may follow the word before it when that is a linking word.

    "and" links only two names ("Russia and China", not "law and abandon"); "to"
    leads only to a name ("trip to Afghanistan", not "Council to speak").
    """
    link = clause[j - 1].text.lower()
    if link == "and":
        return _capitalised(clause[j]) and j >= 2 and _capitalised(clause[j - 2])
    if link == "to":
        return _capitalised(clause[j])
    return True


def _can_end(clause: list[_Word], j: int) -> bool:
    word = clause[j]
    if not word.content or _possessive(word):
        return False
    if word.text.islower() and word.text.endswith("ly"):
        return False
    after = clause[j + 1] if j + 1 < len(clause) else None
    if after is not None and after.text.lower() in _OBJECT_LEADS:
        return False  # "stores | less water", "mentions | no country": a verb and its object
    if after is None or not after.content:
        return True
    # English noun groups end on their head: stopping before another content word
    # would cut it off ("nuclear | weapons"), unless a verb follows ("tests | worried")
    # or a name ends there ("Ukraine | grinds").
    return _verb_like(after) or (_capitalised(word) and not _capitalised(after))


@dataclass(frozen=True)
class Phrase:
    """A candidate title and its score."""

    text: str
    keys: frozenset[str]
    score: float


class PhrasePicker:
    """Ranks key phrases of a text against a background of documents.

    ``background`` is the whole episode cut into documents (article paragraphs,
    stretches of the transcript); it supplies the inverse document frequency.
    """

    def __init__(self, background: Iterable[str], max_words: int = 6, max_chars: int = 50):
        docs = [set(content_terms(doc)) for doc in background]
        self._n = len(docs)
        self._df: Counter[str] = Counter(term for doc in docs for term in doc)
        self.max_words = max_words
        self.max_chars = max_chars

    def idf(self, key: str) -> float:
        return math.log((1 + self._n) / (1 + self._df.get(key, 0))) + 1.0

    def _candidates(self, clauses: list[list[_Word]]) -> Iterator[tuple[str, str, list[_Word]]]:
        """Every candidate run as (identity, surface text, words)."""
        for clause in clauses:
            for i in range(len(clause)):
                if not _can_start(clause, i):
                    continue
                links = 0
                for j in range(i, min(i + self.max_words, len(clause))):
                    word = clause[j]
                    if not (word.content or word.link or (j == i and word.number)):
                        break  # an article, pronoun or other stop word ends the run
                    if word.link and (links or j + 1 == len(clause)):
                        break  # one linking word at most, and never at the end
                    if j > i and clause[j - 1].link and not _can_start(clause, j):
                        break  # what follows a linking word must be able to lead
                    if j > i and not _fits_link(clause, j):
                        break  # "to speak", "law and abandon"; but "Russia and China"
                    before = clause[j - 1]
                    if j > i and _verb_like(word) and before.content and not _possessive(before):
                        break  # "tests worried Tokyo": a verb after its subject
                    links += word.link
                    if not _can_end(clause, j):
                        continue
                    words = clause[i : j + 1]
                    surface = " ".join(w.text for w in words)
                    if len(surface) > self.max_chars:
                        break
                    yield " ".join(w.key for w in words), surface, words

    def phrases(self, text: str, support: str = "") -> list[Phrase]:
        """Candidate phrases of ``text``, best first.

        ``support`` is other text on the same topic (what the hosts said about
        a paragraph). Its words and phrases add weight, and it may offer a
        phrase of its own when every word of it is also in ``text`` (so the
        spelling has been checked against the article).
        """
        clauses = _clauses(text)
        support_clauses = _clauses(support)
        tf = Counter(w.key for c in clauses + support_clauses for w in c if w.content)
        weight = {k: (1.0 + math.log(n)) * self.idf(k) for k, n in tf.items()}
        said = {w.key for c in support_clauses for w in c if w.content}
        known = {w.key for c in clauses for w in c}
        seen: Counter[str] = Counter()
        lead: dict[str, int] = {}  # the first sentence a phrase occurs in
        shapes: dict[str, tuple[str, frozenset[str]]] = {}
        for source in (clauses, support_clauses):
            for ident, surface, words in self._candidates(source):
                keys = frozenset(w.key for w in words if w.content)
                if ident not in shapes:
                    if source is support_clauses and not keys <= known:
                        continue
                    shapes[ident] = (surface, keys)
                seen[ident] += 1
                lead[ident] = min(lead.get(ident, words[0].sentence), words[0].sentence)
        ranked = []
        for ident, (surface, keys) in shapes.items():
            n = len(keys)
            score = sum(weight.get(k, 0.0) for k in keys) / n**0.6
            if n == 1:
                score *= 0.6  # a lone word is a weak title
            elif _mixed(surface):
                score *= 1.2  # a name with what is said of it: "Taliban’s stance"
            elif n > 4:
                score *= 0.8
            score *= 1.0 + 0.25 * math.log(seen[ident])  # repeated
            score /= 1.0 + 0.5 * math.log1p(lead[ident])  # the opening sentences set the topic
            if said:
                score *= 1.0 + 0.5 * len(keys & said) / n  # the hosts used these words
            ranked.append(Phrase(surface, keys, score))
        ranked.sort(key=lambda p: (-p.score, len(p.text)))
        return ranked

    def title(self, text: str, support: str = "", avoid: Sequence[str] = ()) -> str | None:
        """The best phrase of ``text`` as a title, skipping any title in ``avoid``."""
        taken = {t.casefold() for t in avoid}
        for phrase in self.phrases(text, support):
            title = phrase.text[0].upper() + phrase.text[1:]
            if title.casefold() not in taken:
                return title
        return None


def is_chit_chat(text: str, min_terms: int = 8) -> bool:
    """Whether ``text`` is small talk: fewer than ``min_terms`` distinct content terms."""
    return len(set(content_terms(text))) < min_terms


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence (closing quotes and brackets aside)."""
    stripped = text.rstrip().rstrip("”’\"')]")
    return bool(stripped) and stripped[-1] in _SENTENCE_END
