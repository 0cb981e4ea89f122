"""Google's MCP Toolbox for Databases `tools.yaml`, both forms: the older maps
(`sources:`, `tools:`, `toolsets:` keyed by name, a tool's type under `kind:`) and the newer
one document per resource (`kind: source|tool|toolset…`, `name:`, `type:`, documents
separated by `---`). A `sqlite-sql` or `postgres-sql` tool becomes a dslgen tool (`sql:` with
`:name` parameters); whatever cannot be carried over is a diagnostic at its line."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from dslgen.authoring.yaml_text import Flow
from dslgen.errors import Diagnostic, Span
from dslgen.sql import analysis as an
from dslgen.sql.foreign_sql import from_postgres, to_named, unquote_names
from dslgen.yaml_positions import NodePositions

TOOL_TYPES = {"sqlite-sql": "sqlite", "postgres-sql": "postgresql"}  # the SQL statement tools
SOURCE_TYPES = {"sqlite": "sqlite", "postgres": "postgresql"}
PARAM_TYPES = {"string": "string", "integer": "integer", "float": "number", "boolean": "boolean", "array": "array"}
DROPPED_PARAM_FIELDS = ("excludedValues", "minValue", "maxValue", "escape", "authServices")
CODE = "DSL700"  # a toolbox file problem (one code: the message says what)


@dataclass
class Resource:
    kind: str  # source | tool | toolset | prompt | authService …, singular
    name: str
    body: dict
    doc: int  # which YAML document
    at: tuple  # path of the resource inside that document

    @property
    def type(self) -> str:
        return str(self.body.get("type") or self.body.get("kind") or "")


@dataclass
class ToolboxFile:
    file: str
    resources: list[Resource] = field(default_factory=list)
    positions: list[NodePositions] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    form: str = "documents"  # or "map"

    def span(self, res: Resource, *path: Any, key: bool = False) -> Span:
        return self.positions[res.doc].span(res.at + path, key=key)

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def problem(self, res: Resource, path: tuple, message: str, hint: str | None = None,
                key: bool = False) -> None:
        """A part left out: a warning at its line (the import goes on with the rest)."""
        self.diagnostics.append(Diagnostic(CODE, message, self.span(res, *path, key=key), hint, "warning"))


def read_toolbox(text: str, file: str) -> ToolboxFile:
    out = ToolboxFile(file)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        docs = list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        out.diagnostics.append(Diagnostic(CODE, f"invalid YAML: {e.problem}", Span(file, mark.line + 1, mark.column + 1)
                                          if mark else Span(file, 1, 1), severity="error"))
        return out
    out.positions = [NodePositions(n, file) for n in nodes]
    for i, doc in enumerate(docs):
        if isinstance(doc, dict) and "kind" in doc and "name" in doc:
            out.resources.append(Resource(_singular(doc["kind"]), str(doc["name"]), doc, i, ()))
        elif isinstance(doc, dict):
            out.form = "map"
            out.resources += _map_resources(doc, i)
        elif doc is not None:
            out.diagnostics.append(Diagnostic(CODE, "a toolbox document is a mapping", out.positions[i].span(()),
                                              severity="error"))
    return out


def _singular(kind: Any) -> str:
    kind = str(kind)
    return kind[:-1] if kind.endswith("s") else kind


def _map_resources(doc: dict, i: int) -> list[Resource]:
    out = []
    for section, entries in doc.items():
        if isinstance(entries, dict):
            for name, body in entries.items():
                body = body if isinstance(body, dict) else {"items": body}
                out.append(Resource(_singular(section), str(name), body, i, (section, name)))
    return out


def import_tools(box: ToolboxFile) -> tuple[list[dict], dict[str, dict]]:
    """dslgen tools for the file's SQL tools, and for each its toolbox name and source."""
    tools, served = [], {}
    for res in box.of_kind("tool"):
        tool = _tool(box, res)
        if tool is not None:
            tools.append(tool)
            served[tool["name"]] = Flow(name=res.name, source=res.body.get("source"))
    return tools, served


def _tool(box: ToolboxFile, res: Resource) -> dict | None:
    if res.type not in TOOL_TYPES:
        box.problem(res, ("type" if "type" in res.body else "kind",),
                    f"tool '{res.name}': '{res.type}' is not a SQL statement tool; left out",
                    f"dslgen imports {', '.join(TOOL_TYPES)} tools")
        return None
    if res.body.get("templateParameters"):
        box.problem(res, ("templateParameters",), f"tool '{res.name}': template parameters paste text into "
                    "the SQL; left out", "rewrite it with plain parameters", key=True)
        return None
    for dropped in ("authRequired",):
        if dropped in res.body:
            box.problem(res, (dropped,), f"tool '{res.name}': '{dropped}' is not carried over", key=True)
    params = _parameters(box, res)
    sql = _statement(box, res, list(params)) if params is not None else None
    if sql is None:
        return None
    tool = {"name": _tool_name(res.name), "description": str(res.body.get("description") or res.name).strip(),
            "parameters": params, "sql": sql}
    return tool if params else {k: v for k, v in tool.items() if k != "parameters"}


def _tool_name(name: str) -> str:
    """A toolbox name such as `search-users` as a dslgen tool name (`search_users`)."""
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return out if out and not out[0].isdigit() else f"_{out}"


def _parameters(box: ToolboxFile, res: Resource) -> dict | None:
    out: dict[str, Flow] = {}
    for i, p in enumerate(res.body.get("parameters") or []):
        spec = _parameter(box, res, i, p)
        if spec is None:
            return None
        out[str(p["name"])] = spec
    return out


def _parameter(box: ToolboxFile, res: Resource, i: int, p: dict) -> Flow | None:
    at = ("parameters", i)
    kind = PARAM_TYPES.get(str(p.get("type")))
    if kind is None or "name" not in p:
        box.problem(res, at, f"tool '{res.name}': parameter {p.get('name', i)!r} of type {p.get('type')!r} "
                    "cannot be carried over; tool left out", "types: string, integer, float, boolean, array")
        return None
    spec = Flow(type=kind)
    if p.get("description"):
        spec["description"] = str(p["description"]).strip()
    if kind == "array":
        item = PARAM_TYPES.get(str((p.get("items") or {}).get("type")), "string")
        spec["items"] = Flow(type=item)
    if p.get("allowedValues"):
        spec["enum"] = list(p["allowedValues"])
    if p.get("required") is False or "default" in p:
        spec["required"] = False
    if "default" in p:
        box.problem(res, at + ("default",), f"tool '{res.name}': default {p['default']!r} of '{p['name']}' is not "
                    "carried over: the parameter is optional and NULL when not given")
    for dropped in DROPPED_PARAM_FIELDS:
        if dropped in p:
            box.problem(res, at + (dropped,), f"tool '{res.name}': '{dropped}' of '{p['name']}' is not carried over",
                        key=True)
    return spec


def _statement(box: ToolboxFile, res: Resource, params: list[str]) -> str | None:
    text = res.body.get("statement")
    if not isinstance(text, str) or not text.strip():
        box.problem(res, (), f"tool '{res.name}' has no statement; left out")
        return None
    sql, problem = to_named(text.strip(), params)
    if problem is None and TOOL_TYPES[res.type] == "postgresql":
        sql = from_postgres(sql)
    problem = problem or _not_one_statement(sql)
    if problem:
        box.problem(res, ("statement",), f"tool '{res.name}': {problem}; left out")
        return None
    return sql


def in_domain_names(box: ToolboxFile, tools: list[dict], served: dict[str, dict], names: dict[str, str]) -> None:
    """Quoted names the domain spells otherwise (a reserved word such as "order" is `order_`)
    rewritten in the imported tools, each with a note at its statement: a renamed column is
    also a renamed key in what the tool returns. `names`: source spelling → the domain's."""
    by_name = {r.name: r for r in box.of_kind("tool")}
    for tool in tools:
        renamed = unquote_names(tool["sql"], names)
        if renamed == tool["sql"]:
            continue
        changed = sorted(f"{a} → {b}" for a, b in names.items()
                         if any(q in tool["sql"] for q in (f'"{a}"', f"`{a}`", f"[{a}]")))
        res = by_name[served[tool["name"]]["name"]]
        box.problem(res, ("statement",), f"tool '{res.name}': names as the domain spells them: {', '.join(changed)}",
                    "a renamed column is also a renamed key in what the tool returns")
        tool["sql"] = renamed


def _not_one_statement(sql: str) -> str | None:
    if sql.rstrip().rstrip(";").count(";"):
        return "several statements in one tool"
    ast = an.parse(sql.rstrip().rstrip(";"))
    if isinstance(ast, an.Problem):
        return f"the statement does not parse ({ast.message})"
    if an.kind(ast) is None:
        return "a dslgen tool runs SELECT, INSERT, UPDATE or DELETE only"
    return None
