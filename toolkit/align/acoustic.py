"""The acoustic check's scorer: Whisper's log-probability of a text given a stretch of audio.

Teacher forcing: the clip's log-mel spectrogram goes through the encoder once,
then the decoder reads each text after the start-of-transcript sequence
(language, transcribe, no timestamps) and the log-probabilities of the text's
own tokens, and of the end of text, are summed. Comparing two wordings of a
quote on its own audio tells which of them was said: Whisper's own hypothesis
is usually the likelier, but where it misheard, the words that were said
score about as well; words that were never said score far below.

whisper and torch are imported when the first text is scored, and the model is
loaded then, once per process (shared with openai-whisper transcription), so a
build whose quotes need no check loads nothing. :class:`CachedScorer` keeps
the scores in the user's cache, keyed by the audio's content, the model, the
clip, the text and this module's code, so a rebuild into a new folder loads
no model either.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import fsutil
from toolkit.align.quotecheck import MAX_CLIP, QuoteScorer
from toolkit.audio import FFMPEG, SAMPLE_RATE
from toolkit.errors import AudioError
from toolkit.hashing import content_key
from toolkit.paths import cache_dir
from toolkit.profile import timed

if TYPE_CHECKING:
    import numpy as np
    import torch
    from whisper.model import Whisper

    from toolkit.transcribe.transcript import Transcript

__all__ = [
    "MAX_CLIP",
    "CachedScorer",
    "WhisperScorer",
    "decode_clip",
    "decoding_prompt",
    "whisper_scorer",
]

#: Seconds of spectrogram the encoder sees at least: a clip shorter than this
#: is padded with silence up to it (see WhisperScorer).
MIN_CONTEXT = 10.0


def decode_clip(path: Path, start: float, end: float) -> np.ndarray:
    """Mono float32 samples in [-1, 1] at 16 kHz of ``path`` from ``start`` to ``end`` (s).

    ffmpeg seeks in the input, so only those seconds are decoded.
    """
    import numpy as np

    cmd = [
        FFMPEG, "-nostdin", "-v", "error",
        "-ss", f"{max(0.0, start):.3f}", "-t", f"{max(0.0, end - start):.3f}",
        "-i", str(path),
        "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", str(SAMPLE_RATE), "-",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise AudioError("ffmpeg is not installed", path) from e
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise AudioError(f"ffmpeg could not decode the audio ({lines[-1] if lines else ''})", path)
    return np.frombuffer(proc.stdout, dtype="<i2").astype(np.float32) / np.float32(32768.0)


def decoding_prompt(transcript: Transcript) -> str:
    """The prompt ``transcript`` was decoded with: the names its biasing gave
    Whisper (``initial_prompt``, or faster-whisper's ``hotwords``), or ""."""
    options = transcript.options
    return str(options.get("initial_prompt") or options.get("hotwords") or "")


def whisper_scorer(audio: Path, transcript: Transcript, model: str | None = None) -> WhisperScorer:
    """The scorer that checks quotes of ``transcript`` on ``audio`` as the build does:
    with its model (or ``model``), its language and its decoding prompt."""
    return WhisperScorer(
        audio,
        model or transcript.model or "base",
        transcript.language or None,
        prompt=decoding_prompt(transcript),
    )


def _shared_model(name: str) -> Whisper:
    """The model ``name``, loaded once per process, the same one transcription uses."""
    from toolkit.transcribe.engines.openai import _model

    return _model(name)


class WhisperScorer:
    """Scores texts on stretches of one audio file with a Whisper model (a QuoteScorer).

    ``model``: a model name or checkpoint, as ``[transcription] model`` takes
    it; ``language``: the spoken language (multilingual models; None: English).
    ``full_window``: pad each clip to Whisper's 30 s window as transcription
    does; by default the encoder sees only the clip, padded with silence to
    ``min_context`` seconds when shorter, which is several times faster and,
    measured on the labelled cases (bench/quote_check.py), separates slips
    from changes as well.
    ``prompt``: the text transcription was prompted with (the article's
    names, :func:`toolkit.transcribe.bias.prompt_for`), put before each text
    as Whisper's previous text, so the heard words are scored as they were
    decoded. ``loader`` loads a model by name (tests pass their own).
    """

    def __init__(
        self,
        audio: Path,
        model: str,
        language: str | None = None,
        *,
        full_window: bool = False,
        min_context: float = MIN_CONTEXT,
        prompt: str = "",
        loader: Callable[[str], Whisper] | None = None,
    ) -> None:
        self.audio = Path(audio)
        self._name = model
        self.language = language or "en"
        self.full_window = full_window
        self.min_context = min_context
        self.prompt = prompt
        self._loader = loader or _shared_model
        #: How many clips were scored (for reports and tests).
        self.clips = 0

    @property
    def model(self) -> str:
        return self._name

    @property
    def settings(self) -> dict[str, Any]:
        """What the scores depend on besides the audio, the model and the texts."""
        return {
            "language": self.language,
            "full_window": self.full_window,
            "min_context": self.min_context,
            "prompt": self.prompt,
        }

    @cached_property
    def _whisper(self) -> Whisper:
        return self._loader(self._name)

    @cached_property
    def _tokenizer(self) -> Any:
        from whisper.tokenizer import get_tokenizer

        m = self._whisper
        return get_tokenizer(
            m.is_multilingual,
            num_languages=m.num_languages,
            language=self.language if m.is_multilingual else None,
            task="transcribe",
        )

    def _features(self, samples: np.ndarray) -> torch.Tensor:
        """The encoder's output for ``samples``."""
        import torch.nn.functional as F
        from whisper.audio import HOP_LENGTH, N_SAMPLES, log_mel_spectrogram, pad_or_trim

        m = self._whisper
        if self.full_window:
            mel = log_mel_spectrogram(pad_or_trim(samples), m.dims.n_mels)
            full: torch.Tensor = m.embed_audio(mel.unsqueeze(0).to(m.device))
            return full
        # Only the clip's frames: the encoder's layers over a shorter stretch,
        # with the start of its positional embedding.
        length = max(len(samples), int(self.min_context * SAMPLE_RATE))
        length = min(N_SAMPLES, length + (-length) % (2 * HOP_LENGTH))
        mel = log_mel_spectrogram(pad_or_trim(samples, length), m.dims.n_mels)
        mel = mel[:, : length // HOP_LENGTH].unsqueeze(0).to(m.device)
        enc = m.encoder
        x = F.gelu(enc.conv2(F.gelu(enc.conv1(mel)))).permute(0, 2, 1)
        x = x + enc.positional_embedding[: x.shape[1]].to(x.dtype)
        for block in enc.blocks:
            x = block(x)
        out: torch.Tensor = enc.ln_post(x)
        return out

    def token_scores(
        self, start: float, end: float, texts: Sequence[str]
    ) -> list[tuple[float, int]]:
        """For each text: the summed log-probability of its tokens (and the end of
        text) given the audio from ``start`` to ``end``, and how many tokens that is."""
        import torch

        if end - start > MAX_CLIP:
            raise ValueError(f"a clip of {end - start:.1f} s is longer than {MAX_CLIP:g} s")
        samples = decode_clip(self.audio, start, end)
        self.clips += 1
        m, tok = self._whisper, self._tokenizer
        prefix = list(tok.sot_sequence_including_notimestamps)
        if self.prompt.strip():
            # As transcription decoded: after the prompt of the article's names.
            names = tok.encode(" " + self.prompt.strip())[-(m.dims.n_text_ctx // 2 - 1) :]
            prefix = [tok.sot_prev, *names, *prefix]
        seqs = [prefix + tok.encode(text) + [tok.eot] for text in texts]
        width = max(len(s) for s in seqs)
        batch = torch.tensor([s + [tok.eot] * (width - len(s)) for s in seqs], device=m.device)
        with torch.inference_mode():
            features = self._features(samples)
            picked = self._logprobs(batch, features, len(prefix))
        return [
            (float(picked[i, : len(seq) - len(prefix)].sum()), len(seq) - len(prefix))
            for i, seq in enumerate(seqs)
        ]

    def _logprobs(self, batch: torch.Tensor, features: torch.Tensor, skip: int) -> torch.Tensor:
        """The log-probability of each token of ``batch`` after its first ``skip``.

        Every sequence starts with the same ``skip`` tokens (the prompt and the
        start of transcript), so the decoder reads them once: their keys and
        values in each layer's self-attention are kept and shared by every
        text, which then reads only its own tokens (the prompt is most of a
        sequence). The scores are those of the decoder run over each whole
        sequence (``tests/test_quote_check.py`` checks them against it), and
        the vocabulary is projected onto only for the positions scored.
        """
        import torch
        import torch.nn.functional as F

        dec = self._whisper.decoder
        n = len(batch)
        inputs = batch[:, :-1]
        shared = skip - 1  # the inputs before the one that predicts the first scored token

        def heads(t: torch.Tensor, n_head: int) -> torch.Tensor:
            return t.view(*t.shape[:2], n_head, -1).permute(0, 2, 1, 3)

        def merge(t: torch.Tensor) -> torch.Tensor:
            return t.permute(0, 2, 1, 3).flatten(start_dim=2)

        def listen(block: Any, keys: torch.Tensor, values: torch.Tensor, x: torch.Tensor) -> Any:
            """The block's cross-attention, with the audio's keys and values given."""
            cross, b = block.cross_attn, len(x)
            q = heads(cross.query(block.cross_attn_ln(x)), cross.n_head)
            kv = keys.expand(b, -1, -1, -1), values.expand(b, -1, -1, -1)
            return cross.out(merge(F.scaled_dot_product_attention(q, *kv)))

        xp = dec.token_embedding(inputs[:1, :shared]) + dec.positional_embedding[:shared]
        xs = (
            dec.token_embedding(inputs[:, shared:])
            + dec.positional_embedding[shared : inputs.shape[1]]
        )
        xp, xs = xp.to(features.dtype), xs.to(features.dtype)
        rest = xs.shape[1]
        # The texts' tokens see every shared one, and those of their own before them.
        allowed = torch.ones(rest, shared + rest, dtype=torch.bool, device=xs.device)
        allowed[:, shared:] = torch.tril(allowed[:, shared:])
        for block in dec.blocks:
            attn, nh = block.attn, block.attn.n_head
            # The audio's keys and values, once for every sequence.
            kc = heads(block.cross_attn.key(features), nh)
            vc = heads(block.cross_attn.value(features), nh)
            h = block.attn_ln(xp)
            kp, vp = heads(attn.key(h), nh), heads(attn.value(h), nh)
            qp = heads(attn.query(h), nh)
            xp = xp + attn.out(merge(F.scaled_dot_product_attention(qp, kp, vp, is_causal=True)))
            xp = xp + listen(block, kc, vc, xp)
            xp = xp + block.mlp(block.mlp_ln(xp))
            h = block.attn_ln(xs)
            k = torch.cat([kp.expand(n, -1, -1, -1), heads(attn.key(h), nh)], dim=2)
            v = torch.cat([vp.expand(n, -1, -1, -1), heads(attn.value(h), nh)], dim=2)
            q = heads(attn.query(h), nh)
            xs = xs + attn.out(merge(F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)))
            xs = xs + listen(block, kc, vc, xs)
            xs = xs + block.mlp(block.mlp_ln(xs))
        x = dec.ln(xs)
        logits = (x @ dec.token_embedding.weight.to(x.dtype).T).float()
        logprobs = torch.log_softmax(logits, dim=-1)
        out: torch.Tensor = logprobs.gather(-1, batch[:, skip:].unsqueeze(-1)).squeeze(-1)
        return out

    def score(self, start: float, end: float, texts: Sequence[str]) -> list[float]:
        """The log-probability of each of ``texts`` given the audio from ``start`` to ``end``."""
        return [total for total, _ in self.token_scores(start, end, texts)]


#: What the scores depend on besides their inputs: this module's code.
_REVISION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


class CachedScorer:
    """A :class:`QuoteScorer` whose scores are kept in the user's cache.

    ``audio_sha256`` is the content hash of the audio ``scorer`` reads; the
    entries live in ``root`` (default: the cache's ``quote-scores``), one small
    JSON file per clip and set of texts.
    """

    def __init__(self, scorer: QuoteScorer, audio_sha256: str, root: Path | None = None):
        self.scorer = scorer
        self.audio_sha256 = audio_sha256
        self.root = Path(root) if root is not None else cache_dir() / "quote-scores"
        #: Clips answered from the cache, and clips scored.
        self.hits = 0
        self.misses = 0

    @property
    def model(self) -> str:
        return self.scorer.model

    def score(self, start: float, end: float, texts: Sequence[str]) -> list[float]:
        settings = getattr(self.scorer, "settings", {})
        clip = [f"{start:.3f}", f"{end:.3f}"]
        key = content_key([_REVISION, self.audio_sha256, self.model, settings, clip, list(texts)])
        path = self.root / key[:2] / f"{key}.json"
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(cached, list) and len(cached) == len(texts):
                self.hits += 1
                return [float(x) for x in cached]
        except (OSError, ValueError):
            pass  # a missing or broken entry is a miss
        with timed("acoustic check"):
            scores = self.scorer.score(start, end, texts)
        self.misses += 1
        with contextlib.suppress(OSError):  # a read-only cache costs time, not the result
            fsutil.write_text(path, json.dumps(scores))
        return scores
