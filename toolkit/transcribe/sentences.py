"""Segments are sentences: the decoded words regrouped by their own timings.

Whisper decodes 30 s windows. Its segments cut sentences in two, mix both
voices of a dialogue, and where two windows join they may overlap in time and
repeat words; a word that opens a window often takes in the silence before it
and lasts seconds. :func:`sentence_segments` rebuilds a transcript's segments
from its timed words:

1. **Words are repaired.** A word far longer than it could be spoken is cut
   to a plausible length on the side of the silence it took in. The decoded
   segments are put in time order, each keeping its words together: where
   two overlap in time, the overlap keeps the words of the one Whisper was
   surer of, so two decodings are never interleaved; words repeated right
   where two segments join are kept once, and no word ends after the next
   one starts.
2. **Sentences.** A new segment starts after a word that ends a sentence
   (``. ? !``, not an abbreviation or an initial), after a pause of
   :data:`SPLIT_PAUSE` seconds, and wherever the speaker changes (``turns``).
3. **Caption-friendly.** A sentence longer than :data:`MAX_CHARS` characters
   or :data:`MAX_SECONDS` seconds is cut into as few even pieces as fit, at
   the best places: after a comma or a colon, at a pause, before a
   conjunction.

The result's segments never overlap, its words are monotonic, and running it
again changes nothing. Segments without word timings are kept whole, in time
order. Each new segment carries the decoding scores (``avg_logprob``,
``no_speech_prob``) of the decoded segments its words came from.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from toolkit.transcribe.transcript import Segment, Transcript, Word

__all__ = [
    "MAX_CHARS",
    "MAX_SECONDS",
    "SPLIT_PAUSE",
    "Turn",
    "ends_sentence",
    "repair_words",
    "sentence_segments",
]

#: The longest segment, in characters: two caption lines of 42.
MAX_CHARS = 84
#: The longest segment, in seconds, as captions allow.
MAX_SECONDS = 8.0
#: A silence this long (seconds) between two words ends a segment.
SPLIT_PAUSE = 1.0
#: Two decoded segments overlap where one's word starts this much (seconds) before the other's ends.
_OVERLAP = 0.05
#: The most words a decoded segment may repeat of the one before, at their join.
_REPEAT_WORDS = 5
#: An echo (see :func:`_drop_echoes`) is this many instant words or more...
_ECHO_WORDS = 3
#: ... repeating words among this many before it.
_ECHO_REACH = 15
#: A gap (seconds) beside a word that counts as the silence it may have taken in.
_GAP = 0.15

#: A speaker's stretch of the audio: start, end (seconds) and the speaker's label.
Turn = tuple[float, float, str]

_CLOSERS = "\"'\u201d\u2019)]}\u00bb"
_SENTENCE_END = (".", "?", "!", "\u2026", "\u3002", "\uff1f", "\uff01")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc gen sen rep gov lt col capt sgt no nos vol fig approx "
    "inc ltd co corp dept univ ave".split()
)
# "U.S.", "e.g.", "J." : letters each followed by a full stop.
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")
_LETTERS = re.compile(r"[^\W_]", re.UNICODE)
_CLAUSE = (",", ";", ":", "\u2014", "\u2013", "-")
_CONJUNCTIONS = frozenset(
    "and but or so because which who whom whose that while when where although though "
    "if unless since until as than whether".split()
)
_PREPOSITIONS = frozenset("with on in to for of at by from about into over after before".split())


def _bare(word: str) -> str:
    return word.strip().rstrip(_CLOSERS)


def _norm(word: str) -> str:
    return "".join(_LETTERS.findall(word.lower()))


def ends_sentence(word: str, pause_after: float = 0.0) -> bool:
    """Whether ``word`` (as transcribed, with its punctuation) ends a sentence.

    An abbreviation ("Dr.", "etc.") or initials ("U.S.", "J.") end one only
    when a pause of :data:`SPLIT_PAUSE` follows.
    """
    text = _bare(word)
    if not text.endswith(_SENTENCE_END):
        return False
    if text.endswith("."):
        stem = text[:-1].lower()
        if stem in _ABBREVIATIONS or _INITIALS.match(text):
            return pause_after >= SPLIT_PAUSE
    return True


def _max_duration(word: str) -> float:
    """The longest a word could plausibly be spoken: half a second plus 0.1 s a letter.

    A digit counts three letters ("2023" is "twenty twenty-three").
    """
    text = word.strip()
    letters = sum(3 if c.isdigit() else 1 for c in text if c.isalnum())
    return 0.5 + 0.1 * max(letters, 1)


@dataclass
class _Timed:
    """A word being regrouped: the word, and the decoded segment it came from."""

    word: Word
    source: int


def _drop_echoes(words: list[_Timed]) -> list[_Timed]:
    """Without the instant words that close a decoded segment by repeating what it just said.

    Past the end of the audio it was given, Whisper may go on with words it
    cannot place in time (all at one instant), echoing the words before them
    ("... the most realistic outcome, she thinks, is the most realistic
    outcome."). A run of at least :data:`_ECHO_WORDS` such words that ends a
    segment, most of whose words were among the :data:`_ECHO_REACH` words
    before it, is dropped.
    """
    out: list[_Timed] = []
    i, n = 0, len(words)
    while i < n:
        j = i
        while j < n and words[j].source == words[i].source and _instant(words[j].word):
            j += 1
        ends_segment = j > i and (j == n or words[j].source != words[i].source)
        if j - i >= _ECHO_WORDS and ends_segment:
            before = {_norm(tw.word.word) for tw in out[-_ECHO_REACH:]}
            run = [_norm(tw.word.word) for tw in words[i:j]]
            if sum(t in before for t in run) >= 0.6 * len(run):
                i = j
                continue
        out.extend(words[i : max(j, i + 1)])
        i = max(j, i + 1)
    return out


def _instant(w: Word) -> bool:
    return w.end - w.start < 0.02


def _mean_probability(words: list[_Timed]) -> float:
    return sum(tw.word.probability for tw in words) / len(words)


def _join(kept: list[_Timed], group: list[_Timed]) -> list[_Timed]:
    """What of ``group`` (one decoded segment) follows ``kept``; ``kept`` may lose its tail.

    Where the two overlap in time (two windows heard the same stretch), the
    overlap is given to the side Whisper was surer of, by mean word
    probability (``kept`` on a tie), and the other side's words in it are
    dropped. Then words that open ``group`` repeating the words that close
    ``kept`` (up to :data:`_REPEAT_WORDS`), right at the join, are dropped.
    """
    if not kept or not group:
        return group
    k = len(kept)
    while k > 0 and kept[k - 1].word.end > group[0].word.start + _OVERLAP:
        k -= 1
    h = 0
    while h < len(group) and group[h].word.start < kept[-1].word.end - _OVERLAP:
        h += 1
    if k < len(kept) and h:
        if _mean_probability(group[:h]) > _mean_probability(kept[k:]):
            del kept[k:]
        else:
            group = group[h:]
    if not kept or not group or group[0].word.start - kept[-1].word.end > SPLIT_PAUSE:
        return group
    for n in range(min(_REPEAT_WORDS, len(kept), len(group)), 0, -1):
        tail = [_norm(tw.word.word) for tw in kept[-n:]]
        if all(tail) and tail == [_norm(tw.word.word) for tw in group[:n]]:
            return group[n:]
    return group


def _start_with(prev: _Timed, cur: _Timed) -> None:
    """``cur`` starts no earlier than ``prev``, the word before it."""
    if cur.word.start < prev.word.start:
        cur.word = replace(cur.word, start=prev.word.start, end=max(cur.word.end, prev.word.start))


def repair_words(words: list[_Timed]) -> list[_Timed]:
    """Words in time order, each once, none too long, none ending after the next starts."""
    words = _drop_echoes(words)
    n = len(words)
    # Too long: the word took in a silence beside it; cut it on that side.
    for i, tw in enumerate(words):
        w = tw.word
        limit = _max_duration(w.word)
        if w.end - w.start <= limit:
            continue
        before = w.start - words[i - 1].word.end if i > 0 else float("inf")
        opens = i == 0 or words[i - 1].source != tw.source
        after = words[i + 1].word.start - w.end if i + 1 < n else float("inf")
        if opens or before > _GAP or after <= _GAP:
            tw.word = replace(w, start=round(w.end - limit, 3))
        else:
            tw.word = replace(w, end=round(w.start + limit, 3))
    # Each decoded segment's words stay together, in the decoder's order: two
    # segments that overlap in time are never interleaved word by word.
    groups: list[list[_Timed]] = []
    for tw in words:
        if groups and groups[-1][0].source == tw.source:
            groups[-1].append(tw)
        else:
            groups.append([tw])
    groups.sort(key=lambda g: g[0].word.start)  # stable: ties keep their order
    kept: list[_Timed] = []
    for group in groups:
        for prev, cur in zip(group, group[1:], strict=False):
            _start_with(prev, cur)
        kept.extend(_join(kept, group))
    for prev, cur in zip(kept, kept[1:], strict=False):
        # A join within _OVERLAP keeps both sides; the later word may then start
        # before an instant word that closed the one before (6.72-6.72, then 6.68).
        _start_with(prev, cur)
        if prev.word.end > cur.word.start:
            prev.word = replace(prev.word, end=max(prev.word.start, cur.word.start))
        if cur.word.end < cur.word.start:
            cur.word = replace(cur.word, end=cur.word.start)
    return kept


class _Speakers:
    """Who speaks when, from turns: the speaker whose turns cover most of a word."""

    def __init__(self, turns: Sequence[Turn]):
        self.turns = sorted(turns)
        self.starts = [t[0] for t in self.turns]

    def at(self, w: Word) -> str | None:
        # Turns starting before the word ends; the ones that matter end after it starts.
        k = bisect.bisect_right(self.starts, max(w.end, w.start))
        cover: dict[str, float] = {}
        nearest: tuple[float, str] | None = None
        for start, end, speaker in reversed(self.turns[max(0, k - 8) : k]):
            overlap = min(end, w.end) - max(start, w.start)
            if overlap > 0:
                cover[speaker] = cover.get(speaker, 0.0) + overlap
            elif start <= w.start <= end:  # an instant word inside a turn
                cover.setdefault(speaker, 0.0)
            distance = max(start - w.end, w.start - end, 0.0)
            if nearest is None or distance < nearest[0]:
                nearest = (distance, speaker)
        if cover:
            return max(cover, key=lambda s: (cover[s], s))
        return nearest[1] if nearest is not None else None


def _cut_cost(words: list[_Timed], k: int) -> float:
    """How bad a cut between ``words[k - 1]`` and ``words[k]`` reads (lower is better).

    A cut inside a written word ("Lindqvist" "-Abara", timed apart) is the
    worst: a caption would break the name, and the name correction would see
    half of it.
    """
    if not words[k].word.word[:1].isspace():
        return 50.0
    before = _bare(words[k - 1].word.word)
    pause = words[k].word.start - words[k - 1].word.end
    if before.endswith(_CLAUSE):
        return 1.0
    if pause >= 0.3:
        return 1.5
    following = _norm(words[k].word.word)
    if following in _CONJUNCTIONS:
        return 2.0
    if following in _PREPOSITIONS:
        return 3.0
    return 4.0


def _fits(words: list[_Timed], a: int, b: int) -> bool:
    chars = len("".join(tw.word.word for tw in words[a:b]).strip())
    seconds = words[b - 1].word.end - words[a].word.start
    return b - a == 1 or (chars <= MAX_CHARS and seconds <= MAX_SECONDS)


def _pieces(words: list[_Timed]) -> list[list[_Timed]]:
    """Cut one sentence into as few pieces as fit, at the best-reading places.

    A dynamic programme over the cut points: fewest pieces first, then the
    lowest sum of cut costs plus how uneven the pieces are.
    """
    n = len(words)
    if _fits(words, 0, n):
        return [words]
    inf = (10**9, float("inf"))
    best: list[tuple[int, float]] = [(0, 0.0)] + [inf] * n
    back = [0] * (n + 1)
    target = len("".join(tw.word.word for tw in words)) / 2
    for b in range(1, n + 1):
        for a in range(b - 1, -1, -1):
            if not _fits(words, a, b):
                break
            if best[a] == inf:
                continue
            chars = len("".join(tw.word.word for tw in words[a:b]))
            cost = best[a][1] + (_cut_cost(words, a) if a else 0.0)
            cost += abs(chars - min(target, MAX_CHARS * 0.75)) / MAX_CHARS
            cand = (best[a][0] + 1, cost)
            if cand < best[b]:
                best[b], back[b] = cand, a
    out: list[list[_Timed]] = []
    b = n
    while b > 0:
        a = back[b]
        out.append(words[a:b])
        b = a
    out.reverse()
    return out


def _segment(
    seg_id: int, words: list[_Timed], sources: list[Segment], speaker: str | None
) -> Segment:
    counts: dict[int, int] = {}
    for tw in words:
        counts[tw.source] = counts.get(tw.source, 0) + 1
    total = len(words)
    avg = sum(sources[s].avg_logprob * c for s, c in counts.items()) / total
    main = max(counts, key=lambda s: (counts[s], -s))
    return Segment(
        id=seg_id,
        start=words[0].word.start,
        end=words[-1].word.end,
        text="".join(tw.word.word for tw in words).strip(),
        words=[tw.word for tw in words],
        avg_logprob=round(avg, 4),
        no_speech_prob=sources[main].no_speech_prob,
        speaker=speaker,
    )


def sentence_segments(transcript: Transcript, turns: Sequence[Turn] | None = None) -> Transcript:
    """``transcript`` with its segments rebuilt as sentences (see the module's text).

    ``turns`` are the speakers' stretches of the audio: a segment never
    spans two speakers, and takes the speaker of its words. Without them
    each segment keeps the speaker of the decoded segment most of its words
    came from. Corrections keep their times; their segment ids are updated.
    """
    sources = transcript.segments
    timed = [_Timed(w, i) for i, seg in enumerate(sources) for w in seg.words]
    wordless = [seg for seg in sources if not seg.words and seg.text.strip()]
    words = repair_words(timed)

    who = _Speakers(turns) if turns is not None else None

    def speaker_of(tw: _Timed) -> str | None:
        if who is not None:
            return who.at(tw.word)
        return sources[tw.source].speaker

    sentences: list[tuple[list[_Timed], str | None]] = []
    current: list[_Timed] = []
    for i, tw in enumerate(words):
        speaker = speaker_of(tw)
        if current and speaker != speaker_of(current[-1]):
            sentences.append((current, speaker_of(current[-1])))
            current = []
        current.append(tw)
        pause = words[i + 1].word.start - tw.word.end if i + 1 < len(words) else 0.0
        if i + 1 == len(words) or ends_sentence(tw.word.word, pause) or pause >= SPLIT_PAUSE:
            sentences.append((current, speaker))
            current = []

    built: list[tuple[float, list[_Timed] | Segment, str | None]] = []
    for sentence, speaker in sentences:
        for piece in _pieces(sentence):
            built.append((piece[0].word.start, piece, speaker))
    built.extend((seg.start, seg, seg.speaker) for seg in wordless)
    built.sort(key=lambda item: item[0])
    segments: list[Segment] = []
    for k, (_, item, speaker) in enumerate(built):
        if isinstance(item, Segment):
            segments.append(replace(item, id=k))
        else:
            segments.append(_segment(k, item, sources, speaker))
    return replace(
        transcript,
        segments=segments,
        corrections=[
            replace(c, segment=_segment_at(segments, c.start)) for c in transcript.corrections
        ],
    )


def _segment_at(segments: list[Segment], t: float) -> int:
    """The id of the segment holding time ``t`` (the last one starting at or before it)."""
    found = segments[0].id if segments else 0
    for seg in segments:
        if seg.start <= t + 1e-6:
            found = seg.id
        else:
            break
    return found
