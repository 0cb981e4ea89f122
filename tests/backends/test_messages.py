import json

from dslgen.backends.messages import fold_tool_messages


def test_tool_calls_and_results_fold_into_plain_turns():
    msgs = [
        {"role": "system", "content": "You help."},
        {"role": "user", "content": "status of #W1?"},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "c1", "type": "function",
            "function": {"name": "get_order_details", "arguments": '{"order_id": "#W1"}'},
        }]},
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "pending"}'},
        {"role": "user", "content": "thanks"},
    ]
    out = fold_tool_messages(msgs)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert json.loads(out[2]["content"]) == {"tool": "get_order_details",
                                             "arguments": {"order_id": "#W1"}}
    # the tool result and the next user message merge into one user turn
    assert out[3]["content"] == '[result of get_order_details]\n{"status": "pending"}\n\nthanks'
    assert all(isinstance(m["content"], str) for m in out)
