"""The DSL4xx checks report tool SQL mistakes at their line and column in tools.yaml."""
import shutil
from pathlib import Path

import pytest

from dslgen import api

ROOT = Path(__file__).resolve().parents[2]
BAD_TOOLS = """\
tools:
  - name: find_book
    description: Find books.
    parameters:
      title: {type: string}
      unused_one: {type: string}
    sql: |
      SELECT book_id, title, author
      FROM bookz
      WHERE title LIKE '%' || :title || '%'

  - name: get_member
    description: Get a member.
    parameters:
      member_id: {type: integer}
    guards:
      - require: SELECT 1 FROM members WHERE member_id = :membr_id
        error: "Error: member {member} not found"
    returns:
      row: SELECT member_id, nam FROM members WHERE member_id = :member_id
      fields:
        member_id: member_id
        name: member_name

  - name: borrow_book
    description: Lend a book.
    parameters:
      member_id: {type: string}
      book_id: {type: string}
    writes:
      - DROP TABLE books
      - UPDATE books SET on_loan_to = :member_id WHERE book_id = :book_id AND (
    returns:
      value: SELECT b.titl FROM books AS b WHERE book_id = :book_id
"""


def _domain(tmp_path: Path, tools: str | None = None, schema: str | None = None) -> Path:
    shutil.copytree(ROOT / "examples" / "minimal", tmp_path / "ex")
    if tools is not None:
        (tmp_path / "ex" / "domain" / "tools.yaml").write_text(tools)
    if schema is not None:
        (tmp_path / "ex" / "domain" / "schema.sql").write_text(schema)
    return tmp_path / "ex" / "spec.yaml"


def _found(diags) -> set[tuple]:
    return {(d.code, Path(d.span.file).name, d.span.line, d.span.col) for d in diags if d.code.startswith("DSL4")}


def test_example_is_clean():
    assert [d for d in api.check_spec(ROOT / "examples" / "minimal" / "spec.yaml") if d.code.startswith("DSL4")] == []


def test_retail_is_clean():
    assert [d for d in api.check_spec(ROOT / "specs" / "retail.yaml") if d.code.startswith("DSL4")] == []


def test_every_sql_mistake_at_its_place(tmp_path):
    diags = api.check_spec(_domain(tmp_path, BAD_TOOLS))
    assert _found(diags) == {
        ("DSL405", "tools.yaml", 6, 7),    # unused_one declared, never read
        ("DSL402", "tools.yaml", 9, 12),   # bookz
        ("DSL404", "tools.yaml", 17, 58),  # :membr_id
        ("DSL409", "tools.yaml", 18, 16),  # {member} names no parameter, let or column
        ("DSL401", "tools.yaml", 20, 30),  # nam
        ("DSL407", "tools.yaml", 20, 7),   # member_id returned as string, integer parameter
        ("DSL407", "tools.yaml", 28, 18),  # member_id string here, integer in get_member
        ("DSL408", "tools.yaml", 23, 15),  # the row has no column member_name
        ("DSL406", "tools.yaml", 31, 9),   # DROP
        ("DSL403", "tools.yaml", 32, 79),  # unbalanced parenthesis
        ("DSL401", "tools.yaml", 34, 23),  # b.titl
    }
    hints = {d.code + d.message.split(":")[-1]: d.hint for d in diags}
    assert hints["DSL402 unknown table 'bookz'"] == "did you mean 'books'?"
    assert hints["DSL401 unknown column 'b.titl'"] == "did you mean 'title'?"


def test_rendered_with_a_caret(tmp_path):
    diags = [d for d in api.check_spec(_domain(tmp_path, BAD_TOOLS)) if d.code == "DSL402"]
    text = diags[0].render()  # the span carries its source line
    assert "FROM bookz" in text and "^^^^^" in text and "did you mean 'books'?" in text


def test_schema_syntax_error_at_its_line(tmp_path):
    schema = "CREATE TABLE members (\n  member_id TEXT PRIMARY KEY,\n  name TEXT NOT NULL\n\nCREATE TABLE books (x TEXT);\n"
    diags = [d for d in api.check_spec(_domain(tmp_path, schema=schema)) if d.code == "DSL400"]
    assert len(diags) == 1
    assert (Path(diags[0].span.file).name, diags[0].span.line) == ("schema.sql", 5)


@pytest.mark.parametrize("statement", ["PRAGMA writable_schema = 1", "ATTACH DATABASE 'x' AS y",
                                       "CREATE TABLE t (x TEXT)", "VACUUM"])
def test_statements_other_than_dml_are_rejected(tmp_path, statement):
    tools = ("tools:\n  - name: t\n    description: d.\n    writes:\n"
             f"      - {statement}\n")
    codes = {d.code for d in api.check_spec(_domain(tmp_path, tools)) if d.code.startswith("DSL4")}
    assert codes & {"DSL406", "DSL403"}


def test_a_write_in_a_read_place_is_rejected(tmp_path):
    tools = ("tools:\n  - name: t\n    description: d.\n    returns:\n"
             "      value: DELETE FROM books\n")
    assert "DSL406" in {d.code for d in api.check_spec(_domain(tmp_path, tools))}


def test_a_mistake_in_a_shared_anchor_is_reported_once(tmp_path):
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copytree(ROOT / "domains" / "retail", tmp_path / "domains" / "retail")
    (tmp_path / "dslgen.toml").touch()  # the project root: specs/ reads ../domains
    tools = tmp_path / "domains" / "retail" / "tools.yaml"
    text = tools.read_text()
    assert text.count("p.product_id = v.product_id") == 1  # inside the &order_document anchor
    tools.write_text(text.replace("p.product_id = v.product_id", "p.product_idd = v.product_id"))
    diags = [d for d in api.check_spec(tmp_path / "specs" / "retail.yaml") if d.code.startswith("DSL4")]
    assert [(d.code, d.span.line) for d in diags] == [("DSL401", text[:text.index("p.product_id =")].count("\n") + 1)]


def test_reject_error_placeholders_name_columns(tmp_path):
    tools = ("tools:\n  - name: t\n    description: d.\n    parameters:\n      book_id: {type: string}\n"
             "    guards:\n      - reject: SELECT book_id, title FROM books WHERE book_id = :book_id AND on_loan_to IS NOT NULL\n"
             "        error: \"Error: {titel} is on loan\"\n    returns:\n      value: SELECT :book_id\n")
    diags = [d for d in api.check_spec(_domain(tmp_path, tools)) if d.code == "DSL409"]
    assert len(diags) == 1 and diags[0].hint == "did you mean 'title'?" and diags[0].span.line == 8


def test_final_state_sql_is_checked_in_tasks_yaml(tmp_path):
    spec = _domain(tmp_path)
    tasks = tmp_path / "ex" / "domain" / "tasks.yaml"
    text = tasks.read_text()
    good = "SELECT on_loan_to FROM books WHERE book_id = 'b1'"
    assert good in text
    tasks.write_text(text.replace(good, "SELECT on_loan_too FROM books WHERE book_id = 'b1'"))
    diags = [d for d in api.check_spec(spec) if d.code.startswith("DSL4")]
    line = text[:text.index(good)].count("\n") + 1
    col = text.splitlines()[line - 1].index("on_loan_to") + 1
    assert [(d.code, Path(d.span.file).name, d.span.line, d.span.col, d.hint) for d in diags] == [
        ("DSL401", "tasks.yaml", line, col, "did you mean 'on_loan_to'?")]
    tasks.write_text(text.replace(good, "UPDATE books SET on_loan_to = NULL"))
    assert [d.code for d in api.check_spec(spec) if d.code.startswith("DSL4")] == ["DSL406"]


def test_seed_problems_at_their_place_in_the_seed_file(tmp_path):
    spec = _domain(tmp_path)
    seed = tmp_path / "ex" / "domain" / "seed"
    (seed / "members.jsonl").write_text('{"member_id": "m1", "name": "Ada"}\n{"member_id": "m1", "name": 7}\nnope\n')
    (seed / "memberz.csv").write_text("member_id\n")
    found = [(d.code, d.span.file.split("domain/")[-1], d.span.line, d.span.col) for d in api.check_spec(spec)]
    assert found == [("DSL421", "seed/members.jsonl", 2, 21), ("DSL420", "seed/members.jsonl", 3, 1),
                     ("DSL423", "seed/memberz.csv", 1, 1)]


def test_schema_problems_stop_the_tool_checks(tmp_path):
    schema = "CREATE TABEL members (member_id TEXT PRIMARY KEY, name TEXT NOT NULL);\n"
    diags = api.check_spec(_domain(tmp_path, schema=schema))
    assert [(d.code, d.span.line, d.span.col, d.message) for d in diags] == [
        ("DSL400", 1, 1, "schema.sql does not parse: unknown statement 'CREATE TABEL'")]
