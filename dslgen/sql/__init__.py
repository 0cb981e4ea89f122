"""SQL: schema, tool compilation, execution and per-dialogue state.

The only package that imports sqlglot and the database drivers.
"""
from dslgen.sql.compile import ToolAnalysis, ToolCompileError, analyze_tool, compile_tool
from dslgen.sql.params import parameters_schema
from dslgen.sql.compiled import CompiledDoc, CompiledStatement, CompiledTool
from dslgen.sql.database import Database, Session
from dslgen.sql.executor import ToolResult
from dslgen.sql.schema import Column, DbSchema, SchemaSyntaxError, Table, parse_schema
from dslgen.sql.state import RowChange

__all__ = [
    "Column", "CompiledDoc", "CompiledStatement", "CompiledTool", "Database", "DbSchema", "RowChange", "ToolAnalysis", "analyze_tool",
    "SchemaSyntaxError", "Session", "Table", "ToolCompileError", "ToolResult", "compile_tool",
    "parameters_schema", "parse_schema",
]
