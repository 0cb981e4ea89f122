"""The dialogue loop on the real library example: real SQL, scripted models."""
from __future__ import annotations

from dslgen.backends.scripted import ScriptedBackend
from dslgen.sim.database import apply_start_calls, open_database
from dslgen.sim.dialogue import Dialogue
from dslgen.sim.loop import GREETING, Seeds, SimSetup, simulate
from dslgen.sim.roles import Agent, UserSimulator
from dslgen.spec.model_settings import ModelSpec
from dslgen.plan import SimulateStage
from dslgen.spec.models import StartState

SCRIPTED = ModelSpec(backend="scripted")


def _setup(plan, user_outputs, agent_outputs, mode="user_oriented", **stage):
    stage = SimulateStage(mode=mode, **stage)
    user = UserSimulator(ScriptedBackend(SCRIPTED, "user", user_outputs), plan.prompts["user_system"],
                         plan.user_simulator.rules, mode)
    agent = Agent(ScriptedBackend(SCRIPTED, "agent", agent_outputs), plan.tool_signatures())
    return SimSetup(plan, stage, mode, user, agent, {t.name for t in plan.tools if t.writes})


def _dialogue(messages=None):
    return Dialogue("t", "user_oriented", messages=messages or [
        {"role": "system", "content": "sys"}, {"role": "assistant", "content": GREETING}])


def _user(text, done=False):
    return {"message": text, "is_task_complete": done}


def _call(tool, **arguments):
    return {"tool": tool, "arguments": arguments}


def _task(plan, task_id):
    return next(t for t in plan.tasks if t.id == task_id)


def test_stop_guard_holds_a_user_who_stops_before_the_write(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan,
                   [_user("Thanks, that's all!", done=True),  # too early: Dune is not lent yet
                    _user("Yes, lend it to me, member m1."),
                    _user("Great, thanks!", done=True)],
                   [{"reply": "Do you want me to lend you Dune?"},
                    _call("find_book", title="Dune"), _call("borrow_book", member_id="m1", book_id="b1"),
                    {"reply": "Done: Dune is yours."}])
    d = simulate(setup, _dialogue(), [_task(example_plan, "borrow_dune")], db, Seeds(1))
    assert d.termination == "user_stop"
    assert d.tasks[0].guard_holds == 1 and d.tasks[0].user_completed
    assert db.query("SELECT on_loan_to FROM books WHERE book_id = 'b1'") == [{"on_loan_to": "m1"}]
    # the user simulator was told why it may not stop yet
    note_seen = setup.user.backend.requests[1]["messages"]
    assert any("borrow_book" in m["content"] for m in note_seen if m["role"] == "user")


def test_tool_calls_run_as_sql_and_results_go_back_as_tool_messages(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan, [_user("Which books do I have? I am m2."), _user("Thanks", done=True)],
                   [_call("get_member", member_id="m2"), {"reply": "You have Emma."}])
    d = simulate(setup, _dialogue(), [_task(example_plan, "my_loans")], db, Seeds(1))
    tool_messages = [m for m in d.messages if m["role"] == "tool"]
    assert len(tool_messages) == 1 and '"b2"' in tool_messages[0]["content"]
    assert d.messages[3]["tool_calls"][0]["function"]["name"] == "get_member"
    assert d.steps_per_turn == [1] and d.termination == "user_stop"


def test_a_dialogue_continues_from_a_given_history_and_state(example_plan):
    db = open_database(example_plan).fork()
    start = StartState.model_validate({
        "messages": [{"role": "assistant", "content": GREETING},
                     {"role": "user", "content": "I am m1 and want to borrow Dune."},
                     {"role": "assistant", "content": "Done, Dune is lent to you."}],
        "calls": [{"tool": "borrow_book", "arguments": {"member_id": "m1", "book_id": "b1"}}]})
    apply_start_calls(example_plan, db, start.calls)
    prefix = [{"role": "system", "content": "sys"}, *[m.model_dump(exclude_none=True) for m in start.messages]]
    setup = _setup(example_plan, [_user("Which books do I have now?"), _user("Thanks", done=True)],
                   [_call("get_member", member_id="m1"), {"reply": "You have Dune."}])
    d = simulate(setup, _dialogue(list(prefix)), [_task(example_plan, "my_loans")], db, Seeds(1))
    assert d.messages[: len(prefix)] == prefix
    tool_output = next(m for m in d.messages if m["role"] == "tool")["content"]
    assert '"b1"' in tool_output  # the loan made in the starting state is visible
    # the user simulator saw the earlier history
    first_view = setup.user.backend.requests[0]["messages"]
    assert any("borrow Dune" in m["content"] for m in first_view)


def test_failed_tool_calls_end_the_dialogue_at_max_errors(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan, [_user("Lend me Dune")], [_call("borrow_book", member_id="nobody", book_id="b1"),
                                                          _call("borrow_book", member_id="no one", book_id="b1")],
                   max_errors=2)
    d = simulate(setup, _dialogue(), [_task(example_plan, "borrow_dune")], db, Seeds(1))
    assert d.termination == "max_errors"
    assert [c.is_error for c in d.calls] == [True, True]
    assert "member not found" in d.messages[-1]["content"]


def test_a_model_fault_ends_the_dialogue_and_keeps_what_was_generated(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan, [_user("Lend me Dune")], [_call("find_book", title="Dune")])  # then runs dry
    d = simulate(setup, _dialogue(), [_task(example_plan, "borrow_dune")], db, Seeds(1))
    assert d.termination == "backend_error" and "no canned outputs" in d.error
    assert d.messages[-1]["role"] == "tool"


def test_task_oriented_mode_opens_with_the_direct_request(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan, [_user("Thanks", done=True)], [_call("get_member", member_id="m2"),
                                                                 {"reply": "You have Emma."}],
                   mode="task_oriented")
    d = simulate(setup, _dialogue(), [_task(example_plan, "my_loans")], db, Seeds(1))
    assert d.messages[2] == {"role": "user", "content": "You want to know which books you have on loan. "
                                                        "My details: member_id m2."}
    assert len(setup.user.backend.requests) == 1  # the opening request is not generated


def test_several_tasks_in_one_dialogue_are_checked_each_on_its_own(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan,
                   [_user("Lend me Dune, I am m1."), _user("Thanks", done=True),
                    _user("Which books does m2 have?"), _user("Bye", done=True)],
                   [_call("borrow_book", member_id="m1", book_id="b1"), {"reply": "Lent."},
                    {"reply": "Anything else?"},
                    _call("get_member", member_id="m2"), {"reply": "Emma."}])
    tasks = [_task(example_plan, "borrow_dune"), _task(example_plan, "my_loans")]
    d = simulate(setup, _dialogue(), tasks, db, Seeds(1))
    assert d.termination == "user_stop"
    assert [r.user_completed for r in d.tasks] == [True, True]
    assert [c.task_index for c in d.calls] == [0, 1]


def test_stop_guard_holds_a_read_only_task_ended_before_any_lookup(example_plan):
    db = open_database(example_plan).fork()
    setup = _setup(example_plan, [_user("Bye", done=True), _user("Which books do I have? m2"),
                                  _user("Thanks", done=True)],
                   [{"reply": "Before you go: shall I look up your loans?"},
                    _call("get_member", member_id="m2"), {"reply": "You have Emma."}])
    d = simulate(setup, _dialogue(), [_task(example_plan, "my_loans")], db, Seeds(1))
    assert d.tasks[0].guard_holds == 1 and d.termination == "user_stop"


def test_a_repeated_identical_call_in_one_turn_is_dropped_and_the_agent_must_answer(example_plan):
    db = open_database(example_plan).fork()
    lookup = _call("get_member", member_id="m2")
    setup = _setup(example_plan, [_user("Which books do I have? I am m2."), _user("Thanks", done=True)],
                   [lookup, lookup, {"reply": "You have Emma."}], max_steps=4)
    d = simulate(setup, _dialogue(), [_task(example_plan, "my_loans")], db, Seeds(1))
    assert [c.name for c in d.calls] == ["get_member"] and d.repeated_calls_dropped == 1
    assert d.steps_per_turn == [1]
    # after the repeat, the agent was offered no tools: a reply was its only choice
    last_schema = setup.agent.backend.requests[-1]["schema"]
    assert last_schema == setup.agent.reply_only


def test_the_same_call_after_a_write_is_not_a_repeat(example_plan):
    db = open_database(example_plan).fork()
    lookup = _call("get_member", member_id="m1")
    setup = _setup(example_plan, [_user("Lend me Dune, I am m1."), _user("Thanks", done=True)],
                   [lookup, _call("borrow_book", member_id="m1", book_id="b1"), lookup, {"reply": "Lent."}],
                   max_steps=4)
    d = simulate(setup, _dialogue(), [_task(example_plan, "borrow_dune")], db, Seeds(1))
    assert [c.name for c in d.calls] == ["get_member", "borrow_book", "get_member"]
    assert '"b1"' in d.calls[2].output and d.repeated_calls_dropped == 0


def test_the_same_write_twice_in_one_turn_is_a_repeat(example_plan):
    db = open_database(example_plan).fork()
    lend = _call("borrow_book", member_id="m1", book_id="b1")
    setup = _setup(example_plan, [_user("Lend me Dune, I am m1."), _user("Thanks", done=True)],
                   [lend, lend, {"reply": "Lent."}], max_steps=4)
    d = simulate(setup, _dialogue(), [_task(example_plan, "borrow_dune")], db, Seeds(1))
    assert [c.name for c in d.calls] == ["borrow_book"] and d.repeated_calls_dropped == 1


def test_roles_keep_no_state_between_dialogues(example_plan):
    """The stop guard's note to the user in one dialogue never shows in the next one's prompts."""
    setup = _setup(example_plan,
                   [_user("Thanks, that's all!", done=True), _user("Lend it to me, m1."),
                    _user("Which books do I have? I am m2."), _user("Thanks", done=True)],
                   [{"reply": "Shall I lend you Dune?"}, _call("borrow_book", member_id="m1", book_id="b1"),
                    {"reply": "Done."}, _call("get_member", member_id="m2"), {"reply": "You have Emma."}],
                   max_turns=2)
    first = simulate(setup, _dialogue(), [_task(example_plan, "borrow_dune")], open_database(example_plan).fork(),
                     Seeds(1))
    assert first.tasks[0].guard_holds == 1 and 2 in first.user_notes
    seen_before = len(setup.user.backend.requests)
    second = simulate(setup, _dialogue(), [_task(example_plan, "my_loans")], open_database(example_plan).fork(),
                      Seeds(2))
    assert second.termination == "user_stop" and second.user_notes == {}
    prompts = [r["messages"] for r in setup.user.backend.requests[seen_before:]]
    assert len(prompts) == 2 and len(second.messages) > 3  # message 2 exists when the second prompt is made
    assert not any("not reached yet" in m["content"] for p in prompts for m in p)
    assert all("which books you have on loan" in p[0]["content"] for p in prompts)  # its own task
