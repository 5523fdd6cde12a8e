"""Speakers: who speaks when (diarization), and who they are (naming).

The pipeline reads as the package: :mod:`.diarize` finds the voices in the
audio and when each speaks, :mod:`.naming` names them from the show's own
files, and :mod:`.model` is the data passed between them, saved as versioned
JSON (``diarization.json``).
"""
