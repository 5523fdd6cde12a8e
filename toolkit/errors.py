"""Typed errors raised by library code.

Only the CLI turns these into messages. Each error names the file it concerns,
and where it makes sense the field, so a producer can fix the input.
Like mutagen, each error class is also a built-in exception so callers may
catch either.
"""

from __future__ import annotations

from pathlib import Path


class ToolkitError(Exception):
    """Base class for every error the toolkit raises on purpose."""

    def __init__(self, message: str, path: Path | str | None = None, field: str | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}: "
        if self.field:
            where += f"field '{self.field}': "
        return f"{where}{self.message}"


class ConfigError(ToolkitError, ValueError):
    """A show.toml or episode.toml is missing, unreadable or holds a bad value."""


class AudioError(ToolkitError, ValueError):
    """An audio file is missing or cannot be decoded."""


class ModelError(ToolkitError, RuntimeError):
    """A Whisper model cannot be found, converted or loaded."""


class ArticleError(ToolkitError, ValueError):
    """An article file is missing or cannot be read."""


class TranscriptError(ToolkitError, ValueError):
    """A transcript file is missing or malformed."""


class SpeakerError(ToolkitError, ValueError):
    """Speakers cannot be found or named: a bad voice sample, or a malformed diarization file."""


class TaggingError(ToolkitError, RuntimeError):
    """Tags could not be written to a published audio file."""


class AlignmentError(ToolkitError, ValueError):
    """An alignment file is malformed or has an unsupported version."""


class PublishError(ToolkitError, RuntimeError):
    """The site could not be written or switched into place."""


class LockedError(ToolkitError, RuntimeError):
    """Another build holds the output folder's lock."""


class FeedError(ToolkitError, ValueError):
    """A feed cannot be read or parsed, or a file it refers to cannot be fetched."""
