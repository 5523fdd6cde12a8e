"""Serve a built site on the loopback interface, with HTTP byte ranges.

Only regular files inside the site are served: a symbolic link (wherever it
points), a device or a pipe is not found, and so is every hidden name (the
build's own ``.toolkit/`` records, ``.mastered.*``) and every temporary file
(``*.tmp``). A request that climbs out of the site (``..``, ``%2e%2e``) is
not found either. A folder's listing leaves the same names out. Responses
with a whole file say ``Accept-Ranges: bytes``; a range past the end gets a
416 with ``Content-Range: bytes */SIZE``.
"""

from __future__ import annotations

import email.utils
import errno
import functools
import html
import http.server
import io
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from toolkit.errors import PublishError

__all__ = ["RangeRequestHandler", "make_server", "private_name", "serve_forever"]


def private_name(name: str) -> bool:
    """Whether a file or folder name is never served: hidden, temporary, or not a plain name."""
    return name.startswith(".") or name.endswith(".tmp") or "\\" in name or "\0" in name


def _parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """One ``bytes=`` range of a ``size``-byte file: (first, last); None: ignore it; "416".

    A header that is not a single valid byte range is ignored (the whole file
    is sent, as RFC 9110 allows); a range that starts past the end is "416".
    """
    unit, eq, spec = header.partition("=")
    if not eq or unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = (part.strip() for part in spec.partition("-"))
    if not dash or not (first or last):
        return None
    if (first and not first.isdigit()) or (last and not last.isdigit()):
        return None
    if not first:  # the last N bytes
        n = int(last)
        return "416" if n == 0 or size == 0 else (max(0, size - n), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return "416"
    return start, min(end, size - 1)


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single byte-range support, so audio players can seek."""

    _remaining: int | None = None  # bytes of the range still to send

    def _target(self) -> tuple[Path, os.stat_result] | None:
        """The site's file or folder the request names, or None when it must not be served.

        Every component is looked at without following links: a link, a
        hidden or temporary name, ``..`` or anything but a folder or a
        regular file is not found.
        """
        try:
            parts = unquote(urlsplit(self.path).path, errors="strict").split("/")
        except (UnicodeDecodeError, ValueError):
            return None
        names = [p for p in parts if p]
        if any(private_name(p) or p in (".", "..") for p in names):
            return None
        path = Path(self.directory)
        try:
            info = os.lstat(path)
            for name in names:
                if not stat.S_ISDIR(info.st_mode):
                    return None
                path = path / name
                info = os.lstat(path)
        except (OSError, ValueError):
            return None
        if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
            return None  # a link, a device, a pipe, a socket
        return path, info

    def send_head(self) -> BinaryIO | None:  # noqa: C901 - one response per case
        self._remaining = None
        found = self._target()
        if found is None:
            self.send_error(404, "File not found")
            return None
        path, info = found
        if stat.S_ISDIR(info.st_mode):
            split = urlsplit(self.path)
            if not split.path.endswith("/"):
                self.send_response(301)
                self.send_header(
                    "Location", split.path + "/" + (f"?{split.query}" if split.query else "")
                )
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            index = path / "index.html"
            try:
                index_info = os.lstat(index)
            except OSError:
                return self.list_directory(os.fspath(path))
            if not stat.S_ISREG(index_info.st_mode):
                return self.list_directory(os.fspath(path))
            path, info = index, index_info
        try:
            # No link followed, and no wait on a pipe put in the file's place meanwhile.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            self.send_error(404, "File not found")
            return None
        f = os.fdopen(fd, "rb")
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # changed since it was looked at
            f.close()
            self.send_error(404, "File not found")
            return None
        size = opened.st_size
        rng = self.headers.get("Range")
        wanted = _parse_range(rng, size) if rng else None
        if wanted == "416":
            f.close()
            self.send_response(416, "Range Not Satisfiable")
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(200 if wanted is None else 206)
        self.send_header("Content-Type", self.guess_type(os.fspath(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))
        if isinstance(wanted, tuple):
            start, end = wanted
            f.seek(start)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(end - start + 1))
            self._remaining = end - start + 1
        else:
            self.send_header("Content-Length", str(size))
            self._remaining = size
        self.end_headers()
        return f

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        """A folder's listing: its served entries only (no hidden, temporary or linked names)."""
        folder = Path(path)
        entries = []
        try:
            names = sorted(os.listdir(folder), key=str.lower)
        except OSError:
            self.send_error(404, "File not found")
            return None
        for name in names:
            if private_name(name):
                continue
            try:
                mode = os.lstat(folder / name).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                entries.append(name + "/")
            elif stat.S_ISREG(mode):
                entries.append(name)
        shown = html.escape(unquote(urlsplit(self.path).path), quote=False)
        items = "".join(
            f'<li><a href="{quote(e)}">{html.escape(e, quote=False)}</a></li>\n' for e in entries
        )
        body = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{shown}</title></head>\n<body><h1>{shown}</h1>\n<ul>\n{items}</ul>\n"
            "</body></html>\n"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._remaining = len(body)
        return io.BytesIO(body)

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = self._remaining
        if remaining is None:
            return super().copyfile(source, outputfile)
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)
        self._remaining = None


def make_server(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server of the site in ``directory`` on 127.0.0.1:``port`` (0: a free port).

    Raises :class:`~toolkit.errors.PublishError` when the port cannot be
    listened on (another server has it).
    """
    # The site's own folder may be a link (to where it is kept); nothing below it may.
    root = os.fspath(Path(directory).resolve())
    handler = functools.partial(RangeRequestHandler, directory=root)
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        hint = (
            "another server is using it; stop it or choose another port with --port"
            if e.errno == errno.EADDRINUSE
            else "choose another port with --port"
        )
        raise PublishError(
            f"cannot serve on http://127.0.0.1:{port}/ ({e.strerror}): {hint}", directory
        ) from e


def serve_forever(directory: Path, port: int) -> None:
    server = make_server(directory, port)
    print(f"serving {directory}/ on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
