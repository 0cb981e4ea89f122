"""Return schemas predicted for simulated tools, held to the shared-entity rule (DSL407)."""
from dslgen import api
from dslgen.backends.scripted import ScriptedBackend
from dslgen.spec.model_settings import ModelSpec
from dslgen.synthesis.entities import conflicts, entity_types
from dslgen.synthesis.return_schemas import predict_return_schemas
from synthesis.conftest import ROOT

CLINIC = ROOT / "examples" / "clinic" / "spec.yaml"


def field(name, typ):
    return {"name": name, "type": typ, "description": ""}


def test_a_prediction_typing_a_shared_entity_differently_is_rejected_and_asked_again():
    plan = api.compile_file(CLINIC)
    coverage = plan.tool("check_coverage")
    outputs = [{"fields": [field("patient_id", "integer"), field("covered", "boolean")]},  # patient_id is a string
               {"fields": [field("patient_id", "string"), field("covered", "boolean"), field("copay_usd", "number")]}]
    backend = ScriptedBackend(ModelSpec(backend="scripted"), "generator", outputs)
    result = predict_return_schemas(plan, backend, [coverage])
    [rejected] = result.rejected
    assert (rejected.reason, rejected.detail) == ("entity_type", "'patient_id' is integer here but string in the other tools")
    [predicted] = result.admitted
    assert predicted.tool == "check_coverage"
    assert predicted.schema["properties"]["copay_usd"] == {"type": "number"}
    assert predicted.schema["required"] == ["patient_id", "covered", "copay_usd"]
    prompt = backend.requests[0]["messages"][0]["content"]
    assert "- patient_id: string" in prompt and "check_coverage" in prompt


def test_entity_types_come_from_parameters_and_returned_fields():
    plan = api.compile_file(CLINIC)
    types = entity_types(plan.tools)
    assert types["patient_id"] == "string" and types["starts_at"] == "string"
    assert conflicts({"type": "object", "properties": {"slot_id": {"type": "integer"}}}, types) == [
        "'slot_id' is integer here but string in the other tools"]
