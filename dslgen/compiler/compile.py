"""Spec → Plan. Pure: no model calls, no database; every check runs, errors raised once."""
from __future__ import annotations

from pathlib import Path

from dslgen.compiler.checks import ALL_CHECKS
from dslgen.compiler.context import CheckContext
from dslgen.compiler.pipeline import plan_stages
from dslgen.errors import SpecError
from dslgen.plan import Plan, SeedData
from dslgen.spec.loader import Loaded
from dslgen.spec.models import ROLES
from dslgen.sql import SchemaSyntaxError, parse_schema


def check(loaded: Loaded) -> CheckContext:
    """Run every check; the context holds the loader's and the checks' diagnostics."""
    ctx = CheckContext(loaded.spec, loaded.sources, diagnostics=list(loaded.diagnostics))
    if loaded.spec is None:
        return ctx
    ctx.db_schema = _schema_or_none(loaded.spec.domain.schema_sql)
    for rule in ALL_CHECKS:
        rule(ctx)
    return ctx


def _schema_or_none(schema_sql: str):
    try:
        return parse_schema(schema_sql)
    except SchemaSyntaxError:  # the schema check (DSL400) reports it with its position
        return None


def compile_spec(loaded: Loaded, output_dir: str | Path | None = None) -> Plan:
    ctx = check(loaded)
    errors = [d for d in ctx.diagnostics if d.severity == "error"]
    if errors:
        raise SpecError(sorted(errors, key=lambda d: d.sort_key()))
    spec = loaded.spec
    out = Path(output_dir or spec.output.dir or Path("out") / spec.name)
    return Plan(
        name=spec.name, spec_path=spec.path, seed=spec.seed,
        domain=spec.domain.name, policy=spec.domain.policy, schema=ctx.db_schema,
        seed_data=SeedData(ctx.seed.rows, ctx.seed.digest, str(spec.domain.path / "seed")),
        tools=tuple(ctx.tool_analyses[i].compiled for i in range(len(spec.domain.tools))),
        tasks=tuple(spec.domain.tasks), models={role: spec.models.for_role(role) for role in ROLES},
        user_simulator=spec.user_simulator, prompts=dict(spec.prompts),
        stages=plan_stages(spec.pipeline, notices=tuple(sorted(spec.domain.notices)),
                           predicted_schemas=any(t.simulated and t.simulated.output_schema is None
                                                 for t in spec.domain.tools)),
        output_dir=out, database=spec.database,
        description=spec.description, notices=tuple(sorted(spec.domain.notices.items())),
        task_templates=tuple(spec.domain.task_templates),
        imported_tasks=tuple((file, tuple(tasks)) for file, tasks in spec.imported_tasks.items()),
    )

