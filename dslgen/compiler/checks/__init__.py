"""Every compiler check, in the order they run. One check per module, each a pure function."""
from dslgen.compiler.checks import (call_arguments, models, names, parameters, pipeline, predicted_schemas,
                                    references, simulated_tools, task_sources, task_templates, templates)
from dslgen.compiler.checks.sql import SQL_CHECKS

ALL_CHECKS = (names.check, references.check, pipeline.check, templates.check, models.check, parameters.check,
              call_arguments.check, *SQL_CHECKS, simulated_tools.check, predicted_schemas.check,
              task_templates.check, task_sources.check)
