"""How long does toolkit.align take on a long episode?

Builds a synthetic one-hour transcript (about 9,000 words, one word every
0.4 s, in sentence-long segments) that discusses 40 of the 60 paragraphs of a
synthetic 5,000-word article in order and reads 16 of its 20 quotes (4 of them
with a changed word), then times ``align()`` and prints the figure together
with a short accuracy summary against the known ground truth.

    .venv/bin/python bench/align_speed.py [--repeat N] [--seed S]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from toolkit.align import align
from toolkit.article import Article, Paragraph, Quote
from toolkit.transcribe.transcript import Segment, Transcript, Word

WORD = 0.35
STOP = (
    "the of and to a in that is was it for on with as by at from this be are "
    "but not or have had has they we you he she so what about which there"
).split()
FILLER = "yeah right okay well so I mean you know sure exactly interesting".split()


def pseudo_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct made-up words, such as "kalomir"."""
    syll = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice(syll, size=int(rng.integers(2, 4)))))
    return sorted(out)


def build(seed: int) -> tuple[Transcript, Article, list[bool], list[float], list[str]]:
    rng = np.random.default_rng(seed)
    vocab = pseudo_words(rng, 4000)
    general = vocab[:800]  # words any paragraph or talk may use
    n_par = 60

    # The article: 60 paragraphs of about 83 words, each with its own topic words.
    topics = [vocab[800 + 40 * p : 800 + 40 * (p + 1)] for p in range(n_par)]

    def sentence(topic: list[str], n: int, p_topic: float) -> list[str]:
        words = []
        for _ in range(n):
            r = rng.random()
            if r < 0.4:
                words.append(str(rng.choice(STOP)))
            elif r < 0.4 + p_topic:
                words.append(str(rng.choice(topic)))
            else:
                words.append(str(rng.choice(general)))
        return words

    par_words = [sentence(topics[p], 83, 0.35) for p in range(n_par)]
    quote_pars = sorted(rng.choice(n_par, size=20, replace=False).tolist())
    quotes = []
    for p in quote_pars:
        n = int(rng.integers(10, 25))
        at = int(rng.integers(0, len(par_words[p]) - n))
        quotes.append(Quote(text=" ".join(par_words[p][at : at + n]), speaker=None, paragraph=p))
    paragraphs = [Paragraph(index=p, text=" ".join(w) + ".") for p, w in enumerate(par_words)]
    article = Article(
        title="Synthetic",
        byline=None,
        date=None,
        url=None,
        paragraphs=paragraphs,
        quotes=quotes,
        # Names to respell misheard words towards, as many as a long news story
        # has; drawn apart so that the episode itself does not change.
        proper_nouns=[
            str(w).capitalize()
            for w in np.random.default_rng(seed + 1).choice(vocab[800:], size=80, replace=False)
        ],
    )

    # The conversation: 40 paragraphs discussed in order, with chatter between.
    discussed = sorted(rng.choice(n_par, size=40, replace=False).tolist())
    segments: list[Segment] = []
    truth_start = [float("nan")] * n_par
    expected = []
    t = 0.5

    def say(words: list[str]) -> None:
        nonlocal t
        ws = []
        for w in words:
            ws.append(Word(start=t, end=t + WORD - 0.05, word=" " + w))
            t += WORD
        text = "".join(w.word for w in ws)
        segments.append(Segment(id=len(segments), start=ws[0].start, end=ws[-1].end, text=text))
        segments[-1].words = ws
        t += 0.3

    for p in discussed:
        for _ in range(2):
            say(sentence([], 8, 0.0) + list(rng.choice(FILLER, size=3)))
        truth_start[p] = t
        # The hosts paraphrase: a fifth of their words are the paragraph's keywords.
        keywords = sorted(set(par_words[p]) & set(topics[p]))
        for k in range(18):
            say(sentence(keywords, 12, 0.2))
            if k == 9:
                for q in quotes:
                    if q.paragraph != p:
                        continue
                    words = q.text.split()
                    kind = int(rng.integers(0, 4))
                    if kind == 0:
                        expected.append("not_found")
                        continue
                    if kind == 1:
                        words[len(words) // 2] = str(rng.choice(general))
                        expected.append("near")
                    else:
                        expected.append("verbatim")
                    say(words)
    for q in quotes:
        if q.paragraph not in discussed:
            expected.insert(quotes.index(q), "not_found")
    transcript = Transcript(language="en", duration=t, segments=segments)
    is_discussed = [p in discussed for p in range(n_par)]
    return transcript, article, is_discussed, truth_start, expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    transcript, article, discussed, truth_start, expected = build(args.seed)
    n_words = len(transcript.words)
    n_article = sum(len(p.text.split()) for p in article.paragraphs)
    print(
        f"transcript: {transcript.duration / 60:.1f} min, {n_words} words, "
        f"{len(transcript.segments)} segments; article: {len(article.paragraphs)} "
        f"paragraphs, {n_article} words, {len(article.quotes)} quotes"
    )
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = align(transcript, article)
        times.append(time.perf_counter() - t0)
    print(f"align(): best {min(times):.3f} s, median {statistics.median(times):.3f} s")

    got = [p.discussed for p in result.paragraphs]
    agree = sum(a == b for a, b in zip(got, discussed, strict=True))
    errors = [
        abs(m.start - truth_start[m.index])
        for m in result.paragraphs
        if m.discussed and m.start is not None and discussed[m.index]
    ]
    print(f"discussed agrees on {agree}/{len(got)} paragraphs")
    if errors:
        print(
            f"paragraph start error: median {statistics.median(errors):.2f} s, "
            f"max {max(errors):.2f} s"
        )
    statuses = [q.status for q in result.quotes]
    ok = sum(a == b for a, b in zip(statuses, expected, strict=True))
    print(f"quote status agrees on {ok}/{len(expected)}")


if __name__ == "__main__":
    main()
