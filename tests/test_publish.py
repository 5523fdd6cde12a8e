"""The site is switched into place as a whole, under a lock, and served without its records."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from toolkit.errors import LockedError, PublishError
from toolkit.publish import Staging, build_lock, lock_path, recover
from toolkit.publish import site as site_module
from toolkit.publish.serve import make_server


def _site(out: Path, text: str) -> None:
    with Staging(out) as staging:
        (staging.root / "feed.xml").write_text(text)
        (staging.root / "index.html").write_text(text)
        staging.commit()


def test_first_and_second_publish_switch_the_whole_site(tmp_path):
    out = tmp_path / "site"
    _site(out, "one")
    _site(out, "two")
    assert (out / "feed.xml").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_reuse_links_the_old_file(tmp_path):
    out = tmp_path / "site"
    _site(out, "one")
    before = (out / "index.html").stat()
    with Staging(out) as staging:
        assert staging.reuse("index.html")
        assert not staging.reuse("missing.html")
        (staging.root / "feed.xml").write_text("two")
        staging.commit()
    after = (out / "index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_error_discards_the_new_site(tmp_path):
    out = tmp_path / "site"
    _site(out, "one")
    with pytest.raises(RuntimeError), Staging(out) as staging:
        (staging.root / "feed.xml").write_text("half")
        raise RuntimeError("an episode failed")
    assert (out / "feed.xml").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_without_the_exchange_the_rename_fallback_switches(tmp_path, monkeypatch):
    monkeypatch.setattr(site_module, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    _site(out, "one")
    _site(out, "two")
    assert (out / "feed.xml").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_recover_puts_back_a_site_left_aside(tmp_path):
    out = tmp_path / "site"
    _site(out, "one")
    # What a crash between the fallback's two renames leaves: no output, the old site aside.
    os.rename(out, tmp_path / ".site.old-999")
    (tmp_path / ".site.staging-999").mkdir()
    done = recover(out)
    assert (out / "feed.xml").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert len(done) == 2


def test_a_folder_that_is_not_a_site_is_refused(tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "letter.txt").write_text("keep me")
    with pytest.raises(PublishError, match="not a site built by the toolkit"):
        Staging(out)
    assert (out / "letter.txt").read_text() == "keep me"


def test_lock_names_its_holder(tmp_path):
    out = tmp_path / "site"
    with build_lock(out):
        assert lock_path(out).read_text().strip() == str(os.getpid())
        # flock is per open file, so a second open in this process conflicts too.
        with pytest.raises(LockedError) as err, build_lock(out):
            pass
    assert f"process {os.getpid()}" in str(err.value)
    assert str(lock_path(out)) in str(err.value)


def test_wait_blocks_until_the_lock_is_free(tmp_path):
    out = tmp_path / "site"
    said: list[str] = []
    got = threading.Event()

    def second() -> None:
        with build_lock(out, wait=True, say=said.append):
            got.set()

    with build_lock(out):
        t = threading.Thread(target=second)
        t.start()
        assert not got.wait(0.5)
    t.join(5)
    assert got.is_set()
    assert said and "waiting for the build of process" in said[0]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/feed.xml", 200),
        ("/.toolkit/state.json", 404),
        ("/%2Etoolkit/state.json", 404),
        ("/ep/.index.html.abc.tmp", 404),
        ("/ep/leftover.tmp", 404),
    ],
)
def test_serve_never_serves_records_or_temporary_files(tmp_path, path, status):
    (tmp_path / ".toolkit").mkdir()
    (tmp_path / ".toolkit" / "state.json").write_text("{}")
    (tmp_path / "ep").mkdir()
    (tmp_path / "ep" / ".index.html.abc.tmp").write_text("half")
    (tmp_path / "ep" / "leftover.tmp").write_text("half")
    (tmp_path / "feed.xml").write_text("<rss/>")
    server = make_server(tmp_path, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}{path}"
        try:
            code = urllib.request.urlopen(url).status
        except urllib.error.HTTPError as e:
            code = e.code
        assert code == status
    finally:
        server.shutdown()
        server.server_close()
