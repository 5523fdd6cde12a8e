"""``toolkit serve``: only regular files inside the site, with byte ranges.

A real server on a free port, asked with real HTTP requests (http.client,
which sends the path exactly as written: ``..`` and ``%2e%2e`` reach the
server as they are).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.publish.serve import make_server

AUDIO = bytes(range(256)) * 40  # 10240 bytes


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site with records, temporary files, links out of it and a secret beside it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("hunter2\n")
    root = tmp_path / "site"
    (root / ".toolkit").mkdir(parents=True)
    (root / ".toolkit" / "state.json").write_text("{}")
    (root / "index.html").write_text("<p>the show</p>")
    (root / "feed.xml").write_text("<rss/>")
    ep = root / "ep"
    ep.mkdir()
    (ep / "ep.mp3").write_bytes(AUDIO)
    (ep / ".mastered.mp3").write_bytes(b"mastered")
    (ep / ".index.html.abc.tmp").write_text("half")
    (ep / "leftover.tmp").write_text("half")
    (ep / "notes.md").write_text("# notes")
    (ep / "out-file").symlink_to(secret / "passwords.txt")
    (ep / "in-file").symlink_to(ep / "notes.md")
    (root / "out-dir").symlink_to(secret)
    os.mkfifo(ep / "pipe")
    return root


@pytest.fixture
def port(site: Path) -> Iterator[int]:
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def request(
    port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_a_whole_file_says_it_takes_ranges(port):
    status, headers, body = request(port, "/ep/ep.mp3")
    assert status == 200
    assert body == AUDIO
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Length"] == str(len(AUDIO))
    assert headers["Content-Type"] == "audio/mpeg"


def test_the_index_page_of_a_folder(port):
    status, headers, body = request(port, "/")
    assert (status, body) == (200, b"<p>the show</p>")
    assert headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-3", 0, 3), ("bytes=10000-", 10000, 10239), ("bytes=-5", 10235, 10239)],
)
def test_a_range(port, header, first, last):
    status, headers, body = request(port, "/ep/ep.mp3", headers={"Range": header})
    assert status == 206
    assert body == AUDIO[first : last + 1]
    assert headers["Content-Range"] == f"bytes {first}-{last}/{len(AUDIO)}"
    assert headers["Content-Length"] == str(last - first + 1)


def test_a_range_past_the_end_is_416_with_the_size(port):
    status, headers, body = request(port, "/ep/ep.mp3", headers={"Range": "bytes=10240-"})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(AUDIO)}"
    assert body == b""


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=0-1,4-5", "pages=1-2", "bytes=x-"])
def test_a_range_that_is_not_one_valid_range_gets_the_whole_file(port, header):
    status, headers, body = request(port, "/ep/ep.mp3", headers={"Range": header})
    assert (status, body) == (200, AUDIO)
    assert headers["Accept-Ranges"] == "bytes"


def test_head_sends_no_body(port):
    status, headers, body = request(port, "/ep/ep.mp3", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == str(len(AUDIO))


@pytest.mark.parametrize(
    "path",
    [
        "/.toolkit/state.json",
        "/%2Etoolkit/state.json",
        "/.toolkit/",
        "/ep/.mastered.mp3",
        "/ep/.index.html.abc.tmp",
        "/ep/leftover.tmp",
        "/ep/leftover%2Etmp",
        "/ep/out-file",  # a link out of the site
        "/ep/in-file",  # a link, even to a file of the site
        "/out-dir/passwords.txt",  # a folder link out of the site
        "/out-dir/",
        "/ep/pipe",  # not a regular file (and reading it would hang)
        "/../secret/passwords.txt",
        "/%2e%2e/secret/passwords.txt",
        "/ep/%2e%2e/%2e%2e/secret/passwords.txt",
        "/%2e%2e%2fsecret%2fpasswords.txt",
        "/ep/..%2f..%2fsecret/passwords.txt",
        "/ep/%2E%2E/feed.xml",
        "/ep/%ff.mp3",
        "/nothing-here",
    ],
)
def test_never_served(port, path):
    status, _, body = request(port, path)
    assert status == 404, (path, body)
    assert b"hunter2" not in body and b"mastered" not in body


def test_a_folder_without_an_index_is_listed_without_private_names(port):
    status, headers, body = request(port, "/ep/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    names = re.findall(r'href="([^"]+)"', body.decode())
    assert names == ["ep.mp3", "notes.md"], names


def test_the_site_listing_leaves_out_records_and_links(port, site):
    (site / "index.html").unlink()
    status, _, body = request(port, "/")
    assert status == 200
    names = re.findall(r'href="([^"]+)"', body.decode())
    assert names == ["ep/", "feed.xml"], names


def test_a_folder_without_its_slash_is_redirected(port):
    status, headers, _ = request(port, "/ep")
    assert status == 301
    assert headers["Location"] == "/ep/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_serve_command_serves_the_site(site, tmp_path):
    """``toolkit serve`` itself, in its own process, on a free port.

    Run in the show folder without -d, it serves the site ``toolkit build``
    makes there by default: ``<show>-site`` beside the show folder.
    """
    port = free_port()
    show = tmp_path / "show"
    show.mkdir()
    site.rename(tmp_path / "show-site")
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "serve", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=show,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = request(port, "/ep/ep.mp3", headers={"Range": "bytes=1-2"})
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert (status, body) == (206, AUDIO[1:3])
        assert request(port, "/.toolkit/state.json")[0] == 404
        assert request(port, "/out-dir/passwords.txt")[0] == 404
    finally:
        proc.terminate()
        proc.wait(10)
