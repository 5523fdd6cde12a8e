"""Who the voices are: the diarization's labels named from the show's own files.

:func:`name_speakers` weighs every clue there is that a voice label ("S1") is
one of the episode's hosts or guests (a :class:`Candidate`), adds the clues up
in a score matrix (labels by candidates) and decides one to one, so two labels
never get the same name (``scipy.optimize.linear_sum_assignment``). A label
is named only where the clues for it add up to more than nothing; the rest
get a stable ``"Speaker N"``. The clues, and how much each weighs:

* **a self-introduction** ("I'm Maya Okafor", "my name is ...", "I am ...",
  "This is ..."): the speaker is that person (:data:`SELF`);
* **an introduction of another** ("my guest today is ...", "joined by ...",
  "with me is ...", "welcome, Daniel"): the next other voice to speak is
  that person, and the speaker is not (:data:`OTHER`);
* **an address** ("Hi, Daniel.", "Thanks, Maya.", "Daniel, what ...", "...,
  Daniel?"): the person addressed is the next other voice to speak or, for a
  greeting or thanks at the start of a turn (a reply), the voice that spoke
  just before; a name set off by a comma ("Tobias, why ten?") calls on the
  next voice even as a turn opens; never the speaker (:data:`ADDRESS`);
* **a voice sample** of the candidate, and **a voice print** of the same
  person from earlier episodes (:mod:`toolkit.speakers.prints`): for the
  voice whose print is nearest, by how much nearer it is than the next
  (:data:`SAME_VOICE`, :data:`VOICE_MARGIN`), and against the others
  (:data:`SAMPLE`, :data:`PRINT`);
* **the role**, as a tie-breaker only: a host usually speaks first and most
  (:data:`ROLE`; it never names a voice on its own).

Names in the transcript are matched loosely where Whisper misheard them
("Myrak Hafer" for "Maya Okafor"), as :mod:`toolkit.transcribe.names`
matches the show's people; a first name alone counts when it is exactly one
candidate's first name. Every clue is kept, readable for a producer, in
:attr:`Naming.evidence`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from toolkit.errors import SpeakerError
from toolkit.speakers.model import Diarization, Naming, Turn
from toolkit.transcribe.bias import letters
from toolkit.transcribe.names import (
    _SENTENCE_END,
    MIN_PERSON_SCORE,
    _a_word_sounds_alike,
    _person_targets,
    _Token,
    _tokens,
)
from toolkit.transcribe.transcript import Transcript, Word

__all__ = [
    "ADDRESS",
    "AGAINST",
    "OTHER",
    "PRINT",
    "PRINT_CLUE",
    "ROLE",
    "ROLE_CLUE",
    "SAME_VOICE",
    "SAMPLE",
    "SELF",
    "VOICE_MARGIN",
    "Candidate",
    "apply_names",
    "name_speakers",
]

# How much each clue weighs (a clue found by a loose match weighs its match's share).
SELF = 3.0
OTHER = 2.0
ADDRESS = 1.0
SAMPLE = 3.0
PRINT = 2.0
ROLE = 0.25
#: A first name alone, against a full name: there may be another Maya.
FIRST_NAME = 0.8
#: "This is ..." may present someone else ("this is Daniel, who ...").
THIS_IS = 0.7
#: An address within this many seconds of the start of the speaker's turn is a reply.
REPLY_SECONDS = 3.0

# A voice clue compares resemblyzer prints by cosine similarity. Measured with
# toolkit.speakers.embed on the sample episode and the bench cases (24 voices, 3
# of them real people): a voice sample (voice_print of 4 s cut from a person's
# line) against the mean window print of the rest of their speech, as a diarized
# voice has it, scored 0.854-0.978 (6 s: 0.881-0.980); against the nearest other
# voice of the same episode 0.487-0.933 (6 s: 0.524-0.910), the top being two
# alike synthetic voices (alike-voices: 0.950 for the same, 0.933 for the other).
# No one similarity tells the same voice from another, but the right voice
# always scored highest (margin at least 0.017 at 4 s, 0.060 at 6 s). So a
# sample or print is for the voice it is nearest, by how far it is nearer than
# the next voice (full weight at VOICE_MARGIN), and against every other voice.
#: Below this similarity a print is not the voice at all (the lowest same voice: 0.854).
SAME_VOICE = 0.80
#: How much nearer than the next voice a print must be to count in full.
VOICE_MARGIN = 0.10

#: How the evidence of a voice print starts (prints learn only from other clues).
PRINT_CLUE = "voice print of earlier episodes"
#: The evidence of a voice named because it is the one left for the one person left.
LAST_CLUE = "the only listed person left:"
#: How the evidence of a tie-break starts (it names no one on its own).
ROLE_CLUE = "tie-break:"
#: How the evidence of a clue against the name starts.
AGAINST = "against:"


@dataclass(frozen=True)
class Candidate:
    """A host or guest of the episode (``show.toml``, ``episode.toml``).

    ``sample`` is the voice print of their voice sample, when they have one.
    """

    name: str
    role: str | None = None
    sample: tuple[float, ...] | None = None


@dataclass(frozen=True)
class _Clue:
    label: str
    candidate: int
    weight: float
    text: str


_CLAUSE_END = re.compile(r"[.!?…,;:]")

# Words just before a name, as lower-case runs, and what they say about it.
_SELF_CUES = {("i'm",), ("im",), ("i", "am"), ("name", "is"), ("name's",), ("this", "is")}
_OTHER_CUES = {
    ("guest", "is"), ("guests", "are"), ("today", "is"), ("joined", "by"), ("joining", "us"),
    ("me", "is"), ("us", "is"), ("with", "me"), ("here", "with"), ("welcome",),
    ("welcome", "back"), ("introduce",), ("introducing",),
}  # fmt: skip
_ADDRESS_CUES = {("hi",), ("hello",), ("hey",), ("thanks",), ("thank", "you"), ("cheers",)}


def _unique(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per name (a host may be listed by the show and the episode)."""
    by_name: dict[str, Candidate] = {}
    for c in candidates:
        had = by_name.get(c.name)
        if had is not None:
            c = Candidate(
                c.name, had.role or c.role, c.sample if had.sample is None else had.sample
            )
        by_name[c.name] = c
    return list(by_name.values())


def _speaking(diarization: Diarization) -> list[str]:
    """The labels that speak (not music), in the order they first speak."""
    music = {v.label for v in diarization.voices if v.music}
    first: dict[str, float] = {}
    for turn in sorted(diarization.turns, key=lambda t: t.start):
        if turn.speaker not in music:
            first.setdefault(turn.speaker, turn.start)
    return list(first)


def _cue(tokens: list[_Token], i: int) -> tuple[str, int, float] | None:
    """What the words before a name at ``tokens[i]`` say: (kind, the cue's first token, weight)."""
    if i == 0 or _SENTENCE_END.search(tokens[i - 1].post):
        return None
    before = [t.core.lower().replace("’", "'") for t in tokens[max(0, i - 2) : i]]
    for n in (2, 1):
        if len(before) < n:
            continue
        cue = tuple(before[-n:])
        if n == 2 and _SENTENCE_END.search(tokens[i - 2].post):
            continue
        if cue in _SELF_CUES:
            # "This is Maya ..." opens a sentence or follows a greeting ("Hello, this is").
            at_start = i - n == 0 or bool(_CLAUSE_END.search(tokens[i - n - 1].post))
            if cue == ("this", "is"):
                return ("self", i - n, SELF * THIS_IS) if at_start else None
            return "self", i - n, SELF
        if cue in _OTHER_CUES:
            return "other", i - n, OTHER
        if cue in _ADDRESS_CUES:
            return "address", i - n, ADDRESS
    return None


def _vocative(tokens: list[_Token], i: int, n: int) -> bool:
    """``tokens[i:i+n]`` is a name set off as an address: "Daniel, what ..." or "..., Daniel?"."""
    last = tokens[i + n - 1].post
    opens = i == 0 or bool(_SENTENCE_END.search(tokens[i - 1].post))
    closes = i + n == len(tokens) or bool(_SENTENCE_END.search(last))
    return (opens and last.startswith(",")) or (i > 0 and "," in tokens[i - 1].post and closes)


def _full_name(span: list[_Token], name: str) -> float:
    """How sure it is that ``span`` says ``name`` (two words or more), 0 when not."""
    heard, want = "".join(t.key for t in span), letters(name)
    if heard == want:
        return 1.0
    if not all(t.core[:1].isupper() for t in span):
        return 0.0
    if any(_SENTENCE_END.search(t.post) for t in span[:-1]):
        return 0.0
    score = fuzz.ratio(heard, want)
    targets = _person_targets([name])
    if targets and score >= MIN_PERSON_SCORE and _a_word_sounds_alike(span, targets[0]):
        return score / 100.0
    return 0.0


def _match(tokens: list[_Token], i: int, candidates: Sequence[Candidate]) -> tuple[int, int, float]:
    """The candidate named at ``tokens[i]``: (index, words, how sure 0-1), or index -1.

    A full name matches loosely (:mod:`toolkit.transcribe.names`'s rule for the
    show's people); a first name alone only exactly, and only one candidate's.
    """
    if not tokens[i].core[:1].isupper():
        return -1, 0, 0.0
    found: list[tuple[float, int, int]] = []  # (sure, words, candidate)
    for k, cand in enumerate(candidates):
        words = cand.name.split()
        span = tokens[i : i + len(words)]
        full = len(words) >= 2 and len(span) == len(words)
        sure = _full_name(span, cand.name) if full else 0.0
        if sure > 0:
            found.append((sure, len(words), k))
        elif words and tokens[i].key == letters(words[0]):
            found.append((FIRST_NAME, 1, k))
    if not found:
        return -1, 0, 0.0
    found.sort(reverse=True)
    if len(found) > 1 and found[1][:2] == found[0][:2]:  # two candidates, one name: no clue
        return -1, 0, 0.0
    sure, n, k = found[0]
    return k, n, sure


def _other_turns(turns: list[Turn], speaker: str, speaking: set[str]) -> list[Turn]:
    """The turns of the speaking voices other than ``speaker``, in time order."""
    return [x for x in turns if x.speaker != speaker and x.speaker in speaking]


def _next_voice(others: list[Turn], t: float) -> str | None:
    """The first other voice to start speaking after time ``t``."""
    return next((x.speaker for x in others if x.start > t), None)


def _previous_voice(others: list[Turn], t: float) -> str | None:
    """The last other voice to start speaking before time ``t``."""
    before = [x for x in others if x.start < t]
    return before[-1].speaker if before else None


def _turn_start(turns: list[Turn], t: float, speaker: str) -> float:
    """When the speaker's stretch of speech holding ``t`` began (their turns run together)."""
    start = t
    for x in reversed([x for x in turns if x.start <= t]):
        if x.speaker != speaker:
            break
        start = x.start
    return start


def _quote(tokens: list[_Token], first: int, last: int) -> tuple[float, str]:
    """When it was said, and the words ``first`` to ``last`` from up to three words before.

    The quote stays within its sentence.
    """
    start = first
    while start > 0 and first - start < 3 and not _SENTENCE_END.search(tokens[start - 1].post):
        start -= 1
    text = "".join(t.pre + t.core + t.possessive + t.post for t in tokens[start : last + 1])
    return tokens[start].start, text.strip().rstrip(",;:")


def _transcript_clues(
    transcript: Transcript, diarization: Diarization, candidates: Sequence[Candidate]
) -> list[_Clue]:
    """The clues the words give: introductions, of oneself and of another, and addresses."""
    speaking = set(_speaking(diarization))
    turns = sorted(diarization.turns, key=lambda x: x.start)
    clues: list[_Clue] = []
    for seg in transcript.segments:
        me = seg.speaker
        if me is None or me not in speaking:
            continue
        words = seg.words or [Word(seg.start, seg.end, " " + w) for w in seg.text.split()]
        tokens = _tokens(words)
        i = 0
        while i < len(tokens):
            k, n, sure = _match(tokens, i, candidates)
            cue = _cue(tokens, i) if k >= 0 else None
            if cue is None and k >= 0 and _vocative(tokens, i, n):
                cue = ("vocative", i, ADDRESS)
            if cue is None:
                i += 1
                continue
            kind, first, weight = cue
            t, said = _quote(tokens, first, i + n - 1)
            name = candidates[k].name
            heard = " ".join(t.core for t in tokens[i : i + n])
            if letters(heard) not in (letters(name), letters(name.split()[0])):
                said += f" (heard for {name})"
            weight *= sure
            if kind == "self":
                clues.append(_Clue(me, k, weight, f"introduces themself at {t:.1f} s: {said}"))
            else:
                text = f"as {heard} by {me} at {t:.1f} s: {said}"
                clues.append(_Clue(me, k, -weight, f"{AGAINST} speaks to or of them {text}"))
                others = _other_turns(turns, me, speaking)
                nxt, prev = _next_voice(others, t), _previous_voice(others, t)
                shares = {nxt: 1.0}
                if kind == "address":  # a reply answers the voice before; else the next one
                    reply = prev is not None and t - _turn_start(turns, t, me) <= REPLY_SECONDS
                    shares = {nxt: 0.5, prev: 1.0} if reply else {prev: 0.3, nxt: 1.0}
                elif kind == "vocative":  # "Tobias, why ten?": the next one, even as a turn opens
                    shares = {prev: 0.3, nxt: 1.0}
                verb = "introduced" if kind == "other" else "addressed"
                for label, share in shares.items():
                    if label is not None:
                        clues.append(_Clue(label, k, weight * share, f"{verb} {text}"))
            i += n
    return clues


def _unit(v: Sequence[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    norm = float(np.linalg.norm(a))
    return a / norm if norm > 0 else a


def _voice_clues(
    diarization: Diarization,
    candidates: Sequence[Candidate],
    prints: Mapping[str, Sequence[float]],
) -> list[_Clue]:
    """The clues the voices give: each candidate's sample and earlier print against each label."""
    speaking = set(_speaking(diarization))
    voices = [v for v in diarization.voices if v.label in speaking and v.embedding]
    clues = []
    for k, cand in enumerate(candidates):
        refs = [(cand.sample, SAMPLE, "voice sample"), (prints.get(cand.name), PRINT, PRINT_CLUE)]
        for ref, weight, what in refs:
            if ref is None:
                continue
            sims = {}
            for voice in voices:
                if len(ref) != len(voice.embedding):
                    raise SpeakerError(
                        f"the {what} of {cand.name} has {len(ref)} numbers, "
                        f"the voice {voice.label} {len(voice.embedding)}: not the same model"
                    )
                sims[voice.label] = float(np.dot(_unit(ref), _unit(voice.embedding)))
            for label, sim in sims.items():
                nearest = max((x for other, x in sims.items() if other != label), default=None)
                bar = SAME_VOICE if nearest is None else max(SAME_VOICE, nearest)
                share = max(-1.0, min(1.0, (sim - bar) / VOICE_MARGIN))
                text = f"{what} similarity {sim:.2f}"
                if nearest is not None:
                    text += f" (the {'next' if share >= 0 else 'nearest'} voice {nearest:.2f})"
                if share < 0:
                    text = f"{AGAINST} {text}"
                clues.append(_Clue(label, k, weight * share, text))
    return clues


def _role_clues(diarization: Diarization, candidates: Sequence[Candidate]) -> list[_Clue]:
    """A host's tie-break: the voice that speaks first, and the one that speaks most."""
    order = _speaking(diarization)
    if not order:
        return []
    seconds = {label: 0.0 for label in order}
    for turn in diarization.turns:
        if turn.speaker in seconds:
            seconds[turn.speaker] += turn.end - turn.start
    most = max(order, key=lambda label: (seconds[label], -order.index(label)))
    clues = []
    for k, cand in enumerate(candidates):
        if cand.role is not None and "host" in cand.role.lower():
            clues.append(_Clue(order[0], k, ROLE, f"{ROLE_CLUE} a host speaks first"))
            clues.append(_Clue(most, k, ROLE, f"{ROLE_CLUE} a host speaks most"))
    return clues


def name_speakers(
    diarization: Diarization,
    transcript: Transcript,
    candidates: Sequence[Candidate],
    *,
    prints: Mapping[str, Sequence[float]] | None = None,
) -> Naming:
    """Name the diarization's voices after the candidates, from every clue there is.

    ``transcript``'s segments carry the diarization's labels as ``speaker``
    (:func:`toolkit.transcribe.sentences.sentence_segments` with its turns);
    ``prints`` are voice prints of people in earlier episodes, by name (only
    the candidates' are used). Music voices are never named. A voice that no
    clue names is ``"Speaker N"``, N its place among the speaking voices in the
    order they first speak, and is listed in :attr:`Naming.unnamed`.
    """
    candidates = _unique(candidates)
    order = _speaking(diarization)
    clues = [
        *_transcript_clues(transcript, diarization, candidates),
        *_voice_clues(diarization, candidates, prints or {}),
    ]
    ties = _role_clues(diarization, candidates)
    row = {label: r for r, label in enumerate(order)}
    score = np.zeros((len(order), len(candidates)))
    for clue in clues:
        score[row[clue.label], clue.candidate] += clue.weight
    tie = np.zeros_like(score)
    for clue in ties:
        tie[row[clue.label], clue.candidate] += clue.weight
    names: dict[str, str] = {}
    if score.size:
        gain = np.where(score > 0, score + tie, 0.0)
        for r, k in zip(*linear_sum_assignment(gain, maximize=True), strict=True):
            if score[r, k] > 1e-9:
                names[order[r]] = candidates[k].name
    left = [label for label in order if label not in names]
    free = [k for k, c in enumerate(candidates) if c.name not in names.values()]
    if names and len(left) == 1 and len(free) == 1 and score[row[left[0]], free[0]] >= 0:
        # Every other voice is named by a clue and one listed person is left: the
        # last voice is theirs (a guest who is never introduced nor addressed).
        names[left[0]] = candidates[free[0]].name
        clues.append(_Clue(left[0], free[0], 0.0, f"{LAST_CLUE} the other voices are named"))
    naming = Naming()
    for n, label in enumerate(order, start=1):
        name = names.get(label)
        if name is None:
            naming.names[label] = f"Speaker {n}"
            naming.unnamed.append(label)
            naming.evidence[label] = ["no clue names this voice"]
            continue
        naming.names[label] = name
        naming.evidence[label] = [
            c.text
            for c in [*clues, *ties]
            if c.label == label and candidates[c.candidate].name == name
        ]
    return naming


def apply_names(transcript: Transcript, naming: Naming) -> Transcript:
    """A copy of ``transcript`` with each segment's label replaced by its name.

    A segment whose label the naming does not know, or that has none, gets None.
    """
    named = copy.deepcopy(transcript)
    for seg in named.segments:
        seg.speaker = naming.names.get(seg.speaker) if seg.speaker is not None else None
    return named
