"""Every compiler check, in the order they run. One check per module, each a pure function."""
from dslgen.compiler.checks import names, pipeline, references, simulated_tools, task_templates, templates
from dslgen.compiler.checks.sql import SQL_CHECKS

ALL_CHECKS = (names.check, references.check, pipeline.check, templates.check, *SQL_CHECKS, simulated_tools.check,
              task_templates.check)
