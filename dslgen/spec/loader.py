"""Load a spec: YAML files → validated `Spec`, or every problem found as diagnostics.

Layered `from_file → from_text`; tests use `from_text`. Nothing here calls a model or a
database; checks that need the SQL schema run in the compiler.
"""
from __future__ import annotations

import os
import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from dslgen.compiler.context import did_you_mean
from dslgen.templating import TEMPLATE_VARIABLES, default_template_path
from dslgen.errors import Diagnostic, Span, SpecError
from dslgen.spec.models import Domain, Spec, SpecFile, StartState
from dslgen.spec.source_map import SourceMap, load_yaml
from dslgen.spec.sources import Sources
from dslgen.spec.task_templates import TaskTemplatesFile
from dslgen.spec.tasks import TasksFile
from dslgen.spec.tools import ToolsFile

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DOMAIN_FILES = ("schema.sql", "policy.md", "tools.yaml", "tasks.yaml")
TASK_TEMPLATES_FILE = "task_templates.yaml"  # optional


class Loaded:
    """A loaded spec (None if it could not be built) with its sources and diagnostics."""

    def __init__(self, spec: Spec | None, sources: Sources, diagnostics: list[Diagnostic]):
        self.spec, self.sources, self.diagnostics = spec, sources, diagnostics


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError([Diagnostic("DSL110", f"cannot read {what}: {exc.strerror}",
                                    Span(str(path), 1, 1))]) from None


def from_file(path: str | Path) -> Loaded:
    return from_text(_read(Path(path), "spec"), str(path))


def from_text(text: str, file: str = "<spec>") -> Loaded:
    sources, diags = Sources(), []
    data, smap, found = load_yaml(text, file)
    diags += found
    sources.mount((), smap)
    if found and data is None:
        return Loaded(None, sources, diags)
    if not isinstance(data, dict):
        diags.append(Diagnostic("DSL100", "a spec must be a mapping of fields", Span(file, 1, 1),
                                "start with `dslgen: 1`, then `name:`, `domain:` and `pipeline:`"))
        return Loaded(None, sources, diags)
    diags += _version_header(data, smap)
    diags += interpolate_env(data, smap, ())
    head = validate(SpecFile, data, smap)
    diags += head.diagnostics
    domain = _load_domain(data.get("domain"), Path(file).parent, sources, diags, smap)
    prompts = _load_templates(head.value, Path(file).parent, sources, diags, smap)
    imported = _load_imported_tasks(head.value, Path(file).parent, sources, diags, smap)
    spec = None
    if head.value is not None and domain is not None and not diags:
        fields = {k: getattr(head.value, k) for k in SpecFile.model_fields if k != "domain"}
        spec = Spec(**fields, domain=domain, path=Path(file), prompts=prompts, imported_tasks=imported)
    diags.sort(key=lambda d: d.sort_key())
    return Loaded(spec, sources, diags)


def start_state_from_file(path: str | Path) -> StartState:
    """A starting history and database state from a YAML/JSON file (`dslgen run --start`)."""
    data, smap, diags = load_yaml(_read(Path(path), "start state"), str(path))
    result = validate(StartState, data if data is not None else {}, smap) if not diags else None
    diags += result.diagnostics if result else []
    if diags:
        raise SpecError(diags)
    return result.value


def _version_header(data: dict, smap: SourceMap) -> list[Diagnostic]:
    if "dslgen" in data and data["dslgen"] != 1:
        return [Diagnostic("DSL003", f"unsupported spec version {data['dslgen']!r}",
                           smap.span(("dslgen",)), "this dslgen reads `dslgen: 1`")]
    return []


def interpolate_env(node: Any, smap: SourceMap, path: tuple) -> list[Diagnostic]:
    """Replace ${NAME} in strings, in place, from the environment."""
    diags: list[Diagnostic] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and "${" in value:
            missing = [m for m in _ENV.findall(value) if m not in os.environ]
            for name in missing:
                diags.append(Diagnostic("DSL010", f"environment variable '{name}' is not set",
                                        smap.span(path + (key,)), f"export {name}=... before running"))
            node[key] = _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)
        else:
            diags += interpolate_env(value, smap, path + (key,))
    return diags


class Validated:
    def __init__(self, value, diagnostics):
        self.value, self.diagnostics = value, diagnostics


def validate(model: type[BaseModel], data: Any, smap: SourceMap, inner: tuple = ()) -> Validated:
    """Validate `data` with a pydantic model; every error becomes a positioned diagnostic."""
    try:
        return Validated(model.model_validate(data), [])
    except ValidationError as exc:
        return Validated(None, [_diagnostic(e, model, data, smap, inner) for e in exc.errors()])


def _diagnostic(err: dict, model: type, data: Any, smap: SourceMap, inner: tuple) -> Diagnostic:
    path = _data_path(err["loc"], data)
    where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
    kind = err["type"]
    if kind == "extra_forbidden":
        name = path[-1]
        allowed = _allowed_fields(model, path[:-1], data)
        hint = did_you_mean(str(name), allowed) or (f"allowed here: {', '.join(sorted(allowed))}" if allowed else None)
        return Diagnostic("DSL100", f"unknown field '{name}'", smap.span(inner + path, key=True), hint)
    if kind == "missing":
        name = err["loc"][-1]
        parent = ".".join(map(str, path)) or "the top level"
        return Diagnostic("DSL101", f"missing required field '{name}' in {parent}",
                          smap.span(inner + path, key=True), f"add `{name}:`")
    hint = _type_hint(err)
    return Diagnostic("DSL102", f"{where}: {err['msg']}", smap.span(inner + path), hint)


def _type_hint(err: dict) -> str | None:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return f"expected {ctx['expected']}"
    if err["type"] == "union_tag_invalid":
        return f"expected one of {ctx.get('expected_tags')}"
    return None


def _data_path(loc: tuple, data: Any) -> tuple:
    """Keep only the parts of a pydantic error location that exist in the data (drops union tags)."""
    path, node = [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and part == loc[-1]:
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
    """Strip Annotated/Optional; for a tagged union pick the member matching the node's tag."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        for m in members:
            m = _unwrap(m, node)
            tag = getattr(m, "model_fields", {}).get("stage")
            if tag is None or (isinstance(node, dict) and node.get("stage") in typing.get_args(tag.annotation)):
                return m
        return None
    return tp


def _load_domain(rel: Any, base: Path, sources: Sources, diags: list, smap: SourceMap) -> Domain | None:
    if not isinstance(rel, str):
        return None
    folder = (base / rel).resolve() if not Path(rel).is_absolute() else Path(rel)
    if not folder.is_dir():
        diags.append(Diagnostic("DSL110", f"domain folder '{rel}' not found", smap.span(("domain",)),
                                f"looked in {folder}; it should hold {', '.join(DOMAIN_FILES)}"))
        return None
    texts = _read_domain_files(folder, rel, smap, diags)
    if texts is None:
        return None
    shown = _shown_path(folder)
    sources.mount_text(("domain", "schema_sql"), shown("schema.sql"), texts["schema.sql"])
    tools = _load_listing(texts["tools.yaml"], shown("tools.yaml"), ToolsFile, "tools", sources, diags)
    tasks = _load_listing(texts["tasks.yaml"], shown("tasks.yaml"), TasksFile, "tasks", sources, diags)
    templates = _load_task_templates(folder, shown, sources, diags)
    if tools is None or tasks is None or templates is None:
        return None
    seed = folder / "seed"
    return Domain(name=folder.name, path=folder, schema_sql=texts["schema.sql"], policy=texts["policy.md"],
                  tools=tools.tools, tasks=tasks.tasks, seed_dir=seed if seed.is_dir() else None,
                  seed_files=_read_seed_files(seed, shown, sources, diags),
                  notices=_notices(folder), task_templates=templates.task_templates)


def _notices(folder: Path) -> dict[str, str]:
    """Licence and notice files of the domain's data: exports copy them beside the data."""
    found = sorted(p for pattern in ("LICENSE*", "LICENCE*", "NOTICE*") for p in folder.glob(pattern))
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in found if p.is_file()}


def _load_task_templates(folder: Path, shown, sources: Sources, diags: list):
    path = folder / TASK_TEMPLATES_FILE
    if not path.is_file():
        return TaskTemplatesFile()
    text = _read(path, "task templates")
    return _load_listing(text, shown(TASK_TEMPLATES_FILE), TaskTemplatesFile, "task_templates", sources, diags)


def _load_imported_tasks(head: SpecFile | None, base: Path, sources: Sources, diags: list,
                         smap: SourceMap) -> dict[str, list]:
    """The tasks files a generate_tasks stage imports (relative to the spec): file → tasks."""
    out: dict[str, list] = {}
    for i, stage in enumerate(head.pipeline if head is not None else []):
        for j, rel in enumerate(getattr(stage, "imported", [])):
            path = base / rel
            if not path.is_file():
                diags.append(Diagnostic("DSL110", f"tasks file '{rel}' not found", smap.span(("pipeline", i, "imported", j)),
                                        f"looked in {path}; write it with `dslgen import tau-bench`"))
                continue
            listing = _load_listing(_read(path, "imported tasks"), _shown_path(path.parent)(path.name), TasksFile,
                                    "tasks", sources, diags, prefix=("imported_tasks", rel))
            out[rel] = listing.tasks if listing is not None else []
    return out


def _shown_path(folder: Path):
    """Paths in diagnostics: relative to the working directory when possible."""
    def shown(name: str) -> str:
        try:
            return str((folder / name).relative_to(Path.cwd()))
        except ValueError:
            return str(folder / name)
    return shown


def _read_domain_files(folder: Path, rel: str, smap: SourceMap, diags: list) -> dict[str, str] | None:
    texts = {}
    for name in DOMAIN_FILES:
        try:
            texts[name] = (folder / name).read_text(encoding="utf-8")
        except OSError:
            diags.append(Diagnostic("DSL110", f"domain '{rel}' has no {name}", smap.span(("domain",)),
                                    f"create {folder / name}"))
    return texts if len(texts) == len(DOMAIN_FILES) else None


def _read_seed_files(seed: Path, shown, sources: Sources, diags: list) -> dict[str, str]:
    """Texts of seed/* (name → text); the compiler checks them against the schema."""
    files = {}
    for path in sorted(seed.iterdir()) if seed.is_dir() else ():
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            files[path.name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
            diags.append(Diagnostic("DSL420", f"cannot read seed file: {reason}", Span(shown(f"seed/{path.name}"), 1, 1)))
            continue
        sources.mount_text(("domain", "seed", path.name), shown(f"seed/{path.name}"), files[path.name])
    return files


def _load_listing(text: str, file: str, model: type, key: str, sources: Sources, diags: list,
                  prefix: tuple | None = None):
    data, smap, found = load_yaml(text, file)
    diags += found
    sources.mount(prefix or ("domain", key), smap, (key,))
    if data is None and found:
        return None
    data = data if data is not None else {}
    diags += interpolate_env(data, smap, ())
    result = validate(model, data, smap)
    diags += result.diagnostics
    return result.value


def _load_templates(head: SpecFile | None, base: Path, sources: Sources, diags: list,
                    smap: SourceMap) -> dict[str, str]:
    """Each prompt template's text: the spec's override if given, else the default."""
    overrides = head.templates if head is not None else {}
    prompts = {}
    for name in TEMPLATE_VARIABLES:
        path = base / overrides[name] if name in overrides else default_template_path(name)
        try:
            prompts[name] = path.read_text(encoding="utf-8")
        except OSError:
            diags.append(Diagnostic("DSL110", f"template file '{path}' not found",
                                    smap.span(("templates", name)), "check the path, relative to the spec"))
            continue
        sources.mount_text(("prompts", name), _shown_path(path.parent)(path.name), prompts[name])
    return prompts

