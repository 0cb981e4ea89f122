"""Strict JSON Lines: split on "\n" only, torn tails cut, whole files replaced atomically."""
from __future__ import annotations

import pytest

from dslgen.errors import RunError
from dslgen.output.jsonl import Appender, JsonlWriter, drop_torn_tail, iter_jsonl

ODD = "a\u2028b\x85c\u2029d\x0ce\x1cf\rg"  # all line ends to str.splitlines


def test_records_with_every_unicode_line_end_read_back_whole(tmp_path):
    path = tmp_path / "x.jsonl"
    with Appender(path) as out:
        out.append({"text": ODD})
        out.append({"text": "second"})
    assert len(path.read_text(encoding="utf-8").splitlines()) > 2  # what broke resume before
    assert [r["text"] for r in iter_jsonl(path)] == [ODD, "second"]


def test_a_torn_last_line_is_skipped_then_cut(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a": 3')
    assert list(iter_jsonl(path)) == [{"a": 1}, {"a": 2}]
    drop_torn_tail(path)
    assert path.read_bytes() == b'{"a": 1}\n{"a": 2}\n'


def test_a_broken_line_in_the_middle_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\nnot json\n{"a": 3}\n')
    with pytest.raises(RunError, match=r"x.jsonl:2: not a JSON line"):
        list(iter_jsonl(path))


@pytest.mark.parametrize("line, problem", [(b'[1, 2]', "not a JSON object"),
                                           (b'{"id": "x"}', "not a dslgen record \\(no 'messages'\\)")])
def test_a_record_of_another_shape_is_an_error_with_its_line(tmp_path, line, problem):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"id": "a", "messages": []}\n' + line + b"\n")
    with pytest.raises(RunError, match=rf"x.jsonl:2: {problem}"):
        list(iter_jsonl(path, ("id", "messages")))


def test_a_whole_file_is_replaced_only_when_complete(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"old": true}\n')
    with pytest.raises(KeyboardInterrupt):
        with JsonlWriter(path) as out:
            out.write({"new": 1})
            raise KeyboardInterrupt
    assert path.read_text() == '{"old": true}\n' and [p.name for p in tmp_path.iterdir()] == ["x.jsonl"]


def test_lone_surrogates_are_replaced_when_written(tmp_path):
    path = tmp_path / "x.jsonl"
    with Appender(path) as out:
        out.append({"text": "half \ud800 of a pair, a whole \ud83d\ude00"})
    assert next(iter_jsonl(path))["text"] == "half \ufffd of a pair, a whole \U0001f600"
