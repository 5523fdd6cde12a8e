"""Artwork: Apple's rules for the show's cover and any episode's own image.

A square JPEG or PNG of 1400 to 3000 pixels, in the RGB colour space, whose
file extension matches its content (Apple's RSS guide). The rules are
:mod:`toolkit.cover`'s, which the loader applies too (all but the colour space).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, error, warning
from toolkit.confine import confined
from toolkit.cover import MAX_SIDE, MIN_SIDE, artwork_problems, colour_problem, read_image
from toolkit.errors import ConfigError

__all__ = ["MAX_SIDE", "MIN_SIDE", "check_artwork", "check_image"]

CHECK = "artwork"


def check_image(image: Path, toml: Path, field: str) -> list[Finding]:
    """Check one image file, named in ``toml``'s ``field``."""
    if not image.is_file():
        return [error(CHECK, toml, field, f"image file {image} not found")]
    try:
        facts = read_image(image)
    except ValueError as e:
        return [error(CHECK, image, None, f"not an image Pillow can read ({e})")]
    found = [error(CHECK, image, None, problem) for problem in artwork_problems(facts, image.name)]
    colour = colour_problem(facts)
    if colour is not None:
        make = error if colour[0] == "error" else warning
        found.append(make(CHECK, image, None, colour[1]))
    return found


def _inside(base: Path, value: str, root: Path, toml: Path) -> list[Finding]:
    """An error unless ``value`` resolves inside the show folder (see :mod:`toolkit.confine`)."""
    try:
        confined(base, value, root, toml, "image")
    except ConfigError as e:
        return [error(CHECK, toml, "image", e.message)]
    return []


def check_artwork(source: ShowSource) -> list[Finding]:
    """The show's cover (required) and each episode's own image."""
    found: list[Finding] = []
    image = source.data.get("image")
    if not image:
        if source.data:
            found.append(error(CHECK, source.path, "image", "no cover art: Apple requires it"))
    elif isinstance(image, str):
        outside = _inside(source.root, image, source.root, source.path)
        found += outside or check_image(source.root / image, source.path, "image")
    for ep in source.episodes:
        own = ep.data.get("image")
        if isinstance(own, str) and own:
            outside = _inside(ep.folder, own, source.root, ep.path)
            found += outside or check_image(ep.folder / own, ep.path, "image")
    return found
