"""SQL that runs the same on SQLite and PostgreSQL: which constructs translate."""
from __future__ import annotations

from sqlglot import exp


def unknown_functions(ast: exp.Expression) -> list[exp.Anonymous]:
    """Calls of functions sqlglot does not know: passed through as written, they exist on one
    engine at best, and some read files (readfile, pg_read_file, load_extension)."""
    return [f for f in ast.find_all(exp.Anonymous)]


def portability_problems(text: str, ast: exp.Expression) -> list:
    """DSL415: constructs of a tool's SQL that would not run the same on PostgreSQL."""
    from dslgen.sql.problems import Problem, node_position

    return [Problem("DSL415", f"function '{f.name}' does not translate to PostgreSQL", *node_position(text, f),
                    hint="use a function both engines have (see docs/tool-language.md, Portability)")
            for f in unknown_functions(ast)]
