"""Artwork: Apple's rules for the show's cover and any episode's own image.

A square JPEG or PNG of 1400 to 3000 pixels, in the RGB colour space, whose
file extension matches its content (Apple's RSS guide). Read with Pillow,
which decodes only the header for these checks.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, error, warning

__all__ = ["MAX_SIDE", "MIN_SIDE", "check_artwork", "check_image"]

CHECK = "artwork"
MIN_SIDE, MAX_SIDE = 1400, 3000
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
#: Modes that are RGB but carry transparency or a palette: Apple wants plain RGB.
NEAR_RGB = {"RGBA", "RGBa", "P", "PA", "LA"}


def check_image(image: Path, toml: Path, field: str) -> list[Finding]:
    """Check one image file, named in ``toml``'s ``field``."""
    from PIL import Image, UnidentifiedImageError

    if not image.is_file():
        return [error(CHECK, toml, field, f"image file {image} not found")]
    try:
        with Image.open(image) as im:
            fmt, (width, height), mode = im.format or "?", im.size, im.mode
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as e:
        return [error(CHECK, image, None, f"not an image Pillow can read ({e})")]
    found: list[Finding] = []
    if fmt not in EXTENSIONS:
        found.append(error(CHECK, image, None, f"a {fmt} image; Apple takes JPEG or PNG only"))
    elif image.suffix.lower() not in EXTENSIONS[fmt]:
        found.append(
            error(
                CHECK,
                image,
                None,
                f"the content is {fmt} but the extension is {image.suffix or '(none)'}: "
                f"name it {image.stem}{EXTENSIONS[fmt][0]}",
            )
        )
    if width != height:
        found.append(error(CHECK, image, None, f"{width}x{height} px: the artwork must be square"))
    side = max(width, height)
    if not min(width, height) >= MIN_SIDE or side > MAX_SIDE:
        found.append(
            error(
                CHECK,
                image,
                None,
                f"{width}x{height} px: Apple needs {MIN_SIDE} to {MAX_SIDE} px a side",
            )
        )
    if mode in NEAR_RGB:
        found.append(
            warning(
                CHECK,
                image,
                None,
                f"colour mode {mode} (transparency or a palette): save it as plain RGB",
            )
        )
    elif mode != "RGB":
        found.append(
            error(CHECK, image, None, f"colour mode {mode}: Apple needs the RGB colour space")
        )
    return found


def check_artwork(source: ShowSource) -> list[Finding]:
    """The show's cover (required) and each episode's own image."""
    found: list[Finding] = []
    image = source.data.get("image")
    if not image:
        if source.data:
            found.append(error(CHECK, source.path, "image", "no cover art: Apple requires it"))
    elif isinstance(image, str):
        found += check_image(source.root / image, source.path, "image")
    for ep in source.episodes:
        own = ep.data.get("image")
        if isinstance(own, str) and own:
            found += check_image(ep.folder / own, ep.path, "image")
    return found
