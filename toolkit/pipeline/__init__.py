"""The build: one job per episode through a list of stages, then the show."""

from toolkit.pipeline.build import *  # noqa: F403
from toolkit.pipeline.build import build

__all__ = ["build"]
