"""Validate YAML data with a pydantic model; each problem becomes one positioned diagnostic.

Pydantic reports a value that fits neither side of a union (`str | Doc`) once per side, with
its internal names in the location (`function-after[_one_source(), Doc]`). A user should see
one message in the spec's terms: the side that matches the value's shape is reported, the
other dropped, and no class or validator name reaches a message.
"""
from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from dslgen.errors import Diagnostic, did_you_mean
from dslgen.spec.source_map import SourceMap

# pydantic error types meaning "this value has the wrong shape", in the spec's words
_SHAPES = {
    "string_type": "text", "int_type": "an integer", "int_parsing": "an integer",
    "int_from_float": "an integer", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "list_type": "a list",
}


class Validated:
    def __init__(self, value, diagnostics):
        self.value, self.diagnostics = value, diagnostics


def validate(model: type[BaseModel], data: Any, smap: SourceMap, inner: tuple = ()) -> Validated:
    """Validate `data` with a pydantic model; every error becomes a positioned diagnostic."""
    try:
        return Validated(model.model_validate(data), [])
    except ValidationError as exc:
        errors = _one_side_of_each_union(exc.errors(), data)
        found = [_diagnostic(e, path, model, data, smap, inner) for e, path in errors]
        # a mistake inside a mapping that aliases or merge keys repeat is one mistake
        return Validated(None, list(dict.fromkeys(found)))


def _one_side_of_each_union(errors: list[dict], data: Any) -> list[tuple[dict, tuple]]:
    """(error, its path in the data): where the sides of a union disagree on the shape, only
    the errors of a side the value has the shape of; where no side has it, one error."""
    located = [(e, _data_path(e, data)) for e in errors]
    by_path: dict[tuple, list[dict]] = {}
    for e, path in located:
        by_path.setdefault(path, []).append(e)
    kept, merged = [], set()
    for e, path in located:
        shape_error = e["type"] in _SHAPES and _from_union(e, path)
        if not shape_error:
            kept.append((e, path))
        elif not _deeper_errors(path, located, e) and path not in merged:
            merged.add(path)
            kept.append((_shape_mismatch(by_path[path]), path))
    return kept


def _from_union(err: dict, path: tuple) -> bool:
    """True when pydantic's location names a union side after the data path (a tag such as
    'str' or 'function-after[...]')."""
    return len(err["loc"]) > len(path)


def _deeper_errors(path: tuple, located: list, err: dict) -> bool:
    """Another side of the union accepted the shape and failed inside it (or on its rules)."""
    for other, other_path in located:
        if other is err or other_path[: len(path)] != path:
            continue
        if len(other_path) > len(path) or other["type"] not in _SHAPES:
            return True
    return False


def _shape_mismatch(errors: list[dict]) -> dict:
    wanted = sorted({_SHAPES[e["type"]] for e in errors if e["type"] in _SHAPES})
    return {"type": "shape", "loc": errors[0]["loc"], "msg": f"expected {' or '.join(wanted)}"}


def _diagnostic(err: dict, path: tuple, model: type, data: Any, smap: SourceMap, inner: tuple) -> Diagnostic:
    where = _dotted(path)
    kind = err["type"]
    if kind == "extra_forbidden":
        name = path[-1]
        allowed = _allowed_fields(model, path[:-1], data)
        hint = did_you_mean(str(name), allowed) or (f"allowed here: {', '.join(sorted(allowed))}" if allowed else None)
        return Diagnostic("DSL100", f"unknown field '{name}'", smap.span(inner + path, key=True), hint)
    if kind == "missing":
        name = err["loc"][-1]
        parent = _dotted(path[:-1]) or "the top level"
        return Diagnostic("DSL101", f"missing required field '{name}' in {parent}",
                          smap.span(inner + path, key=True), f"add `{name}:`")
    return Diagnostic("DSL102", f"{where or 'the top level'}: {_message(err)}", smap.span(inner + path),
                      _type_hint(err))


def _dotted(path: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _SHAPES:
        return f"expected {_SHAPES[kind]}"
    if kind == "literal_error":
        return f"unknown value {_shown(err.get('input'))}"
    if kind == "union_tag_invalid":
        return f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} {_shown(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f"missing `{ctx.get('discriminator', 'kind').strip(chr(39))}:`"
    return err["msg"].removeprefix("Value error, ")


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_hint(err: dict) -> str | None:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return f"expected {ctx['expected']}"
    if err["type"] == "union_tag_invalid":
        return f"expected one of {ctx.get('expected_tags')}"
    if err["type"] == "union_tag_not_found":
        return "name the stage: simulate, validate or export"
    return None


def _data_path(err: dict, data: Any) -> tuple:
    """The part of a pydantic error location that exists in the data (union tags dropped);
    an unknown or missing field ends the path."""
    loc, path, node = err["loc"], [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and part == loc[-1] and err["type"] in ("missing", "extra_forbidden"):
            path.append(part)  # the field itself (unknown or missing)
            break
    return tuple(path)


def _allowed_fields(model: type, path: tuple, data: Any) -> list[str]:
    """Field names of the model found at `path`, to suggest a correct spelling."""
    cls: Any = model
    node = data
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) else None
        cls = _step_type(cls, part, node)
        if cls is None:
            return []
    return list(cls.model_fields) if isinstance(cls, type) and issubclass(cls, BaseModel) else []


def _step_type(cls: Any, part: Any, node: Any) -> Any:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        field = cls.model_fields.get(part) if isinstance(part, str) else None
        return _unwrap(field.annotation, node) if field else None
    origin = typing.get_origin(cls)
    if origin in (list, dict):
        return _unwrap(typing.get_args(cls)[-1], node)
    return None


def _unwrap(tp: Any, node: Any) -> Any:
    """Strip Annotated/Optional; for a union pick the side matching the node (a model for a
    mapping, by its `stage` tag when it has one)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if isinstance(tp, typing.ForwardRef):
        return None
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [_unwrap(a, node) for a in typing.get_args(tp) if a is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        for m in models if isinstance(node, dict) else ():
            tag = m.model_fields.get("stage")
            if tag is None or node.get("stage") in typing.get_args(tag.annotation):
                return m
        return next((m for m in members if m not in models), None)
    return tp
