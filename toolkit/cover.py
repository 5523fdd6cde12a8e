"""Cover art by its content: what Apple takes, read with Pillow from the header.

A square JPEG or PNG of 1400 to 3000 pixels a side, whose extension matches
its content, in the RGB colour space. The loader (:mod:`toolkit.config`)
refuses art that breaks any of the first rules, since the feed would be
refused with it; ``toolkit check`` reports every rule (:mod:`toolkit.check.artwork`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "EXTENSIONS",
    "MAX_SIDE",
    "MIN_SIDE",
    "ImageFacts",
    "artwork_problems",
    "colour_problem",
    "read_image",
]

MIN_SIDE, MAX_SIDE = 1400, 3000
#: Pillow's format name -> the extensions it may have.
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
#: Modes that are RGB but carry transparency or a palette: Apple wants plain RGB.
NEAR_RGB = {"RGBA", "RGBa", "P", "PA", "LA"}


@dataclass(frozen=True)
class ImageFacts:
    """What Pillow reads from an image's header."""

    format: str
    width: int
    height: int
    mode: str


def read_image(path: Path) -> ImageFacts:
    """The header of the image at ``path``; raises ValueError when it is no image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return ImageFacts(im.format or "?", im.width, im.height, im.mode)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ValueError(f"too many pixels to be cover art ({e})") from e
    except UnidentifiedImageError as e:
        raise ValueError("not an image (Pillow cannot read it)") from e
    except OSError as e:
        raise ValueError(f"cannot be read as an image ({e})") from e


def artwork_problems(facts: ImageFacts, name: str) -> list[str]:
    """Why art read as ``facts``, in a file named ``name``, would be refused."""
    problems: list[str] = []
    width, height = facts.width, facts.height
    if facts.format not in EXTENSIONS:
        problems.append(f"a {facts.format} image; Apple takes JPEG or PNG only")
    else:
        suffix = Path(name).suffix
        if suffix.lower() not in EXTENSIONS[facts.format]:
            problems.append(
                f"the content is {facts.format} but the extension is {suffix or '(none)'}: "
                f"name it {Path(name).stem}{EXTENSIONS[facts.format][0]}"
            )
    if width != height:
        problems.append(f"{width}x{height} px: the artwork must be square")
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        problems.append(f"{width}x{height} px: Apple needs {MIN_SIDE} to {MAX_SIDE} px a side")
    return problems


def colour_problem(facts: ImageFacts) -> tuple[Literal["error", "warning"], str] | None:
    """What is wrong with the colour space: Apple wants plain RGB."""
    if facts.mode in NEAR_RGB:
        return (
            "warning",
            f"colour mode {facts.mode} (transparency or a palette): save it as plain RGB",
        )
    if facts.mode != "RGB":
        return "error", f"colour mode {facts.mode}: Apple needs the RGB colour space"
    return None
