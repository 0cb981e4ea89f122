"""The SQL checks of schema, seed, tools and tasks (DSL4xx), in the order they run."""
from dslgen.compiler.checks import sql_entities, sql_final_state, sql_schema, sql_seed, sql_tools

SQL_CHECKS = (sql_schema.check, sql_seed.check, sql_tools.check, sql_entities.check, sql_final_state.check)
