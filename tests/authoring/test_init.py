"""`dslgen init`: a project from nothing or from an existing database (SQLite, PostgreSQL)
that checks clean and runs with no hand edits; seed samples keep foreign keys consistent;
secrets in a URL never reach the project."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import psycopg
import pytest
import yaml
from click.testing import CliRunner

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.cli import main
from dslgen.sql.reflect import public_url, reflect

ROOT = Path(__file__).resolve().parents[2]
SCHOOL_SQL = ROOT / "tests" / "data" / "school" / "school.sql"
REGENERATE = os.environ.get("DSLGEN_REGENERATE") == "1"  # rewrite the golden files below


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def build_school(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHOOL_SQL.read_text())
    conn.close()
    return path


def project_files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_from_an_empty_folder_to_a_dataset(tmp_path):
    db = build_school(tmp_path / "school.db")
    (tmp_path / "project").mkdir()
    result = invoke("init", "--from-db", f"sqlite:///{db}", str(tmp_path / "project"))
    assert result.exit_code == 0, result.output
    spec = tmp_path / "project" / "specs" / "school.yaml"
    check = invoke("check", str(spec))
    assert check.exit_code == 0, check.output
    clear_backends()
    run = invoke("run", str(spec), "--limit", "2", "--out", str(tmp_path / "out"), "--no-progress")
    assert run.exit_code == 0, run.output
    dialogues = [json.loads(line) for line in (tmp_path / "out" / "dialogues.jsonl").read_text().splitlines()]
    assert len(dialogues) == 2 and all(d["messages"] for d in dialogues)
    assert (tmp_path / "out" / "openai" / "train.jsonl").exists()


def test_what_the_school_database_becomes(tmp_path):
    db = reflect(str(build_school(tmp_path / "school.db")), rows_per_table=50)
    tables = {t.name: t for t in db.tables}
    assert len(tables) == 7 and [t.name for t in db.tables].index("departments") < \
        [t.name for t in db.tables].index("teachers")
    sessions, teachers = tables["sessions"], tables["teachers"]
    assert sessions.column("group_").source == "group"  # a reserved word gets a safe name
    assert teachers.skipped == ("photo",) and "photo" not in [c.name for c in teachers.columns]
    assert sessions.column("weekday").enum == ("mon", "tue", "wed", "thu", "fri")
    assert tables["enrollments"].primary_key == ("student_id", "course_code")
    assert ("email",) in tables["students"].unique
    assert tables["departments"].column("budget").type == "DOUBLE PRECISION"
    assert tables["courses"].column("active").type == "BOOLEAN"


@pytest.mark.parametrize("limit", [3, 10])
def test_seed_samples_keep_foreign_keys(tmp_path, limit):
    db = reflect(str(build_school(tmp_path / "school.db")), rows_per_table=limit)
    for t in db.tables:
        assert len(db.rows[t.name]) <= limit, t.name
        assert db.rows[t.name] or limit < 10, t.name  # tiny samples may leave a grandchild table empty
        for fk in t.foreign_keys:
            parents = {tuple(r[c] for c in fk.ref_columns) for r in db.rows[fk.table]}
            for row in db.rows[t.name]:
                value = tuple(row[c] for c in fk.columns)
                assert None in value or value in parents, (t.name, fk, row)


def test_the_shipped_school_domain_is_what_init_makes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build_school(tmp_path / "school.db")
    assert invoke("init", "--from-db", "sqlite:///school.db", "made").exit_code == 0
    made = project_files(tmp_path / "made" / "domains" / "school")
    made["../../specs/school.yaml"] = (tmp_path / "made" / "specs" / "school.yaml").read_text()
    shipped_root = ROOT / "domains" / "school"
    if REGENERATE:
        shutil.rmtree(shipped_root, ignore_errors=True)
        shutil.copytree(tmp_path / "made" / "domains" / "school", shipped_root)
        shutil.copy(tmp_path / "made" / "specs" / "school.yaml", ROOT / "specs" / "school.yaml")
    shipped = project_files(shipped_root)
    shipped["../../specs/school.yaml"] = (ROOT / "specs" / "school.yaml").read_text()
    assert made == shipped, "domains/school is out of date: DSLGEN_REGENERATE=1 pytest tests/authoring/test_init.py"


def test_a_reserved_table_name_gets_a_safe_name_and_readable_tools(tmp_path):
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        conn.executescript('''
            CREATE TABLE "Customer" (Id INTEGER PRIMARY KEY, FullName TEXT NOT NULL);
            CREATE TABLE "order" (order_no TEXT PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES "Customer" (Id),
                                  status TEXT NOT NULL CHECK (status IN ('new', 'paid')));
            INSERT INTO "Customer" VALUES (1, 'Ada'), (2, 'Alan');
            INSERT INTO "order" VALUES ('o1', 1, 'new'), ('o2', 2, 'paid');
        ''')
    conn.close()
    result = invoke("init", "--from-db", f"sqlite:///{tmp_path / 'shop.db'}", str(tmp_path / "shop"))
    assert result.exit_code == 0, result.output
    files = project_files(tmp_path / "shop")
    assert "CREATE TABLE order_ (" in files["domains/shop/schema.sql"]
    tools = yaml.safe_load(files["domains/shop/tools.yaml"])["tools"]
    assert {"get_order", "list_order_of_customer", "update_order", "add_order"} <= {t["name"] for t in tools}
    tasks = yaml.safe_load(files["domains/shop/tasks.yaml"])["tasks"]
    prose = [t["description"] for t in tools] + [p["description"] for t in tools for p in t["parameters"].values()] \
        + [t["goal"] for t in tasks]
    assert not [text for text in prose if "order_" in text or "  " in text]
    assert not [t["id"] for t in tasks if "__" in t["id"] or t["id"].endswith("_")]
    assert api.check_spec(tmp_path / "shop" / "specs" / "shop.yaml") == []


def test_init_with_no_source_is_the_spec_repo_example(tmp_path):
    result = invoke("init", str(tmp_path / "spec-repo"), "--name", "helpdesk")
    assert result.exit_code == 0, result.output
    assert invoke("check", str(tmp_path / "spec-repo" / "specs" / "helpdesk.yaml")).exit_code == 0
    example = ROOT / "examples" / "spec-repo"
    if REGENERATE:
        shutil.rmtree(example, ignore_errors=True)
        shutil.copytree(tmp_path / "spec-repo", example)
    assert project_files(tmp_path / "spec-repo") == project_files(example), \
        "examples/spec-repo is out of date: DSLGEN_REGENERATE=1 pytest tests/authoring/test_init.py"


def test_init_refuses_a_folder_that_is_not_empty_and_a_missing_database(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    result = invoke("init", str(tmp_path / "full"))
    assert result.exit_code == 3 and "is not an empty folder" in result.output
    result = invoke("init", "--from-db", f"sqlite:///{tmp_path / 'nope.db'}", str(tmp_path / "new"))
    assert result.exit_code == 3 and "no SQLite database at" in result.output and "Traceback" not in result.output
    (tmp_path / "notes.db").write_text("not a database")
    result = invoke("init", "--from-db", f"sqlite:///{tmp_path / 'notes.db'}", str(tmp_path / "new"))
    assert result.exit_code == 3 and "cannot read the database: file is not a database" in result.output \
        and "is it a SQLite database file?" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "new").exists()
    result = invoke("init", "--from-db", "mysql://me@localhost/shop", str(tmp_path / "new"))
    assert result.exit_code == 3 and "cannot read a 'mysql' database" in result.output


def test_a_password_in_the_url_is_written_as_a_variable(postgres_url, tmp_path):
    url = postgres_url.replace("postgres@", "postgres:s3cret-pw@")
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS shop_init")
        conn.execute("CREATE DATABASE shop_init")
    shop = url.rsplit("/", 1)[0] + "/shop_init"
    with psycopg.connect(shop.replace(":s3cret-pw", ""), autocommit=True) as conn:
        conn.execute("CREATE TYPE state AS ENUM ('open', 'paid', 'shipped')")
        conn.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE)")
        conn.execute("CREATE TABLE orders (code TEXT PRIMARY KEY, customer_id INT NOT NULL REFERENCES customers (id), "
                     "total NUMERIC(10, 2) NOT NULL, status state NOT NULL, placed TIMESTAMP NOT NULL)")
        conn.execute("INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Alan', NULL)")
        conn.execute("INSERT INTO orders VALUES ('o1', 1, 12.50, 'paid', '2025-01-02 10:00'), "
                     "('o2', 2, 3.00, 'open', '2025-01-03 11:30')")
    result = invoke("init", "--from-db", shop, str(tmp_path / "shop"))
    assert result.exit_code == 0, result.output
    files = project_files(tmp_path / "shop")
    assert not any("s3cret-pw" in text for text in files.values())
    assert "postgresql://postgres:${PGPASSWORD}@127.0.0.1:" in files["specs/shop_init.yaml"]
    assert "status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'shipped'))" in \
        files["domains/shop_init/schema.sql"]
    assert '"total": 12.5' in files["domains/shop_init/seed/orders.jsonl"]
    assert '"placed": "2025-01-02T10:00:00"' in files["domains/shop_init/seed/orders.jsonl"]
    assert api.check_spec(tmp_path / "shop" / "specs" / "shop_init.yaml") == []


def test_public_url_keeps_variables_and_hides_passwords():
    assert public_url("postgresql://me:pw@db.example.com:5432/shop") == \
        "postgresql://me:${PGPASSWORD}@db.example.com:5432/shop"
    assert public_url("postgresql://me:${SHOP_PW}@db/shop") == "postgresql://me:${SHOP_PW}@db/shop"
    assert public_url("sqlite:///school.db") == "sqlite:///school.db"
