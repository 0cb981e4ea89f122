"""The SQL checks of tools and schema (DSL4xx), in the order they run."""
from dslgen.compiler.checks import (sql_doc_columns, sql_entities, sql_final_state, sql_guard_texts, sql_kinds,
                                    sql_names, sql_params, sql_schema, sql_seed, sql_syntax)

SQL_CHECKS = (sql_schema.check, sql_seed.check, sql_syntax.check, sql_kinds.check, sql_names.check, sql_params.check,
              sql_doc_columns.check, sql_guard_texts.check, sql_entities.check, sql_final_state.check)
