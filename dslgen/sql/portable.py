"""SQL that runs the same on SQLite and PostgreSQL: which constructs translate."""
from __future__ import annotations

from sqlglot import exp


def unknown_functions(ast: exp.Expression) -> list[exp.Anonymous]:
    """Calls of functions sqlglot does not know: passed through as written, they exist on one
    engine at best, and some read files (readfile, pg_read_file, load_extension)."""
    return [f for f in ast.find_all(exp.Anonymous)]
