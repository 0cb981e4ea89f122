"""The public API: load, check, compile and run specs. The CLI is a thin layer over this."""
from __future__ import annotations

import json
from pathlib import Path

from dslgen.compiler.compile import check as _check
from dslgen.compiler.compile import compile_spec
from dslgen.errors import Diagnostic
from dslgen.plan import Plan
from dslgen.spec import loader
from dslgen.redact import redact_json
from dslgen.spec.models import SpecFile
from dslgen.spec.tasks import TasksFile
from dslgen.spec.tools import ToolsFile

SCHEMA_KINDS = ("spec", "tools", "tasks")


def check_spec(path: str | Path) -> list[Diagnostic]:
    """Every diagnostic for one spec file (empty when it is clean)."""
    ctx = _check(loader.from_file(path))
    return sorted(ctx.diagnostics, key=lambda d: d.sort_key())


def compile_file(path: str | Path, output_dir: str | Path | None = None) -> Plan:
    """Load, check and compile a spec; raises SpecError with every problem found."""
    return compile_spec(loader.from_file(path), output_dir)


def json_schema(kind: str = "spec") -> dict:
    """JSON Schema of a file format, for editors (yaml-language-server): a spec, or a
    domain's tools.yaml or tasks.yaml."""
    model = {"spec": SpecFile, "tools": ToolsFile, "tasks": TasksFile}[kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"dslgen {kind}" if kind == "spec" else f"dslgen {kind}.yaml"
    return schema


def run_spec(path: str | Path, *, out: str | Path | None = None, limit: int | None = None,
             mode: str | None = None, start: str | Path | None = None, progress: bool = True,
             stages: list[str] | None = None, from_dir: str | Path | None = None,
             concurrency: int | None = None, executor: str = "local", shard: str | None = None,
             log_format: str = "text", quiet: bool = False, resume: bool = False):
    """Compile and run a spec into its output folder. `stages` runs only those (reading the
    other stages' files from the folder); `from_dir` is a folder of files a person edited
    (e.g. tasks.jsonl) that stand in for the stages that make them; `start` names a
    YAML/JSON file with a starting history and database state. `concurrency`: dialogues in
    flight; `executor`: local (threads) or ray; `shard`: "i/n", this machine's part of the
    dialogues (join the parts with `merge`); `resume`: finish the run the folder holds."""
    from dslgen.execute import RunOptions
    from dslgen.execute.shard import WHOLE, Shard
    from dslgen.runner import run_plan

    options = RunOptions(concurrency, executor, Shard.parse(shard) if shard else WHOLE, log_format, quiet)
    plan = compile_file(path, out)
    start_state = loader.start_state_from_file(start) if start else None
    return run_plan(plan, stages=stages, from_dir=from_dir, limit=limit, mode=mode, start=start_state,
                    progress=progress, options=options, resume=resume)


def import_tau_bench(episodes, output: str | Path, spec: str | Path = "specs/retail.yaml"):
    """τ-bench episodes (dicts, e.g. `dslgen.replay.read_episodes(path)`) → tasks of `spec`'s
    domain, each admitted by running it on the seed data; writes `output` (tasks.yaml
    format) and the rejected ones beside it."""
    from dslgen.synthesis.tau_bench import import_file

    return import_file(compile_file(spec), episodes, output)


def merge_shards(folders: list[str | Path], out: str | Path):
    """Join the output folders of `run --shard i/n` into one, as a single run writes it."""
    from dslgen.merge import merge_runs

    return merge_runs(folders, out)


def plan_json(plan: Plan) -> str:
    """The plan as JSON for a reviewer; values read from ${VAR} show as ***."""
    return json.dumps(redact_json(plan.to_json()), indent=2, ensure_ascii=False)


def export_run(run_dir: str | Path, formats: tuple[str, ...] | None = None, out: str | Path | None = None):
    """Re-export a finished run folder (its records and export.json) without running anything."""
    from dslgen.export.folder import export_folder

    return export_folder(run_dir, formats, out)


def run_records(run_dir: str | Path) -> list[dict]:
    """Every dialogue record of a run folder; a clear error when it holds none."""
    from dslgen.errors import RunError
    from dslgen.export.folder import read_records
    from dslgen.plan.artifacts import VALIDATED

    run_dir = Path(run_dir)
    records, present = read_records(run_dir) if run_dir.is_dir() else ([], [])
    if not present:
        raise RunError(f"{run_dir}: no {VALIDATED} here",
                       hint="name the output folder of a run (out/<spec name>) whose validate stage ran")
    return records


def report_html(run_dir: str | Path, output: str | Path | None = None) -> Path:
    """Write the run's HTML report (default: report.html in the run folder)."""
    from dslgen.export.report import REPORT_FILE, write_html

    run_dir = Path(run_dir)
    records = run_records(run_dir)
    title = f"dslgen report: {run_dir.resolve().name}"
    return write_html(records, Path(output) if output else run_dir / REPORT_FILE, title, str(run_dir))
