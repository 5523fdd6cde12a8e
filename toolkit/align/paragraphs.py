"""Align article paragraphs to stretches of the transcript by TF-IDF similarity."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from toolkit.align.model import ParagraphMatch, _r
from toolkit.align.normalise import Tokens
from toolkit.align.terms import _content_term, _identity, _name_terms, _respell, _text_terms
from toolkit.align.timeline import _Timeline
from toolkit.article import Article

#: A segment needs this many content words for its own similarity to relabel it.
_MIN_SEGMENT_TERMS = 5
#: Words a host uses for the story itself, when introducing it ("a blog post we read").
_STORY_WORDS = "article story piece post blog report headline news read wrote written author"


def _in_order_path(
    gain: np.ndarray, skip: float, gap: float
) -> tuple[list[tuple[int, int]], float]:
    """Best in-order local path through a (paragraphs x windows) gain matrix.

    Each window is either left out or assigned to one paragraph; paragraph
    indices never decrease along the path. An assigned window earns its gain,
    each paragraph jumped over costs ``skip`` and each window left out between
    two assigned ones costs ``gap``. Like Smith-Waterman, the path may start
    and end anywhere. Returns ``[(window, paragraph), ...]`` and its score.
    """
    n_par, n_win = gain.shape
    if n_par == 0 or n_win == 0:
        return [], 0.0
    par = np.arange(n_par)
    # V: best path whose last assigned window is i, given to p.
    # G: best path whose last paragraph is p and last assigned window is <= i.
    g_prev = np.full(n_par, -np.inf)
    g_src_prev = np.full(n_par, -1)
    from_par = np.empty((n_win, n_par), dtype=np.int64)  # -1: path starts here
    from_win = np.empty((n_win, n_par), dtype=np.int64)
    best, best_at = 0.0, (-1, -1)
    for i in range(n_win):
        # Arriving from an earlier paragraph q < p costs skip * (p - q - 1).
        shifted = g_prev + skip * par
        run_max = np.maximum.accumulate(shifted)
        run_arg = np.maximum.accumulate(np.where(shifted == run_max, par, 0))
        from_lower = np.full(n_par, -np.inf)
        from_lower[1:] = run_max[:-1] - skip * (par[1:] - 1)
        lower_arg = np.zeros(n_par, dtype=np.int64)
        lower_arg[1:] = run_arg[:-1]

        choices = np.vstack([np.zeros(n_par), g_prev, from_lower])
        pick = np.argmax(choices, axis=0)
        v = gain[:, i] + choices[pick, par]
        src_par = np.where(pick == 0, -1, np.where(pick == 1, par, lower_arg))
        from_par[i] = src_par
        from_win[i] = np.where(src_par < 0, -1, g_src_prev[np.maximum(src_par, 0)])

        decayed = g_prev - gap
        take_v = v >= decayed
        g_prev = np.where(take_v, v, decayed)
        g_src_prev = np.where(take_v, i, g_src_prev)
        p_best = int(np.argmax(v))
        if v[p_best] > best:
            best, best_at = float(v[p_best]), (i, p_best)

    path: list[tuple[int, int]] = []
    i, p = best_at
    while i >= 0 and p >= 0:
        path.append((i, p))
        i, p = int(from_win[i, p]), int(from_par[i, p])
    path.reverse()
    return path, best


def _runs(labels: list[Any]) -> list[tuple[int, int, Any]]:
    """Maximal runs ``(first, last + 1, label)`` of equal consecutive labels."""
    out: list[tuple[int, int, Any]] = []
    start = 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[start]:
            out.append((start, k, labels[start]))
            start = k
    return out


def _align_paragraphs(
    tl: _Timeline,
    norm: Tokens,
    article: Article,
    threshold: float,
    window: float,
    hop: float,
) -> tuple[list[ParagraphMatch], dict[int, int | None]]:
    n_par = len(article.paragraphs)
    n_seg = len(tl.seg_ids)
    empty = [ParagraphMatch(p.index, False, None, None, 0.0) for p in article.paragraphs]
    if n_par == 0 or len(tl.words) == 0:
        return empty, {sid: None for sid in tl.seg_ids}

    par_docs = [
        _text_terms(f"{para.heading}\n{para.text}" if para.heading else para.text)
        for para in article.paragraphs
    ]

    # Content terms of the transcript, each with the word it came from; names
    # the ASR misspelt are spelled as the article does.
    terms: list[str] = []
    term_word: list[int] = []
    for tok, word in zip(norm.tokens, norm.first, strict=True):
        term = _content_term(tok)
        if term is not None:
            terms.append(term)
            term_word.append(word)
    known = {term for doc in par_docs for term in doc}
    capital = [tl.words[w].strip()[:1].isupper() for w in term_word]
    terms = _respell(terms, capital, known, _name_terms(article.proper_nouns))
    term_word_arr = np.asarray(term_word, dtype=np.int64)
    term_time = (tl.starts[term_word_arr] + tl.ends[term_word_arr]) / 2 if terms else np.zeros(0)
    term_time = np.maximum.accumulate(term_time) if terms else term_time  # ASR may jitter

    # Sliding windows over time.
    t0, t1 = float(tl.starts[0]), float(tl.ends[-1])
    n_win = max(1, int(np.ceil(max(t1 - t0 - window, 0.0) / hop)) + 1)
    win_start = t0 + hop * np.arange(n_win)
    lo = np.searchsorted(term_time, win_start, side="left")
    hi = np.searchsorted(term_time, win_start + window, side="left")
    win_docs = [terms[a:b] for a, b in zip(lo, hi, strict=True)]

    seg_docs = [terms[a:b] for a, b in _segment_term_ranges(tl, term_word_arr)]

    if not any(par_docs) or not terms:
        return empty, {sid: None for sid in tl.seg_ids}
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    vec.fit(par_docs + win_docs)
    par_m = vec.transform(par_docs)
    sim = (par_m @ vec.transform(win_docs).T).toarray()  # paragraphs x windows
    seg_m = vec.transform(seg_docs)
    seg_sim = (par_m @ seg_m.T).toarray()  # paragraphs x segments
    # How much each segment sounds like a mention of the story itself.
    frame_doc = _text_terms(article.byline or "")
    frame_doc += [t for t in _text_terms(_STORY_WORDS) if t not in known]
    frame_sim = (vec.transform([frame_doc]) @ seg_m.T).toarray()[0]

    # First pass: the best in-order path.
    gain = sim - threshold
    path, _ = _in_order_path(gain, skip=threshold / 2, gap=threshold / 20)
    win_label = np.full(n_win, -1)
    win_pass = np.zeros(n_win, dtype=np.int64)
    for i, p in path:
        if gain[p, i] > 0:  # a window the path only bridges stays unlabelled
            win_label[i], win_pass[i] = p, 1

    # Second pass: clear matches the in-order path left out.
    best_par = np.argmax(sim, axis=0)
    strong = sim[best_par, np.arange(n_win)] >= 1.5 * threshold
    cand = [int(best_par[i]) if strong[i] and win_label[i] < 0 else -1 for i in range(n_win)]
    for a, b, p in _runs(cand):
        if p >= 0 and b - a >= 2:
            win_label[a:b], win_pass[a:b] = p, 2

    # Each segment takes the label of the window centred nearest to it.
    centres = win_start + window / 2
    seg_mid = (tl.seg_start + tl.seg_end) / 2
    nearest = np.clip(np.searchsorted(centres, seg_mid), 1, n_win - 1) if n_win > 1 else None
    if nearest is None:
        seg_win = np.zeros(n_seg, dtype=np.int64)
    else:
        left_closer = (seg_mid - centres[nearest - 1]) <= (centres[nearest] - seg_mid)
        seg_win = np.where(left_closer, nearest - 1, nearest)
    labels = [(int(win_label[w]), int(win_pass[w])) for w in seg_win]
    # One segment is short, so its own similarity is low even on topic: it must
    # only beat a quarter of the window threshold to pull a boundary.
    labels = _refine_boundaries(labels, seg_sim, frame_sim, tl, threshold / 4, window / 2)
    # A sentence that plainly returns to another paragraph ("which brings us back
    # to ...") is too short for the windows to see; its own similarity can.
    for k, (cur, _) in enumerate(labels):
        q = int(np.argmax(seg_sim[:, k]))
        own_q = seg_sim[q, k]
        own_cur = seg_sim[cur, k] if cur >= 0 else 0.0
        if (
            q != cur
            and len(seg_docs[k]) >= _MIN_SEGMENT_TERMS
            and own_q >= 2 * threshold
            and own_cur < threshold
            and own_q >= 2 * own_cur
        ):
            beside = labels[k - 1 : k] + labels[k + 1 : k + 2]
            labels[k] = (q, 1) if (q, 1) in beside else (q, 2)

    # An article of questions and answers (an interview) prints each question
    # as a paragraph of its own: heard as the lead-in to its answer, it is that
    # paragraph's, not the answer's.
    asked = {p for p, para in enumerate(article.paragraphs) if _asks(para.text)}
    labels = _lead_ins(_whole_sentences(labels, tl), tl, seg_sim, asked)

    # Collect each paragraph's segments, main span and revisits.
    matches: list[ParagraphMatch] = []
    seg_par: dict[int, int | None] = {sid: None for sid in tl.seg_ids}
    for k, (p, _) in enumerate(labels):
        if p >= 0:
            seg_par[tl.seg_ids[k]] = article.paragraphs[p].index
    runs = [r for r in _runs(labels) if r[2][0] >= 0]
    for p in range(n_par):
        para = article.paragraphs[p]
        mine = [(a, b, pas) for a, b, (q, pas) in runs if q == p]
        if not mine:
            matches.append(ParagraphMatch(para.index, False, None, None, _r(sim[p].max())))
            continue
        first = [(a, b) for a, b, pas in mine if pas == 1]
        later = [(a, b) for a, b, pas in mine if pas == 2]
        if first:
            main = (first[0][0], first[-1][1])
        else:
            # Discussed only out of order: the strongest stretch is the main one.
            main = max(later, key=lambda r: float(seg_sim[p, r[0] : r[1]].sum()))
            later.remove(main)
        segs = [k for a, b, _ in mine for k in range(a, b)]
        win_mask = win_label == p
        score = sim[p, win_mask].max() if win_mask.any() else sim[p].max()
        matches.append(
            ParagraphMatch(
                index=para.index,
                discussed=True,
                start=_r(tl.seg_start[main[0]]),
                end=_r(tl.seg_end[main[1] - 1]),
                score=_r(score),
                segments=sorted(tl.seg_ids[k] for k in segs),
                revisits=[
                    [_r(tl.seg_start[a]), _r(tl.seg_end[b - 1])]
                    for a, b in later
                    if a >= main[1] or b <= main[0]
                ],
            )
        )
    return matches, seg_par


#: The most words of a paragraph that is one question (an interview's).
_QUESTION_WORDS = 30
#: The most (seconds) of questions that lead into a paragraph ...
_LEAD_IN_SECONDS = 8.0
#: ... each followed within this long (seconds) by what comes next.
_LEAD_IN_GAP = 2.0


def _is_question(tl: _Timeline, k: int) -> bool:
    first, last = tl.seg_words[k]
    return last > first and tl.words[last - 1].strip().rstrip("\"'\u201d\u2019)").endswith("?")


def _whole_sentences(labels: list[tuple[int, int]], tl: _Timeline) -> list[tuple[int, int]]:
    """Give each sentence one label: the one most of its words have (its first, on a tie).

    A long sentence is cut into several segments; a paragraph never starts
    or ends inside one.
    """
    labels = list(labels)
    opens = _opens_sentence(tl)
    k = 0
    while k < len(labels):
        end = k + 1
        while end < len(labels) and not opens[end]:
            end += 1
        if end - k > 1:
            weight: dict[tuple[int, int], int] = {}
            for j in range(k, end):
                first, last = tl.seg_words[j]
                weight[labels[j]] = weight.get(labels[j], 0) + (last - first)
            best = max(weight, key=lambda lab: (weight[lab], lab == labels[k]))
            for j in range(k, end):
                labels[j] = best
        k = end
    return labels


def _asks(text: str) -> bool:
    """Whether a paragraph is one question: a single short sentence ending in "?"."""
    text = text.strip().rstrip("\"'\u201d\u2019)")
    words = text.split()
    inner = text[:-1]
    return (
        text.endswith("?")
        and 0 < len(words) <= _QUESTION_WORDS
        and not any(mark in inner for mark in ".?!")
    )


def _lead_ins(
    labels: list[tuple[int, int]],
    tl: _Timeline,
    seg_sim: np.ndarray,
    asked: set[int],
) -> list[tuple[int, int]]:
    """Give the question that leads into a paragraph to that paragraph.

    Where a paragraph's run begins, the question just before it ("What does
    the rule of law mean for Japan in practice, though?") is what its
    discussion answers: up to :data:`_LEAD_IN_SECONDS` of questions, whole
    sentences, each ending at most :data:`_LEAD_IN_GAP` seconds before what
    follows, join it, whether they were left unlabelled or given to the
    paragraph before (only for runs on the in-order path: a revisit's
    lead-in is too often the run before's own question). Other talk between
    two paragraphs (a reaction, "Sure thing.") stays outside both.

    Where the paragraph before is itself a question of the article
    (``asked``: paragraph numbers, an interview's questions) and the lead-in
    is more like it than like the answer (``seg_sim``: paragraphs x
    segments), the lead-in is that question's paragraph instead.
    """
    labels = list(labels)
    opens = _opens_sentence(tl)
    for r, (b, _, label) in enumerate(_runs(labels)):
        if label[0] < 0 or label[1] != 1 or r == 0:  # in-order runs only
            continue
        k = b
        while k > 0:
            first = k - 1
            while first > 0 and not opens[first]:
                first -= 1
            question = _is_question(tl, k - 1) and labels[first][0] != label[0]
            if not question or tl.seg_start[k] - tl.seg_end[k - 1] > _LEAD_IN_GAP:
                break
            if tl.seg_end[b - 1] - tl.seg_start[first] > _LEAD_IN_SECONDS:
                break
            k = first
        lead = label
        before = label[0] - 1
        like_it = k < b and seg_sim[before, k:b].sum() > seg_sim[label[0], k:b].sum()
        if before in asked and like_it:
            lead = (before, 1)
        for j in range(k, b):
            labels[j] = lead
    return labels


def _opens_sentence(tl: _Timeline) -> list[bool]:
    """For each segment, whether it starts a sentence (the one before it ends one)."""
    out = [True]
    for first, last in tl.seg_words[:-1]:
        tail = tl.words[last - 1].strip().rstrip("\"'\u201d\u2019)") if last > first else "."
        out.append(tail.endswith((".", "?", "!")))
    return out


def _segment_term_ranges(tl: _Timeline, term_word: np.ndarray) -> list[tuple[int, int]]:
    firsts = np.asarray([a for a, _ in tl.seg_words], dtype=np.int64)
    lasts = np.asarray([b for _, b in tl.seg_words], dtype=np.int64)
    lo = np.searchsorted(term_word, firsts, side="left")
    hi = np.searchsorted(term_word, lasts, side="left")
    return list(zip(lo.tolist(), hi.tolist(), strict=True))


def _refine_boundaries(
    labels: list[tuple[int, int]],
    seg_sim: np.ndarray,
    frame_sim: np.ndarray,
    tl: _Timeline,
    threshold: float,
    reach: float,
) -> list[tuple[int, int]]:
    """Move each boundary between labelled runs to the best nearby segment boundaries.

    A segment earns its own similarity minus ``threshold`` on the side of its
    paragraph, and nothing when it is left unlabelled. Between runs ``A`` and
    ``B`` the boundary becomes ``A... | none... | B...``: the two cuts may move
    by up to ``reach`` seconds but never past the neighbouring boundaries. So a
    lead-in question that names the topic joins its paragraph, while filler and
    reaction lines at the edges ("Sure thing.") fall outside both.

    The first paragraph's run and the last one's are then trimmed of an
    introduction and an outro, cutting only between sentences. No neighbouring
    paragraph competes there, so a segment must beat twice ``threshold``, and
    also its similarity to a mention of the story itself (``frame_sim``: the
    author, "the article", "a news story"): a host who says "today we read a
    news story about Japan on the Security Council" introduces the whole
    article, not its first paragraph.
    """
    labels = list(labels)
    runs = _runs(labels)
    none = (-1, 0)

    def own(k: int, label: tuple[int, int]) -> float:
        return float(seg_sim[label[0], k]) - threshold if label[0] >= 0 else 0.0

    for r in range(1, len(runs)):
        a_start, cut, a_label = runs[r - 1]
        _, b_end, b_label = runs[r]
        t_cut = tl.seg_start[cut]
        lo = cut
        while lo - 1 > a_start and t_cut - tl.seg_start[lo - 1] <= reach:
            lo -= 1
        hi = cut
        while hi + 1 < b_end and tl.seg_start[hi + 1] - t_cut <= reach:
            hi += 1
        # prefix_a[c]: segments lo..c-1 labelled A; suffix_b[c]: segments c..hi-1 labelled B.
        span = range(lo, hi + 1)
        prefix_a = {lo: 0.0}
        for c in range(lo + 1, hi + 1):
            prefix_a[c] = prefix_a[c - 1] + own(c - 1, a_label)
        suffix_b = {hi: 0.0}
        for c in range(hi - 1, lo - 1, -1):
            suffix_b[c] = suffix_b[c + 1] + own(c, b_label)
        best = (prefix_a[cut] + suffix_b[cut], 0, cut, cut)
        for c1 in span:
            for c2 in range(c1, hi + 1):
                score = prefix_a[c1] + suffix_b[c2]
                moved = abs(c1 - cut) + abs(c2 - cut)
                if score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and moved < best[1]):
                    best = (score, moved, c1, c2)
        _, _, c1, c2 = best
        for k in range(lo, hi):
            labels[k] = a_label if k < c1 else none if k < c2 else b_label
        runs[r - 1] = (a_start, c1, a_label)
        runs[r] = (c2, b_end, b_label)

    def edge(k: int, label: tuple[int, int]) -> float:
        # What a segment at the episode's edges earns on its paragraph's side.
        return float(seg_sim[label[0], k]) - max(2 * threshold, float(frame_sim[k]))

    # Edges are cut between sentences: Whisper may break a segment mid-sentence.
    opens = _opens_sentence(tl)

    # The introduction: cut the head of the first run where the running sum of
    # edge() is lowest, looking up to ``reach`` seconds past the best cut so far.
    labelled = [r for r in _runs(labels) if r[2][0] >= 0]
    if labelled:
        a, b, label = labelled[0]
        k, total, best_cut, cut = a, 0.0, 0.0, a
        while k < b - 1 and tl.seg_start[k] - tl.seg_start[cut] <= reach:
            total += edge(k, label)
            k += 1
            if -total > best_cut + 1e-9 and opens[k]:
                best_cut, cut = -total, k
        for j in range(a, cut):
            labels[j] = none
    # The outro: the same from the tail of the last run.
    labelled = [r for r in _runs(labels) if r[2][0] >= 0]
    if labelled:
        a, b, label = labelled[-1]
        k, total, best_cut, cut = b, 0.0, 0.0, b
        while k - 1 > a and tl.seg_end[cut - 1] - tl.seg_end[k - 1] <= reach:
            k -= 1
            total += edge(k, label)
            if -total > best_cut + 1e-9 and opens[k]:
                best_cut, cut = -total, k
        for j in range(cut, b):
            labels[j] = none
    return labels
