"""Transcription: audio in, a :class:`~toolkit.transcribe.transcript.Transcript` out.

The public API is named here (see :mod:`toolkit.transcribe.run` for how a
transcript is made). One module per job:

- :mod:`~toolkit.transcribe.options`: the decoding options (a leaf module);
- :mod:`~toolkit.transcribe.transcript`: the data model;
- :mod:`~toolkit.transcribe.cache`: the content-addressed transcript cache;
- :mod:`~toolkit.transcribe.run`: the runner (:func:`transcribe`,
  :func:`transcribe_with_article`, :func:`translate`);
- :mod:`~toolkit.transcribe.engines`: openai-whisper and faster-whisper;
- :mod:`~toolkit.transcribe.weights`: where the models come from;
- :mod:`~toolkit.transcribe.vad`: voice activity detection;
- :mod:`~toolkit.transcribe.guards`: text Whisper invented, removed;
- :mod:`~toolkit.transcribe.gaps`: speech a pass skipped, found and repaired;
- :mod:`~toolkit.transcribe.bias`: the article's names into decoding;
- :mod:`~toolkit.transcribe.names`: near-miss names corrected;
- :mod:`~toolkit.transcribe.sentences`: segments rebuilt as sentences.

Importing this package loads neither torch nor whisper.
"""

from toolkit.transcribe.bias import bias_by_default, biased_options
from toolkit.transcribe.cache import TranscriptCache
from toolkit.transcribe.gaps import Speech
from toolkit.transcribe.options import (
    COMPUTE_TYPES,
    ENGINES,
    ComputeType,
    Progress,
    TranscribeOptions,
)
from toolkit.transcribe.run import (
    ArticleResult,
    Outcome,
    TranscribeResult,
    transcribe,
    transcribe_with_article,
    translate,
)
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

__all__ = [
    "COMPUTE_TYPES",
    "ENGINES",
    "ArticleResult",
    "ComputeType",
    "Correction",
    "Outcome",
    "Progress",
    "Segment",
    "Speech",
    "TranscribeOptions",
    "TranscribeResult",
    "Transcript",
    "TranscriptCache",
    "Word",
    "bias_by_default",
    "biased_options",
    "transcribe",
    "transcribe_with_article",
    "translate",
]
