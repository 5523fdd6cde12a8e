"""A file's tags and chapters as a readable table (``toolkit tags FILE``)."""

from __future__ import annotations

from toolkit.tag.read import FileTags

__all__ = ["clock", "tags_table"]

WIDTH = 72  # long values are cut here; --json gives them whole


def clock(seconds: float | None) -> str:
    """``H:MM:SS.mmm`` (or ``-`` for none)."""
    if seconds is None:
        return "-"
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def _cut(text: str, width: int = WIDTH) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


def tags_table(tags: FileTags) -> str:
    """Every field that is set, one a line, then the chapters (start, end, title, link)."""
    rows: list[tuple[str, str]] = [
        ("file", str(tags.path)),
        ("format", f"{tags.format}, {tags.tag}"),
        ("duration", clock(tags.duration)),
    ]
    fields: list[tuple[str, object]] = [
        ("title", tags.title),
        ("show", tags.album),
        ("artist", tags.artist),
        ("date", tags.date),
        ("episode", tags.number),
        ("season", tags.season),
        ("genre", tags.genre),
        ("podcast", "yes" if tags.podcast else None),
        ("feed URL", tags.feed_url),
        ("guid", tags.guid),
        ("page URL", tags.url),
        ("keywords", ", ".join(tags.keywords) or None),
        ("description", tags.description),
        ("comment", tags.comment if tags.comment != tags.description else None),
        ("artwork", tags.artwork.summary() if tags.artwork else None),
        ("transcript", f"{len(tags.transcript)} characters" if tags.transcript else None),
    ]
    rows += [(name, _cut(str(value))) for name, value in fields if value not in (None, "")]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    if not tags.chapters:
        lines.append(f"{'chapters':<{width}}  none")
        return "\n".join(lines) + "\n"
    order = "" if tags.chapters_in_order else "; stored out of time order"
    lines.append(f"{'chapters':<{width}}  {len(tags.chapters)} ({tags.chapter_format}{order})")
    lines.append("")
    table = [("#", "start", "end", "title", "link / image")]
    for n, ch in enumerate(tags.chapters, 1):
        extra = ", ".join(x for x in (ch.url, ch.image.summary() if ch.image else None) if x)
        table.append((str(n), clock(ch.start), clock(ch.end), _cut(ch.title, 40), extra))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = [f"{cell:<{w}}" for cell, w in zip(row[:4], widths, strict=True)]
        lines.append(("  ".join(cells) + "  " + row[4]).rstrip())
    return "\n".join(lines) + "\n"
