"""MCP Toolbox tools.yaml ⇄ a domain's tools: an import passes `dslgen check`, an export gives
the same tools back (both file forms), and what cannot be carried over is a diagnostic at its
line."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dslgen import api
from dslgen.authoring.mcp_toolbox import read_toolbox
from dslgen.cli import main
from dslgen.sql.foreign_sql import quote_names, to_named, unquote_names

SHOP_SQL = """
CREATE TABLE users (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL, email TEXT UNIQUE);
CREATE TABLE orders (order_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (user_id),
                     total REAL NOT NULL, status TEXT NOT NULL);
INSERT INTO users VALUES ('u1', 'Ada', 36, 'ada@example.com'), ('u2', 'Alan', 41, 'alan@example.com');
INSERT INTO orders VALUES ('o1', 'u1', 12.5, 'open'), ('o2', 'u1', 3.0, 'shipped'), ('o3', 'u2', 8.25, 'open');
"""

TOOLS = """\
kind: source
name: shop-db
type: sqlite
database: shop.db
---
kind: tool
name: search-users
type: sqlite-sql
source: shop-db
description: Search users by name and minimum age.
parameters:
  - name: name
    type: string
    description: Part of the name
  - name: min_age
    type: integer
    description: Minimum age
statement: SELECT user_id, name, age FROM users WHERE name LIKE '%' || ? || '%' AND age >= ?
---
kind: tool
name: get-user-orders
type: sqlite-sql
source: shop-db
description: All orders of a user, newest first.
parameters:
  - name: user_id
    type: string
    description: The user id
statement: |-
  SELECT order_id, total, status
  FROM orders
  WHERE user_id = ?
  ORDER BY order_id DESC
---
kind: tool
name: set-order-status
type: sqlite-sql
source: shop-db
description: Change the status of an order.
parameters:
  - name: status
    type: string
    description: New status
    allowedValues: [open, shipped, cancelled]
  - name: order_id
    type: string
    description: The order id
statement: UPDATE orders SET status = ?1 WHERE order_id = ?2
---
kind: tool
name: orders-over
type: sqlite-sql
source: shop-db
description: Orders whose total is above an amount.
parameters:
  - name: amount
    type: float
    description: The amount
    required: false
statement: SELECT order_id, total FROM orders WHERE total > COALESCE(?, 10) ORDER BY total
---
kind: tool
name: add-user
type: sqlite-sql
source: shop-db
description: Add a user.
parameters:
  - name: user_id
    type: string
    description: A new user id
  - name: name
    type: string
    description: The name
  - name: age
    type: integer
    description: The age
statement: INSERT INTO users (user_id, name, age) VALUES (?, ?, ?)
---
kind: tool
name: count_users
type: sqlite-sql
source: shop-db
description: How many users there are.
statement: SELECT COUNT(*) AS n FROM users
---
kind: tool
name: run-anything
type: sqlite-execute-sql
source: shop-db
description: Run any SQL.
---
kind: toolset
name: support
tools: [search-users, get-user-orders]
"""


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def sql_tools(text: str) -> dict[str, dict]:
    """The SQL tools of a toolbox file, as comparable data (placeholders read as names)."""
    box = read_toolbox(text, "tools.yaml")
    out = {}
    for r in box.of_kind("tool"):
        if r.type.endswith("-sql") and "execute" not in r.type:
            params = r.body.get("parameters") or []
            names = [p["name"] for p in params]
            out[r.name] = {"type": r.type, "source": r.body["source"], "description": r.body["description"],
                           "parameters": params, "statement": to_named(r.body["statement"].strip(), names)[0]}
    return out


@pytest.fixture
def toolbox(tmp_path) -> Path:
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        conn.executescript(SHOP_SQL)
    conn.close()
    (tmp_path / "tools.yaml").write_text(TOOLS)
    return tmp_path / "tools.yaml"


def test_import_passes_check_and_export_gives_the_same_tools(toolbox, tmp_path):
    result = invoke("import", "mcp-toolbox", str(toolbox), str(tmp_path / "project"))
    assert result.exit_code == 0, result.output
    assert "'sqlite-execute-sql' is not a SQL statement tool; left out" in result.output
    spec = tmp_path / "project" / "specs" / "shop.yaml"
    assert api.check_spec(spec) == []
    plan = api.compile_file(spec)
    assert [t.name for t in plan.tools] == ["search_users", "get_user_orders", "set_order_status", "orders_over",
                                            "add_user", "count_users"]
    assert plan.tool("set_order_status").writes and plan.tasks
    exported = invoke("export-tools", str(spec), "--format", "mcp-toolbox")
    assert exported.exit_code == 0, exported.output
    assert sql_tools(exported.stdout) == sql_tools(TOOLS)
    assert exported.stdout.startswith("kind: source\nname: shop-db\ntype: sqlite\ndatabase: shop.db\n---\n")
    assert exported.stdout.endswith("---\nkind: toolset\nname: support\ntools: [search-users, get-user-orders]\n")


def test_the_map_form_imports_into_a_domain_and_exports_back(toolbox, tmp_path):
    assert invoke("import", "mcp-toolbox", str(toolbox), str(tmp_path / "project")).exit_code == 0
    spec = tmp_path / "project" / "specs" / "shop.yaml"
    as_map = invoke("export-tools", str(spec), "--format", "mcp-toolbox", "--layout", "map").stdout
    assert as_map.startswith("sources:\n  shop-db:\n    kind: sqlite\n") and "\ntools:\n  search-users:\n" in as_map
    domain = tmp_path / "project" / "domains" / "shop"
    (domain / "tools.yaml").write_text("tools: []\n")
    (tmp_path / "map.yaml").write_text(as_map)
    assert invoke("import", "mcp-toolbox", str(tmp_path / "map.yaml"), str(domain)).exit_code == 3  # would replace
    result = invoke("import", "mcp-toolbox", str(tmp_path / "map.yaml"), str(domain), "--force")
    assert result.exit_code == 0, result.output
    assert api.check_spec(spec) == []
    again = invoke("export-tools", str(spec), "--format", "mcp-toolbox", "--layout", "map").stdout
    assert again == as_map and sql_tools(again) == sql_tools(TOOLS)


def test_what_cannot_be_carried_over_is_a_diagnostic_at_its_line(tmp_path):
    text = """\
sources:
  db: {kind: sqlite, database: shop.db}
tools:
  by-table:
    kind: sqlite-sql
    source: db
    description: Rows of a table.
    statement: SELECT * FROM {{.table}}
    templateParameters:
      - {name: table, type: string, description: A table}
  with-map:
    kind: sqlite-sql
    source: db
    description: A map parameter.
    parameters:
      - {name: opts, type: map, description: Options}
    statement: SELECT ?
  make-table:
    kind: sqlite-sql
    source: db
    description: DDL.
    statement: CREATE TABLE t (a INT)
  too-few:
    kind: sqlite-sql
    source: db
    description: One placeholder, two parameters.
    parameters:
      - {name: a, type: string, description: A}
      - {name: b, type: string, description: B}
    statement: SELECT ?
  bounded:
    kind: sqlite-sql
    source: db
    description: Bounds are dropped.
    parameters:
      - {name: n, type: integer, description: N, minValue: 1, default: 3}
    statement: SELECT :n
    authRequired: [google]
"""
    from dslgen.authoring.mcp_toolbox import import_tools

    box = read_toolbox(text, "tools.yaml")
    tools, _ = import_tools(box)
    assert [t["name"] for t in tools] == ["bounded"]
    found = [(d.span.line, d.message.split(": ", 1)[1] if ": " in d.message else d.message) for d in box.diagnostics]
    assert found == [
        (9, "template parameters paste text into the SQL; left out"),
        (16, "parameter 'opts' of type 'map' cannot be carried over; tool left out"),
        (22, "a dslgen tool runs SELECT, INSERT, UPDATE or DELETE only; left out"),
        (30, "the statement has 1 `?` placeholder(s) for 2 parameter(s); left out"),
        (38, "'authRequired' is not carried over"),
        (36, "default 3 of 'n' is not carried over: the parameter is optional and NULL when not given"),
        (36, "'minValue' of 'n' is not carried over"),
    ]
    assert all(d.severity == "warning" for d in box.diagnostics)


def test_postgres_tools_are_translated_both_ways(tmp_path):
    text = """\
kind: tool
name: find-hotels
type: postgres-sql
source: pg
description: Hotels whose name contains a text.
parameters:
  - {name: name, type: string, description: Part of the name}
statement: SELECT * FROM hotels WHERE name ILIKE '%' || $1 || '%'
"""
    from dslgen.authoring.mcp_toolbox import import_tools
    from dslgen.authoring.toolbox_io import export_toolbox
    from dslgen.spec.tools import ToolSpec

    tools, served = import_tools(read_toolbox(text, "tools.yaml"))
    assert tools[0]["sql"] == "SELECT * FROM hotels WHERE LOWER(name) LIKE LOWER('%' || :name || '%')"
    out, notes = export_toolbox([ToolSpec.model_validate(tools[0])], "inn",
                                {"sources": {"pg": {"type": "postgres"}}, "tools": served})
    assert notes == [] and "type: postgres-sql" in out
    assert "statement: SELECT * FROM hotels WHERE LOWER(name) LIKE LOWER('%' || $1 || '%')" in out


RESERVED_SQL = """
CREATE TABLE "Customer" ("Id" INTEGER PRIMARY KEY, "FullName" TEXT NOT NULL);
CREATE TABLE "order" (order_no TEXT PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES "Customer" ("Id"),
                      "group" TEXT NOT NULL);
INSERT INTO "Customer" VALUES (1, 'Ada'), (2, 'Alan');
INSERT INTO "order" VALUES ('o1', 1, 'a'), ('o2', 2, 'b'), ('o3', 1, 'b');
"""

RESERVED_TOOLS = """\
sources:
  shop: {kind: sqlite, database: shop.db}
tools:
  orders-of:
    kind: sqlite-sql
    source: shop
    description: Orders of a customer.
    parameters:
      - {name: customer, type: integer, description: The customer id}
    statement: SELECT o.order_no, o."group", c.FullName FROM "order" o JOIN "Customer" c ON c."Id" = o.customer_id WHERE c.Id = ? ORDER BY o.order_no
  regroup:
    kind: sqlite-sql
    source: shop
    description: Move an order to another group.
    parameters:
      - {name: group, type: string, description: The group}
      - {name: order_no, type: string, description: The order}
    statement: UPDATE "order" SET "group" = ? WHERE order_no = ?
toolsets:
  desk: [orders-of, regroup]
"""


def test_names_the_domain_spells_otherwise_are_rewritten_and_written_back(tmp_path):
    """A reserved word ("order", "group") is `order_` in the domain: imported statements use
    the domain's names (with a note at the statement), exported ones the database's, so the
    exported file still runs on the database it serves."""
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        conn.executescript(RESERVED_SQL)
    conn.close()
    (tmp_path / "tools.yaml").write_text(RESERVED_TOOLS)
    result = invoke("import", "mcp-toolbox", str(tmp_path / "tools.yaml"), str(tmp_path / "project"))
    assert result.exit_code == 0, result.output
    assert "tools.yaml:10:16: warning[DSL700]: tool 'orders-of': names as the domain spells them: " \
           "Customer → customer, Id → id, group → group_, order → order_" in result.output
    spec = tmp_path / "project" / "specs" / "shop.yaml"
    assert api.check_spec(spec) == []
    plan = api.compile_file(spec)
    assert plan.tool("regroup").writes
    exported = invoke("export-tools", str(spec), "--format", "mcp-toolbox", "--layout", "map").stdout
    assert sql_tools(exported) == sql_tools(RESERVED_TOOLS)
    assert exported.endswith("toolsets:\n  desk: [orders-of, regroup]\n")
    with sqlite3.connect(tmp_path / "shop.db") as conn:  # what is served still runs where it is served
        tools = {r.name: r.body for r in read_toolbox(exported, "out.yaml").of_kind("tool")}
        assert conn.execute(tools["orders-of"]["statement"], (1,)).fetchall() == [("o1", "a", "Ada"), ("o3", "b", "Ada")]
        assert conn.execute(tools["regroup"]["statement"], ("c", "o2")).rowcount == 1
    conn.close()


def test_renaming_leaves_text_comments_calls_and_placeholders_alone():
    sql = """SELECT "order", count(*), [Id] FROM "order" WHERE note = '"order"' AND x = :order_ -- "order"\n"""
    domain = unquote_names(sql, {"order": "order_", "Id": "id", "count": "count_"})
    assert domain == """SELECT order_, count(*), id FROM order_ WHERE note = '"order"' AND x = :order_ -- "order"\n"""
    served = quote_names(domain, {"order_": "order", "id": "Id", "count": "Count"})
    assert served == """SELECT "order", count(*), "Id" FROM "order" WHERE note = '"order"' AND x = :order_ -- "order"\n"""


def test_a_broken_file_or_output_path_is_a_clear_error(toolbox, tmp_path):
    (tmp_path / "broken.yaml").write_text("tools:\n  a: [\n")
    result = invoke("import", "mcp-toolbox", str(tmp_path / "broken.yaml"), str(tmp_path / "new"))
    assert result.exit_code == 1 and "broken.yaml:3:1: error[DSL700]: invalid YAML" in result.output
    assert not (tmp_path / "new").exists() and "Traceback" not in result.output
    assert invoke("import", "mcp-toolbox", str(toolbox), str(tmp_path / "project")).exit_code == 0
    result = invoke("export-tools", str(tmp_path / "project" / "specs" / "shop.yaml"), "--format", "mcp-toolbox",
                    "-o", str(tmp_path / "missing" / "tools.yaml"))
    assert result.exit_code == 3 and "cannot write" in result.output and "Traceback" not in result.output
