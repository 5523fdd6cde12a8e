"""Every stage's JSON carries its version, and a newer version is refused clearly."""

from __future__ import annotations

import json

import pytest

from toolkit import datafile
from toolkit.align import Alignment
from toolkit.article import Article
from toolkit.errors import AlignmentError, ArticleError, ToolkitError


def test_write_then_read_keeps_the_version_first(tmp_path):
    path = tmp_path / "x.json"
    datafile.write(path, 3, {"a": 1})
    assert path.read_text().startswith('{\n "version": 3')
    assert datafile.read(path, "thing", 3, ToolkitError) == {"version": 3, "a": 1}
    assert datafile.read(path, "thing", 4, ToolkitError)["a"] == 1  # older is fine


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"version": 9, "a": 1}', "thing version 9 was written by a newer toolkit"),
        ('{"a": 1}', "not a thing file: no version number"),
        ('{"version": "1"}', "not a thing file: no version number"),
        ("[1, 2]", "not a thing file: expected a JSON object"),
        ("{not json", "cannot read the thing file"),
    ],
)
def test_read_refuses_what_it_cannot_read(tmp_path, text, message):
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(ToolkitError) as err:
        datafile.read(path, "thing", 3, ToolkitError)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ToolkitError, match="thing file not found"):
        datafile.read(tmp_path / "none.json", "thing", 1, ToolkitError)


def test_newer_article_and_alignment_are_refused(tmp_path):
    with pytest.raises(ArticleError, match="article version 2 was written by a newer toolkit"):
        Article.from_dict({"version": 2, "paragraphs": []}, tmp_path / "article.json")
    with pytest.raises(AlignmentError, match="field 'version'.*newer toolkit"):
        Alignment.from_dict(json.loads('{"version": 6}'), tmp_path / "alignment.json")


def test_transcript_reads_version_1_and_refuses_a_newer_one(tmp_path):
    from toolkit.errors import TranscriptError
    from toolkit.transcribe.transcript import SCHEMA_VERSION, Transcript

    old = {"version": 1, "language": "en", "duration": 1.0, "segments": []}
    transcript = Transcript.from_dict(old)
    assert (transcript.corrections, transcript.task) == ([], "transcribe")
    assert transcript.to_dict()["version"] == SCHEMA_VERSION == 3
    with pytest.raises(TranscriptError, match="transcript version 4 was written by a newer"):
        Transcript.from_dict({**old, "version": 4}, tmp_path / "t.json")
