"""Prompt templates: the variables each one may use, and rendering in Jinja's sandbox.

Templates are Jinja files in `templates/`, or a spec's own overrides, and specs arrive in
pull requests: a template is untrusted input. It renders in Jinja's immutable sandbox, so
`{{ cycler.__init__.__globals__ }}` and the like raise instead of reaching Python, and its
output is capped. The compiler checks templates against `TEMPLATE_VARIABLES` (a typo is a
spec error, not a blank in a prompt) and refuses what the sandbox would refuse
(`unsafe_accesses`); the runtime renders them. Both read this module, the bottom of the flow.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import (UNSAFE_ASYNC_GENERATOR_ATTRIBUTES, UNSAFE_COROUTINE_ATTRIBUTES,
                            UNSAFE_FUNCTION_ATTRIBUTES, UNSAFE_GENERATOR_ATTRIBUTES, UNSAFE_METHOD_ATTRIBUTES,
                            ImmutableSandboxedEnvironment)

from dslgen.errors import RunError

TEMPLATE_VARIABLES: dict[str, frozenset[str]] = {
    "agent_system": frozenset({"domain", "policy", "tools"}),
    "user_system": frozenset({"rules", "persona", "goal", "known", "unknown", "mode"}),
    "task_request": frozenset({"goal", "request", "known"}),
    "tool_simulator": frozenset({"domain", "policy", "tool", "earlier_calls"}),
    "judge": frozenset({"goal", "checkpoint", "transcript"}),
    # the system prompt of exported training data: no generation protocol, tools optional
    "export_system": frozenset({"domain", "policy", "tools"}),
    "task_generator": frozenset({"domain", "policy", "tables", "tools", "rows", "written"}),
    "tool_generator": frozenset({"domain", "policy", "tables", "tools", "rows", "written"}),
    "return_schema_generator": frozenset({"domain", "tool", "entities"}),
}

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
MAX_OUTPUT = 1_000_000  # characters a template may produce; a prompt is far smaller
_MAX_EXPONENT = 1_000

# attribute names the sandbox refuses on some object (besides any name starting with '_')
_INTERNAL = (UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
             | UNSAFE_COROUTINE_ATTRIBUTES | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES | {"mro"})
# methods that change a list, dict or set: the immutable sandbox refuses to call them
_MUTATING = frozenset({
    "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear", "update", "setdefault",
    "popitem", "add", "discard", "difference_update", "symmetric_difference_update", "intersection_update",
    "rotate", "extendleft", "popleft", "appendleft"})


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus bounds on `*` and `**` (`'x' * 10**10` would take the
    memory of the machine before the output cap sees it)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*" and _repeat_size(left, right) > MAX_OUTPUT:
            raise SecurityError("the repetition would exceed the template output limit")
        return super().call_binop(context, operator, left, right)


def _repeat_size(left: Any, right: Any) -> int:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and not isinstance(n, bool):
            return len(seq) * n
    return 0


_ENV = _Sandbox(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, trim_blocks=True,
                lstrip_blocks=True)


def default_template_path(name: str) -> Path:
    return DEFAULT_TEMPLATE_DIR / f"{name}.j2"


@lru_cache(maxsize=4096)
def _compiled(text: str) -> jinja2.Template:
    """Compiling is what costs (~1 ms); a task template renders the same strings for every row."""
    return _ENV.from_string(text)


@lru_cache(maxsize=4096)
def _expression(expression: str):
    return _ENV.compile_expression(expression, undefined_to_none=False)


def render(text: str, **variables: Any) -> str:
    """A prompt template, rendered; one that fails (an unsafe access, a missing value, output
    past the cap) is a RunError naming where, never a traceback."""
    try:
        return expand(text, **variables)
    except Exception as exc:  # whatever the template's own expressions raise
        line = f" at line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise RunError(f"a prompt template failed{line}: {type(exc).__name__}: {exc}",
                       hint="run `dslgen check` on the spec; fix or remove the template override") from None


def expand(text: str, **variables: Any) -> str:
    """A template string rendered in the sandbox, output capped; raises what the template
    raises (a task template's string: a failure rejects that row, it does not stop the run)."""
    return _capped(_compiled(text).generate(**variables)).strip()


def _capped(chunks: Iterator[str]) -> str:
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise SecurityError(f"the template produced more than {MAX_OUTPUT:,} characters")
        out.append(chunk)
    return "".join(out)


def parse(text: str) -> jinja2.nodes.Template:
    return _ENV.parse(text)


def evaluate(expression: str, **variables: Any) -> Any:
    """The value of one Jinja expression, keeping its type (a list stays a list), in the same
    sandbox; an undefined name raises like it does in `render`."""
    value = _expression(expression)(**variables)
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def unsafe_accesses(ast: nodes.Template) -> Iterator[tuple[int, str, str]]:
    """(line, name, why) for each thing in a template that the sandbox would refuse at run
    time, found before it runs: private or internal attributes, mutating calls, and loading
    other templates (there is no loader: a template is one file)."""
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Call,
                              nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        found = _unsafe(node)
        if found:
            yield (node.lineno, *found)


def _unsafe(node: nodes.Node) -> tuple[str, str] | None:
    if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        keyword = {"Include": "include", "Import": "import", "FromImport": "from",
                   "Extends": "extends"}[type(node).__name__]
        return keyword, f"'{keyword}' loads another template; a prompt template is one file"
    name = _accessed_name(node)
    if name is None:
        return None
    if name.startswith("_") or name in _INTERNAL:
        return name, f"'{name}' is a Python internal; templates may read only the variables given"
    if isinstance(node, nodes.Call) and name in _MUTATING:
        return name, f"'{name}' would change a value; templates only read"
    return None


def _accessed_name(node: nodes.Node) -> str | None:
    """The attribute name a node reads: x.name, x['name'], x|attr('name'), or x.name(...)."""
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const):
        return str(node.args[0].value)
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        return node.node.attr
    return None
