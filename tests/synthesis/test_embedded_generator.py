"""The embedded model as generator: task generation and tool expansion run end to end, and
every proposal ends admitted or rejected with a reason (the model is weak: most are rejected)."""
import pytest

from dslgen import api
from dslgen.backends import make_backend
from dslgen.compiler.candidates import tool_checker
from dslgen.spec import loader
from dslgen.spec.model_settings import ModelSpec
from dslgen.sim.database import open_database
from dslgen.synthesis.generated_tasks import generate_tasks
from dslgen.synthesis.reasons import REASONS
from dslgen.synthesis.tool_expansion import expand_tools
from synthesis.conftest import ROOT

LIBRARY = ROOT / "examples" / "minimal" / "spec.yaml"
# short strings and lists keep the output budget (and the time on two cores) small
GENERATOR = ModelSpec(backend="embedded", seed=0, max_string=60, max_items=2, max_invalid_retries=1)


@pytest.fixture(scope="module")
def library():
    plan = api.compile_file(LIBRARY)
    return plan, open_database(plan), make_backend(GENERATOR, "generator")


def _accounted(result, count):
    assert result.fault is None
    assert result.proposed == count
    assert all(r.reason in REASONS and r.detail for r in result.rejected)
    print(result.summary())


@pytest.mark.model
def test_generated_tasks_end_to_end(library):
    plan, db, backend = library
    result = generate_tasks(plan, backend, db, count=2, rows_per_table=1)
    _accounted(result, 2)
    assert all(t.rubric.expected_calls for t in result.admitted)


@pytest.mark.model
def test_expanded_tools_end_to_end(library):
    plan, db, backend = library
    result = expand_tools(plan, backend, db, tool_checker(loader.from_file(LIBRARY)), count=2, rows_per_table=1)
    _accounted(result, 2)
