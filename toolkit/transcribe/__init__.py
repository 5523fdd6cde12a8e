"""Transcription: audio in, a :class:`~toolkit.transcribe.transcript.Transcript` out."""
