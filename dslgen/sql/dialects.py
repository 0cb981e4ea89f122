"""Render a parsed tool statement as the text each engine runs.

The tool's own tables become CTEs in front of the statement, only those it reads (and what
they read): a list (parameter or `rows` let) is read from its JSON text, bound as a
parameter, so the list never enters the SQL text; a `with` fragment is inlined. Each
engine's module (dslgen/sql/engines/) turns the result into its text.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from dslgen.sql.params import ListTable

ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Fragment:
    """A `with` fragment of a tool: a named SELECT inlined where a statement reads it."""

    name: str
    ast: exp.Expression


Source = ListTable | Fragment


def render(ast: exp.Expression, engine: str, sources: dict[str, Source], types: dict[str, str]) -> str:
    """SQL text for `engine`. sources: the tool's own tables; types: :name → kind."""
    from dslgen.sql.engines import engine as engine_module

    module = engine_module(engine)
    return module.render(_with_sources(ast.copy(), module, sources), types)


def needed(ast: exp.Expression, sources: dict[str, Source]) -> list[str]:
    """Sources a statement reads, directly or through a fragment, in an order that works
    (lists first, then fragments in declaration order)."""
    found: set[str] = set()
    todo = [ast]
    while todo:
        for t in todo.pop().find_all(exp.Table):
            name = t.name.lower()
            if name in sources and name not in found:
                found.add(name)
                if isinstance(sources[name], Fragment):
                    todo.append(sources[name].ast)
    return [n for n in sources if n in found]


def _with_sources(tree: exp.Expression, module, sources: dict[str, Source]) -> exp.Expression:
    ctes = []
    for name in needed(tree, sources):
        src = sources[name]
        body = src.ast.copy() if isinstance(src, Fragment) else module.list_body(src)
        ctes.append(exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name))))
    return _add_ctes(tree, ctes) if ctes else tree


def _add_ctes(tree: exp.Expression, ctes: list[exp.CTE]) -> exp.Expression:
    """Prepend the CTEs to the statement's WITH: the tool's own CTEs may read them."""
    key = "with_" if "with_" in type(tree).arg_types else "with"
    existing = tree.args.get(key)
    if existing is None:
        tree.set(key, exp.With(expressions=ctes))
    else:
        existing.set("expressions", [*ctes, *existing.expressions])
    return tree


def schema_sql(text: str, engine: str) -> list[str]:
    """The statements of schema.sql for `engine`; refuses a schema that is not only
    declarations (the compiler reports why; this guards callers that skipped the checks)."""
    from dslgen.errors import RunError
    from dslgen.sql.engines import engine as engine_module
    from dslgen.sql.schema import split_statements
    from dslgen.sql.schema_rules import schema_problems

    errors = schema_problems(text)
    if errors:
        raise RunError(f"schema.sql:{errors[0].line}:{errors[0].col}: {errors[0].message}",
                       hint="run `dslgen check` on the spec")
    return engine_module(engine).schema_statements(split_statements(text))
