"""Serve a built site on the loopback interface, with HTTP byte ranges.

Hidden files and folders (the build's own ``.toolkit/`` records) and
temporary files are never served.
"""

from __future__ import annotations

import functools
import http.server
import os
from pathlib import Path
from typing import Any, BinaryIO


def _private(url_path: str) -> bool:
    """Whether a request names a hidden or temporary file, which is never served."""
    from urllib.parse import unquote, urlsplit

    parts = [p for p in unquote(urlsplit(url_path).path).split("/") if p]
    return any(p.startswith(".") or p.endswith(".tmp") for p in parts)


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single byte-range support, so audio players can seek."""

    _remaining: int | None = None  # bytes of the range still to send

    def send_head(self) -> BinaryIO | None:
        if _private(self.path):
            self.send_error(404, "File not found")
            return None
        rng = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not rng or not rng.startswith("bytes=") or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        try:
            first, _, last = rng[len("bytes=") :].partition("-")
            if first:
                start, end = int(first), int(last) if last else size - 1
            else:
                start, end = max(0, size - int(last)), size - 1
        except ValueError:
            return super().send_head()
        if start >= size or start > end:
            self.send_error(416, "Requested Range Not Satisfiable")
            return None
        end = min(end, size - 1)
        f = open(path, "rb")  # noqa: SIM115 - closed by copyfile's caller
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return f

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
    handler = functools.partial(RangeRequestHandler, directory=os.fspath(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_forever(directory: Path, port: int) -> None:
    server = make_server(directory, port)
    print(f"serving {directory}/ on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
