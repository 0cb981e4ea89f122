"""One backend shared by many dialogue threads, against the bench's mock server."""
import importlib.util
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema

from dslgen.backends import agent_turn_schema, parse_agent_turn, user_turn_schema
from dslgen.backends.openai_compat import OpenAICompatBackend
from dslgen.spec.model_settings import ModelSpec

_PATH = Path(__file__).resolve().parents[2] / "bench" / "mock_openai.py"
_spec = importlib.util.spec_from_file_location("mock_openai", _PATH)
mock_openai = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mock_openai)


def test_the_mock_server_answers_every_schema_with_a_valid_instance(retail_tools, wide_tools):
    schemas = [agent_turn_schema(retail_tools), agent_turn_schema(wide_tools),
               user_turn_schema(), {"type": "string", "minLength": 5, "maxLength": 5}]
    for schema in schemas:
        kinds, validator = set(), jsonschema.Draft202012Validator(schema)
        for seed in range(40):
            value = mock_openai.instance(schema, random.Random(seed))
            validator.validate(value)
            kinds.add(str(value))
        assert len(kinds) > 1 or schema.get("type") == "string"  # seeds vary the answer


def test_many_threads_share_one_backend_with_all_requests_in_flight(retail_tools):
    union, turn = agent_turn_schema(retail_tools), user_turn_schema()
    with mock_openai.MockOpenAI(latency=0.5) as server:
        b = OpenAICompatBackend(ModelSpec(backend="openai", base_url=server.url, model="m"),
                                "agent")

        def dialogue_step(i):
            kind, _ = parse_agent_turn(b.generate_json([{"role": "user", "content": "hi"}],
                                                       union, seed=i))
            return kind, b.generate_json([{"role": "user", "content": "ok"}], turn, seed=i)

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(dialogue_step, range(32)))
        stats = server.stats()
    assert stats["max_in_flight"] == 16  # nothing in the client serializes requests
    assert stats["requests"] == 64
    assert {kind for kind, _ in results} == {"reply", "tool"}
    assert b.stats.calls == b.stats.json_calls == 64 and b.stats.resamples == 0
