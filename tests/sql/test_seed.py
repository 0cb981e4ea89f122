"""Seed files: parsed from their texts (JSONL or CSV), typed by the schema, every problem at
its file:line:col, the same rows and digest whatever the format."""
import pytest

from dslgen.errors import RunError
from dslgen.sql import Database, parse_schema
from dslgen.sql.seed import parse_seed, read_seed

SCHEMA = parse_schema("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, "
                      "price DOUBLE PRECISION, ok BOOLEAN NOT NULL);")


def _problems(files):
    return [(p.code, p.file, p.line, p.col, p.message) for p in parse_seed(files, SCHEMA).problems]


def test_csv_seed_is_typed_by_the_schema():
    rows, problems, _ = parse_seed({"t.csv": "id,name,note,price,ok\n1,a,,2.5,true\n2,,x,,0\n"}, SCHEMA)
    assert problems == []
    assert rows["t"] == [(1, "a", None, 2.5, True), (2, "", "x", None, False)]
    with Database(SCHEMA, rows).fork() as s:
        assert s.query("SELECT id, ok FROM t WHERE price > 2") == [{"id": 1, "ok": 1}]


def test_same_rows_same_digest_whatever_the_format():
    jsonl = parse_seed({"t.jsonl": '{"id": 1, "name": "a", "ok": true, "price": 2.5}\n'}, SCHEMA)
    csv = parse_seed({"t.csv": "id,name,ok,price\n1,a,1,2.5\n"}, SCHEMA)
    assert jsonl.rows == csv.rows and jsonl.digest == csv.digest
    assert parse_seed({}, SCHEMA).digest != jsonl.digest


def test_every_jsonl_problem_at_its_line_and_column():
    text = ('{"id": 1, "name": "a", "ok": true}\n'
            '{"id": 1, "name": "b", "ok": false}\n'          # duplicate key
            '{"id": "x", "name": "c", "ok": 1}\n'           # wrong type
            '{"id": 3, "nme": "d", "ok": true}\n'          # unknown column + NOT NULL name missing
            'not json\n'
            '[1, 2]\n'
            '{"id": 4, "name": null, "ok": true}\n')       # NOT NULL broken
    assert _problems({"t.jsonl": text}) == [
        ("DSL422", "t.jsonl", 2, 1, "duplicate primary key (id) = 1"),
        ("DSL421", "t.jsonl", 3, 2, "column 'id' (INT): expected integer, got string \"x\""),
        ("DSL423", "t.jsonl", 4, 11, "unknown column 'nme' for table 't'"),
        ("DSL421", "t.jsonl", 4, 1, "NOT NULL column 'name' has no value"),
        ("DSL420", "t.jsonl", 5, 1, "not a JSON line: Expecting value"),
        ("DSL420", "t.jsonl", 6, 1, "a row is a JSON object, not array"),
        ("DSL421", "t.jsonl", 7, 11, "NOT NULL column 'name' has no value"),
    ]


def test_csv_problems_and_files_without_a_table():
    found = _problems({"t.csv": "id,name,ok,colour\n1,a,yes,red\nx,b,1,blue\n3,c\n", "u.jsonl": "",
                       "notes.txt": "hello"})
    assert found == [
        ("DSL423", "notes.txt", 1, 1, "not a seed file: it is not read"),
        ("DSL423", "u.jsonl", 1, 1, "seed file for unknown table 'u'"),
        ("DSL423", "t.csv", 1, 12, "unknown column 'colour' for table 't'"),
        ("DSL421", "t.csv", 3, 1, "column 'id' (INT): expected integer, got string \"x\""),
        ("DSL420", "t.csv", 4, 1, "2 fields where the header has 4"),
    ]
    warnings = [p for p in parse_seed({"notes.txt": ""}, SCHEMA).problems]
    assert [p.severity for p in warnings] == ["warning"]


def test_two_files_for_one_table():
    files = {"t.csv": "id,name,ok\n1,a,1\n", "t.jsonl": '{"id": 2, "name": "b", "ok": true}\n'}
    assert [(c, f) for c, f, *_ in _problems(files)] == [("DSL423", "t.jsonl")]


def test_reading_a_broken_seed_folder_is_a_run_error(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"id": 1, "name": "a", "ok": true, "colour": "red"}\n')
    with pytest.raises(RunError, match=r"t.jsonl:1:\d+: unknown column 'colour'"):
        read_seed(tmp_path, SCHEMA)
