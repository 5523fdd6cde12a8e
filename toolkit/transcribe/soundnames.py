"""Names misheard past any spelling match, put right where the audio says them.

:func:`~toolkit.transcribe.names.correct_names` fixes near-miss spellings
("Kuma Kai" for "Kumagai") from the letters alone, and must stay strict, or
ordinary words would become names. A name heard as other words ("Thomas
Williamsby" for "Tomasz Wierzbicki", "Kazimir" for "Casimir", "Iolan" for
"Iolanthe") is too far from its spelling for that. Here a looser match of the
letters proposes the name, and the audio decides (:func:`correct_by_sound`):
on the sentence's own clip, the Whisper model scores the sentence as heard
and with the name in place of the words (teacher forcing,
:mod:`toolkit.align.acoustic`). The name is taken when it scores at most
:data:`SOUND_PER_WORD` nats per name word under the words heard (said and
misheard, a name scores about as well as what Whisper wrote; a name put where
other words were said scores far below them), and at least :data:`SPECIFIC`
nats over another of the names put in the same place (a garbled word, which
any name fits better, is not a name said).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from toolkit.align.quotecheck import MAX_CLIP, SLIP_THRESHOLD
from toolkit.transcribe.bias import is_common_word, letters
from toolkit.transcribe.names import (
    _SENTENCE_END,
    Find,
    _correct_segment,
    _Matcher,
    _skeleton,
    _Target,
    _Token,
    _tokens,
    correct_segments,
)
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

if TYPE_CHECKING:
    from toolkit.align.quotecheck import QuoteScorer
    from toolkit.article import Article

__all__ = ["LOOSE_SCORE", "SOUND_PER_WORD", "SPECIFIC", "Candidate", "correct_by_sound"]

#: A run of words is proposed for a name when its letters are at least this
#: alike (rapidfuzz ratio, 0-100) ...
LOOSE_SCORE = 55.0
#: ... or its consonants this alike, with the letters at least LOOSE_FLOOR.
LOOSE_SKELETON = 67.0
LOOSE_FLOOR = 40.0
#: The name is taken when the sentence with it scores at least this much
#: (nats per name word) against the sentence as heard.
SOUND_PER_WORD = -1.0
#: ... and beats, by at least this many nats, the sentence with the name
#: nearest in letters that shares no word with it (the control): what a word
#: changed for another costs a quote at least
#: (:data:`toolkit.align.quotecheck.SLIP_THRESHOLD`, 5.4). Where any name fits
#: a garbled word about as well ("Lorincunt" for "lorries can't"), it is not
#: this name that was said.
SPECIFIC = -SLIP_THRESHOLD
#: A run is scored as each of the names it is most alike to, at most this many.
MAX_TARGETS = 3
#: A word of a person's name is a name of its own from this many letters.
MIN_WORD_LETTERS = 4
#: Seconds of audio scored either side of the sentence (a sentence longer than
#: the scorer's MAX_CLIP is not checked).
CLIP_MARGIN = 0.3


@dataclass
class Candidate:
    """A run of a segment's tokens that may be a misheard name, and how it scored."""

    first: int
    last: int
    target: _Target
    text: str  # the segment's text with the name in place
    control: str | None = None  # the segment's text with the control name in place
    delta: float | None = None  # its score minus the heard text's, in nats
    control_delta: float | None = None  # the control's


def _alike(span: list[_Token], target: _Target) -> float:
    """How alike the run's letters are to the name's, 0 where too far."""
    key = "".join(t.key for t in span)
    ratio = fuzz.ratio(key, target.key)
    if ratio >= LOOSE_SCORE:
        return ratio
    skeleton = fuzz.ratio(
        "".join(_skeleton(t.core) for t in span), _skeleton(target.spelling.replace(" ", ""))
    )
    return ratio if skeleton >= LOOSE_SKELETON and ratio >= LOOSE_FLOOR else 0.0


def _proposable(span: list[_Token], target: _Target, named: set[str]) -> bool:
    """The guards on a loose match: the run could be the name, not words of its own.

    It has about as many words as the name, one of them capitalised as
    Whisper writes names, and none of its words is an everyday word ("which
    Thomas", "In Ishikane's") unless it is the name's own. A word of the
    article's or the show's people's names (``named``), spelled as they are,
    is another name said ("Tamsin", "Russia", "Garvock"), unless it is this
    name's word in its own place in a run as long as the name ("Ardling
    Fairweather-Ashe" for "Ottoline Fairweather-Ashe"); so "is Daniel",
    "Hocking" alone and "with China" are left as they are.
    """
    if abs(len(span) - target.n_words) > 1 or not any(t.core[:1].isupper() for t in span):
        return False
    lower = [t.core.lower() for t in span]
    own = target.spelling.lower().split()
    for k, word in enumerate(lower):
        if word not in named:
            continue
        if len(span) != target.n_words or own[k] != word:
            return False
    if all(w in own for w in lower):
        return False  # the name already
    return all(w in own or not is_common_word(t.core) for t, w in zip(span, lower, strict=True))


def _name_parts(matcher: _Matcher) -> set[str]:
    return {letters(p) for w in matcher.target_words for p in w.split("-") if len(letters(p)) >= 3}


def _glued(token: _Token, parts: set[str]) -> bool:
    """A word with a name's piece glued on ("Recorg-Bairdh" for "recorded"): the
    decoder copied a name from its prompt onto a word that was said, which a
    name fits better than the word, as it fits any garbled word."""
    pieces = [letters(p) for p in token.core.split("-") if letters(p)]
    if len(pieces) < 2:
        return False
    named = [any(fuzz.ratio(p, q) >= 80 for q in parts) for p in pieces]
    return any(named) and not all(named)


def _person_words(matcher: _Matcher) -> list[_Target]:
    """The words of the show's people's names on their own: hosts call each other
    by first name ("Morning, Iolanthe"), which the article's names seldom hold."""
    spelled = {t.spelling for t in matcher.targets}
    out: dict[str, _Target] = {}
    for person in matcher.people:
        for word in person.spelling.split():
            key = letters(word)
            if len(key) >= MIN_WORD_LETTERS and not is_common_word(word) and word not in spelled:
                out.setdefault(word, _Target(word, key, 1, False, frozenset({word.lower()}), True))
    return list(out.values())


def candidates(seg: Segment, matcher: _Matcher) -> list[Candidate]:
    """The runs of ``seg`` loosely like one of the names, with the text each would make."""
    words = seg.words
    tokens = _tokens(words)
    parts = _name_parts(matcher)
    glued = [_glued(t, parts) for t in tokens]
    targets = [*matcher.targets, *matcher.people, *_person_words(matcher)]
    named = matcher.target_words | {w for p in matcher.people for w in p.words}
    found = []
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + matcher.max_words) + 1):
            if j - i > 1 and _SENTENCE_END.search(tokens[j - 2].post):
                break
            if glued[j - 1]:
                break
            span = tokens[i:j]
            near = {t.core.lower() for t in tokens[max(0, i - 1) : i] + tokens[j : j + 1]}
            alike = []
            for target in targets:
                if near & target.words or not _proposable(span, target, named):
                    continue  # next to its own word, it would write the word twice
                ratio = _alike(span, target)
                if ratio:
                    alike.append((ratio, target))
            alike.sort(key=lambda a: -a[0])
            key = "".join(t.key for t in span)
            for _, target in alike[:MAX_TARGETS]:
                found.append(_candidate(words, span, target, _control(key, target, targets)))
            found += _anchored(words, span, near, targets, named)
    return found


def _anchored(
    words: list[Word],
    span: list[_Token],
    near: set[str],
    targets: list[_Target],
    named: set[str],
) -> list[Candidate]:
    """The run ``span`` as a name heard in part: one end is the name's own first or
    last word, heard right, and the words before or after it are the rest of the
    name misheard as everyday words ("below in Hocking" for "Elowen Hocking",
    "you and Sinclair" for "Ewan Sinclair").

    The rest must be about as many words as the rest of the name, none of them
    a word of a name (``named``), with letters loosely alike, and the words
    either side of the run none of the name's. Its control keeps the heard
    word: the name nearest in letters to the rest, as long as the rest of the
    name and sharing no word with it (:func:`_control`), put in place of the rest.
    """
    out: list[Candidate] = []
    for target in targets:
        if target.n_words < 2 or target.acronym or near & target.words:
            continue
        spelling = target.spelling.split()
        for at_end in (True, False):
            anchor, rest = (span[-1], span[:-1]) if at_end else (span[0], span[1:])
            heard_right = spelling[-1] if at_end else spelling[0]
            name_rest = " ".join(spelling[:-1] if at_end else spelling[1:])
            if anchor.core.lower() != heard_right.lower() or not rest:
                continue
            if abs(len(rest) - len(name_rest.split())) > 1:
                continue
            if any(t.core.lower() in named for t in rest):
                continue
            rest_key = "".join(t.key for t in rest)
            if fuzz.ratio(rest_key, letters(name_rest)) < LOOSE_SCORE:
                continue
            # As long as the rest of the name, sharing no word with the whole name.
            like_rest = replace(target, spelling=name_rest, n_words=len(name_rest.split()))
            control = _control(rest_key, like_rest, targets)
            out.append(_candidate(words, span, target, control, rest))
    return out


def _candidate(
    words: list[Word],
    span: list[_Token],
    target: _Target,
    control: _Target | None,
    controlled: list[_Token] | None = None,
) -> Candidate:
    """``span`` written as ``target``, with ``control`` written in place of
    ``controlled`` (the whole span by default) for the control text."""
    return Candidate(
        span[0].first,
        span[-1].last,
        target,
        _put(words, span, target),
        _put(words, controlled or span, control) if control is not None else None,
    )


def _put(words: list[Word], span: list[_Token], name: _Target) -> str:
    """The segment's text with the run ``span`` written as ``name``."""
    before = "".join(w.word for w in words[: span[0].first])
    after = "".join(w.word for w in words[span[-1].last + 1 :])
    written = span[0].pre + name.spelling + span[-1].possessive + span[-1].post
    return (before + written + after).strip()


def _control(key: str, target: _Target, targets: list[_Target]) -> _Target | None:
    """The name of as many words as ``target``, sharing none of its words, that is
    nearest in letters to the run ``key``: what any name would score there."""
    others = [
        t
        for t in targets
        if t.n_words == target.n_words and not (t.words & target.words) and not t.acronym
    ]
    return max(others, key=lambda t: (fuzz.ratio(key, t.key), t.spelling), default=None)


def _heard(seg: Segment) -> str:
    return "".join(w.word for w in seg.words).strip()


def _scored(seg: Segment, found: list[Candidate], scorer: QuoteScorer) -> None:
    start = max(0.0, seg.start - CLIP_MARGIN)
    end = seg.end + CLIP_MARGIN
    if end - start > MAX_CLIP:
        return
    texts = [" " + _heard(seg)]
    for c in found:
        texts += [" " + c.text] + ([" " + c.control] if c.control is not None else [])
    heard, *alts = scorer.score(start, end, texts)
    at = 0
    for c in found:
        c.delta = alts[at] - heard
        if c.control is not None:
            c.control_delta = alts[at + 1] - heard
        at += 2 if c.control is not None else 1


def _passes(c: Candidate) -> bool:
    """Scores about as well as the words heard, and better than another name would."""
    if c.delta is None or c.delta / c.target.n_words < SOUND_PER_WORD:
        return False
    return c.control_delta is None or c.delta - c.control_delta >= SPECIFIC


def _taken(found: list[Candidate]) -> list[Candidate]:
    """The candidates that pass, best first, none overlapping another."""
    passing = [c for c in found if _passes(c)]
    passing.sort(key=lambda c: (-(c.delta or 0.0), c.first))
    chosen: list[Candidate] = []
    for c in passing:
        if all(c.last < o.first or c.first > o.last for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.first)


def _r2(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _finder(chosen: list[Candidate]) -> Find:
    """Finds exactly the runs ``chosen`` (for ``_correct_segment``)."""

    def find(tokens: list[_Token]) -> list[tuple[int, int, _Target]]:
        starts = {t.first: k for k, t in enumerate(tokens)}
        ends = {t.last: k for k, t in enumerate(tokens)}
        return [(starts[c.first], ends[c.last], c.target) for c in chosen]

    return find


def correct_by_sound(
    transcript: Transcript,
    article: Article,
    scorer: QuoteScorer,
    people: Sequence[str] = (),
) -> Transcript:
    """A copy of ``transcript`` with misheard names put right where the audio says them.

    ``article`` and ``people`` are as for
    :func:`~toolkit.transcribe.names.correct_names` (run that first: what it
    corrects is not looked at again). Every segment with a run of words
    loosely like a name (:func:`candidates`) is scored once on its clip, the
    heard text and each candidate's text together; each run that passes
    :data:`SOUND_PER_WORD` is replaced as ``correct_names`` replaces, and
    recorded as a :class:`Correction` with the scores as its evidence.
    Segments without word times are left alone.
    """

    def fix(seg: Segment, matcher: _Matcher) -> tuple[Segment, list[Correction]]:
        found = candidates(seg, matcher) if seg.words else []
        if found:
            _scored(seg, found, scorer)
        chosen = _taken(found)
        if not chosen:
            return seg, []
        new_seg, made = _correct_segment(seg, _finder(chosen))
        for correction, c in zip(made, chosen, strict=True):
            correction.sound = {
                "delta": round(c.delta or 0.0, 2),
                "per_word": SOUND_PER_WORD,
                "control_delta": _r2(c.control_delta),
                "specific": SPECIFIC,
                "model": scorer.model,
            }
        return new_seg, made

    return correct_segments(transcript, _Matcher(article, people), fix)
