"""Every compiler check, in the order they run. One check per module, each a pure function."""
from dslgen.compiler.checks import (names, pipeline, predicted_schemas, references, simulated_tools, task_sources,
                                    task_templates, templates)
from dslgen.compiler.checks.sql import SQL_CHECKS

ALL_CHECKS = (names.check, references.check, pipeline.check, templates.check, *SQL_CHECKS, simulated_tools.check,
              predicted_schemas.check, task_templates.check, task_sources.check)
