"""Seed files: JSONL or CSV, typed by the schema, unknown columns refused."""
import pytest

from dslgen.errors import RunError
from dslgen.sql import Database, parse_schema
from dslgen.sql.seed import read_seed

SCHEMA = parse_schema("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, "
                      "price DOUBLE PRECISION, ok BOOLEAN NOT NULL);")


def test_csv_seed_is_typed_by_the_schema(tmp_path):
    (tmp_path / "t.csv").write_text("id,name,note,price,ok\n1,a,,2.5,true\n2,,x,,0\n")
    rows = read_seed(tmp_path, SCHEMA)["t"]
    assert rows == [(1, "a", None, 2.5, True), (2, "", "x", None, False)]
    with Database(SCHEMA, {"t": rows}).fork() as s:
        assert s.query("SELECT id, ok FROM t WHERE price > 2") == [{"id": 1, "ok": 1}]


def test_jsonl_wins_and_unknown_columns_fail(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"id": 1, "name": "a", "ok": true, "colour": "red"}\n')
    with pytest.raises(RunError, match="unknown column"):
        read_seed(tmp_path, SCHEMA)
