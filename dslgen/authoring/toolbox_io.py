"""`dslgen import mcp-toolbox` and `dslgen export-tools --format mcp-toolbox`: the tools an
agent is served by MCP Toolbox become the domain's tools (so it is trained on them), and the
domain's single-statement tools go back into a toolbox file.

Next to the domain's tools, `mcp-toolbox.yaml` keeps what dslgen itself does not need: the
toolbox sources and each tool's toolbox name and source, so an export gives back the names
the toolbox served."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from dslgen.authoring.mcp_toolbox import (SOURCE_TYPES, TOOL_TYPES, ToolboxFile, import_tools, in_domain_names,
                                          read_toolbox)
from dslgen.authoring.project import write_project
from dslgen.authoring.tool_tasks import tasks_for_tools
from dslgen.authoring.yaml_text import FlowList, dump
from dslgen.errors import Diagnostic, RunError, Span, SpecError
from dslgen.spec import loader
from dslgen.spec.tools import ToolSpec
from dslgen.sql.foreign_sql import quote_names, to_positional, to_postgres
from dslgen.sql.reflect import Reflected, reflect, safe_name

SIDECAR = "mcp-toolbox.yaml"
PARAM_TYPES = {"number": "float"}  # dslgen → toolbox, where the names differ
_ENV = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")


def import_toolbox(tools_file: str | Path, target: str | Path, url: str | None = None,
                   name: str | None = None, force: bool = False) -> tuple[Path, list[Diagnostic]]:
    """Write the file's SQL tools into a domain folder (one with schema.sql), or start a new
    project in an empty folder from the database its source names (or `url`)."""
    path, target = Path(tools_file), Path(target)
    box = read_toolbox(_read(path), str(path))
    tools, served = import_tools(box)
    errors = [d for d in box.diagnostics if d.severity == "error"]
    if errors or not tools:
        raise SpecError(errors or box.diagnostics + [Diagnostic("DSL700", "no SQL tool could be imported",
                                                                Span(str(path), 1, 1))])
    into_domain = (target / "schema.sql").is_file()
    db = None if into_domain else _reflect_source(box, path, target, url)
    names = renamed_names(db) if db else {}
    in_domain_names(box, tools, served, names)
    sidecar = {"sources": _sources(box), "tools": served, **_toolsets(box)}
    if names:  # export-tools writes the source's spelling back
        sidecar["names"] = {new: old for old, new in names.items()}
    if into_domain:
        domain = _into_domain(target, tools, force)
    else:
        tasks = tasks_for_tools(tools, db.tables, db.rows)
        domain = write_project(target, safe_name(name) if name else db.name, db,
                               f"`{db.url}` (tools from {path.name})", tools=tools, tasks=tasks).domain
    (domain / SIDECAR).write_text(dump(sidecar, "How MCP Toolbox serves these tools (written by `dslgen import "
                                                "mcp-toolbox`; read by `dslgen export-tools`)."), encoding="utf-8")
    return domain, box.diagnostics


def renamed_names(db: Reflected) -> dict[str, str]:
    """Source spelling → the domain's, for every table and column whose name changed."""
    pairs = [(t.source, t.name) for t in db.tables] + [(c.source, c.name) for t in db.tables for c in t.columns]
    return {old: new for old, new in pairs if old != new}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError([Diagnostic("DSL700", f"cannot read {path}: {e.strerror}", Span(str(path), 1, 1))]) from None


def _into_domain(domain: Path, tools: list[dict], force: bool) -> Path:
    if (domain / "tools.yaml").exists() and not force:
        raise RunError(f"{domain / 'tools.yaml'} exists", hint="give --force to replace it")
    (domain / "tools.yaml").write_text(dump({"tools": tools}, "Imported from MCP Toolbox by `dslgen import "
                                                                "mcp-toolbox`."), encoding="utf-8")
    return domain


def _reflect_source(box: ToolboxFile, path: Path, target: Path, url: str | None) -> Reflected:
    if target.exists() and any(target.iterdir()):
        raise RunError(f"{target} is neither a domain folder (with schema.sql) nor an empty folder")
    return reflect(url or _source_url(box, path))


def _source_url(box: ToolboxFile, path: Path) -> str:
    """The database of the source most tools use: a SQLite file (relative to the tools file)
    or a PostgreSQL server."""
    used = [r.body.get("source") for r in box.of_kind("tool") if r.type in TOOL_TYPES]
    sources = sorted(box.of_kind("source"), key=lambda s: -used.count(s.name))
    for s in sources:
        engine = SOURCE_TYPES.get(s.type)
        if engine == "sqlite" and s.body.get("database"):
            db = Path(str(s.body["database"]))
            return f"sqlite:///{db if db.is_absolute() else (path.parent / db).resolve()}"
        if engine == "postgresql":
            b = s.body
            auth = f"{b.get('user', '')}:{b['password']}" if b.get("password") else str(b.get("user", ""))
            return f"postgresql://{auth}@{b.get('host', '127.0.0.1')}:{b.get('port', 5432)}/{b.get('database', '')}"
    raise RunError("the tools file names no SQLite or PostgreSQL source to read the schema from",
                   hint="give --from-db URL")


def _toolsets(box: ToolboxFile) -> dict:
    """{"toolsets": name → its tools' toolbox names}, when the file groups its tools."""
    sets = {r.name: FlowList(str(t) for t in (r.body.get("tools") or r.body.get("items") or []))
            for r in box.of_kind("toolset")}
    return {"toolsets": sets} if sets else {}


def _sources(box: ToolboxFile) -> dict:
    out = {}
    for s in box.of_kind("source"):
        body = {k: v for k, v in s.body.items() if k not in ("kind", "name", "type")}
        if body.get("password") is not None and not _ENV.match(str(body["password"])):
            body["password"] = "${TOOLBOX_PASSWORD}"  # a secret never lands in the project
        out[s.name] = {"type": s.type, **body}
    return out


def export_spec_tools(spec: str | Path, layout: str = "documents", engine: str | None = None) -> tuple[str, list[str]]:
    """`export_toolbox` for the tools of a spec's domain (with its mcp-toolbox.yaml, if any)."""
    loaded = loader.from_file(spec)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if loaded.spec is None or errors:
        raise SpecError(errors)
    domain = loaded.spec.domain
    return export_toolbox(domain.tools, domain.name, read_sidecar(domain.path), layout, engine)


def export_toolbox(tools: list[ToolSpec], domain: str, sidecar: dict | None, layout: str = "documents",
                   engine: str | None = None) -> tuple[str, list[str]]:
    """A toolbox file with the domain's single-statement tools, and notes on what was left out."""
    sidecar = sidecar or {}
    sources = sidecar.get("sources") or {f"{domain}-db": {"type": "sqlite", "database": f"{domain}.db"}}
    served = sidecar.get("tools") or {}
    default_source = next(iter(sources))
    notes, exported = [], []
    for tool in tools:
        why = _not_exportable(tool)
        if why:
            notes.append(f"{tool.name}: {why}; left out")
            continue
        where = served.get(tool.name, {})
        source = where.get("source") or default_source
        kind = engine or SOURCE_TYPES.get(str(sources.get(source, {}).get("type")), "sqlite")
        exported.append(_toolbox_tool(tool, where.get("name") or tool.name, source, kind, sidecar.get("names") or {}))
    names = {t["name"] for t in exported}
    toolsets = {n: [t for t in ts if t in names] for n, ts in (sidecar.get("toolsets") or {}).items()}
    return _render(sources, exported, {n: FlowList(ts) for n, ts in toolsets.items() if ts}, layout), notes


def _not_exportable(tool: ToolSpec) -> str | None:
    if tool.simulated is not None:
        return "a simulated tool has no SQL"
    if tool.let or tool.with_ or tool.guards or tool.returns is not None or len(tool.writes) > 1 or \
            (tool.sql is None and not tool.writes):
        return "not a single statement (let, with, guards, several writes or a returned document)"
    if any(p.type == "array" for p in tool.parameters.values()):
        return "list parameters are tables inside dslgen's SQL"
    return None


def _toolbox_tool(tool: ToolSpec, name: str, source: str, engine: str, names: dict[str, str]) -> dict:
    sql = (tool.sql if tool.sql is not None else tool.writes[0]).strip()
    params = [p for p, spec in tool.parameters.items() if not spec.informational]
    if engine == "postgresql":
        statement = to_positional(to_postgres(sql), params, "$")
    else:
        statement = to_positional(sql, params, "?")
    statement = quote_names(statement, names)  # placeholders are positional by now: no `:name` to mistake
    out = {"name": name, "type": "postgres-sql" if engine == "postgresql" else "sqlite-sql", "source": source,
           "description": tool.description}
    if params:
        out["parameters"] = [_toolbox_param(p, tool.parameters[p]) for p in params]
    out["statement"] = statement
    return out


def _toolbox_param(name: str, spec) -> dict:
    out = {"name": name, "type": PARAM_TYPES.get(spec.type, spec.type), "description": spec.description or name}
    if spec.items:
        out["items"] = {"name": "item", "type": PARAM_TYPES.get(spec.items.get("type"), spec.items.get("type", "string")),
                        "description": name}
    if spec.enum:
        out["allowedValues"] = FlowList(spec.enum)
    if not spec.required:
        out["required"] = False
    return out


def _render(sources: dict, tools: list[dict], toolsets: dict[str, list], layout: str) -> str:
    if layout == "map":
        doc = {"sources": {n: {"kind": b["type"], **{k: v for k, v in b.items() if k != "type"}}
                           for n, b in sources.items()},
               "tools": {t["name"]: {"kind": t["type"], **{k: v for k, v in t.items() if k not in ("name", "type")}}
                         for t in tools},
               **({"toolsets": toolsets} if toolsets else {})}
        return dump(doc, spaced=False)
    docs = [{"kind": "source", "name": n, **b} for n, b in sources.items()]
    docs += [{"kind": "tool", **t} for t in tools]
    docs += [{"kind": "toolset", "name": n, "tools": ts} for n, ts in toolsets.items()]
    return "---\n".join(dump(d, spaced=False) for d in docs)


def write_text_file(path: str | Path, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise RunError(f"cannot write {path}: {e.strerror}", hint="is its folder there and writable?") from None


def read_sidecar(domain: Path) -> dict | None:
    path = domain / SIDECAR
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None

