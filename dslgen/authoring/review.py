"""Review support: diagnostics as GitHub Actions annotations, and `dslgen diff` of two specs
(two files, or a spec against a git revision of the same repository)."""
from __future__ import annotations

import functools
import io
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dslgen.authoring.plan_diff import diff_plans, render_markdown
from dslgen.errors import Diagnostic, RunError, SpecError
from dslgen.spec.files import ROOT_MARKER


def github_annotations(diagnostics: list[Diagnostic]) -> str:
    """One `::error file=…,line=…,col=…::…` (or `::warning`) line per diagnostic."""
    return "\n".join(_annotation(d) for d in diagnostics)


def _annotation(d: Diagnostic) -> str:
    props = {"title": f"dslgen {d.code}"}
    if d.span is not None:
        props = {"file": _relative(d.span.file), "line": d.span.line, "col": d.span.col,
                 **({"endColumn": d.span.end_col} if d.span.end_col else {}), **props}
    text = f"{d.code}: {d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
    fields = ",".join(f"{k}={_escape(str(v), prop=True)}" for k, v in props.items())
    return f"::{d.severity} {fields}::{_escape(text)}"


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _relative(file: str) -> str:
    """GitHub wants paths relative to the repository's root, wherever dslgen runs from (a
    workflow step may run in a subfolder): $GITHUB_WORKSPACE in a workflow, else the root of
    the git repository that holds the file, else the working directory."""
    full = Path.cwd() / file  # an absolute `file` stays as it is
    workspace = os.environ.get("GITHUB_WORKSPACE")
    root = Path(workspace).resolve() if workspace else _repository_root(full.parent) or Path.cwd().resolve()
    try:
        return full.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return file


@functools.lru_cache(maxsize=None)
def _repository_root(folder: Path) -> Path | None:
    top = _git(["rev-parse", "--show-toplevel"], folder, check=False) if folder.is_dir() else None
    return Path(top).resolve() if top else None


@dataclass
class Side:
    label: str  # what the reader sees: a path, or REV:path
    plan: dict
    note: str = ""


def diff_specs(first: str, second: str) -> str:
    """A review comment (Markdown) on what going from the first spec to the second does to the
    compiled plan. One argument may be a git revision: that side is the other spec as the
    repository held it then, and it is always the base (`dslgen diff specs/x.yaml main` reads
    as "this branch against main")."""
    first_file, second_file = Path(first).is_file(), Path(second).is_file()
    if first_file and second_file:
        return _render(_current(first), _current(second))
    if first_file and _is_revision(first, second):
        return _render(_at_revision(second, first), _current(first))
    if second_file and _is_revision(second, first):
        return _render(_at_revision(first, second), _current(second))
    bad = second if first_file else first
    raise SpecError([Diagnostic("DSL110", f"'{bad}' is neither a spec file nor a git revision of its repository")])


def _render(base: Side, head: Side) -> str:
    here = str(Path.cwd().resolve()) + "/"
    old, new = _relocated(base.plan, here, ""), _relocated(head.plan, here, "")
    text = render_markdown(diff_plans(old, new), base.label, head.label, new.get("name", head.label))
    return (f"> {base.note}\n\n" if base.note else "") + text


def _is_revision(spec: str, rev: str) -> bool:
    """Is `rev` a commit in the repository that holds `spec`?"""
    if not Path(spec).is_file():
        return False
    found = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], Path(spec).resolve().parent, check=False)
    return found is not None


def _current(spec: str) -> Side:
    from dslgen import api

    return Side(spec, api.compile_file(spec).to_json())


def _at_revision(rev: str, spec: str) -> Side:
    """Compile `spec` as the repository held it at `rev` (a throwaway copy of that tree)."""
    from dslgen import api

    here = Path(spec).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], here.parent))
    rel = here.relative_to(top)
    label = f"{rev}:{rel}"
    archive = _git_bytes(["archive", "--format=tar", rev], top)
    with tempfile.TemporaryDirectory(prefix="dslgen-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        (Path(tmp) / ROOT_MARKER).touch()  # the copy has no .git: its top is still the project root
        old_spec = Path(tmp) / rel
        if not old_spec.is_file():
            return Side(label, {}, f"{rel} does not exist at {rev}: everything is new")
        try:
            plan = api.compile_file(old_spec).to_json()
        except SpecError as e:
            return Side(label, {}, f"{rel} at {rev} does not compile ({len(e.diagnostics)} problem(s)): "
                                   "everything is shown as new")
        return Side(label, _relocated(plan, str(Path(tmp).resolve()), str(top)))


def _relocated(value, old_root: str, new_root: str):
    """Paths under `old_root` written under `new_root`: a throwaway copy's paths as the working
    tree's, absolute paths as relative ones, so a location alone never shows as a change."""
    if isinstance(value, str):
        return new_root + value[len(old_root):] if value.startswith(old_root) else value
    if isinstance(value, dict):
        return {k: _relocated(v, old_root, new_root) for k, v in value.items()}
    if isinstance(value, list):
        return [_relocated(v, old_root, new_root) for v in value]
    return value


def _git(args: list[str], cwd: Path, check: bool = True) -> str | None:
    out = _git_bytes(args, cwd, check)
    return out.decode().strip() if out is not None else None


def _git_bytes(args: list[str], cwd: Path, check: bool = True) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RunError(f"cannot run git: {e}", hint="is git installed and on the PATH?") from None
    if done.returncode != 0:
        if not check:
            return None
        raise RunError(f"git {' '.join(args)} failed: {done.stderr.decode().strip()}",
                       hint="run dslgen diff inside the repository that holds the spec")
    return done.stdout
