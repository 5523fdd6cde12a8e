"""Normalise words for matching: lowercase, no punctuation, numbers as digits.

Also contractions expanded ("we're" -> "we are", "can't" = "cannot" = "can
not") and British spellings made American ("defence" -> "defense"); see
:mod:`toolkit.align.variants`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.align.variants import american, expand_contraction

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Ordinals stay words ("first" is a stop word to TF-IDF); "21st" becomes them.
_ORDINAL_WORDS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_TENS_WORDS = ["", "", *_TENS]
_TENS_ORDINALS = (
    "- - twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
)
#: Tokens that are numbers even after normalisation (the rest became digits).
ORDINALS = frozenset(_ORDINAL_WORDS) | frozenset(_TENS_ORDINALS[2:])
#: Titles read out in full ("Mr." is said "mister").
_TITLES = {"mr": "mister", "mrs": "missus", "dr": "doctor"}
_FILLERS = frozenset({"uh", "um", "uhm", "er", "erm", "ah", "hmm", "mm"})
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
# A word with apostrophes inside it ("we're", "japan's") is one token until
# expand_contraction has had a look at it.
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th)?(?![^\W_])|[^\W_]+(?:'[^\W_]+)*")
_ORDINAL_DIGITS = re.compile(r"(\d+)(?:st|nd|rd|th)")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# Whisper splits long numbers into word pieces: " 300" ",000", " 4" ".1".
_NUMBER_TAIL = re.compile(r"[,.]\d+")


@dataclass
class Tokens:
    """Normalised tokens, each pointing back to the source words it came from."""

    tokens: list[str]
    first: list[int]  # index of the first source word of each token
    last: list[int]  # index of the last source word of each token
    #: Other readings of some tokens, by index: the "is" of "it's" may be "has".
    alts: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def head(self, n: int) -> Tokens:
        """The first ``n`` tokens: what comes after them is not looked at."""
        alts = {i: a for i, a in self.alts.items() if i < n}
        return Tokens(self.tokens[:n], self.first[:n], self.last[:n], alts)

    def readings(self, i: int) -> tuple[str, ...]:
        """Every reading of token ``i``: the token itself, then its alternatives."""
        return (self.tokens[i], *self.alts.get(i, ()))


def same_token(a: Tokens, i: int, b: Tokens, j: int) -> bool:
    """Whether token ``i`` of ``a`` and token ``j`` of ``b`` can be the same word."""
    if a.tokens[i] == b.tokens[j]:
        return True
    if i not in a.alts and j not in b.alts:
        return False
    return not set(a.readings(i)).isdisjoint(b.readings(j))


def _ordinal_words(n: int) -> list[str] | None:
    """An ordinal written with digits as words: 21 (of "21st") -> twenty, first."""
    if n < 20:
        return [_ORDINAL_WORDS[n]]
    if n < 100:
        tens = _TENS_WORDS[n // 10]
        return [tens, _ORDINAL_WORDS[n % 10]] if n % 10 else [_TENS_ORDINALS[n // 10]]
    return None


def _raw_tokens(
    words: list[str],
) -> tuple[list[str], list[int], list[int], dict[int, tuple[str, ...]]]:
    """Lowercase tokens of ``words``, each with its first and last source word.

    Also the other readings of tokens that come from an ambiguous contraction.
    """
    out: list[str] = []
    first: list[int] = []
    last: list[int] = []
    alts: dict[int, tuple[str, ...]] = {}
    for i, word in enumerate(words):
        text = _APOSTROPHES.sub("'", word.lower())
        tail = _NUMBER_TAIL.match(text)
        if tail and out and last[-1] == i - 1 and _DIGITS.fullmatch(out[-1]):
            # A piece that goes on the number before it ("300" ",000" is 300000).
            piece = tail.group(0)
            if piece[0] == "," or "." not in out[-1]:
                out[-1] += piece[1:] if piece[0] == "," else piece
                last[-1] = i
                text = text[tail.end() :]
        for tok in _TOKEN.findall(text):
            if tok[0].isdigit():
                tok = tok.replace(",", "")
            ordinal = _ORDINAL_DIGITS.fullmatch(tok)
            said = _ordinal_words(int(ordinal.group(1))) if ordinal else None
            reading = [(w, ()) for w in said] if said else expand_contraction(tok)
            if reading is None:
                plain = tok.replace("'", "")
                reading = [(_TITLES.get(plain, plain), ())]
            for part, other in reading:
                if part in _FILLERS:
                    continue
                if other:
                    alts[len(out)] = other
                out.append(part)
                first.append(i)
                last.append(i)
        if "%" in text:
            out.append("percent")
            first.append(i)
            last.append(i)
    return out, first, last, alts


def _number_run(toks: list[str], i: int) -> tuple[int, int] | None:
    """Parse spelled-out number words starting at ``toks[i]``.

    Returns ``(value, tokens used)`` or None. Handles "twenty four", "one hundred
    and five", "two thousand", "40 million" and years such as "nineteen ninety".
    """

    def small(j: int) -> tuple[int, int] | None:
        # A number below 100: "seven", "twelve", "forty", "forty two".
        if j >= len(toks):
            return None
        if toks[j] in _UNITS:
            return _UNITS[toks[j]], 1
        if toks[j] in _TENS:
            value = _TENS[toks[j]]
            nxt = toks[j + 1] if j + 1 < len(toks) else ""
            if nxt in _UNITS and 0 < _UNITS[nxt] < 10:
                return value + _UNITS[nxt], 2
            return value, 1
        return None

    first = small(i)
    if first is None:
        if _DIGITS.fullmatch(toks[i]) and i + 1 < len(toks) and toks[i + 1] in _SCALES:
            return round(float(toks[i]) * _SCALES[toks[i + 1]]), 2
        return None
    value, used = first
    # Years read in pairs: "nineteen ninety", "twenty twenty four".
    if 10 <= value < 100:
        second = small(i + used)
        if second is not None and second[0] >= 10:
            return value * 100 + second[0], used + second[1]
    total, current = 0, value
    j = i + used
    while j < len(toks):
        tok = toks[j]
        if tok == "hundred" and current < 100:
            current *= 100
            j += 1
            if j + 1 < len(toks) and toks[j] == "and" and small(j + 1) is not None:
                j += 1
            nxt = small(j)
            if nxt is not None:
                current += nxt[0]
                j += nxt[1]
        elif tok in _SCALES and current > 0:
            total += current * _SCALES[tok]
            current = 0
            j += 1
            if j + 1 < len(toks) and toks[j] == "and" and small(j + 1) is not None:
                j += 1
            nxt = small(j)
            if nxt is None:
                break
            current, used = nxt
            j += used
        else:
            break
    return total + current, j - i


def normalise_words(words: list[str]) -> Tokens:
    """Normalise words for matching: lowercase, no punctuation, numbers as digits.

    ``words`` are raw words as transcribed or written (" Council,", "twenty-four",
    "40%"). Hyphenated words split into parts, contractions are expanded
    ("we're" -> "we are", "can't" and "cannot" -> "can not"; the "is" of "it's"
    may also be "has", see :attr:`Tokens.alts` and :func:`same_token`), other
    apostrophes vanish ("Japan's" -> "japans"), fillers ("uh", "um") are dropped,
    spelled-out numbers become digits ("twenty four" -> "24", "per cent" ->
    "percent") and ordinals written with digits become words ("21st" -> "20
    first", as "twenty-first" gives), a number that Whisper split into word
    pieces (" 300" ",000") is joined up again, and British spellings become
    American ("defence" -> "defense", :func:`~toolkit.align.variants.american`).
    Each token keeps the range of source words it came from, so a match maps
    back to timestamps.
    """
    toks, src, src_last, alts = _raw_tokens(words)
    out = Tokens([], [], [])
    i = 0
    while i < len(toks):
        tok = toks[i]
        run = _number_run(toks, i)
        if run is not None:
            value, used = run
            out.tokens.append(str(value))
            out.first.append(src[i])
            out.last.append(src_last[i + used - 1])
            i += used
            continue
        if tok == "per" and i + 1 < len(toks) and toks[i + 1] == "cent":
            out.tokens.append("percent")
            out.first.append(src[i])
            out.last.append(src_last[i + 1])
            i += 2
            continue
        if i in alts:
            out.alts[len(out.tokens)] = alts[i]
        out.tokens.append(american(tok))
        out.first.append(src[i])
        out.last.append(src_last[i])
        i += 1
    return out
