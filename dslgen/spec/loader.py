"""Load a spec: YAML files → validated `Spec`, or every problem found as diagnostics.

Layered `from_file → from_text`; tests use `from_text`. Nothing here calls a model or a
database; checks that need the SQL schema run in the compiler. Every file a spec names is
read through `files`: inside the project root, and text.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from dslgen import redact
from dslgen.errors import Diagnostic, Span, SpecError
from dslgen.spec import files
from dslgen.spec.models import Domain, Spec, SpecFile, StartState
from dslgen.spec.source_map import SourceMap, load_yaml
from dslgen.spec.sources import Sources
from dslgen.spec.task_templates import TaskTemplatesFile
from dslgen.spec.tasks import TasksFile
from dslgen.spec.tools import ToolsFile
from dslgen.spec.validation import validate
from dslgen.templating import TEMPLATE_VARIABLES, default_template_path

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DOMAIN_FILES = ("schema.sql", "policy.md", "tools.yaml", "tasks.yaml")
TASK_TEMPLATES_FILE = "task_templates.yaml"  # optional


class Loaded:
    """A loaded spec (None if it could not be built) with its sources and diagnostics."""

    def __init__(self, spec: Spec | None, sources: Sources, diagnostics: list[Diagnostic]):
        self.spec, self.sources, self.diagnostics = spec, sources, diagnostics


def _read(path: Path, what: str) -> str | Diagnostic:
    """A file named on the command line, or the diagnostic saying why it cannot be used."""
    try:
        return files.read_text(path)
    except files.NotText as exc:
        return Diagnostic("DSL008", f"the {what} is not UTF-8 text: {exc.message}", Span(str(path), exc.line, exc.col))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Diagnostic("DSL110", f"cannot read the {what}: {reason}", Span(str(path), 1, 1))


def from_file(path: str | Path) -> Loaded:
    text = _read(Path(path), "spec")
    if isinstance(text, Diagnostic):
        return Loaded(None, Sources(), [text])
    return from_text(text, str(path))


def from_text(text: str, file: str = "<spec>") -> Loaded:
    sources, diags = Sources(), []
    data, smap, found = load_yaml(text, file)
    diags += found
    sources.mount((), smap)
    if found and data is None:
        return Loaded(None, sources, diags)
    if not isinstance(data, dict):
        diags.append(Diagnostic("DSL103", "a spec must be a mapping of fields", smap.at(1, 1),
                                "start with `dslgen: 1`, then `name:`, `domain:` and `pipeline:`"))
        return Loaded(None, sources, diags)
    diags += _version_header(data, smap)
    diags += interpolate_env(data, smap, ())
    head = validate(SpecFile, data, smap)
    diags += head.diagnostics
    base = Path(file).parent
    root = _root(data.get("root"), base, smap, diags)
    domain = _load_domain(data.get("domain"), base, root, sources, diags, smap)
    prompts = _load_templates(head.value, base, root, sources, diags, smap)
    imported = _load_imported_tasks(head.value, base, root, sources, diags, smap)
    spec = None
    if head.value is not None and domain is not None and not any(d.severity == "error" for d in diags):
        fields = {k: getattr(head.value, k) for k in SpecFile.model_fields if k not in ("domain", "root")}
        spec = Spec(**fields, domain=domain, path=Path(file), prompts=prompts, imported_tasks=imported)
    diags.sort(key=lambda d: d.sort_key())
    return Loaded(spec, sources, diags)


def start_state_from_file(path: str | Path) -> StartState:
    """A starting history and database state from a YAML/JSON file (`dslgen run --start`)."""
    text = _read(Path(path), "start state")
    if isinstance(text, Diagnostic):
        raise SpecError([text])
    data, smap, diags = load_yaml(text, str(path))
    diags += interpolate_env(data, smap, ()) if data is not None else []
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
    """Replace ${NAME} in strings, in place, from the environment; each value substituted is
    registered as a secret, so no output shows it."""
    diags: list[Diagnostic] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and "${" in value:
            for name in _ENV.findall(value):
                if name in os.environ:
                    redact.register(os.environ[name])
                else:
                    diags.append(Diagnostic("DSL010", f"environment variable '{name}' is not set",
                                            smap.span(path + (key,)), f"export {name}=... before running"))
            node[key] = _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)
        else:
            diags += interpolate_env(value, smap, path + (key,))
    return diags


def _refused(exc: files.Refused, span: Span) -> Diagnostic:
    return Diagnostic(exc.code, exc.message, span, exc.hint)


def _root(declared: Any, base: Path, smap: SourceMap, diags: list) -> Path:
    """The project root: every file the spec reads must be inside it."""
    if isinstance(declared, str):
        try:
            return files.declared_root(base, declared)
        except files.Refused as exc:
            diags.append(_refused(exc, smap.span(("root",))))
    return files.project_root(base)


def _shown(path: Path) -> str:
    """Paths in diagnostics: relative to the working directory when possible."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_inside(path: Path, diags: list, unreadable: Diagnostic) -> str | None:
    """A file already checked to be inside the root; None (with a diagnostic) if not text."""
    try:
        return files.read_text(path)
    except files.NotText as exc:
        diags.append(Diagnostic("DSL008", f"{_shown(path)} is not UTF-8 text: {exc.message}",
                                Span(_shown(path), exc.line, exc.col), "save it as UTF-8 text"))
    except OSError as exc:
        diags.append(Diagnostic(unreadable.code, f"{unreadable.message}: {exc.strerror}",
                                unreadable.span, unreadable.hint))
    return None


def _load_domain(rel: Any, base: Path, root: Path, sources: Sources, diags: list,
                 smap: SourceMap) -> Domain | None:
    if not isinstance(rel, str):
        return None
    where = smap.span(("domain",))
    try:
        folder = files.inside(root, base, rel, "domain folder")
    except files.Refused as exc:
        diags.append(_refused(exc, where))
        return None
    if not folder.is_dir():
        diags.append(Diagnostic("DSL111", f"domain folder '{rel}' not found", where,
                                f"looked in {folder}; it should hold {', '.join(DOMAIN_FILES)}"))
        return None
    texts = _read_domain_files(folder, root, rel, where, diags)
    seed, seed_files = _seed_dir(folder, root, where, sources, diags)
    if texts is None:
        return None
    sources.mount_text(("domain", "schema_sql"), _shown(folder / "schema.sql"), texts["schema.sql"])
    tools = _load_listing(texts["tools.yaml"], _shown(folder / "tools.yaml"), ToolsFile, "tools", sources, diags)
    tasks = _load_listing(texts["tasks.yaml"], _shown(folder / "tasks.yaml"), TasksFile, "tasks", sources, diags)
    templates = _load_task_templates(folder, root, where, sources, diags)
    if tools is None or tasks is None or templates is None:
        return None
    return Domain(name=folder.name, path=folder, schema_sql=texts["schema.sql"], policy=texts["policy.md"],
                  tools=tools.tools, tasks=tasks.tasks, seed_dir=seed, seed_files=seed_files,
                  notices=_notices(folder, root, where, diags), task_templates=templates.task_templates)


def _notices(folder: Path, root: Path, where: Span, diags: list) -> dict[str, str]:
    """Licence and notice files of the domain's data: exports copy them beside the data."""
    found = sorted(p for pattern in ("LICENSE*", "LICENCE*", "NOTICE*") for p in folder.glob(pattern))
    texts = {}
    for path in found:
        try:
            path = files.inside(root, folder, path.name, f"notice file {path.name}")
        except files.Refused as exc:
            diags.append(_refused(exc, where))
            continue
        text = _read_inside(path, diags, Diagnostic("DSL112", f"{path.name} cannot be read", where)) \
            if path.is_file() else None
        if text is not None:
            texts[path.name] = text
    return texts



def _load_task_templates(folder: Path, root: Path, where: Span, sources: Sources, diags: list):
    """The domain's task_templates.yaml, if it has one (an empty listing if not)."""
    try:
        path = files.inside(root, folder, TASK_TEMPLATES_FILE, f"domain file {TASK_TEMPLATES_FILE}")
    except files.Refused as exc:
        diags.append(_refused(exc, where))
        return None
    if not os.path.lexists(path):
        return TaskTemplatesFile()
    text = _read_inside(path, diags, Diagnostic("DSL112", f"{TASK_TEMPLATES_FILE} cannot be read", where))
    if text is None:
        return None
    return _load_listing(text, _shown(path), TaskTemplatesFile, "task_templates", sources, diags)


def _load_imported_tasks(head: SpecFile | None, base: Path, root: Path, sources: Sources, diags: list,
                         smap: SourceMap) -> dict[str, list]:
    """The tasks files a generate_tasks stage imports (relative to the spec): file → tasks."""
    out: dict[str, list] = {}
    for i, stage in enumerate(head.pipeline if head is not None else []):
        for j, rel in enumerate(getattr(stage, "imported", [])):
            where = smap.span(("pipeline", i, "imported", j))
            try:
                path = files.inside(root, base, rel, "imported tasks file")
            except files.Refused as exc:
                diags.append(_refused(exc, where))
                continue
            if not path.is_file():
                diags.append(Diagnostic("DSL110", f"tasks file '{rel}' not found", where,
                                        f"looked in {path}; write it with `dslgen import tau-bench`"))
                continue
            text = _read_inside(path, diags, Diagnostic("DSL110", f"tasks file '{rel}' cannot be read", where))
            listing = None if text is None else _load_listing(text, _shown(path), TasksFile, "tasks", sources, diags,
                                                              prefix=("imported_tasks", rel))
            out[rel] = listing.tasks if listing is not None else []
    return out

def _read_domain_files(folder: Path, root: Path, rel: str, where: Span, diags: list) -> dict[str, str] | None:
    texts = {}
    for name in DOMAIN_FILES:
        try:
            path = files.inside(root, folder, name, f"domain file {name}")
        except files.Refused as exc:
            diags.append(_refused(exc, where))
            continue
        missing = Diagnostic("DSL112", f"domain '{rel}' has no readable {name}", where, f"create {folder / name}")
        text = _read_inside(path, diags, missing)
        if text is not None:
            texts[name] = text
    return texts if len(texts) == len(DOMAIN_FILES) else None


def _seed_dir(folder: Path, root: Path, where: Span, sources: Sources,
              diags: list) -> tuple[Path | None, dict[str, str]]:
    """The seed folder, if any, and the text of each file in it (name → text; the compiler
    checks them against the schema), once it and every file in it are inside the root."""
    if not os.path.lexists(folder / "seed"):
        return None, {}
    texts = {}
    try:
        seed = files.inside(root, folder, "seed", "seed folder")
        if not seed.is_dir():
            diags.append(Diagnostic("DSL112", "the domain's seed is not a folder", where,
                                    "seed/ holds one <table>.jsonl or <table>.csv file per table"))
            return None, {}
        for entry in sorted(seed.iterdir()):
            if entry.name.startswith("."):  # .gitkeep and the like are never read
                continue
            path = files.inside(root, seed, entry.name, f"seed file seed/{entry.name}")
            unreadable = Diagnostic("DSL112", f"seed file seed/{entry.name} cannot be read", where)
            text = _read_inside(path, diags, unreadable) if path.is_file() or not path.exists() else None
            if text is not None:
                texts[entry.name] = text
                sources.mount_text(("domain", "seed", entry.name), _shown(seed / entry.name), text)
    except files.Refused as exc:
        diags.append(_refused(exc, where))
        return None, {}
    except OSError as exc:
        diags.append(Diagnostic("DSL112", f"the seed folder cannot be read: {exc.strerror}", where))
        return None, {}
    return seed, texts


def _load_listing(text: str, file: str, model: type, key: str, sources: Sources, diags: list,
                  prefix: tuple | None = None):
    data, smap, found = load_yaml(text, file)
    diags += found
    sources.mount(prefix or ("domain", key), smap, (key,))
    if data is None and found:
        return None
    data = data if data is not None else {}
    if not isinstance(data, dict):
        diags.append(Diagnostic("DSL103", f"{Path(file).name} must be a mapping with `{key}:`", smap.at(1, 1),
                                f"start the file with `{key}:` and list the {key} under it"))
        return None
    diags += interpolate_env(data, smap, ())
    result = validate(model, data, smap)
    diags += result.diagnostics
    return result.value


def _load_templates(head: SpecFile | None, base: Path, root: Path, sources: Sources, diags: list,
                    smap: SourceMap) -> dict[str, str]:
    """Each prompt template's text: the spec's override if given, else the default."""
    overrides = head.templates if head is not None else {}
    prompts = {}
    for name in TEMPLATE_VARIABLES:
        where = smap.span(("templates", name))
        try:
            path = (files.inside(root, base, overrides[name], f"template '{name}'") if name in overrides
                    else default_template_path(name))
        except files.Refused as exc:
            diags.append(_refused(exc, where))
            continue
        unreadable = Diagnostic("DSL113", f"template file '{overrides.get(name, path)}' cannot be read", where,
                                "check the path, relative to the spec")
        text = _read_inside(path, diags, unreadable)
        if text is not None:
            prompts[name] = text
            sources.mount_text(("prompts", name), _shown(path), text)
    return prompts
