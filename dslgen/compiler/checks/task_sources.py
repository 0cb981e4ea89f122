"""Each task source of the generate_tasks stage has something to read: hand-written tasks
(DSL306), task templates or imported tasks (DSL312). A pipeline without the stage reads the
hand-written tasks."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext


def check(ctx: CheckContext) -> None:
    index, stage = next(((i, s) for i, s in enumerate(ctx.spec.pipeline) if s.stage == "generate_tasks"),
                        (None, None))
    sources = stage.source if stage is not None else ["hand_written"]
    where = ("pipeline", index, "source") if index is not None else ("domain",)
    if "hand_written" in sources and not ctx.spec.domain.tasks:
        ctx.error("DSL306", "the domain has no tasks", where,
                  "add tasks to the domain's tasks.yaml, or take them from another source")
    if "templates" in sources and not ctx.spec.domain.task_templates:
        ctx.error("DSL312", "the templates source needs task templates, and the domain has none", where,
                  "write the domain's task_templates.yaml (see docs/synthesis.md)")
    for j, (file, tasks) in enumerate(ctx.spec.imported_tasks.items()):
        if not tasks:
            ctx.error("DSL312", f"the imported tasks file '{file}' holds no task", ("pipeline", index, "imported", j),
                      "write it with `dslgen import tau-bench`")
