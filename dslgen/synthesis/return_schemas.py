"""Return schemas predicted by the generator for simulated tools that declare none (the paper's
tool preprocessing). A prediction is a list of typed fields; it is admitted only when it types
every shared entity as the other tools do (DSL407), else the model is asked again."""
from __future__ import annotations

from dataclasses import dataclass

from dslgen.synthesis.entities import conflicts, entity_types
from dslgen.synthesis.proposals import Stop, ask, strict_object
from dslgen.synthesis.reasons import Admission, Rejection
from dslgen.templating import render

SOURCE = "return_schemas"


@dataclass(frozen=True)
class PredictedSchema:
    tool: str
    schema: dict


def fields_schema(max_fields: int = 6) -> dict:
    field = strict_object({"name": {"type": "string", "pattern": r"^[a-z][a-z0-9_]{0,39}$"},
                           "type": {"enum": ["string", "integer", "number", "boolean"]},
                           "description": {"type": "string", "maxLength": 120}})
    return strict_object({"fields": {"type": "array", "items": field, "minItems": 1, "maxItems": max_fields}})


def output_schema(fields: list[dict]) -> dict:
    props = {f["name"]: {"type": f["type"], **({"description": f["description"]} if f["description"] else {})}
             for f in fields}
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def predict_return_schemas(plan, backend, tools, *, attempts: int = 3) -> Admission:
    """A schema for each of `tools` (simulated, none declared); every failed attempt is kept."""
    needing = {t.name for t in tools}
    types = entity_types(t for t in plan.tools if t.name not in needing)
    out = Admission()
    try:
        for tool in tools:
            _predict(plan, backend, tool, types, attempts, out)
    except Stop as stop:
        out.fault = stop.fault
    return out


def _predict(plan, backend, tool, types: dict, attempts: int, out: Admission) -> None:
    facts = {"name": tool.name, "description": tool.description, "instructions": tool.instructions,
             "parameters": tool.parameters_schema.get("properties", {})}
    prompt = render(plan.prompts["return_schema_generator"], domain=plan.domain, tool=facts, entities=types)
    for attempt in range(attempts):
        value = ask(backend, prompt, fields_schema(), plan.seed * 1000 + attempt)
        verdict = _verdict(value, types)
        if isinstance(verdict, dict):
            out.admitted.append(PredictedSchema(tool.name, verdict))
            types.update({k: v for k, v in _field_types(verdict).items() if k not in types})
            return
        out.rejected.append(Rejection(SOURCE, tool.name, *verdict, value if isinstance(value, dict) else None))


def _verdict(value, types: dict) -> dict | tuple[str, str]:
    if not isinstance(value, dict):
        return ("model_failed", str(value))
    names = [f["name"] for f in value["fields"]]
    if len(set(names)) != len(names):
        return ("invalid", "a field name appears twice")
    schema = output_schema(value["fields"])
    clash = conflicts(schema, types)
    return ("entity_type", "; ".join(clash)) if clash else schema


def _field_types(schema: dict) -> dict[str, str]:
    return {name: prop["type"] for name, prop in schema["properties"].items()}
