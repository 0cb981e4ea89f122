"""return_schemas: the JSON Schema of every tool's output, in return_schemas.json.

A SQL tool's schema is derived from its returned document and the database schema at
compile time; a simulated tool's is the one it declares, or, when it declares none, one the
generator model predicts (dslgen/synthesis/return_schemas.py), admitted only when it types
the fields shared with other tools alike (DSL407). Rejected predictions go to
return_schemas.rejected.jsonl; a tool left without a schema stops the run, since nothing
could hold a model's outputs for it. The stages that play or check tools read the predicted
schemas back (`with_predicted_schemas`).
"""
from __future__ import annotations

import dataclasses
import json

from dslgen.backends import make_backend
from dslgen.errors import RunError
from dslgen.output.jsonl import write_json, write_jsonl
from dslgen.plan import Plan, ReturnSchemasStage
from dslgen.plan.artifacts import RETURN_SCHEMAS, RETURN_SCHEMAS_REJECTED
from dslgen.stages import StageContext, StageResult
from dslgen.synthesis.return_schemas import predict_return_schemas


def run(stage: ReturnSchemasStage, ctx: StageContext) -> StageResult:
    plan = ctx.plan
    needing = [t for t in plan.tools if t.return_schema is None]
    predicted, lines = {}, []
    if needing:
        result = predict_return_schemas(plan, make_backend(plan.models["generator"], "generator"), needing,
                                        attempts=stage.attempts)
        write_jsonl(ctx.folder / RETURN_SCHEMAS_REJECTED, (r.to_json() for r in result.rejected))
        predicted = {p.tool: p.schema for p in result.admitted}
        lines.append(f"return_schemas: {len(predicted)} of {len(needing)} predicted for simulated tools; "
                     f"{len(result.rejected)} prediction(s) rejected in {RETURN_SCHEMAS_REJECTED}")
        _all_predicted(needing, predicted, result)
    else:
        write_jsonl(ctx.folder / RETURN_SCHEMAS_REJECTED, [])
    write_json(ctx.folder / RETURN_SCHEMAS, {t.name: _entry(t, predicted) for t in plan.tools})
    derived = sum(not t.simulated for t in plan.tools)
    lines.append(f"return_schemas: {len(plan.tools)} tool(s), {derived} derived from SQL, in {RETURN_SCHEMAS}")
    return StageResult(stage.kind, lines, {"tools": len(plan.tools), "predicted": len(predicted)})


def _entry(tool, predicted: dict) -> dict:
    if tool.name in predicted:
        return {"origin": "predicted by the generator", "schema": predicted[tool.name]}
    return {"origin": "declared" if tool.simulated else "derived from the SQL", "schema": tool.return_schema}


def _all_predicted(needing, predicted: dict, result) -> None:
    missing = [t.name for t in needing if t.name not in predicted]
    if result.fault is not None or missing:
        why = str(result.fault) if result.fault else "; ".join(
            f"{r.reason} ({r.detail})" for r in result.rejected if r.name in missing)
        raise RunError(f"return_schemas: no admitted output schema for {', '.join(missing)}: {why}",
                       hint="declare output_schema for the tool, raise `attempts`, or use a stronger generator")


def with_predicted_schemas(plan: Plan, folder) -> Plan:
    """The plan with the predicted schemas of simulated tools that declare none (read from
    return_schemas.json); the plan itself when every tool has one."""
    if all(t.return_schema is not None for t in plan.tools):
        return plan
    path = folder / RETURN_SCHEMAS
    if not path.exists():
        raise RunError(f"{path} is missing: simulated tools without an output_schema need it",
                       hint="run the return_schemas stage first")
    schemas = json.loads(path.read_text(encoding="utf-8"))
    tools = tuple(dataclasses.replace(t, return_schema=schemas[t.name]["schema"]) if t.return_schema is None else t
                  for t in plan.tools)
    return dataclasses.replace(plan, tools=tools)
