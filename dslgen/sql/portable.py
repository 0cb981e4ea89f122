"""SQL that runs the same on SQLite and PostgreSQL: the constructs `check` accepts.

A tool's SQL is written in SQLite's dialect. Each construct below (a sqlglot node type) is
known to give the same result on PostgreSQL, as rendered by `engines/postgresql.py` (which
rewrites LIKE, %, ROUND, CAST to an integer and decimal literals so PostgreSQL computes what
SQLite computes); every other construct is a DSL415 diagnostic naming it. Each entry has an
example query over the test table `t(id INTEGER, n INTEGER, x DOUBLE PRECISION,
d NUMERIC, s TEXT, b BOOLEAN)`: tests/sql/test_portable.py runs every example on both
engines and compares the results.
"""
from __future__ import annotations

from sqlglot import exp

from dslgen.sql.problems import Problem, node_position

_T = "SELECT {} AS v FROM t ORDER BY id"
PORTABLE: dict[type, str] = {
    # statements and clauses
    exp.Select: "SELECT id, s FROM t ORDER BY id", exp.From: "SELECT id FROM t ORDER BY id",
    exp.Where: "SELECT id FROM t WHERE n > 1 ORDER BY id", exp.Order: "SELECT id, s FROM t ORDER BY s, id",
    exp.Ordered: "SELECT id, x FROM t ORDER BY x DESC, id", exp.Limit: "SELECT id FROM t ORDER BY id LIMIT 2",
    exp.Offset: "SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1",
    exp.Group: "SELECT n, COUNT(*) AS c FROM t GROUP BY n ORDER BY n",
    exp.Having: "SELECT n, COUNT(*) AS c FROM t GROUP BY n HAVING COUNT(*) > 1 ORDER BY n",
    exp.Distinct: "SELECT DISTINCT n FROM t ORDER BY n",
    exp.Join: "SELECT a.id, b.id AS other FROM t AS a JOIN t AS b ON b.n = a.n AND b.id <> a.id ORDER BY a.id, b.id",
    exp.Subquery: "SELECT id, (SELECT MAX(u.x) FROM t AS u WHERE u.n = t.n) AS v FROM t ORDER BY id",
    exp.With: "WITH w AS (SELECT id, n FROM t) SELECT id FROM w WHERE n = 1 ORDER BY id",
    exp.CTE: "WITH w AS (SELECT id FROM t) SELECT COUNT(*) AS c FROM w",
    exp.TableAlias: "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 4) SELECT k FROM r",
    exp.Union: "SELECT n AS v FROM t UNION SELECT id FROM t ORDER BY v",
    exp.Intersect: "SELECT n AS v FROM t INTERSECT SELECT id FROM t ORDER BY v",
    exp.Except: "SELECT id AS v FROM t EXCEPT SELECT n FROM t ORDER BY v",
    exp.Insert: "INSERT INTO t (id, n, x, d, s, b) VALUES (10, 1, 0.5, 2.25, 'new', TRUE)",
    exp.Update: "UPDATE t SET n = n + 1, s = s || '!' WHERE id > 2",
    exp.Delete: "DELETE FROM t WHERE x < 0",
    exp.Values: "INSERT INTO t (id, n, x, d, s, b) VALUES (11, 2, 1.5, 3, 'a', FALSE), (12, 3, 2.5, 4, 'b', TRUE)",
    exp.Schema: "INSERT INTO t (id, n, s, b) SELECT id + 100, n, s, b FROM t",
    exp.Tuple: "INSERT INTO t (id, n, s) VALUES (20, 1, 'x'), (21, 3, 'y')",
    exp.Table: "SELECT id FROM t ORDER BY id", exp.Column: "SELECT t.id FROM t ORDER BY t.id",
    exp.Identifier: "SELECT id FROM t ORDER BY id", exp.Alias: "SELECT id AS k FROM t ORDER BY k",
    exp.Star: "SELECT * FROM t ORDER BY id", exp.Placeholder: _T.format(":p"),
    # values and operators
    exp.Literal: "SELECT 'a' AS s, 2 AS i, 2.5 AS f", exp.Null: _T.format("NULL"),
    exp.Boolean: "SELECT TRUE AS yes, FALSE AS no", exp.Paren: _T.format("(n + 1) * 2"),
    exp.Add: _T.format("n + x"), exp.Sub: _T.format("d - 0.1"), exp.Mul: _T.format("d * 3"),
    exp.Div: _T.format("n / 2"), exp.Mod: _T.format("n % 2"), exp.Neg: _T.format("-x"),
    exp.DPipe: _T.format("s || '-' || id"),
    exp.EQ: _T.format("n = 1"), exp.NEQ: _T.format("n <> 1"), exp.GT: _T.format("x > 0"),
    exp.GTE: _T.format("x >= 0"), exp.LT: _T.format("x < 0"), exp.LTE: _T.format("x <= 0"),
    exp.And: _T.format("n = 1 AND b"), exp.Or: _T.format("n = 1 OR NOT b"), exp.Not: _T.format("NOT b"),
    exp.Is: _T.format("s IS NULL"), exp.NullSafeEQ: _T.format("s IS 'b'"),
    exp.In: _T.format("n IN (SELECT id FROM t)"), exp.Between: _T.format("x BETWEEN -1 AND 1.5"),
    exp.Exists: _T.format("EXISTS (SELECT 1 FROM t AS u WHERE u.n > t.n)"),
    exp.Like: "SELECT id FROM t WHERE s LIKE 'b%' OR s LIKE '%_x' ORDER BY id",
    exp.Case: _T.format("CASE WHEN n > 1 THEN 'big' WHEN n = 1 THEN 'one' ELSE 'small' END"),
    exp.If: _T.format("IIF(b, d, x)"),
    exp.Cast: _T.format("CAST(x AS INTEGER)"), exp.DataType: _T.format("CAST(n AS REAL)"),
    # functions
    exp.Count: "SELECT COUNT(*) AS c, COUNT(s) AS cs, COUNT(DISTINCT n) AS cn FROM t",
    exp.Sum: "SELECT SUM(n) AS si, SUM(x) AS sx, SUM(d) AS sd FROM t",
    exp.Avg: "SELECT AVG(n) AS a FROM t", exp.Min: "SELECT MIN(s) AS lo, MIN(d) AS dm FROM t",
    exp.Max: "SELECT MAX(x) AS hi, MAX(d) AS dm FROM t",
    exp.Coalesce: _T.format("COALESCE(s, 'none')"), exp.Nullif: _T.format("NULLIF(n, 1)"),
    exp.Abs: _T.format("ABS(x)"), exp.Round: "SELECT ROUND(x, 1) AS r1, ROUND(d) AS r0, ROUND(2.5) AS h FROM t",
    exp.Lower: _T.format("LOWER(s)"), exp.Upper: _T.format("UPPER(s)"), exp.Length: _T.format("LENGTH(s)"),
    exp.Trim: _T.format("TRIM(' ' || s || ' ')"), exp.Replace: _T.format("REPLACE(s, 'a', 'A')"),
    exp.Window: "SELECT id, SUM(n) OVER (PARTITION BY b ORDER BY id) AS v FROM t ORDER BY id",
    exp.RowNumber: "SELECT id, ROW_NUMBER() OVER (ORDER BY s, id) - 1 AS v FROM t ORDER BY id",
    exp.Rank: "SELECT id, RANK() OVER (ORDER BY n) AS v FROM t ORDER BY id",
    exp.DenseRank: "SELECT id, DENSE_RANK() OVER (ORDER BY n) AS v FROM t ORDER BY id",
}
CAST_TYPES = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT,
              exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT, exp.DataType.Type.DECIMAL,
              exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.BOOLEAN}
_NAMES = {exp.Anonymous: "function", exp.Glob: "GLOB", exp.GroupConcat: "GROUP_CONCAT", exp.Greatest: "MAX(a, b)",
          exp.Least: "MIN(a, b)", exp.Substring: "SUBSTR", exp.Rand: "RANDOM()", exp.Escape: "LIKE … ESCAPE"}
_HINTS = {exp.Substring: "SUBSTR with a negative start differs; compare with LIKE, or keep parts in columns",
          exp.Greatest: "write CASE WHEN a >= b THEN a ELSE b END",
          exp.Least: "write CASE WHEN a <= b THEN a ELSE b END",
          exp.GroupConcat: "return the rows as a list (`rows:`) instead of one joined string",
          exp.Glob: "use LIKE ('%' and '_'), which matches the same on both engines"}
_JSON_HINT = "lists arrive as tables: read item properties as columns (see List parameters in docs/tool-language.md)"


def unknown_functions(ast: exp.Expression) -> list[exp.Anonymous]:
    """Calls of functions sqlglot does not know: passed through as written, they exist on one
    engine at best, and some read files (readfile, pg_read_file, load_extension)."""
    return list(ast.find_all(exp.Anonymous))


def portability_problems(text: str, ast: exp.Expression) -> list[Problem]:
    """DSL415: every construct outside PORTABLE, named, at its position (once per kind)."""
    out, seen, todo = [], set(), [ast]
    while todo:
        node = todo.pop()
        why = _not_portable(node)
        if why is None:
            todo += reversed(list(node.iter_expressions()))
            continue
        if why not in seen:  # a construct once per statement; what is inside it is not looked at
            seen.add(why)
            out.append(Problem("DSL415", f"{why} does not translate to PostgreSQL", *node_position(text, node),
                               hint=_hint(node)))
    return out


def _not_portable(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return f"function '{node.name}'"
    if isinstance(node, exp.DataType) and node.this not in CAST_TYPES:
        return f"type {node.sql('sqlite')}"
    if type(node) in PORTABLE:
        return None
    if isinstance(node, (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONPath, exp.JSONPathPart)) or "JSON" in type(node).__name__:
        return "a JSON function"
    return _NAMES.get(type(node)) or type(node).key.upper().replace("_", " ")


def _hint(node: exp.Expression) -> str:
    if "JSON" in type(node).__name__:
        return _JSON_HINT
    return _HINTS.get(type(node), "write it with the constructs listed under Portability in docs/tool-language.md")
