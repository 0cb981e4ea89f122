"""JSON schemas for constrained decoding: bounded lowering, token budgets, turn unions.

Constraining a sampler only guarantees a valid *prefix*. A weak model can stay inside a
free string or number until the token budget is gone, and the output is cut off. So every
repetition is bounded here (strings get maxLength, numbers get bounds, arrays maxItems,
objects no extra keys) and the token budget is derived from the longest output the bounded
schema allows. The bounded schema is only a narrowing: whatever it accepts, the original
accepts too, and outputs are still validated against the original.
"""
from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from typing import Any

# Strings whose format fixes their length need no maxLength; these are their longest forms.
_FORMAT_CHARS = {
    "date": 10, "time": 21, "date-time": 35, "duration": 40, "uuid": 36,
    "ipv4": 15, "ipv6": 45, "email": 254, "hostname": 253,
}
_NUMBER_FRACTION_DIGITS = 6  # budget allowance for a float's fraction (llguidance leaves it free)


def bound_schema(
    schema: dict, *, max_string: int = 200, max_items: int = 8, max_digits: int = 9,
    max_item_string: int = 64,
) -> dict:
    """Return a copy of `schema` where every repetition has an upper bound.

    Strings inside arrays get the tighter `max_item_string`: array items are mostly ids
    and tags, and items x length is what drives the token budget up."""
    out = copy.deepcopy(schema)
    _Bounder(max_string, max_items, max_digits, max_item_string).node(out, max_string)
    return out


@dataclass(frozen=True)
class _Bounder:
    max_string: int
    max_items: int
    max_digits: int
    max_item_string: int

    def node(self, node: Any, string_cap: int) -> None:
        if not isinstance(node, dict):
            return
        item_cap = min(string_cap, self.max_item_string)
        self.node(node.get("items"), item_cap)
        for sub in node.get("prefixItems", []) or []:
            self.node(sub, item_cap)
        for key in ("additionalProperties", "not", "contains", "propertyNames"):
            self.node(node.get(key), string_cap)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []) or []:
                self.node(sub, string_cap)
        for key in ("properties", "patternProperties"):
            for sub in (node.get(key) or {}).values():
                self.node(sub, self.max_string)
        for key in ("$defs", "definitions"):
            for sub in (node.get(key) or {}).values():
                self.node(sub, self.max_string)
        if "enum" not in node and "const" not in node:  # enum/const are already finite
            self.leaf(node, string_cap)

    def leaf(self, node: dict, string_cap: int) -> None:
        types = _types(node)
        if "string" in types and node.get("format") not in _FORMAT_CHARS:
            # never below a declared minimum: a cap must not make the schema unsatisfiable
            node["maxLength"] = max(node.get("minLength", 0),
                                    min(node.get("maxLength", string_cap), string_cap))
        if types & {"integer", "number"}:
            limit = 10**self.max_digits - 1
            if "minimum" not in node and "exclusiveMinimum" not in node:
                node["minimum"] = -limit
            if "maximum" not in node and "exclusiveMaximum" not in node:
                node["maximum"] = limit
        if "array" in types:
            node["maxItems"] = max(node.get("minItems", 0),
                                   min(node.get("maxItems", self.max_items), self.max_items))
        if "object" in types and "additionalProperties" not in node:
            # without this a sampler may invent keys forever; declared properties stay allowed
            node["additionalProperties"] = False


def _types(node: dict) -> set[str]:
    t = node.get("type")
    if isinstance(t, list):
        return set(t)
    if isinstance(t, str):
        return {t}
    inferred = set()
    if "properties" in node:
        inferred.add("object")
    if "items" in node or "prefixItems" in node:
        inferred.add("array")
    return inferred


def max_json_chars(schema: dict) -> int | None:
    """Longest compact JSON text (with ': ' and ', ' separators) the schema allows.

    None when some part is unbounded (run `bound_schema` first)."""
    return _max_chars(schema, schema, frozenset())


def _max_chars(node: Any, root: dict, seen: frozenset) -> int | None:
    if node is True or node == {}:
        return None
    if node is False or not isinstance(node, dict):
        return 0
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            return None  # recursive schema: unbounded
        return _max_chars(_resolve(ref, root), root, seen | {ref})
    if "const" in node:
        return len(json.dumps(node["const"], ensure_ascii=False))
    if "enum" in node:
        return max((len(json.dumps(v, ensure_ascii=False)) for v in node["enum"]), default=0)
    for key in ("anyOf", "oneOf"):
        if key in node:
            return _max_of([_max_chars(s, root, seen) for s in node[key]])
    if "allOf" in node:
        sizes = [s for s in (_max_chars(x, root, seen) for x in node["allOf"]) if s is not None]
        return min(sizes) if sizes else None
    return _max_of([_max_chars_typed(node, t, root, seen) for t in _types(node) or {"any"}])


def _max_of(sizes: list[int | None]) -> int | None:
    return None if not sizes or any(s is None for s in sizes) else max(sizes)


def _max_chars_typed(node: dict, t: str, root: dict, seen: frozenset) -> int | None:
    if t == "string":
        if node.get("format") in _FORMAT_CHARS:
            return _FORMAT_CHARS[node["format"]] + 2
        return node["maxLength"] + 2 if "maxLength" in node else None
    if t in ("integer", "number"):
        return _max_number_chars(node, fraction=t == "number")
    if t == "boolean":
        return 5
    if t == "null":
        return 4
    if t == "array":
        return _max_array_chars(node, root, seen)
    if t == "object":
        return _max_object_chars(node, root, seen)
    return None


def _max_number_chars(node: dict, *, fraction: bool) -> int | None:
    lo = node.get("minimum", node.get("exclusiveMinimum"))
    hi = node.get("maximum", node.get("exclusiveMaximum"))
    if lo is None or hi is None:
        return None
    width = max(len(str(int(lo))), len(str(int(hi))))
    return width + (1 + _NUMBER_FRACTION_DIGITS if fraction else 0)


def _max_array_chars(node: dict, root: dict, seen: frozenset) -> int | None:
    prefix = node.get("prefixItems", [])
    if "maxItems" not in node and node.get("items", True) is not False:
        return None
    n = node.get("maxItems", len(prefix))
    sizes = [_max_chars(p, root, seen) for p in prefix[:n]]
    rest = n - len(sizes)
    if rest > 0:
        item = _max_chars(node.get("items", True), root, seen)
        sizes += [item] * rest
    if any(s is None for s in sizes):
        return None
    return 2 + sum(sizes) + 2 * max(0, len(sizes) - 1)


def _max_object_chars(node: dict, root: dict, seen: frozenset) -> int | None:
    if node.get("additionalProperties", True) is not False or "patternProperties" in node:
        return None
    props = node.get("properties", {})
    total = 2 + 2 * max(0, len(props) - 1)  # braces and ", " between members
    for key, sub in props.items():
        size = _max_chars(sub, root, seen)
        if size is None:
            return None
        total += len(json.dumps(key, ensure_ascii=False)) + 2 + size
    return total


def _resolve(ref: str, root: dict) -> Any:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def max_output_tokens(
    bounded_schema: dict, *, tokens_per_char: float = 1.0, slack: int = 8,
    fallback: int = 1024,
) -> int:
    """Token budget above the longest output of `bounded_schema`.

    A token is at least one byte, and ordinary text runs ~4 chars a token, so one token per
    character leaves room for odd tokenizations; an escape-heavy output past it is cut off,
    caught by validation and re-sampled. `fallback` is used when the schema is unbounded.
    """
    chars = max_json_chars(bounded_schema)
    if chars is None:
        return fallback
    return math.ceil(chars * tokens_per_char) + slack


# --- the turns of a dialogue as one constrained choice ------------------------------------

def agent_turn_schema(tools: list[dict], *, allow_reply: bool = True) -> dict:
    """A union: {"reply": text} or {"tool": <name>, "arguments": <that tool's params>}.

    The tool name comes first and is a const per branch, so the sampler commits to a tool
    before its arguments and the arguments are constrained by that tool's schema alone.
    Tools' own $defs are hoisted to the root (prefixed) so their $refs still resolve.
    """
    defs: dict[str, Any] = {}
    branches = []
    if allow_reply:
        branches.append(_object({"reply": {"type": "string", "minLength": 1}}))
    for tool in tools:
        params = _hoist_defs(tool.get("parameters") or {"type": "object"}, tool["name"], defs)
        params.setdefault("type", "object")
        branches.append(_object({"tool": {"const": tool["name"]}, "arguments": params}))
    if not branches:
        raise ValueError("agent_turn_schema needs tools or allow_reply=True")
    schema: dict[str, Any] = {"anyOf": branches} if len(branches) > 1 else branches[0]
    if defs:
        schema["$defs"] = defs
    return schema


def _object(props: dict) -> dict:
    return {"type": "object", "properties": props, "required": list(props),
            "additionalProperties": False}


def _hoist_defs(params: dict, prefix: str, defs: dict) -> dict:
    params = copy.deepcopy(params)
    local = {**params.pop("definitions", {}), **params.pop("$defs", {})}
    if not local:
        return params
    renames = {name: f"{prefix}__{name}" for name in local}
    for name, sub in local.items():
        defs[renames[name]] = _rewrite_refs(sub, renames)
    return _rewrite_refs(params, renames)


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_rewrite_refs(x, renames) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _rewrite_refs(v, renames) for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str):
        for base in ("#/$defs/", "#/definitions/"):
            name = ref[len(base):]
            if ref.startswith(base) and name in renames:
                out["$ref"] = f"#/$defs/{renames[name]}"
    return out


def tagged_branches(schema: dict) -> tuple[str, dict[Any, dict]] | None:
    """For an anyOf union whose branches are told apart by a const property (the agent
    turn's "tool"): that key and, per tag value, its branch as a schema of its own (with
    the root's $defs). A value with that tag can match that branch only, so it is validated
    against it alone. None when the union is not of that shape."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) < 2:
        return None
    key = next((k for b in branches for k, p in _props(b).items() if "const" in p), None)
    if key is None:
        return None
    tags: dict[Any, dict] = {}
    for branch in branches:
        prop = _props(branch).get(key)
        if prop is None and branch.get("additionalProperties") is False:
            continue  # cannot hold the key at all
        if prop is None or "const" not in prop or key not in branch.get("required", []) \
                or not isinstance(prop["const"], str) or prop["const"] in tags:
            return None
        tags[prop["const"]] = branch
    defs = {k: schema[k] for k in ("$defs", "definitions", "$schema") if k in schema}
    return key, {tag: {**branch, **defs} for tag, branch in tags.items()}


def _props(branch: Any) -> dict:
    props = branch.get("properties") if isinstance(branch, dict) else None
    return props if isinstance(props, dict) else {}


def parse_agent_turn(value: Any) -> tuple[str, str | dict]:
    """("reply", text) or ("tool", {"name": ..., "arguments": {...}}) from an agent turn."""
    if isinstance(value, dict):
        if set(value) == {"reply"} and isinstance(value["reply"], str):
            return "reply", value["reply"]
        if set(value) == {"tool", "arguments"} and isinstance(value["tool"], str) \
                and isinstance(value["arguments"], dict):
            return "tool", {"name": value["tool"], "arguments": value["arguments"]}
    raise ValueError(f"not an agent turn: {value!r}")


def user_turn_schema(*, max_message: int = 400) -> dict:
    """The user simulator's turn: a message and whether the whole task is done."""
    return _object({
        "message": {"type": "string", "minLength": 1, "maxLength": max_message},
        "is_task_complete": {"type": "boolean"},
    })
