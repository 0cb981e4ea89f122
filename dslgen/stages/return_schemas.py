"""return_schemas: the JSON Schema of every tool's output, in return_schemas.json.

A SQL tool's schema is derived from its returned document and the database schema at
compile time; a simulated tool's is the one it declares (a model's outputs are held to it).
"""
from __future__ import annotations

from dslgen.output.jsonl import write_json
from dslgen.plan import ReturnSchemasStage
from dslgen.plan.artifacts import RETURN_SCHEMAS
from dslgen.stages import StageContext, StageResult


def run(stage: ReturnSchemasStage, ctx: StageContext) -> StageResult:
    schemas = {t.name: {"origin": "declared" if t.simulated else "derived from the SQL",
                        "schema": t.return_schema} for t in ctx.plan.tools}
    write_json(ctx.folder / RETURN_SCHEMAS, schemas)
    derived = sum(not t.simulated for t in ctx.plan.tools)
    return StageResult(stage.kind, [f"return_schemas: {len(schemas)} tool(s), {derived} derived from SQL, "
                                    f"in {RETURN_SCHEMAS}"], {"tools": len(schemas)})
