"""`dslgen replay`: one output line per episode, errors as outputs, never a crash."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dslgen.cli import main
from dslgen.replay import same_output

ROOT = Path(__file__).resolve().parents[2]


def _episodes(tmp_path: Path) -> Path:
    steps = [
        {"tool": "get_order_details", "arguments": {"order_id": "#W5765741"}},
        {"tool": "cancel_pending_order", "arguments": {"order_id": "#W5765741", "reason": "no longer needed"}},
        {"tool": "cancel_pending_order", "arguments": {"order_id": "#W5765741", "reason": "no longer needed"},
         "output": "Error: non-pending order cannot be cancelled"},
        {"tool": "no_such_tool", "arguments": {}},
        {"tool": "get_user_details", "arguments": {"user_id": 42}},
    ]
    path = tmp_path / "episodes.jsonl"
    lines = [{"id": "e1", "steps": steps}, {"id": "e2", "steps": steps[:1]}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_replay_command(tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["replay", str(ROOT / "specs" / "retail.yaml"), str(_episodes(tmp_path)),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["e1", "e2"]
    first = lines[0]["outputs"]
    assert json.loads(first[0])["status"] == "pending" and json.loads(first[1])["status"] == "cancelled"
    assert first[2] == "Error: non-pending order cannot be cancelled"
    assert first[3] == "Error: unknown tool 'no_such_tool'"
    assert first[4].startswith("Error: invalid arguments for get_user_details")
    assert json.loads(lines[1]["outputs"][0])["status"] == "pending"  # e2 starts from the seed again
    assert "1/1 outputs match" in result.output


def test_same_output_rules():
    assert same_output('{"a": 1.0000001, "b": [true]}', '{"b": [true], "a": 1}')
    assert not same_output('{"a": 1.00001}', '{"a": 1}')
    assert not same_output('{"a": true}', '{"a": 1}')
    assert same_output("Error: x", "Error: x") and not same_output("Error: x", "Error: y")


@pytest.mark.parametrize("line, problem", [
    (b"{not json\n", "not a JSON line"),
    (b"\xff\xfe\x00\n", "not a JSON line"),
    (b'[1, 2]\n', "an episode must be a JSON object"),
    (b'{"steps": "abc"}\n', "'steps' must be a list of objects"),
    (b'{"steps": [{"tool": ["x"]}]}\n', "every step needs a 'tool' name"),
])
def test_a_bad_episodes_file_is_one_line_exit_3(tmp_path, line, problem):
    episodes = tmp_path / "episodes.jsonl"
    episodes.write_bytes(b'{"id": "ok", "steps": []}\n' + line)
    result = CliRunner().invoke(main, ["replay", str(ROOT / "examples" / "minimal" / "spec.yaml"), str(episodes),
                                       "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert f"episodes.jsonl:2: {problem}" in result.output
